package infer

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// recordingOpt is an optimizer that records the parameters each Step is
// given, and the gradients they carry, before delegating to Adam.
type recordingOpt struct {
	adam  optim.Adam
	calls [][]string
	grads []map[string][]float64
	fail  error // returned instead of stepping when set
}

func (o *recordingOpt) Step(params []optim.Param) error {
	var names []string
	grads := map[string][]float64{}
	for _, p := range params {
		names = append(names, p.Name)
		if g := p.Tensor.Grad(); g != nil {
			grads[p.Name] = slices.Clone(g.Data())
		}
	}
	o.calls = append(o.calls, names)
	o.grads = append(o.grads, grads)
	if o.fail != nil {
		return o.fail
	}
	return o.adam.Step(params)
}

// snapshot copies every parameter's unconstrained value and gradient.
func snapshot(store *vigo.ParamStore) map[string][2][]float64 {
	out := map[string][2][]float64{}
	for _, n := range store.Names() {
		leaf := store.Unconstrained(n)
		var g []float64
		if leaf.Grad() != nil {
			g = slices.Clone(leaf.Grad().Data())
		}
		out[n] = [2][]float64{slices.Clone(leaf.Data()), g}
	}
	return out
}

func sameSnapshot(a, b map[string][2][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for n, va := range a {
		vb, ok := b[n]
		if !ok || !slices.Equal(va[0], vb[0]) || !slices.Equal(va[1], vb[1]) {
			return false
		}
	}
	return true
}

// TestSVIStepCapturesParamSet checks spec §7.1 steps 1–2: the optimizer
// gets each parameter read during the step once, whether the model or the
// guide read it, in any particle, however often; parameters not read in a
// step are not stepped.
func TestSVIStepCapturesParamSet(t *testing.T) {
	var rareReads atomic.Int64
	useC := true
	model := func(c *vigo.Ctx, x *tensor.Tensor) {
		w := c.Param("w", s(0.5)) // model-side parameter
		z := c.Sample("z", dist.Normal(s(0), s(1)))
		if z.Item() > 1 { // read by some particles only
			c.Param("rare", s(0))
			rareReads.Add(1)
		}
		c.Sample("x", dist.Normal(z.Mul(w), s(1)), vigo.Obs(x))
	}
	guide := func(c *vigo.Ctx, x *tensor.Tensor) {
		c.Param("loc", s(0))
		loc := c.Param("loc", s(0)) // read twice
		if useC {
			c.Param("c", s(1))
		}
		c.Sample("z", dist.Normal(loc, s(1)))
	}
	opt := &recordingOpt{adam: optim.Adam{LR: 0.01}}
	svi := NewSVI(model, guide, opt, &TraceELBO{NumParticles: 10, Warn: vigo.StrictWarnings}, WithSeed(3))
	if _, err := svi.Step(s(1)); err != nil {
		t.Fatal(err)
	}
	useC = false
	if _, err := svi.Step(s(1)); err != nil {
		t.Fatal(err)
	}
	if rareReads.Load() == 0 || rareReads.Load() >= 20 {
		t.Fatalf("rare read %d times in 20 particles; the test needs some but not all", rareReads.Load())
	}
	for k, names := range opt.calls {
		want := []string{"loc", "w"}
		if k == 0 {
			want = append(want, "c")
		}
		if svi.Params().Unconstrained("rare") != nil {
			want = append(want, "rare")
		}
		slices.Sort(want)
		got := slices.Clone(names)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("step %d: optimizer got %v, want the set %v", k+1, names, want)
		}
	}
}

