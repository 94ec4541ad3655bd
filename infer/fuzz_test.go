package infer

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

var fuzzCkptData = tensor.Linspace(0.5, 6, 12) // ckptModel draws minibatches of 10

// fuzzCkptSVI returns an SVI after steps steps.
func fuzzCkptSVI(t testing.TB, seed uint64, steps int) *SVI[*tensor.Tensor] {
	svi := NewSVI(ckptModel, ckptGuide, &optim.Adam{LR: 0.05}, &TraceELBO{NumParticles: 2}, WithSeed(seed))
	for i := 0; i < steps; i++ {
		if _, err := svi.Step(fuzzCkptData); err != nil {
			t.Fatal(err)
		}
	}
	return svi
}

// fuzzCkptWrap puts body into a checkpoint envelope with a correct length
// and checksum, so that the fuzzer reaches the decoding behind them.
func fuzzCkptWrap(body []byte) []byte {
	out := append([]byte(checkpointMagic), binary.LittleEndian.AppendUint64(nil, uint64(len(body)))...)
	out = append(out, body...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
}

// fuzzCkptBody returns the JSON body of a checkpoint.
func fuzzCkptBody(ck []byte) []byte {
	return ck[len(checkpointMagic)+8 : len(ck)-4]
}

// FuzzCheckpointRestore feeds Restore arbitrary bytes, either raw or as the
// JSON body of an envelope with a valid length and checksum (wrap). Restore
// must never panic; a rejected checkpoint must leave the SVI's checkpoint
// (parameters, optimizer state, random source, gradients) byte for byte as
// it was; an accepted one must checkpoint again to bytes that a fresh SVI
// accepts and reproduces exactly, and stepping from it must not panic.
func FuzzCheckpointRestore(f *testing.F) {
	for _, steps := range []int{0, 1, 3} {
		ck, err := fuzzCkptSVI(f, uint64(steps), steps).Checkpoint()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ck, false)
		f.Add(fuzzCkptBody(ck), true)
	}
	f.Add([]byte{}, false)
	f.Add([]byte(`{"version":1,"params":null,"optimizer":null,"rng":null,"zeroed":null}`), true)
	f.Fuzz(func(t *testing.T, data []byte, wrap bool) {
		if wrap {
			data = fuzzCkptWrap(data)
		}
		svi := fuzzCkptSVI(t, 42, 2)
		before, err := svi.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		if err := svi.Restore(data); err != nil {
			after, err2 := svi.Checkpoint()
			if err2 != nil {
				t.Fatalf("Checkpoint after a rejected Restore (%v): %v", err, err2)
			}
			if !bytes.Equal(before, after) {
				t.Fatalf("rejected checkpoint (%v) changed the run", err)
			}
			return
		}
		again, err := svi.Checkpoint()
		if err != nil {
			t.Fatalf("Checkpoint after an accepted Restore: %v", err)
		}
		fresh := fuzzCkptSVI(t, 7, 0)
		if err := fresh.Restore(again); err != nil {
			t.Fatalf("re-saved checkpoint rejected: %v", err)
		}
		third, err := fresh.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, third) {
			t.Fatalf("checkpoint does not round-trip:\n%q\n%q", again, third)
		}
		// The restored parameters may not fit the model (another run's
		// checkpoint); the step may fail, but must not panic.
		_, _ = svi.Step(fuzzCkptData)
	})
}
