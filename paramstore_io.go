package vigo

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
	"github.com/vigo-ppl/vigo/transform"
)

// The parameter file format is safetensors, the ML ecosystem's tensor file
// format: an 8-byte little-endian header length N, N bytes of JSON header,
// then the raw tensor bytes. Each parameter is one entry of dtype "F64"
// holding its unconstrained value in little-endian float64 (bit-exact); the
// header's "__metadata__" maps "constraint:<name>" to the constraint's Name()
// and "format" to paramFileFormat.
const paramFileFormat = "vigo-params-1"

// maxHeader bounds the JSON header a loader will read (100 MiB).
const maxHeader = 100 << 20

type safetensorsEntry struct {
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

// ParamState is a snapshot of a store's parameters: unconstrained values
// (copies) and constraints by name.
type ParamState struct {
	Names       []string
	Values      map[string]*tensor.Tensor
	Constraints map[string]constraint.Constraint
}

// State returns a snapshot of every parameter.
func (s *ParamStore) State() ParamState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := ParamState{Names: append([]string(nil), s.order...), Values: map[string]*tensor.Tensor{}, Constraints: map[string]constraint.Constraint{}}
	for _, n := range s.order {
		e := s.entries[n]
		st.Values[n] = e.leaf.Clone()
		st.Constraints[n] = e.cons
	}
	return st
}