// TestSVIZeroesGrads checks spec §7.1 step 4: after a step every stepped
// parameter's gradient is a zero tensor, not nil; a parameter that had no
// gradient keeps none.
func TestSVIZeroesGrads(t *testing.T) {
	model := func(c *vigo.Ctx, x *tensor.Tensor) {
		z := c.Sample("z", dist.Normal(s(0), s(1)))
		c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x))
	}
	guide := func(c *vigo.Ctx, x *tensor.Tensor) {
		loc := c.Param("loc", tensor.Vector(0.1))
		c.Param("unused", s(3))
		c.Sample("z", dist.Normal(loc.Sum(), s(1)))
	}
	opt := &recordingOpt{adam: optim.Adam{LR: 0.01}}
	svi := NewSVI(model, guide, opt, &TraceELBO{Warn: vigo.StrictWarnings}, WithSeed(1))
	if _, err := svi.Step(s(1)); err != nil {
		t.Fatal(err)
	}
	if g := opt.grads[0]["loc"]; len(g) != 1 || g[0] == 0 {
		t.Fatalf("optimizer saw loc gradient %v, want a non-zero one", g)
	}
	g := svi.Params().Unconstrained("loc").Grad()
	if g == nil || !slices.Equal(g.Shape(), []int{1}) || g.Data()[0] != 0 {
		t.Errorf("loc gradient after the step = %v, want zeros of shape [1]", g)
	}
	if g := svi.Params().Unconstrained("unused").Grad(); g != nil {
		t.Errorf("unused gradient after the step = %v, want none", g)
	}
}

// TestSVIAdamMovesZeroGradParam checks the observable consequence in spec
// §7.1: a parameter captured in a later step with a zeroed (not cleared)
// gradient is still stepped by Adam, whose moments keep moving it; one not
// read at all stays put.
func TestSVIAdamMovesZeroGradParam(t *testing.T) {
	phase := 0
	model := func(c *vigo.Ctx, x *tensor.Tensor) {
		z := c.Sample("z", dist.Normal(s(0), s(1)))
		c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x))
	}
	guide := func(c *vigo.Ctx, x *tensor.Tensor) {
		loc := c.Param("loc", s(0))
		a := c.Param("a", s(0))
		if phase == 0 { // a and b shift the guide's point mass
			loc = loc.Add(a).Add(c.Param("b", s(0)))
		} // later: a is read but unused, b is not read
		c.Sample("z", dist.Delta(loc, nil, 0))
	}
	svi := NewSVI(model, guide, &optim.Adam{LR: 0.1}, &TraceELBO{Warn: vigo.StrictWarnings}, WithSeed(2))
	if _, err := svi.Step(s(3)); err != nil {
		t.Fatal(err)
	}
	a1, b1 := svi.Params().Get("a").Item(), svi.Params().Get("b").Item()
	if a1 == 0 || b1 == 0 {
		t.Fatalf("first step did not move a, b: %v %v", a1, b1)
	}
	phase = 1
	if _, err := svi.Step(s(3)); err != nil {
		t.Fatal(err)
	}
	if g := svi.Params().Unconstrained("a").Grad(); g == nil || g.Item() != 0 {
		t.Fatalf("a gradient %v, want a zero tensor", g)
	}
	// Spec §7.3 by hand: the first gradient is ∂loss/∂a = 2z − x = −3 at
	// z = 0; the second is the zero tensor, yet m and v still move a.
	adam := func(p, g, m, v float64, t int) (float64, float64, float64) {
		const lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
		m = b1*m + (1-b1)*g
		v = b2*v + (1-b2)*g*g
		bc1, bc2 := 1-math.Pow(b1, float64(t)), 1-math.Pow(b2, float64(t))
		return p - lr/bc1*m/(math.Sqrt(v)/math.Sqrt(bc2)+eps), m, v
	}
	wantA1, m, v := adam(0, -3, 0, 0, 1)
	wantA2, _, _ := adam(wantA1, 0, m, v, 2)
	a2 := svi.Params().Get("a").Item()
	if math.Abs(a1-wantA1) > 1e-12 || math.Abs(a2-wantA2) > 1e-12 || a2 == a1 {
		t.Errorf("a after steps 1, 2: %v, %v; want %v, %v (Adam keeps moving it with a zero gradient)", a1, a2, wantA1, wantA2)
	}
	if b2 := svi.Params().Get("b").Item(); b2 != b1 {
		t.Errorf("b, not read in the step, moved from %v to %v", b1, b2)
	}
}

