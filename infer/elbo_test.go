package infer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
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
			if !(math.Abs(loss-tc.loss) <= tol) {
				t.Errorf("%s: Loss = %.16g, want %.16g", name, loss, tc.loss)
			}
			dl, err := e.DifferentiableLoss(store, rng, tc.model, tc.guide)
			if err != nil {
				t.Fatalf("%s: DifferentiableLoss: %v", name, err)
			}
			if !(math.Abs(dl.Item()-tc.loss) <= tol) {
				t.Errorf("%s: DifferentiableLoss = %.16g, want %.16g", name, dl.Item(), tc.loss)
			}
			leaf := store.Unconstrained("loc")
			g := tensor.Gradients(dl, leaf)[0]
			if g == nil || !(math.Abs(g.Item()-tc.grad) <= tol) {
				t.Errorf("%s: DifferentiableLoss gradient = %v, want %v", name, g, tc.grad)
			}
			l2, err := e.LossAndGrads(store, rng, tc.model, tc.guide)
			if err != nil {
				t.Fatalf("%s: LossAndGrads: %v", name, err)
			}
			if !(math.Abs(l2-tc.loss) <= tol) {
				t.Errorf("%s: LossAndGrads = %.16g, want %.16g", name, l2, tc.loss)
			}
			if g := leaf.Grad(); g == nil || !(math.Abs(g.Item()-tc.grad) <= tol) {
				t.Errorf("%s: LossAndGrads gradient = %v, want %v", name, g, tc.grad)
			}
		}
	}
}

// TestLossAndGradsLargeParam checks the gradient of a parameter vector,
// small and large (the −1/N factor is applied to it in place or to a copy):
// a point-mass guide at loc for n local latents z_i ~ Normal(0, 1) with
// x_i ~ Normal(z_i, 1) has loss Σ loc²/2 + (x − loc)²/2 + n·log 2π and
// gradient 2·loc − x, whatever the number of particles.
func TestLossAndGradsLargeParam(t *testing.T) {
	for _, n := range []int{10, 8192} {
		x, loc := make([]float64, n), make([]float64, n)
		wantLoss := float64(n) * math.Log(2*math.Pi)
		for i := range x {
			x[i], loc[i] = math.Sin(float64(i)), math.Cos(float64(i))/2
			wantLoss += (loc[i]*loc[i] + (x[i]-loc[i])*(x[i]-loc[i])) / 2
		}
		data := tensor.FromData(x, n)
		model := func(c *vigo.Ctx) {
			c.Plate("data", n, func(*tensor.Tensor) {
				z := c.Sample("z", dist.Normal(s(0), s(1)))
				c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(data))
			})
		}
		guide := func(c *vigo.Ctx) {
			l := c.Param("loc", tensor.New(loc, n))
			c.Plate("data", n, func(*tensor.Tensor) { c.Sample("z", dist.Delta(l, nil, 0)) })
		}
		for ename, e := range elbos() {
			if e.VectorizeParticles {
				e.MaxPlateNesting = 1
			}
			store := vigo.NewParamStore()
			loss, err := e.LossAndGrads(store, rand.New(rand.NewPCG(1, 2)), model, guide)
			if err != nil {
				t.Fatalf("n=%d %s: %v", n, ename, err)
			}
			if !(math.Abs(loss-wantLoss) <= 1e-12*math.Abs(wantLoss)) {
				t.Errorf("n=%d %s: loss = %.16g, want %.16g", n, ename, loss, wantLoss)
			}
			g := store.Unconstrained("loc").Grad()
			if g == nil {
				t.Fatalf("n=%d %s: no gradient", n, ename)
			}
			for i, gi := range g.Data() {
				if want := 2*loc[i] - x[i]; !(math.Abs(gi-want) <= 1e-13) {
					t.Fatalf("n=%d %s: gradient[%d] = %v, want %v", n, ename, i, gi, want)
				}
			}
		}
	}
}

