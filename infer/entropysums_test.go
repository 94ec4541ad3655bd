package infer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// TestGuideEntropySums checks that reparameterized guide sites summed in
// one pass (ComputeEntropySums) give the loss and gradients of their
// elementwise score parts. The reference wraps the same guide distribution
// in an all-ones mask, which has no one-pass sum and so takes the
// elementwise path; the draws are the same. The plate subsamples 300 of
// 600, so every term is scaled by 2, and is large enough for the one-pass
// kernels.
func TestGuideEntropySums(t *testing.T) {
	const size, n = 600, 300
	pos := vigo.Constrain(constraint.Positive)
	vec := func(v float64) *tensor.Tensor { return tensor.Full(v, n) }
	families := []struct {
		name  string
		prior func() dist.Distribution
		guide func(c *vigo.Ctx) dist.Distribution
	}{
		{"Normal", func() dist.Distribution { return dist.Normal(s(0), s(2)) }, func(c *vigo.Ctx) dist.Distribution {
			return dist.Normal(c.Param("a", vec(0.3)), c.Param("b", vec(0.7), pos))
		}},
		{"LogNormal", func() dist.Distribution { return dist.LogNormal(s(0), s(1)) }, func(c *vigo.Ctx) dist.Distribution {
			return dist.LogNormal(c.Param("a", vec(0.1)), c.Param("b", s(0.5), pos))
		}},
		{"Laplace", func() dist.Distribution { return dist.Laplace(s(0), s(1)) }, func(c *vigo.Ctx) dist.Distribution {
			return dist.Laplace(c.Param("a", s(0.2)), c.Param("b", vec(0.6), pos))
		}},
		{"StudentT", func() dist.Distribution { return dist.StudentT(s(3), s(0), s(1)) }, func(c *vigo.Ctx) dist.Distribution {
			return dist.StudentT(c.Param("df", s(4), pos), c.Param("a", vec(0.2)), c.Param("b", vec(0.6), pos))
		}},
		{"Gamma", func() dist.Distribution { return dist.Gamma(s(2), s(1)) }, func(c *vigo.Ctx) dist.Distribution {
			return dist.Gamma(c.Param("a", vec(3), pos), c.Param("b", s(2), pos))
		}},
		{"Beta", func() dist.Distribution { return dist.Beta(s(2), s(2)) }, func(c *vigo.Ctx) dist.Distribution {
			return dist.Beta(c.Param("a", vec(1.5), pos), c.Param("b", vec(2.5), pos))
		}},
		{"HalfNormal", func() dist.Distribution { return dist.HalfNormal(s(1)) }, func(c *vigo.Ctx) dist.Distribution {
			return dist.HalfNormal(c.Param("b", vec(0.8), pos))
		}},
	}
	data := tensor.Arange(0, size, 1).MulScalar(0.01).Tanh()
	for _, f := range families {
		model := func(c *vigo.Ctx) {
			c.Plate("data", size, func(idx *tensor.Tensor) {
				z := c.Sample("z", f.prior())
				c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(data.IndexSelect(0, idx)))
			}, vigo.SubsampleSize(n))
		}
		guide := func(masked bool) vigo.Program {
			return func(c *vigo.Ctx) {
				c.Plate("data", size, func(*tensor.Tensor) {
					d := f.guide(c)
					if masked {
						d = dist.Mask(d, tensor.Ones(n))
					}
					c.Sample("z", d)
				}, vigo.SubsampleSize(n))
			}
		}
		for ename, e := range elbos() {
			if e.VectorizeParticles {
				e.MaxPlateNesting = 1
			}
			run := func(masked bool) (float64, map[string][]float64) {
				store := vigo.NewParamStore()
				loss, err := e.LossAndGrads(store, rand.New(rand.NewPCG(5, 6)), model, guide(masked))
				if err != nil {
					t.Fatalf("%s %s masked=%v: %v", f.name, ename, masked, err)
				}
				grads := map[string][]float64{}
				for _, name := range store.Names() {
					if g := store.Unconstrained(name).Grad(); g != nil {
						grads[name] = g.Data()
					}
				}
				return loss, grads
			}
			loss, grads := run(false)
			wantLoss, wantGrads := run(true)
			if !(math.Abs(loss-wantLoss) <= 1e-12*math.Abs(wantLoss)) {
				t.Errorf("%s %s: loss %.16g, elementwise %.16g", f.name, ename, loss, wantLoss)
			}
			if len(grads) != len(wantGrads) {
				t.Fatalf("%s %s: gradients of %d parameters, elementwise %d", f.name, ename, len(grads), len(wantGrads))
			}
			for name, want := range wantGrads {
				got := grads[name]
				scale := 0.0
				for _, w := range want {
					scale = max(scale, math.Abs(w))
				}
				for i := range want {
					if !(math.Abs(got[i]-want[i]) <= 1e-10*scale) {
						t.Fatalf("%s %s: ∂/∂%s[%d] = %v, elementwise %v", f.name, ename, name, i, got[i], want[i])
					}
				}
			}
		}
	}
}