// TestSVIEvaluateLossChangesNothing checks spec §7.1 evaluate_loss: no
// parameter, gradient or optimizer state changes.
func TestSVIEvaluateLossChangesNothing(t *testing.T) {
	model, guide := normalModel(), normalGuide(true)
	adam := &optim.Adam{LR: 0.05}
	svi := NewSVI(model, guide, adam, &TraceELBO{NumParticles: 4, Warn: vigo.StrictWarnings}, WithSeed(5))
	data := tensor.Vector(0.5, 1.5, 1.0)
	for range 3 {
		if _, err := svi.Step(data); err != nil {
			t.Fatal(err)
		}
	}
	before, state := snapshot(svi.Params()), mustState(t, adam)
	loss, err := svi.EvaluateLoss(data)
	if err != nil || math.IsNaN(loss) || loss == 0 {
		t.Fatalf("EvaluateLoss = %v, %v", loss, err)
	}
	if !sameSnapshot(before, snapshot(svi.Params())) {
		t.Error("EvaluateLoss changed a parameter or gradient")
	}
	if !bytes.Equal(state, mustState(t, adam)) {
		t.Error("EvaluateLoss changed the optimizer state")
	}
}

func mustState(t *testing.T, o optim.Stateful) []byte {
	t.Helper()
	b, err := o.State()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// normalModel is z ~ N(0,1), data_i ~ N(z, 1) in a plate.
func normalModel() func(*vigo.Ctx, *tensor.Tensor) {
	return func(c *vigo.Ctx, x *tensor.Tensor) {
		z := c.Sample("z", dist.Normal(s(0), s(1)))
		c.Plate("data", x.Len(), func(*tensor.Tensor) {
			c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x))
		})
	}
}

// normalGuide is z ~ N(loc, scale).
func normalGuide(rsample bool) func(*vigo.Ctx, *tensor.Tensor) {
	return func(c *vigo.Ctx, x *tensor.Tensor) {
		loc := c.Param("loc", s(0))
		scale := c.Param("scale", s(1), vigo.Constrain(constraint.Positive))
		c.Sample("z", dist.Normal(loc, scale).WithRSample(rsample))
	}
}