// SetState merges a snapshot into the store: parameters in st replace those
// of the same name, others are kept.
func (s *ParamStore) SetState(st ParamState) error {
	entries := make(map[string]*paramEntry, len(st.Names))
	for _, n := range st.Names {
		e, err := entryFromUnconstrained(n, st.Values[n], st.Constraints[n])
		if err != nil {
			return err
		}
		entries[n] = e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lazyInit()
	for _, n := range st.Names {
		s.put(n, entries[n])
	}
	return nil
}

func entryFromUnconstrained(name string, u *tensor.Tensor, cons constraint.Constraint) (*paramEntry, error) {
	if u == nil || cons == nil {
		return nil, fmt.Errorf("vigo: parameter %q: missing value or constraint", name)
	}
	tr, err := transform.TransformTo(cons)
	if err != nil {
		return nil, fmt.Errorf("vigo: parameter %q: %w", name, err)
	}
	if err := fitsTransform(tr, u); err != nil {
		return nil, fmt.Errorf("vigo: parameter %q: constraint %s: %w", name, cons.Name(), err)
	}
	return newEntry(u, cons, tr), nil
}

// Save writes every parameter to path atomically (a temporary file in the
// same directory, then a rename).
func (s *ParamStore) Save(path string) error {
	var buf bytes.Buffer
	if err := s.Encode(&buf); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// Encode writes every parameter in the safetensors format.
func (s *ParamStore) Encode(w io.Writer) error {
	return encodeParamState(w, s.State())
}

func encodeParamState(w io.Writer, st ParamState) error {
	names := append([]string(nil), st.Names...)
	sort.Strings(names)
	header := map[string]any{}
	meta := map[string]string{"format": paramFileFormat}
	off := 0
	for _, n := range names {
		v := st.Values[n]
		header[n] = safetensorsEntry{DType: "F64", Shape: append([]int{}, v.Shape()...), Offsets: [2]int{off, off + 8*v.Len()}}
		meta["constraint:"+n] = st.Constraints[n].Name()
		off += 8 * v.Len()
	}
	header["__metadata__"] = meta
	hb, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	data := make([]byte, 8+len(hb)+off)
	binary.LittleEndian.PutUint64(data, uint64(len(hb)))
	copy(data[8:], hb)
	p := 8 + len(hb)
	for _, n := range names {
		for _, x := range st.Values[n].Data() {
			binary.LittleEndian.PutUint64(data[p:], math.Float64bits(x))
			p += 8
		}
	}
	_, err = w.Write(data)
	return err
}

// Load reads parameters saved by Save and merges them into the store. A
// damaged or truncated file is an error and leaves the store unchanged.
func (s *ParamStore) Load(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return s.LoadBytes(b)
}

// LoadBytes is Load from bytes in memory.
func (s *ParamStore) LoadBytes(b []byte) error {
	st, err := decodeParamState(b)
	if err != nil {
		return err
	}
	return s.SetState(st)
}

func decodeParamState(b []byte) (ParamState, error) {
	var st ParamState
	bad := func(format string, args ...any) (ParamState, error) {
		return st, fmt.Errorf("vigo: damaged parameter file: "+format, args...)
	}
	if len(b) < 8 {
		return bad("%d bytes, too short for a header", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxHeader || n > uint64(len(b)-8) {
		return bad("header length %d exceeds file size %d", n, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil { // rejects anything after the JSON object
		return bad("header: %v", err)
	}
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return bad("metadata: %v", err)
		}
	}
	if meta["format"] != paramFileFormat {
		return bad("format %q, want %q", meta["format"], paramFileFormat)
	}
	data := b[8+n:]
	st = ParamState{Values: map[string]*tensor.Tensor{}, Constraints: map[string]constraint.Constraint{}}
	type span struct{ lo, hi int }
	var spans []span
	for name, m := range raw {
		if name == "__metadata__" {
			continue
		}
		var e safetensorsEntry
		if err := json.Unmarshal(m, &e); err != nil {
			return bad("entry %q: %v", name, err)
		}
		if e.DType != "F64" {
			return bad("entry %q: dtype %q, want F64", name, e.DType)
		}
		count := 1
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && count > math.MaxInt/d) {
				return bad("entry %q: shape %v", name, e.Shape)
			}
			count *= d
		}
		if count > len(data)/8 {
			return bad("entry %q: shape %v needs more than the %d data bytes", name, e.Shape, len(data))
		}
		lo, hi := e.Offsets[0], e.Offsets[1]
		if lo < 0 || hi < lo || hi > len(data) || hi-lo != 8*count {
			return bad("entry %q: offsets %v for shape %v in %d data bytes", name, e.Offsets, e.Shape, len(data))
		}
		spans = append(spans, span{lo, hi})
		vals := make([]float64, count)
		for i := range vals {
			vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[lo+8*i:]))
		}
		cname, ok := meta["constraint:"+name]
		if !ok {
			return bad("entry %q has no constraint", name)
		}
		c, err := constraint.Parse(cname)
		if err != nil {
			return bad("entry %q: %v", name, err)
		}
		st.Names = append(st.Names, name)
		st.Values[name] = tensor.FromData(vals, e.Shape...)
		st.Constraints[name] = c
	}
	// Empty entries have lo == hi; ordering them before a span starting at
	// the same offset keeps the check independent of map order.
	sort.Slice(spans, func(i, j int) bool {
		return spans[i].lo < spans[j].lo || (spans[i].lo == spans[j].lo && spans[i].hi < spans[j].hi)
	})
	end := 0
	for _, sp := range spans {
		if sp.lo != end {
			return bad("data sections overlap or leave gaps")
		}
		end = sp.hi
	}
	if end != len(data) {
		return bad("%d data bytes, entries cover %d", len(data), end)
	}
	sort.Strings(st.Names)
	return st, nil
}

// fitsTransform reports whether the unconstrained value u has a shape that
// tr maps, so that reading the parameter cannot fail later: enough dims for
// tr's events, and a shape its forward map accepts (square matrices,
// triangular numbers of entries, ...).
func fitsTransform(tr transform.Transform, u *tensor.Tensor) (err error) {
	if u.Dim() < tr.DomainEventDim() {
		return fmt.Errorf("shape %v has fewer than %d dims", u.Shape(), tr.DomainEventDim())
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("shape %v does not fit: %v", u.Shape(), r)
		}
	}()
	tr.Forward(u)
	return nil
}

// WriteFileAtomic writes data to a temporary file beside path and renames it
// over path, so readers never see a partial file.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
