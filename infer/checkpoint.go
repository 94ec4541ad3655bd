package infer

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"slices"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// A checkpoint file holds everything an SVI run needs to continue exactly
// where it stopped: the parameter store (in vigo's safetensors parameter
// format), the optimizer's state, the random source's state, and which
// parameters held a (zeroed) gradient. Layout: the 8 bytes "VIGOCKP1", a
// little-endian uint64 length N, N bytes of JSON (checkpointFile), and a
// little-endian CRC-32 (IEEE) of everything before it.
const checkpointMagic = "VIGOCKP1"

type checkpointFile struct {
	Version   int      `json:"version"`
	Params    []byte   `json:"params"`    // ParamStore.Encode output
	Optimizer []byte   `json:"optimizer"` // optim.Stateful.State output
	RNG       []byte   `json:"rng"`       // rand.PCG.MarshalBinary output
	Zeroed    []string `json:"zeroed"`    // parameters whose gradient is zero rather than absent
}

// ErrNotCheckpointable is returned when SVI's random source or optimizer
// cannot be saved.
var ErrNotCheckpointable = errors.New("infer: SVI cannot be checkpointed")

// Checkpoint returns the run's state: parameters, optimizer state and
// random source. Restoring it into an SVI with the same model, guide,
// optimizer settings and loss continues with bit-identical losses.
func (s *SVI[A]) Checkpoint() ([]byte, error) {
	if s.src == nil {
		return nil, fmt.Errorf("%w: its random source was given by WithRand; use WithSeed or WithSource", ErrNotCheckpointable)
	}
	st, ok := s.optim.(optim.Stateful)
	if !ok {
		return nil, fmt.Errorf("%w: optimizer %T has no State method", ErrNotCheckpointable, s.optim)
	}
	var cf checkpointFile
	cf.Version = 1
	var pb bytes.Buffer
	if err := s.store.Encode(&pb); err != nil {
		return nil, err
	}
	cf.Params = pb.Bytes()
	var err error
	if cf.Optimizer, err = st.State(); err != nil {
		return nil, err
	}
	if cf.RNG, err = s.src.MarshalBinary(); err != nil {
		return nil, err
	}
	for _, n := range s.store.Names() {
		if s.store.Unconstrained(n).Grad() != nil {
			cf.Zeroed = append(cf.Zeroed, n)
		}
	}
	body, err := json.Marshal(cf)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 16+len(body)+4)
	out = append(out, checkpointMagic...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(body)))
	out = append(out, body...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out)), nil
}

// SaveCheckpoint writes Checkpoint to path atomically (a temporary file,
// then a rename).
func (s *SVI[A]) SaveCheckpoint(path string) error {
	b, err := s.Checkpoint()
	if err != nil {
		return err
	}
	return vigo.WriteFileAtomic(path, b)
}

// LoadCheckpoint restores a checkpoint written by SaveCheckpoint.
func (s *SVI[A]) LoadCheckpoint(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return s.Restore(b)
}

// Restore replaces the parameter store's contents, the optimizer's state and
// the random source's state by those of a checkpoint. A damaged or truncated
// checkpoint is an error and nothing is changed.
func (s *SVI[A]) Restore(b []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("infer: damaged checkpoint: "+format, args...)
	}
	if s.src == nil {
		return fmt.Errorf("%w: its random source was given by WithRand; use WithSeed or WithSource", ErrNotCheckpointable)
	}
	st, ok := s.optim.(optim.Stateful)
	if !ok {
		return fmt.Errorf("%w: optimizer %T has no LoadState method", ErrNotCheckpointable, s.optim)
	}
	if len(b) < len(checkpointMagic)+8+4 || string(b[:len(checkpointMagic)]) != checkpointMagic {
		return bad("missing header")
	}
	end := len(b) - 4
	if crc32.ChecksumIEEE(b[:end]) != binary.LittleEndian.Uint32(b[end:]) {
		return bad("checksum mismatch")
	}
	n := binary.LittleEndian.Uint64(b[len(checkpointMagic):])
	body := b[len(checkpointMagic)+8 : end]
	if n != uint64(len(body)) {
		return bad("body length %d, header says %d", len(body), n)
	}
	var cf checkpointFile
	if err := json.Unmarshal(body, &cf); err != nil {
		return bad("%v", err)
	}
	if cf.Version != 1 {
		return bad("version %d", cf.Version)
	}
	decoded := vigo.NewParamStore()
	if err := decoded.LoadBytes(cf.Params); err != nil {
		return bad("%v", err)
	}
	params := decoded.State()
	for _, z := range cf.Zeroed {
		if !slices.Contains(params.Names, z) {
			return bad("zeroed gradient for unknown parameter %q", z)
		}
	}
	var src = *s.src
	if err := src.UnmarshalBinary(cf.RNG); err != nil {
		return bad("random source: %v", err)
	}
	// The optimizer loads atomically; it goes first so that its failure
	// leaves everything unchanged. What follows cannot fail.
	if err := st.LoadState(cf.Optimizer); err != nil {
		return bad("optimizer: %v", err)
	}
	s.store.Clear()
	if err := s.store.SetState(params); err != nil {
		return err
	}
	for _, z := range cf.Zeroed {
		leaf := s.store.Unconstrained(z)
		leaf.SetGrad(tensor.Zeros(leaf.Shape()...))
	}
	*s.src = src
	return nil
}