// TestScoreFunctionD5 checks spec §11.1 D5 for each value of z. The guide's
// z is fixed by conditioning, which makes it observed; the reference values
// are those of a latent z, so the test drives the particle computation
// through a guide trace whose z is latent.
func TestScoreFunctionD5(t *testing.T) {
	cases := []struct{ z, loss, grad float64 }{
		{1, -0.6931471805599453, -0.5198603854199589},
		{0, 0.4054651081081644, -0.10136627702704111},
	}
	for _, tc := range cases {
		model := func(c *vigo.Ctx) { c.Sample("z", dist.BernoulliProbs(s(0.5))) }
		guide := func(c *vigo.Ctx) {
			p := c.Param("p", s(0.25), vigo.Constrain(constraint.UnitInterval))
			c.Sample("z", dist.BernoulliProbs(p))
		}
		e := &TraceELBO{Warn: vigo.StrictWarnings}
		store := vigo.NewParamStore()
		c := vigo.NewCtx(store, rand.New(rand.NewPCG(3, 4)))
		gt, err := handler.Trace(handler.Replay(guide, fixedTrace(t, "z", tc.z))).Get(c)
		if err != nil {
			t.Fatal(err)
		}
		mt, err := handler.Trace(handler.Replay(model, gt)).Get(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := mt.ComputeLogProb(true, e.warnFunc()); err != nil {
			t.Fatal(err)
		}
		if err := gt.ComputeScoreParts(true, e.warnFunc()); err != nil {
			t.Fatal(err)
		}
		elbo, sur, err := elboParticle(mt, gt)
		if err != nil {
			t.Fatal(err)
		}
		if !(math.Abs(-elbo-tc.loss) <= 1e-12) {
			t.Errorf("z=%v: loss %.16g, want %.16g", tc.z, -elbo, tc.loss)
		}
		g := tensor.Gradients(sur.Neg(), store.Unconstrained("p"))[0]
		if !(math.Abs(g.Item()-tc.grad) <= 1e-12) {
			t.Errorf("z=%v: grad %.16g, want %.16g", tc.z, g.Item(), tc.grad)
		}
	}
}

// fixedTrace returns a trace holding one latent sample site name = v.
func fixedTrace(t *testing.T, name string, v float64) *vigo.Trace {
	t.Helper()
	tr, err := handler.Trace(func(c *vigo.Ctx) {
		c.Sample(name, dist.Delta(s(v), nil, 0))
	}).Get(vigo.NewCtx(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestRaoBlackwellD6 checks spec §11.1 D6: each plate element's score term
// uses only its own log-ratio.
func TestRaoBlackwellD6(t *testing.T) {
	run := func(x *tensor.Tensor) (float64, []float64) {
		model := func(c *vigo.Ctx) {
			c.Plate("data", 2, func(*tensor.Tensor) {
				z := c.Sample("z", dist.BernoulliProbs(s(0.5)))
				c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x))
			})
		}
		guide := func(c *vigo.Ctx) {
			p := c.Param("p", tensor.Vector(0.3, 0.6), vigo.Constrain(constraint.UnitInterval))
			c.Plate("data", 2, func(*tensor.Tensor) {
				c.Sample("z", dist.BernoulliProbs(p))
			})
		}
		store := vigo.NewParamStore()
		c := vigo.NewCtx(store, nil)
		fixed, err := handler.Trace(func(c *vigo.Ctx) {
			c.Plate("data", 2, func(*tensor.Tensor) { c.Sample("z", dist.Delta(tensor.Vector(1, 0), nil, 0)) })
		}).Get(c)
		if err != nil {
			t.Fatal(err)
		}
		gt, err := handler.Trace(handler.Replay(guide, fixed)).Get(c)
		if err != nil {
			t.Fatal(err)
		}
		mt, err := handler.Trace(handler.Replay(model, gt)).Get(c)
		if err != nil {
			t.Fatal(err)
		}
		mt, gt = mt.WithoutSubsample(), gt.WithoutSubsample()
		if err := mt.ComputeLogProb(true, vigo.StrictWarnings); err != nil {
			t.Fatal(err)
		}
		if err := gt.ComputeScoreParts(true, vigo.StrictWarnings); err != nil {
			t.Fatal(err)
		}
		elbo, sur, err := elboParticle(mt, gt)
		if err != nil {
			t.Fatal(err)
		}
		g := tensor.Gradients(sur.Neg(), store.Unconstrained("p"))[0]
		return -elbo, append([]float64(nil), g.Data()...)
	}
	loss, g := run(tensor.Vector(0.2, 1.5))
	if !(math.Abs(loss-2.5489078913291445) <= 1e-12) {
		t.Errorf("loss %.16g, want 2.5489078913291445", loss)
	}
	want := []float64{0.5096790366070773, -1.0924769891342778}
	for i := range want {
		if !(math.Abs(g[i]-want[i]) <= 1e-12) {
			t.Errorf("grad[%d] = %.16g, want %.16g", i, g[i], want[i])
		}
	}
	_, g2 := run(tensor.Vector(0.2, 40))
	if g2[0] != g[0] {
		t.Errorf("changing x_1 changed ∂/∂u_0: %v vs %v", g2[0], g[0])
	}
}

// TestBackwardNaNWarning checks the backward hook of DifferentiableLoss: a
// NaN gradient arriving at the loss is reported once per pass, nothing is
// reported for a finite one or with validation off, and strict warnings
// turn it into a panic carrying the warning error.
func TestBackwardNaNWarning(t *testing.T) {
	tc := deterministicCases()[0]
	run := func(e *TraceELBO, seed float64) {
		dl, err := e.DifferentiableLoss(vigo.NewParamStore(), rand.New(rand.NewPCG(1, 2)), tc.model, tc.guide)
		if err != nil {
			t.Fatal(err)
		}
		dl.MulScalar(seed).Backward()
	}
	var got []string
	collect := func(w *vigo.Warning) error { got = append(got, w.Msg); return nil }
	run(&TraceELBO{Warn: collect}, 2)
	if len(got) != 0 {
		t.Fatalf("finite gradient warned %q", got)
	}
	run(&TraceELBO{Warn: collect}, math.NaN())
	if len(got) != 1 || got[0] != "Encountered NaN: backward loss" {
		t.Fatalf("NaN gradient warned %q, want one backward-loss warning", got)
	}
	got = nil
	run(&TraceELBO{Warn: collect, DisableValidation: true}, math.NaN())
	if len(got) != 0 {
		t.Fatalf("with validation off warned %q", got)
	}
	defer func() {
		e, ok := vigo.AsError(toError(recover()))
		if !ok || e.Kind != vigo.WarningError {
			t.Fatalf("strict warnings: recovered %v, want a warning error", e)
		}
	}()
	run(&TraceELBO{Warn: vigo.StrictWarnings}, math.NaN())
	t.Fatal("strict warnings: backward pass returned normally")
}

// toError returns r as an error, or nil.
func toError(r any) error {
	err, _ := r.(error)
	return err
}
