package optim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// stateFormat tags every serialized state; it changes if the format does.
const stateFormat = "vigo-optim-state/1"

// slot is the state an optimizer keeps for one parameter.
type slot struct {
	shape []int
	step  int64
	lr    float64     // the parameter's own learning rate (ClippedAdam only)
	bufs  [][]float64 // the rule's buffers, in the order of rule.buffers()

	// spare is the slot this one replaced; the next step writes into it
	// rather than allocating (double buffering). out likewise holds a staged
	// parameter value until it is copied into the tensor.
	spare *slot
	out   []float64
}

// target returns a slot with s's step and rate and buffers of s's sizes
// (their values are left over), reusing s's spare.
func (s *slot) target() *slot {
	c := s.spare
	if c == nil || len(c.bufs) != len(s.bufs) {
		c = &slot{bufs: make([][]float64, len(s.bufs))}
	}
	c.shape, c.step, c.lr, c.spare = s.shape, s.step, s.lr, nil
	for i, b := range s.bufs {
		if len(c.bufs[i]) != len(b) {
			c.bufs[i] = make([]float64, len(b))
		}
	}
	return c
}

// next returns a copy of s, reusing s's spare.
func (s *slot) next() *slot {
	c := s.target()
	for i, b := range s.bufs {
		copy(c.bufs[i], b)
	}
	return c
}

// rule is the update one optimizer applies to a single parameter.
type rule interface {
	// buffers names the per-parameter buffers, as they appear in saved state.
	buffers() []string
	// init fills the buffers of a slot made for a parameter first seen with value p.
	init(s *slot, p []float64)
	// update advances a parameter's state by one step with gradient g: it
	// reads the old buffers from src and writes every element of the new
	// ones into s.bufs (s's other fields start as the old values; src may
	// be s.bufs itself), and writes the parameter's new value into out.
	update(s *slot, src [][]float64, p, g, out []float64)
}

// noGradRule is a rule that changes a parameter's state even on a step in
// which the parameter has no gradient (ClippedAdam decays its rate).
type noGradRule interface {
	rule
	updateNoGrad(s *slot)
}

// slotRateRule is a rule whose slots carry their own learning rate.
type slotRateRule interface {
	rule
	initRate() float64
}

// change is one parameter's staged update.
type change struct {
	name  string
	old   *slot // the slot replaced, kept as the new one's spare
	slot  *slot
	t     *tensor.Tensor
	value []float64 // nil: the parameter's value does not change
}

// stageRule computes the step of rule r for every parameter with a gradient
// and returns the function that applies it. slots is the optimizer's state
// map, created by commit if nil. With check false the caller has already
// validated params and grads with checkParams.
func stageRule(kind string, r rule, slots *map[string]*slot, params []Param, grads []*tensor.Tensor, check bool) (func(), error) {
	if check {
		if err := checkParams(kind, params, grads); err != nil {
			return nil, err
		}
	}
	ng, hasNoGrad := r.(noGradRule)
	changes := make([]change, 0, len(params))
	for i, p := range params {
		g := grads[i]
		if g == nil && !hasNoGrad {
			continue
		}
		pd := p.Tensor.Data()
		old := (*slots)[p.Name]
		if old != nil && !slices.Equal(old.shape, p.Tensor.Shape()) {
			return nil, fmt.Errorf("optim: %s: parameter %q has shape %v but its optimizer state has shape %v", kind, p.Name, p.Tensor.Shape(), old.shape)
		}
		var s *slot
		var src [][]float64
		switch {
		case old == nil:
			s = newSlot(r, p.Tensor.Shape(), pd)
			src = s.bufs
		case g == nil:
			s = old.next()
		default:
			s, src = old.target(), old.bufs
		}
		if g == nil {
			ng.updateNoGrad(s)
			changes = append(changes, change{name: p.Name, old: old, slot: s})
			continue
		}
		if len(s.out) != len(pd) {
			s.out = make([]float64, len(pd))
		}
		out := s.out
		r.update(s, src, pd, g.Data(), out)
		if err := checkFinite(kind, p.Name, r, s, out); err != nil {
			return nil, err
		}
		changes = append(changes, change{name: p.Name, old: old, slot: s, t: p.Tensor, value: out})
	}
	return func() {
		if *slots == nil {
			*slots = make(map[string]*slot)
		}
		for _, c := range changes {
			(*slots)[c.name] = c.slot
			if c.old != nil {
				c.old.spare = nil
			}
			c.slot.spare = c.old
			if c.value != nil {
				c.t.SetData(c.value)
			}
		}
	}, nil
}