// TestSVIFailedStepChangesNothing checks DESIGN's promise for a failed
// step: no parameter value, gradient or optimizer state changes, and the
// parameters first created during the step are gone — for a shape error,
// a NaN observation and a refused optimizer step, with one, several
// concurrent and vectorized particles.
func TestSVIFailedStepChangesNothing(t *testing.T) {
	failures := []struct {
		name string
		fail func(c *vigo.Ctx, x *tensor.Tensor)
		opt  error
		want string
	}{
		{"shape error", func(c *vigo.Ctx, x *tensor.Tensor) {
			c.Plate("bad_plate", x.Len(), func(*tensor.Tensor) {
				c.Sample("bad", dist.Normal(tensor.Zeros(x.Len()+1), s(1)), vigo.Obs(tensor.Zeros(x.Len()+1)))
			})
		}, nil, "Shape mismatch inside plate"},
		{"NaN observation", func(c *vigo.Ctx, x *tensor.Tensor) {
			c.Sample("bad", dist.Normal(s(0), s(1)), vigo.Obs(s(math.NaN())))
		}, nil, "NaN"},
		{"optimizer refuses", func(*vigo.Ctx, *tensor.Tensor) {}, errors.New("refused"), "refused"},
	}
	elbos := map[string]func() *TraceELBO{
		"1 particle":             func() *TraceELBO { return &TraceELBO{Warn: vigo.StrictWarnings} },
		"4 concurrent particles": func() *TraceELBO { return &TraceELBO{NumParticles: 4, Warn: vigo.StrictWarnings} },
		"4 vectorized particles": func() *TraceELBO {
			return &TraceELBO{NumParticles: 4, VectorizeParticles: true, MaxPlateNesting: 1, Warn: vigo.StrictWarnings}
		},
	}
	data := tensor.Vector(0.5, 1.5, 1.0)
	for _, f := range failures {
		for ename, newELBO := range elbos {
			t.Run(f.name+"/"+ename, func(t *testing.T) {
				failing := false
				model := func(c *vigo.Ctx, x *tensor.Tensor) {
					normalModel()(c, x)
					if failing {
						c.Param("created_in_model", s(1))
						f.fail(c, x)
					}
				}
				guide := func(c *vigo.Ctx, x *tensor.Tensor) {
					normalGuide(true)(c, x)
					if failing {
						c.Param("created_in_guide", tensor.Vector(1, 2))
					}
				}
				opt := &recordingOpt{adam: optim.Adam{LR: 0.05}}
				svi := NewSVI(model, guide, opt, newELBO(), WithSeed(9))
				for range 3 {
					if _, err := svi.Step(data); err != nil {
						t.Fatal(err)
					}
				}
				before, state := snapshot(svi.Params()), mustState(t, &opt.adam)
				failing, opt.fail = true, f.opt
				_, err := svi.Step(data)
				if err == nil || !strings.Contains(err.Error(), f.want) {
					t.Fatalf("step error %v, want one containing %q", err, f.want)
				}
				if !sameSnapshot(before, snapshot(svi.Params())) {
					t.Errorf("failed step changed the store: names %v, want %v", svi.Params().Names(), keys(before))
				}
				if !bytes.Equal(state, mustState(t, &opt.adam)) {
					t.Error("failed step changed the optimizer state")
				}
				// The next good step goes on from where the last good one left off.
				failing, opt.fail = false, nil
				if _, err := svi.Step(data); err != nil {
					t.Fatalf("step after the failure: %v", err)
				}
			})
		}
	}
}

