package infer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo"
		"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/tensor"
)

func s(v float64) *tensor.Tensor { return tensor.Scalar(v) }

// deltaGuide samples z from a point mass at the parameter loc.
func deltaGuide(init float64) vigo.Program {
	return func(c *vigo.Ctx) {
		loc := c.Param("loc", s(init))
		c.Sample("z", dist.Delta(loc, nil, 0))
	}
}

func d1Model(c *vigo.Ctx) {
	z := c.Sample("z", dist.Normal(s(0), s(1)))
	c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(s(1)))
}

type elboCase struct {
	name         string
	model, guide vigo.Program
	loss, grad   float64
}

// The values are spec §11.1 U4 (D1–D4), exact consequences of spec §4.
func deterministicCases() []elboCase {
	data := tensor.Vector(0.5, -1.0, 2.0, 0.0)
	d2 := func(subsample bool) vigo.Program {
		return func(c *vigo.Ctx) {
			z := c.Sample("z", dist.Normal(s(0), s(1)))
			var opts []vigo.PlateOption
			x := data
			if subsample {
				opts = append(opts, vigo.SubsampleIndices(tensor.Vector(0, 2)))
			}
			c.Plate("data", 4, func(idx *tensor.Tensor) {
				if subsample {
					x = data.IndexSelect(0, idx)
				}
				c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x))
			}, opts...)
		}
	}
	return []elboCase{
		{"D1", d1Model, deltaGuide(0.3), 2.1278770664093454, -0.4},
		{"D2 subsampled", d2(true), deltaGuide(0.3), 7.569692666023363, -3.5},
		{"D2 full", d2(false), deltaGuide(0.1), 7.094692666023365, -1.0},
		{"D3 scale", handler.Scale(d1Model, 2), handler.Scale(deltaGuide(0.3), 2), 4.255754132818691, -0.8},
		{"D4 mask", func(c *vigo.Ctx) {
			z := c.Sample("z", dist.Normal(s(0), s(1)))
			handler.MaskBool(func(c *vigo.Ctx) {
				c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(s(1)))
			}, false)(c)
		}, deltaGuide(0.3), 0.9639385332046727, 0.3},
	}
}

func elbos() map[string]*TraceELBO {
	return map[string]*TraceELBO{
		"default":       {Warn: vigo.StrictWarnings},
		"10 sequential": {NumParticles: 10, Warn: vigo.StrictWarnings},
		"10 vectorized": {NumParticles: 10, VectorizeParticles: true, Warn: vigo.StrictWarnings},
	}
}

func TestDeterministicELBO(t *testing.T) {
	const tol = 1e-12 // exact up to rounding
	for _, tc := range deterministicCases() {
		for ename, e := range elbos() {
			name := tc.name + "/" + ename
			store := vigo.NewParamStore()
			rng := rand.New(rand.NewPCG(1, 2))
			loss, err := e.Loss(store, rng, tc.model, tc.guide)
			if err != nil {
				t.Fatalf("%s: Loss: %v", name, err)
			}
			if math.Abs(loss-tc.loss) > tol {
				t.Errorf("%s: Loss = %.16g, want %.16g", name, loss, tc.loss)
			}
			dl, err := e.DifferentiableLoss(store, rng, tc.model, tc.guide)
			if err != nil {
				t.Fatalf("%s: DifferentiableLoss: %v", name, err)
			}
			if math.Abs(dl.Item()-tc.loss) > tol {
				t.Errorf("%s: DifferentiableLoss = %.16g, want %.16g", name, dl.Item(), tc.loss)
			}
			leaf := store.Unconstrained("loc")
			g := tensor.Gradients(dl, leaf)[0]
			if g == nil || math.Abs(g.Item()-tc.grad) > tol {
				t.Errorf("%s: DifferentiableLoss gradient = %v, want %v", name, g, tc.grad)
			}
			l2, err := e.LossAndGrads(store, rng, tc.model, tc.guide)
			if err != nil {
				t.Fatalf("%s: LossAndGrads: %v", name, err)
			}
			if math.Abs(l2-tc.loss) > tol {
				t.Errorf("%s: LossAndGrads = %.16g, want %.16g", name, l2, tc.loss)
			}
			if g := leaf.Grad(); g == nil || math.Abs(g.Item()-tc.grad) > tol {
				t.Errorf("%s: LossAndGrads gradient = %v, want %v", name, g, tc.grad)
			}
		}
	}
}