func newSlot(r rule, shape []int, p []float64) *slot {
	s := &slot{shape: append([]int{}, shape...), bufs: make([][]float64, len(r.buffers()))}
	for i := range s.bufs {
		s.bufs[i] = make([]float64, len(p))
	}
	if sr, ok := r.(slotRateRule); ok {
		s.lr = sr.initRate()
	}
	r.init(s, p)
	return s
}

// checkFinite reports the first NaN or infinite value in a staged parameter
// value or state buffer. The buffer names of r are read only to report one.
func checkFinite(kind, name string, r rule, s *slot, value []float64) error {
	if i := firstNonFinite(value); i >= 0 {
		return &NonFiniteError{Optimizer: kind, Param: name, Index: i, Value: value[i]}
	}
	for b, buf := range s.bufs {
		if i := firstNonFinite(buf); i >= 0 {
			return &NonFiniteError{Optimizer: kind, Param: name, Buffer: r.buffers()[b], Index: i, Value: buf[i]}
		}
	}
	if math.IsNaN(s.lr) || math.IsInf(s.lr, 0) {
		return &NonFiniteError{Optimizer: kind, Param: name, Buffer: "lr", Value: s.lr}
	}
	return nil
}

// firstNonFinite returns the index of the first NaN or ±Inf in x, or −1.
func firstNonFinite(x []float64) int {
	if vecmath.AllFinite(x) { // a branch-free scan first
		return -1
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}

// The serialized state of an optimizer with per-parameter buffers (see the
// package documentation).
type stateJSON struct {
	Format    string               `json:"format"`
	Optimizer string               `json:"optimizer"`
	LR        string               `json:"lr"`
	Params    map[string]*slotJSON `json:"params"`
}

type slotJSON struct {
	Shape   []int               `json:"shape"`
	Step    *int64              `json:"step"`
	LR      string              `json:"lr,omitempty"`
	Buffers map[string][]string `json:"buffers"`
}

// hexFloat writes v as the 16 hexadecimal digits of its IEEE 754 bits.
func hexFloat(v float64) string {
	s := strconv.FormatUint(math.Float64bits(v), 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

// parseHexFloat reads a value written by hexFloat; it must be finite.
func parseHexFloat(s string) (float64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("value %q is not 16 hexadecimal digits", s)
	}
	u, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("value %q is not 16 hexadecimal digits", s)
	}
	v := math.Float64frombits(u)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %q is not finite", s)
	}
	return v, nil
}

// marshalSlots serializes a rule-based optimizer's state.
func marshalSlots(kind string, r rule, lr float64, slots map[string]*slot) ([]byte, error) {
	_, perRate := r.(slotRateRule)
	st := stateJSON{Format: stateFormat, Optimizer: kind, LR: hexFloat(lr), Params: make(map[string]*slotJSON, len(slots))}
	names := r.buffers()
	for name, s := range slots {
		step := s.step
		sj := &slotJSON{Shape: append([]int{}, s.shape...), Step: &step, Buffers: make(map[string][]string, len(names))}
		if perRate {
			sj.LR = hexFloat(s.lr)
		}
		for b, buf := range s.bufs {
			hs := make([]string, len(buf))
			for i, v := range buf {
				hs[i] = hexFloat(v)
			}
			sj.Buffers[names[b]] = hs
		}
		st.Params[name] = sj
	}
	return json.Marshal(&st)
}

// decodeStrict decodes one JSON value into v, rejecting unknown fields and
// trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after the state")
	}
	return nil
}