func keys(m map[string][2][]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestModuleTrainingLoop runs the PyTorch-style loop of spec §4.4
// (__call__): Backward on the module's loss, an optimizer step on its
// parameters, ZeroGrad; the guide reaches the conjugate posterior
// N(Σx/(n+1), 1/√(n+1)).
func TestModuleTrainingLoop(t *testing.T) {
	data := tensor.Vector(0.5, 1.5, 1.0, 2.0)
	m := NewModule(&TraceELBO{NumParticles: 100, VectorizeParticles: true, Warn: vigo.StrictWarnings},
		normalModel(), normalGuide(true), WithSeed(4))
	adam := &optim.Adam{LR: 0.05}
	var locSum, scaleSum float64
	const steps, avg = 600, 200
	for k := range steps {
		loss, err := m.Loss(data)
		if err != nil {
			t.Fatal(err)
		}
		loss.Backward()
		if k == 0 && len(m.Parameters()) != 2 {
			t.Fatalf("module parameters %v, want loc and scale", m.Parameters())
		}
		if err := adam.Step(m.Parameters()); err != nil {
			t.Fatal(err)
		}
		m.ZeroGrad()
		for _, p := range m.Parameters() {
			if g := p.Tensor.Grad(); g == nil || g.Item() != 0 {
				t.Fatalf("step %d: %s gradient %v after ZeroGrad", k, p.Name, g)
			}
		}
		if k >= steps-avg {
			locSum += m.Params().Get("loc").Item()
			scaleSum += m.Params().Get("scale").Item()
		}
	}
	loc, scale := locSum/avg, scaleSum/avg
	wantLoc, wantScale := 5.0/5, 1/math.Sqrt(5)
	t.Logf("loc %.4f (exact %.4f), scale %.4f (exact %.4f)", loc, wantLoc, scale, wantScale)
	// 5% of the exact mean and sd (closed-form conjugate posterior), as in
	// conjugate_test.go.
	if math.Abs(loc-wantLoc) > 0.05*wantLoc || math.Abs(scale-wantScale) > 0.05*wantScale {
		t.Errorf("module fit loc %.4f scale %.4f, want %.4f %.4f", loc, scale, wantLoc, wantScale)
	}
}

// TestFit checks Fit: without a tolerance it takes every step; with one it
// stops early once the smoothed loss settles; a callback error and a step
// error stop it and come back with the history so far.
func TestFit(t *testing.T) {
	// A point-mass guide makes the loss deterministic, so it settles.
	model := func(c *vigo.Ctx, x *tensor.Tensor) {
		z := c.Sample("z", dist.Normal(s(0), s(1)))
		c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x))
	}
	guide := func(c *vigo.Ctx, x *tensor.Tensor) {
		c.Sample("z", dist.Delta(c.Param("loc", s(-2)), nil, 0))
	}
	newSVI := func() *SVI[*tensor.Tensor] {
		return NewSVI(model, guide, &optim.Adam{LR: 0.05}, &TraceELBO{Warn: vigo.StrictWarnings}, WithSeed(1))
	}
	res, err := Fit[*tensor.Tensor](newSVI(), s(1), FitConfig{Steps: 50})
	if err != nil || len(res.Losses) != 50 || res.Converged {
		t.Fatalf("fixed-length fit: %d losses, converged %v, err %v", len(res.Losses), res.Converged, err)
	}
	svi := newSVI()
	res, err = Fit[*tensor.Tensor](svi, s(1), FitConfig{Steps: 5000, Tolerance: 1e-7, Patience: 20})
	if err != nil || !res.Converged || len(res.Losses) >= 5000 {
		t.Fatalf("early stopping: %d losses, converged %v, err %v", len(res.Losses), res.Converged, err)
	}
	// MAP of z given x = 1 is 0.5.
	if loc := svi.Params().Get("loc").Item(); !(math.Abs(loc-0.5) <= 0.01) {
		t.Errorf("converged loc %v, want 0.5", loc)
	}
	if last := res.Losses[len(res.Losses)-1]; last > res.Losses[0] {
		t.Errorf("loss rose from %v to %v", res.Losses[0], last)
	}

	stop := errors.New("stop")
	var seen []int
	res, err = Fit[*tensor.Tensor](newSVI(), s(1), FitConfig{Steps: 100, Callback: func(p Progress) error {
		seen = append(seen, p.Step)
		if p.Step == 7 {
			return stop
		}
		return nil
	}})
	if !errors.Is(err, stop) || len(res.Losses) != 7 || !slices.Equal(seen, []int{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("callback stop: err %v, %d losses, steps seen %v", err, len(res.Losses), seen)
	}

	bad := NewSVI(model, guide, &optim.Adam{}, &TraceELBO{Warn: vigo.StrictWarnings})
	res, err = Fit[*tensor.Tensor](bad, s(math.NaN()), FitConfig{Steps: 10})
	if err == nil || len(res.Losses) != 0 {
		t.Errorf("failing step: err %v, %d losses", err, len(res.Losses))
	}
}

// sviLosses runs steps SVI steps and returns the losses and final params.
func sviLosses(t *testing.T, seed uint64, steps int, e Estimator) ([]float64, []float64) {
	t.Helper()
	data := tensor.Vector(0.5, 1.5, 1.0, -0.3)
	guide := func(c *vigo.Ctx, x *tensor.Tensor) {
		loc := c.Param("loc", s(0))
		scale := c.Param("scale", s(1), vigo.Constrain(constraint.Positive))
		c.Sample("z", dist.Normal(loc, scale))
		c.Sample("w", dist.Normal(loc, scale).WithRSample(false)) // a score-function site too
	}
	model := func(c *vigo.Ctx, x *tensor.Tensor) {
		z := c.Sample("z", dist.Normal(s(0), s(1)))
		w := c.Sample("w", dist.Normal(s(0), s(1)))
		c.Plate("data", x.Len(), func(*tensor.Tensor) {
			c.Sample("x", dist.Normal(z.Add(w), s(1)), vigo.Obs(x))
		})
	}
	svi := NewSVI(model, guide, &optim.Adam{LR: 0.05}, e, WithSeed(seed))
	var losses []float64
	for range steps {
		l, err := svi.Step(data)
		if err != nil {
			t.Error(err)
			return nil, nil
		}
		losses = append(losses, l)
	}
	return losses, []float64{svi.Params().Unconstrained("loc").Item(), svi.Params().Unconstrained("scale").Item()}
}

