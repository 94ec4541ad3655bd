package vigo_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/tensor"
)

// warnLog collects the warnings a context raises.
type warnLog struct{ ws []*vigo.Warning }

func (l *warnLog) sink(w *vigo.Warning) error { l.ws = append(l.ws, w); return nil }

// traceIn traces p in a context seeded with seed and returns the trace or
// the error.
func traceIn(p vigo.Program, seed uint64) (*vigo.Trace, error) {
	return handler.Trace(p).Get(vigo.NewCtx(nil, rand.New(rand.NewPCG(seed, 0))))
}

func mustTrace(t *testing.T, p vigo.Program) *vigo.Trace {
	t.Helper()
	tr, err := traceIn(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func sc(v float64) *tensor.Tensor { return tensor.Scalar(v) }

func TestSampleOutsideInference(t *testing.T) {
	var log warnLog
	c := vigo.NewCtx(nil, rand.New(rand.NewPCG(3, 0)))
	c.SetWarn(log.sink)
	obs := tensor.Vector(1, 2)
	err := c.Run(func(c *vigo.Ctx) {
		if got := c.Sample("x", dist.Normal(tensor.Zeros(2), tensor.Ones(2)), vigo.Obs(obs)); got != obs {
			t.Errorf("observed sample returned %v, want the observation", got)
		}
		v := tensor.Vector(4, 5)
		if got := c.Deterministic("d", v, 1); got != v {
			t.Errorf("Deterministic returned %v", got)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.ws) != 1 || log.ws[0].Msg != "trying to observe a value outside of inference at x" || log.ws[0].Site != "x" {
		t.Errorf("warnings %v, want one about x", log.ws)
	}

	// Strict warnings turn it into an error naming the site.
	c.SetWarn(vigo.StrictWarnings)
	err = c.Run(func(c *vigo.Ctx) { c.Sample("y", dist.Normal(sc(0), sc(1)), vigo.Obs(sc(0))) })
	wantKind(t, err, vigo.WarningError, "outside of inference at y")
	// No sink: the warning is dropped.
	c.SetWarn(nil)
	if err := c.Run(func(c *vigo.Ctx) { c.Sample("y", dist.Normal(sc(0), sc(1)), vigo.Obs(sc(0))) }); err != nil {
		t.Error(err)
	}
}

func TestSampleDraws(t *testing.T) {
	loc := tensor.Param([]float64{0.5}, 1)
	draw := func(seed uint64, traced bool) (normal, bern *tensor.Tensor) {
		prog := func(c *vigo.Ctx) {
			normal = c.Sample("z", dist.Normal(loc, tensor.Ones(1)))
			bern = c.Sample("b", dist.BernoulliProbs(loc.MulScalar(0.5)))
		}
		c := vigo.NewCtx(nil, rand.New(rand.NewPCG(seed, 0)))
		var err error
		if traced {
			_, err = handler.Trace(prog).Get(c)
		} else {
			err = c.Run(prog)
		}
		if err != nil {
			t.Fatal(err)
		}
		return normal, bern
	}
	for _, traced := range []bool{false, true} {
		n1, b1 := draw(5, traced)
		n2, b2 := draw(5, traced)
		n3, _ := draw(6, traced)
		// A reparameterized distribution is sampled pathwise: the draw
		// carries a gradient to loc of exactly 1 (z = loc + eps).
		if !n1.RequiresGrad() {
			t.Errorf("traced=%v: Normal draw carries no gradient", traced)
		}
		if b1.RequiresGrad() {
			t.Errorf("traced=%v: Bernoulli draw carries a gradient", traced)
		}
		if !sameBits(n1, n2) || !sameBits(b1, b2) {
			t.Errorf("traced=%v: same seed gave %v %v and %v %v", traced, n1, b1, n2, b2)
		}
		if sameBits(n1, n3) {
			t.Errorf("traced=%v: different seeds gave the same draw %v", traced, n1)
		}
		loc.ZeroGrad()
		n1.Sum().Backward()
		if g := loc.Grad(); g == nil || g.Item() != 1 {
			t.Errorf("traced=%v: d z/d loc = %v, want 1", traced, g)
		}
	}
}

func TestSampleErrors(t *testing.T) {
	cases := []struct {
		name, site string
		prog       vigo.Program
		subs       []string
	}{
		{"NaN obs", "y", func(c *vigo.Ctx) {
			c.Sample("y", dist.Normal(sc(0), sc(1)).Expand(2), vigo.Obs(tensor.Vector(1, math.NaN())))
		}, []string{`"y"`, "NaN", "[2]"}},
		{"Inf obs", "y", func(c *vigo.Ctx) {
			c.Sample("y", dist.Normal(sc(0), sc(1)), vigo.Obs(sc(math.Inf(-1))))
		}, []string{`"y"`}},
		{"invalid scale", "x", func(c *vigo.Ctx) {
			c.Sample("x", dist.Normal(sc(0), sc(-1)))
		}, []string{`"x"`, "scale"}},
		{"invalid probs", "b", func(c *vigo.Ctx) {
			c.Sample("b", dist.BernoulliProbs(tensor.Vector(0.5, 1.5)), vigo.Obs(tensor.Vector(0, 1)))
		}, []string{`"b"`}},
		{"nil distribution", "n", func(c *vigo.Ctx) { c.Sample("n", nil) }, []string{`"n"`, "nil"}},
	}
	for _, tc := range cases {
		for _, traced := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/traced=%v", tc.name, traced), func(t *testing.T) {
				var err error
				if traced {
					_, err = traceIn(tc.prog, 0)
				} else {
					err = vigo.NewCtx(nil, nil).Run(tc.prog)
				}
				wantKind(t, err, vigo.ValueError, tc.subs...)
				if e, ok := vigo.AsError(err); ok && e.Site != tc.site {
					t.Errorf("site %q, want %q", e.Site, tc.site)
				}
			})
		}
	}
}

func TestFactor(t *testing.T) {
	lf := tensor.New([]float64{-1, -2, -3, -4, -5, -6}, 2, 3)
	tr := mustTrace(t, func(c *vigo.Ctx) {
		c.Factor("f", lf)
		c.Factor("g", sc(0.5), vigo.FactorRSample(true))
	})
	f := tr.Site("f")
	if f.Type != vigo.SampleSite || !f.IsObserved || !f.Infer.IsAuxiliary {
		t.Errorf("factor site: type %v observed %v infer %+v", f.Type, f.IsObserved, f.Infer)
	}
	if got := f.Value.Shape(); !slices.Equal(got, []int{2, 3, 0}) {
		t.Errorf("factor value shape %v, want [2 3 0]", got)
	}
	if _, ok := f.Fn.(*dist.UnitDist); !ok {
		t.Errorf("factor distribution %T, want *dist.UnitDist", f.Fn)
	}
	if f.Fn.HasRSample() {
		t.Error("factor without FactorRSample claims rsample")
	}
	if !tr.Site("g").Fn.HasRSample() {
		t.Error("FactorRSample(true) not recorded")
	}
	if err := tr.ComputeLogProb(true, vigo.StrictWarnings); err != nil {
		t.Fatal(err)
	}
	if !sameBits(f.LogProb, lf) {
		t.Errorf("factor log-prob %v, want %v", f.LogProb, lf)
	}
	// Sums of small integers are exact.
	if total, err := tr.LogProbSum(true, nil); err != nil || total != -21+0.5 {
		t.Errorf("log_prob_sum %v (%v), want -20.5", total, err)
	}
}

func TestDeterministic(t *testing.T) {
	v := tensor.New([]float64{1, 2, 3, 4}, 2, 2)
	var got *tensor.Tensor
	tr := mustTrace(t, func(c *vigo.Ctx) {
		got = c.Deterministic("d", v, 2)
		c.Deterministic("e", v, 1)
	})
	if got != v {
		t.Errorf("Deterministic returned %v, want its value", got)
	}
	d := tr.Site("d")
	if !d.IsObserved || !d.Infer.Deterministic || d.Value != v || d.IsLatent() {
		t.Errorf("deterministic site: observed %v infer %+v", d.IsObserved, d.Infer)
	}
	if err := tr.ComputeLogProb(true, vigo.StrictWarnings); err != nil {
		t.Fatal(err)
	}
	for name, shape := range map[string][]int{"d": {}, "e": {2}} {
		s := tr.Site(name)
		if !slices.Equal(s.LogProb.Shape(), shape) || s.LogProbSum.Item() != 0 || slices.ContainsFunc(s.LogProb.Data(), func(x float64) bool { return x != 0 }) {
			t.Errorf("%s: log-prob %v, want zeros of shape %v", name, s.LogProb, shape)
		}
	}
}

// TestObsMask is spec §11.2 case 22 and §1.6: a partially observed site
// becomes name_observed, name_unobserved and a deterministic site name.
func TestObsMask(t *testing.T) {
	data := tensor.Full(7, 3)
	masks := []*tensor.Tensor{sc(1), sc(0), tensor.Vector(1), tensor.Vector(0), tensor.Vector(0, 1, 0)}
	for _, mask := range masks {
		t.Run(fmt.Sprint(mask), func(t *testing.T) {
			var y *tensor.Tensor
			tr := mustTrace(t, func(c *vigo.Ctx) {
				x := c.Sample("x", dist.Normal(sc(0), sc(1)))
				c.Plate("plate", 3, func(*tensor.Tensor) {
					y = c.Sample("y", dist.Normal(x, sc(1)), vigo.Obs(data), vigo.ObsMask(mask))
				})
			})
			if !slices.Equal(y.Shape(), []int{3}) {
				t.Fatalf("y shape %v, want [3]", y.Shape())
			}
			full := mask.Expand(3).Data()
			for i, v := range y.Data() {
				// A latent draw from N(x, 1) is never exactly 7.
				if (v == 7) != (full[i] == 1) {
					t.Errorf("y = %v where mask = %v", y, mask)
				}
			}
			obs, lat, det := tr.Site("y_observed"), tr.Site("y_unobserved"), tr.Site("y")
			if obs == nil || lat == nil || det == nil {
				t.Fatalf("sites %v", tr.Names())
			}
			if !obs.IsObserved || lat.IsObserved || !det.Infer.Deterministic || !det.IsObserved {
				t.Error("wrong site kinds")
			}
			if !sameBits(obs.Mask, mask) || !slices.Equal(tensor.LogicalNot(mask).Data(), lat.Mask.Data()) {
				t.Errorf("masks %v and %v, want %v and its negation", obs.Mask, lat.Mask, mask)
			}
			for _, s := range []*vigo.Site{obs, lat, det} {
				if !slices.Equal(s.Value.Shape(), []int{3}) {
					t.Errorf("%s value shape %v", s.Name, s.Value.Shape())
				}
			}
			if err := tr.ComputeLogProb(true, vigo.StrictWarnings); err != nil {
				t.Fatal(err)
			}
			// The observed site's log-prob is N(7 | x, 1) where observed, 0 elsewhere.
			x := tr.Site("x").Value.Item()
			want := -0.5*(7-x)*(7-x) - 0.5*math.Log(2*math.Pi)
			for i, lp := range obs.LogProb.Data() {
				w := 0.0
				if full[i] == 1 {
					w = want
				}
				if math.Abs(lp-w) > 1e-12 { // closed form, rounding only
					t.Errorf("observed log-prob[%d] = %v, want %v", i, lp, w)
				}
			}
		})
	}
}

func TestObsMaskMultivariate(t *testing.T) {
	data := tensor.Full(7, 4, 3)
	mvn := dist.MultivariateNormalCov(tensor.Zeros(3), tensor.Eye(3))
	for _, mask := range []*tensor.Tensor{sc(1), sc(0), tensor.Vector(0, 1, 1, 0)} {
		var y *tensor.Tensor
		tr := mustTrace(t, func(c *vigo.Ctx) {
			c.Plate("plate", 4, func(*tensor.Tensor) {
				y = c.Sample("y", mvn, vigo.Obs(data), vigo.ObsMask(mask))
			})
		})
		if !slices.Equal(y.Shape(), []int{4, 3}) {
			t.Fatalf("mask %v: y shape %v, want [4 3]", mask, y.Shape())
		}
		full := mask.Expand(4).Data()
		for i := range 4 {
			for j := range 3 {
				if (y.At(i, j) == 7) != (full[i] == 1) {
					t.Errorf("mask %v: y = %v", mask, y)
				}
			}
		}
		if d := tr.Site("y"); !slices.Equal(d.Value.Shape(), []int{4, 3}) || !d.Infer.Deterministic {
			t.Errorf("mask %v: deterministic site %v", mask, d.Value.Shape())
		}
	}
}

func TestObsMaskShapeErrors(t *testing.T) {
	cases := []struct {
		name string
		prog vigo.Program
	}{
		// spec §11.2 case 35: the mask includes the event dim.
		{"event dim in mask", func(c *vigo.Ctx) {
			c.Plate("plate", 3, func(*tensor.Tensor) {
				c.Sample("y", dist.MultivariateNormalCov(tensor.Zeros(2), tensor.Eye(2)),
					vigo.Obs(tensor.Zeros(3, 2)), vigo.ObsMask(tensor.Ones(3, 2)))
			})
		}},
		{"wrong length", func(c *vigo.Ctx) {
			c.Sample("y", dist.Normal(tensor.Zeros(3), tensor.Ones(3)), vigo.Obs(tensor.Zeros(3)), vigo.ObsMask(tensor.Ones(2)))
		}},
	}
	for _, tc := range cases {
		_, err := traceIn(tc.prog, 0)
		wantKind(t, err, vigo.ValueError, "Invalid obs_mask shape")
		if e, ok := vigo.AsError(err); ok && e.Site != "y" {
			t.Errorf("%s: site %q, want y", tc.name, e.Site)
		}
	}
}

func TestSubsample(t *testing.T) {
	data := tensor.New([]float64{0, 1, 10, 11, 20, 21, 30, 31, 40, 41}, 5, 2)
	c := vigo.NewCtx(nil, nil)
	if got := c.Subsample(data, 1); got != data {
		t.Error("Subsample outside inference changed the data")
	}
	mustTrace(t, func(c *vigo.Ctx) {
		c.Plate("rows", 5, func(idx *tensor.Tensor) {
			got := c.Subsample(data, 1)
			if !slices.Equal(got.Shape(), []int{3, 2}) {
				t.Fatalf("shape %v, want [3 2]", got.Shape())
			}
			for k, i := range idx.Data() {
				if got.At(k, 0) != 10*i || got.At(k, 1) != 10*i+1 {
					t.Errorf("row %d = %v, want row %v of the data", k, got, i)
				}
			}
		}, vigo.SubsampleSize(3))
		c.Plate("all", 5, func(*tensor.Tensor) {
			if got := c.Subsample(data, 1); !sameBits(got, data) {
				t.Errorf("unsubsampled plate changed the data to %v", got)
			}
		})
	})
	_, err := traceIn(func(c *vigo.Ctx) {
		c.Plate("rows", 5, func(*tensor.Tensor) { c.Subsample(tensor.Zeros(4, 2), 1) }, vigo.SubsampleSize(3))
	}, 0)
	wantKind(t, err, vigo.ValueError, "invalid shape of pyro.subsample")
}

// TestParamEventDim is spec §11.2 cases 7, 8 and 14: parameters declared
// with an event dim inside subsampled plates are cut to the minibatch.
func TestParamEventDim(t *testing.T) {
	t.Run("case 7", func(t *testing.T) {
		mustTrace(t, func(c *vigo.Ctx) {
			c.Plate("plate", 10, func(*tensor.Tensor) {
				p0 := c.Param("p0", sc(0), vigo.EventDim(0))
				p := c.Param("p", tensor.Full(0.5, 10), vigo.EventDim(0), vigo.Constrain(constraint.UnitInterval))
				sub := c.Subsample(tensor.Full(0.5, 10), 0)
				noEvent := c.Param("q", tensor.Full(0.5, 10))
				if p0.Dim() != 0 || !slices.Equal(p.Shape(), []int{5}) || !slices.Equal(sub.Shape(), []int{5}) ||
					!slices.Equal(noEvent.Shape(), []int{10}) {
					t.Errorf("shapes %v %v %v %v, want [] [5] [5] [10]", p0.Shape(), p.Shape(), sub.Shape(), noEvent.Shape())
				}
				c.Sample("x", dist.BernoulliProbs(p))
			}, vigo.SubsampleSize(5))
		})
	})
	t.Run("case 8", func(t *testing.T) {
		cases := []struct{ shape, want []int }{
			{[]int{}, []int{}}, {[]int{1}, []int{1}}, {[]int{10}, []int{5}}, {[]int{3, 1}, []int{3, 1}},
			{[]int{3, 10}, []int{3, 5}}, {[]int{5}, nil}, {[]int{3, 5}, nil},
		}
		for _, tc := range cases {
			for _, sub := range []int{5, 10} {
				var got *tensor.Tensor
				_, err := traceIn(func(c *vigo.Ctx) {
					c.Plate("plate", 10, func(*tensor.Tensor) {
						got = c.Param("p0", tensor.Ones(tc.shape...), vigo.EventDim(0))
					}, vigo.SubsampleSize(sub))
				}, 0)
				want := tc.want
				if want != nil && sub == 10 {
					want = tc.shape
				}
				switch {
				case want == nil:
					wantKind(t, err, vigo.ValueError, "invalid shape of pyro.param", "p0")
				case err != nil:
					t.Errorf("shape %v subsample %d: %v", tc.shape, sub, err)
				case !slices.Equal(got.Shape(), want):
					t.Errorf("shape %v subsample %d: got %v, want %v", tc.shape, sub, got.Shape(), want)
				}
			}
		}
	})
	t.Run("case 14", func(t *testing.T) {
		shapes := map[string][]int{}
		mustTrace(t, func(c *vigo.Ctx) {
			rec := func(name string, v *tensor.Tensor) { shapes[name] = v.Shape() }
			rec("p0", c.Param("p0", tensor.Full(0.5, 4, 5), vigo.EventDim(2)))
			c.Plate("plate_outer", 10, func(*tensor.Tensor) {
				rec("p1", c.Param("p1", tensor.Full(0.5, 10, 3), vigo.EventDim(1)))
				rec("p2", c.Param("p2", tensor.Full(0.5, 10), vigo.EventDim(0)))
				c.Plate("plate_inner", 11, func(*tensor.Tensor) {
					rec("p3", c.Param("p3", tensor.Full(0.5, 11, 10), vigo.EventDim(0)))
				}, vigo.SubsampleSize(6))
			}, vigo.SubsampleSize(5))
		})
		want := map[string][]int{"p0": {4, 5}, "p1": {5, 3}, "p2": {5}, "p3": {6, 5}}
		for n, w := range want {
			if !slices.Equal(shapes[n], w) {
				t.Errorf("%s: shape %v, want %v", n, shapes[n], w)
			}
		}
	})
}

func TestPlateStackFrames(t *testing.T) {
	tr := mustTrace(t, func(c *vigo.Ctx) {
		c.PlateStack("ps", []int{3, 4}, -2, func() {
			c.Sample("x", dist.Normal(sc(0), sc(1)))
		})
	})
	x := tr.Site("x")
	want := []vigo.Frame{{Name: "ps_0", Dim: -3, Size: 3}, {Name: "ps_1", Dim: -2, Size: 4}}
	if !slices.Equal(x.Stack, want) {
		t.Errorf("stack %v, want %v", x.Stack, want)
	}
	if !slices.Equal(x.Value.Shape(), []int{3, 4, 1}) {
		t.Errorf("shape %v, want [3 4 1]", x.Value.Shape())
	}
	if tr.Site("ps_0") == nil || tr.Site("ps_1") == nil {
		t.Errorf("no subsample sites: %v", tr.Names())
	}
}

// TestSizelessPlate is spec §11.2 case 9: a plate without a size has scale
// 1 and no subsample site, and does not constrain the batch shape.
func TestSizelessPlate(t *testing.T) {
	for _, size := range []int{vigo.UnknownSize, -5} {
		var idx *tensor.Tensor
		var pl *vigo.Plate
		tr := mustTrace(t, func(c *vigo.Ctx) {
			pl = c.NewPlate("plate", size)
			pl.Do(func(i *tensor.Tensor) {
				idx = i
				c.Sample("x", dist.BernoulliProbs(sc(0.5)).Expand(10))
			})
		})
		if idx != nil || pl.Size() != vigo.UnknownSize || pl.SubsampleSize() != vigo.UnknownSize {
			t.Errorf("size %d: indices %v size %d subsample %d", size, idx, pl.Size(), pl.SubsampleSize())
		}
		if got := tr.Names(); !slices.Equal(got, []string{"x"}) {
			t.Errorf("size %d: sites %v, want only x", size, got)
		}
		x := tr.Site("x")
		if x.Scale != 1 || !slices.Equal(x.Stack, []vigo.Frame{{Name: "plate", Dim: -1, Size: vigo.UnknownSize}}) {
			t.Errorf("size %d: scale %v stack %v", size, x.Scale, x.Stack)
		}
		if !slices.Equal(x.Value.Shape(), []int{10}) {
			t.Errorf("size %d: shape %v", size, x.Value.Shape())
		}
	}
	_, err := traceIn(func(c *vigo.Ctx) {
		for range c.PlateRange("seq", vigo.UnknownSize) {
		}
	}, 0)
	wantKind(t, err, vigo.ValueError, "unknown size")
}

func TestSubsampleSizeMismatch(t *testing.T) {
	_, err := traceIn(func(c *vigo.Ctx) {
		c.Plate("p", 10, func(*tensor.Tensor) {}, vigo.SubsampleSize(5), vigo.SubsampleIndices(tensor.Vector(0, 1, 2)))
	}, 0)
	wantKind(t, err, vigo.ValueError, "subsample_size does not match len(subsample), 5 vs 3")

	// The usual way to meet it: a guide and a model that disagree,
	// joined by replay.
	guide, err := traceIn(func(c *vigo.Ctx) {
		c.Plate("data", 10, func(*tensor.Tensor) {}, vigo.SubsampleSize(4))
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	model := handler.Replay(func(c *vigo.Ctx) {
		c.Plate("data", 10, func(*tensor.Tensor) {}, vigo.SubsampleSize(6))
	}, guide)
	_, err = traceIn(model, 0)
	wantKind(t, err, vigo.ValueError, "subsample_size does not match len(subsample), 6 vs 4",
		"different subsample_size in the model and guide")

	// Without a subsample size the replayed minibatch is taken as it is.
	var got *tensor.Tensor
	model = handler.Replay(func(c *vigo.Ctx) {
		c.Plate("data", 10, func(idx *tensor.Tensor) { got = idx })
	}, guide)
	if _, err := traceIn(model, 0); err != nil || !sameBits(got, guide.Site("data").Value) {
		t.Errorf("replayed indices %v (%v), want the guide's %v", got, err, guide.Site("data").Value)
	}
}

func TestSequentialPlateCounters(t *testing.T) {
	tr := mustTrace(t, func(c *vigo.Ctx) {
		outer := c.NewPlate("outer", 2)
		for i := range outer.Range() {
			for j := range c.PlateRange(fmt.Sprintf("inner_%d", i), 3) {
				c.Sample(fmt.Sprintf("x_%d_%d", i, j), dist.Normal(sc(0), sc(1)))
			}
		}
		// Iterating the same plate again keeps counting.
		for i := range outer.Range() {
			c.Sample(fmt.Sprintf("again_%d", i), dist.Normal(sc(0), sc(1)))
		}
	})
	for i := range 2 {
		for j := range 3 {
			s := tr.Site(fmt.Sprintf("x_%d_%d", i, j))
			want := []vigo.Frame{{Name: "outer", Size: 2, Counter: i + 1}, {Name: fmt.Sprintf("inner_%d", i), Size: 3, Counter: j + 1}}
			if !slices.Equal(s.Stack, want) {
				t.Errorf("%s: stack %v, want %v", s.Name, s.Stack, want)
			}
			if s.Stack[0].Vectorized() {
				t.Error("sequential frame reports vectorized")
			}
		}
	}
	for i := range 2 {
		if got := tr.Site(fmt.Sprintf("again_%d", i)).Stack[0].Counter; got != 3+i {
			t.Errorf("again_%d: counter %d, want %d", i, got, 3+i)
		}
	}
	// Sequential plates add no batch dims and, subsampled, scale by size/n.
	tr = mustTrace(t, func(c *vigo.Ctx) {
		for i := range c.PlateRange("seq", 8, vigo.SubsampleSize(2)) {
			c.Sample(fmt.Sprint("y", i), dist.Normal(sc(0), sc(1)))
		}
	})
	for _, s := range tr.Sites() {
		if s.IsSubsample() {
			continue
		}
		if s.Scale != 4 || s.Value.Dim() != 0 {
			t.Errorf("%s: scale %v shape %v, want 4 and []", s.Name, s.Scale, s.Value.Shape())
		}
	}
}

func TestPrimitiveMessagesAndHandlers(t *testing.T) {
	// A site named twice in a sequential loop is an error (spec §11.2 case 26).
	_, err := traceIn(func(c *vigo.Ctx) {
		for range c.PlateRange("p", 2) {
			c.Sample("x", dist.Normal(sc(0), sc(1)))
		}
	}, 0)
	wantKind(t, err, vigo.RuntimeError, "Multiple sample sites named 'x'")

	// Installing one handler twice is refused.
	m := vigo.MaskMessenger(sc(1))
	err = vigo.NewCtx(nil, nil).Run(func(c *vigo.Ctx) {
		c.With(m, func() { c.With(m, func() {}) })
	})
	wantKind(t, err, vigo.ValueError, "cannot install a messenger instance twice")

	// The handler stack is unwound after a panic.
	c := vigo.NewCtx(nil, nil)
	_ = c.Run(func(c *vigo.Ctx) { c.With(m, func() { c.Sample("x", nil) }) })
	if len(c.Handlers()) != 0 {
		t.Errorf("%d handlers left after a failed run", len(c.Handlers()))
	}

	// Param sites are recorded; WithInfer and Auxiliary reach the message.
	tr := mustTrace(t, func(c *vigo.Ctx) {
		c.Param("w", sc(1))
		c.Sample("a", dist.Normal(sc(0), sc(1)), vigo.Auxiliary())
		c.Sample("e", dist.Normal(sc(0), sc(1)), vigo.WithInfer(vigo.Infer{Enumerate: "parallel"}))
		obs := true
		c.Sample("o", dist.Normal(sc(0), sc(1)), vigo.WithInfer(vigo.Infer{IsObserved: &obs}))
		c.Sample("hidden", dist.Normal(sc(0), sc(1)), vigo.WithInfer(vigo.Infer{DoNotTrace: true}))
	})
	if got := tr.Names(); !slices.Equal(got, []string{"w", "a", "e", "o"}) {
		t.Errorf("sites %v", got)
	}
	if tr.Site("w").Type != vigo.ParamSite || !tr.Site("a").Infer.IsAuxiliary || tr.Site("e").Infer.Enumerate != "parallel" ||
		!tr.Site("o").IsObserved {
		t.Error("site options lost")
	}
	if s := fmt.Sprint(vigo.SampleSite, vigo.ParamSite, vigo.SubsampleSite); s != "sample param subsample" {
		t.Errorf("site types print as %q", s)
	}
	if !strings.Contains(vigo.ErrorKind(99).String(), "99") {
		t.Error("unknown error kind")
	}
}

// keeper is a handler written outside vigo that keeps the messages it sees.
type keeper struct{ seen []*vigo.Message }

func (k *keeper) Process(*vigo.Message)         {}
func (k *keeper) Postprocess(msg *vigo.Message) { k.seen = append(k.seen, msg) }

// TestMessagesKeptByHandlers checks that a handler may keep the messages it
// is shown: each stays the site's own record after later sites run, under
// vigo's own handlers too.
func TestMessagesKeptByHandlers(t *testing.T) {
	k := &keeper{}
	prog := func(c *vigo.Ctx) {
		c.Param("a", sc(1))
		c.Plate("p", 3, func(*tensor.Tensor) {
			c.Sample("x", dist.Normal(sc(0), sc(1)))
		})
		c.Sample("y", dist.Normal(sc(0), sc(1)), vigo.Obs(sc(0.5)))
	}
	c := vigo.NewCtx(vigo.NewParamStore(), nil)
	if err := c.Run(func(c *vigo.Ctx) {
		c.With(k, func() {
			if _, err := handler.Trace(prog).Get(c); err != nil {
				t.Fatal(err)
			}
		})
	}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range k.seen {
		names = append(names, m.Name)
	}
	if want := []string{"a", "p", "x", "y"}; !slices.Equal(names, want) {
		t.Fatalf("kept messages name %v, want %v", names, want)
	}
	if k.seen[3].Value.Item() != 0.5 || !k.seen[3].IsObserved {
		t.Errorf("kept message of y changed: %+v", k.seen[3])
	}
}

// TestParamOptionKeepsMessage checks that an option may keep the message it
// is shown.
func TestParamOptionKeepsMessage(t *testing.T) {
	var kept *vigo.Message
	keep := func(m *vigo.Message) { kept = m }
	_, err := handler.Trace(func(c *vigo.Ctx) {
		c.Param("a", sc(1), keep)
		c.Param("b", sc(2))
		c.Sample("x", dist.Normal(sc(0), sc(1)))
	}).Get(vigo.NewCtx(vigo.NewParamStore(), nil))
	if err != nil {
		t.Fatal(err)
	}
	if kept.Name != "a" || kept.Value.Item() != 1 {
		t.Errorf("kept message changed: %s %v", kept.Name, kept.Value)
	}
}
