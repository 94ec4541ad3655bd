package infer

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

func ckptModel(c *vigo.Ctx, data *tensor.Tensor) {
	loc := c.Sample("loc", dist.Normal(tensor.Scalar(0), tensor.Scalar(10)))
	c.Plate("data", data.Len(), func(idx *tensor.Tensor) {
		c.Sample("obs", dist.Normal(loc, tensor.Scalar(1)), vigo.Obs(data.IndexSelect(0, idx)))
	}, vigo.SubsampleSize(10))
}

func ckptGuide(c *vigo.Ctx, data *tensor.Tensor) {
	l := c.Param("gl", tensor.Scalar(0))
	s := c.Param("gs", tensor.Scalar(1), vigo.Constrain(constraint.Positive))
	c.Plate("data", data.Len(), func(*tensor.Tensor) {}, vigo.SubsampleSize(10))
	c.Sample("loc", dist.Normal(l, s))
}

// TestCheckpointResumeBitIdentical stops a run at step k, restores it into a
// fresh SVI from the checkpoint file, and checks that the remaining losses
// equal those of an uninterrupted run bit for bit.
func TestCheckpointResumeBitIdentical(t *testing.T) {
	data := tensor.RandN(rand.New(rand.NewPCG(5, 5)), 50).AddScalar(2)
	for name, elbo := range map[string]func() *TraceELBO{
		"sequential": func() *TraceELBO { return &TraceELBO{NumParticles: 3} },
		"vectorized": func() *TraceELBO { return &TraceELBO{NumParticles: 3, VectorizeParticles: true} },
	} {
		const k, total = 7, 15
		newSVI := func() *SVI[*tensor.Tensor] {
			return NewSVI(ckptModel, ckptGuide, &optim.ClippedAdam{LR: 0.05}, elbo(), WithSeed(11))
		}
		ref := newSVI()
		var want []float64
		for i := 0; i < total; i++ {
			l, err := ref.Step(data)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, l)
		}
		first := newSVI()
		for i := 0; i < k; i++ {
			if _, err := first.Step(data); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "run.ckpt")
		if err := first.SaveCheckpoint(path); err != nil {
			t.Fatal(err)
		}
		resumed := newSVI()
		if err := resumed.LoadCheckpoint(path); err != nil {
			t.Fatal(err)
		}
		for i := k; i < total; i++ {
			l, err := resumed.Step(data)
			if err != nil {
				t.Fatal(err)
			}
			if l != want[i] {
				t.Errorf("%s: step %d: resumed loss %.17g, uninterrupted %.17g", name, i, l, want[i])
			}
		}
	}
}

// TestCheckpointDamaged rejects truncated and corrupted checkpoints and
// leaves the SVI unchanged.
func TestCheckpointDamaged(t *testing.T) {
	data := tensor.Vector(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	svi := NewSVI(ckptModel, ckptGuide, &optim.Adam{LR: 0.05}, &TraceELBO{}, WithSeed(3))
	for i := 0; i < 3; i++ {
		if _, err := svi.Step(data); err != nil {
			t.Fatal(err)
		}
	}
	good, err := svi.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	target := NewSVI(ckptModel, ckptGuide, &optim.Adam{LR: 0.05}, &TraceELBO{}, WithSeed(4))
	if _, err := target.Step(data); err != nil {
		t.Fatal(err)
	}
	before, _ := target.Checkpoint()
	damaged := [][]byte{nil, good[:10], good[:len(good)-1], good[:len(good)/2]}
	for _, i := range []int{0, 9, 20, len(good) / 2, len(good) - 2} {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		damaged = append(damaged, b)
	}
	for i, b := range damaged {
		if err := target.Restore(b); err == nil {
			t.Errorf("damaged checkpoint %d accepted", i)
		}
		after, _ := target.Checkpoint()
		if !bytes.Equal(before, after) {
			t.Fatalf("damaged checkpoint %d changed the run", i)
		}
	}
	if err := target.Restore(good); err != nil {
		t.Fatalf("good checkpoint rejected: %v", err)
	}
}