// unmarshalSlots reads and checks a rule-based optimizer's state, returning
// the learning rate and the slots it holds.
func unmarshalSlots(kind string, r rule, data []byte) (float64, map[string]*slot, error) {
	fail := func(format string, args ...any) (float64, map[string]*slot, error) {
		return 0, nil, fmt.Errorf("optim: %s: LoadState: "+format, append([]any{kind}, args...)...)
	}
	var st stateJSON
	if err := decodeStrict(data, &st); err != nil {
		return fail("%v", err)
	}
	if st.Format != stateFormat {
		return fail("format %q, want %q", st.Format, stateFormat)
	}
	if st.Optimizer != kind {
		return fail("state of a %q optimizer", st.Optimizer)
	}
	lr, err := parseHexFloat(st.LR)
	if err != nil || lr < 0 {
		return fail("learning rate: bad value %q", st.LR)
	}
	if st.Params == nil {
		return fail("no parameter states")
	}
	_, perRate := r.(slotRateRule)
	names := r.buffers()
	slots := make(map[string]*slot, len(st.Params))
	// Parameters are checked in sorted order, so the first bad one reported
	// does not depend on map iteration.
	for _, name := range sortedKeys(st.Params) {
		sj := st.Params[name]
		if sj == nil || sj.Shape == nil || sj.Step == nil || sj.Buffers == nil {
			return fail("parameter %q: state lacks shape, step or buffers", name)
		}
		n := 1
		for _, d := range sj.Shape {
			if d < 0 || d > 0 && n > math.MaxInt/d {
				return fail("parameter %q: bad shape %v", name, sj.Shape)
			}
			n *= d
		}
		if *sj.Step < 0 {
			return fail("parameter %q: negative step %d", name, *sj.Step)
		}
		s := &slot{shape: append([]int{}, sj.Shape...), step: *sj.Step, bufs: make([][]float64, len(names))}
		if perRate {
			v, err := parseHexFloat(sj.LR)
			if err != nil || v < 0 {
				return fail("parameter %q: learning rate: bad value %q", name, sj.LR)
			}
			s.lr = v
		} else if sj.LR != "" {
			return fail("parameter %q: unexpected per-parameter learning rate", name)
		}
		if len(sj.Buffers) != len(names) {
			return fail("parameter %q: buffers %v, want %v", name, sortedKeys(sj.Buffers), names)
		}
		for b, bname := range names {
			hs, ok := sj.Buffers[bname]
			if !ok {
				return fail("parameter %q: missing buffer %q", name, bname)
			}
			if len(hs) != n {
				return fail("parameter %q: buffer %q has %d values for shape %v", name, bname, len(hs), sj.Shape)
			}
			buf := make([]float64, n)
			for i, h := range hs {
				v, err := parseHexFloat(h)
				if err != nil {
					return fail("parameter %q: buffer %q index %d: %v", name, bname, i, err)
				}
				buf[i] = v
			}
			s.bufs[b] = buf
		}
		slots[name] = s
	}
	return lr, slots, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// stateLoader is implemented by the optimizers of this package: it checks a
// serialized state and returns the function that installs it.
type stateLoader interface {
	prepareLoad(data []byte) (apply func(), err error)
}

// prepareLoadOf prepares loading state into any optimizer. One that is not
// a stateLoader but is [Stateful] is loaded at once; its apply does nothing.
func prepareLoadOf(opt Optimizer, data []byte) (func(), error) {
	if l, ok := opt.(stateLoader); ok {
		return l.prepareLoad(data)
	}
	s, ok := opt.(Stateful)
	if !ok {
		return nil, fmt.Errorf("optim: optimizer %T cannot load state", opt)
	}
	if err := s.LoadState(data); err != nil {
		return nil, err
	}
	return func() {}, nil
}

// stateOf serializes any optimizer's state.
func stateOf(opt Optimizer) ([]byte, error) {
	s, ok := opt.(Stateful)
	if !ok {
		return nil, fmt.Errorf("optim: optimizer %T cannot save state", opt)
	}
	return s.State()
}

// store is the state shared by the optimizers built on a rule: the
// per-parameter slots and whether a zero learning rate was set on purpose.
type store struct {
	slots  map[string]*slot
	lrZero bool
}

// stage stages a step of rule r, or returns err, the error of making r. With
// check false the caller has already validated params and grads.
func (st *store) stage(kind string, r rule, err error, params []Param, grads []*tensor.Tensor, check bool) (func(), error) {
	if err != nil {
		return nil, err
	}
	return stageRule(kind, r, &st.slots, params, grads, check)
}

func (st *store) state(kind string, r rule, err error, lr float64) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return marshalSlots(kind, r, lr, st.slots)
}

func (st *store) prepareLoad(kind string, r rule, err error, data []byte, setLR func(float64)) (func(), error) {
	if err != nil {
		return nil, err
	}
	lr, slots, err := unmarshalSlots(kind, r, data)
	if err != nil {
		return nil, err
	}
	return func() {
		setLR(lr)
		st.slots = slots
	}, nil
}

// load runs prepareLoad and applies the result.
func load(l stateLoader, data []byte) error {
	apply, err := l.prepareLoad(data)
	if err != nil {
		return err
	}
	apply()
	return nil
}