// TestSVIReproducible checks DESIGN's promise that a run is bit-for-bit
// reproducible from its seed whatever GOMAXPROCS is: concurrent particles
// draw from streams derived from the step's seed and combine gradients in
// particle order.
func TestSVIReproducible(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var ref, refParams []float64
	for _, procs := range []int{1, 4, 1, 4} {
		runtime.GOMAXPROCS(procs)
		losses, params := sviLosses(t, 11, 30, &TraceELBO{NumParticles: 10, Warn: vigo.StrictWarnings})
		if ref == nil {
			ref, refParams = losses, params
			continue
		}
		if !slices.Equal(losses, ref) || !slices.Equal(params, refParams) {
			t.Errorf("GOMAXPROCS %d: losses or params differ from the first run", procs)
		}
	}
	other, _ := sviLosses(t, 12, 30, &TraceELBO{NumParticles: 10, Warn: vigo.StrictWarnings})
	if slices.Equal(other, ref) {
		t.Error("seeds 11 and 12 give the same losses")
	}
}

// TestSVIConcurrentRuns runs independent SVI fits on goroutines, each with
// concurrent particles; under -race this checks that nothing is shared,
// and each result must equal the same fit run alone.
func TestSVIConcurrentRuns(t *testing.T) {
	const runs = 4
	newELBO := func(k int) Estimator {
		if k%2 == 0 {
			return &TraceELBO{NumParticles: 6, Warn: vigo.StrictWarnings}
		}
		return &TraceELBO{NumParticles: 6, VectorizeParticles: true, Warn: vigo.StrictWarnings}
	}
	want := make([][]float64, runs)
	for k := range runs {
		want[k], _ = sviLosses(t, uint64(k), 10, newELBO(k))
	}
	got := make([][]float64, runs)
	var wg sync.WaitGroup
	for k := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[k], _ = sviLosses(t, uint64(k), 10, newELBO(k))
		}()
	}
	wg.Wait()
	for k := range runs {
		if !slices.Equal(got[k], want[k]) {
			t.Errorf("run %d: concurrent losses %v differ from serial %v", k, got[k], want[k])
		}
	}
}

// TestSVISharedStoreConcurrentParticles runs one TraceELBO's concurrent
// particles that create the same parameters at the same time in a shared
// store (the first step): every particle must see one parameter.
func TestSVISharedStoreConcurrentParticles(t *testing.T) {
	var inits atomic.Int64
	guide := func(c *vigo.Ctx, x *tensor.Tensor) {
		loc := c.Param("loc", nil, vigo.LazyInit(func() *tensor.Tensor { inits.Add(1); return s(0.25) }))
		for i := range 5 {
			c.Param(fmt.Sprintf("p%d", i), s(float64(i)))
		}
		c.Sample("z", dist.Normal(loc, s(1)))
	}
	svi := NewSVI(normalModel(), guide, &optim.Adam{LR: 0.01}, &TraceELBO{NumParticles: 16, Warn: vigo.StrictWarnings})
	if _, err := svi.Step(tensor.Vector(1, 2)); err != nil {
		t.Fatal(err)
	}
	if n := svi.Params().Len(); n != 6 {
		t.Errorf("store holds %d params, want 6", n)
	}
	if inits.Load() < 1 {
		t.Error("lazy initializer never ran")
	}
}
