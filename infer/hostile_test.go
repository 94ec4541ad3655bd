package infer

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// hostileArgs is what the models and guides of TestHostileInputs receive:
// ten finite observations, and whether this step is the hostile one.
type hostileArgs struct {
	data    *tensor.Tensor
	hostile bool
}

// hostileData returns data with element i replaced by v when the step is
// hostile.
func hostileData(a hostileArgs, i int, v float64) *tensor.Tensor {
	if !a.hostile {
		return a.data
	}
	d := a.data.Clone().Data()
	d[i] = v
	return tensor.New(d, a.data.Shape()...)
}

// hostileModel is a Normal–Normal model with a global latent "loc"; extra,
// when not nil, runs after the observations (with the latent's value).
func hostileModel(extra func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor)) func(*vigo.Ctx, hostileArgs) {
	return func(c *vigo.Ctx, a hostileArgs) {
		loc := c.Sample("loc", dist.Normal(tensor.Scalar(0), tensor.Scalar(10)))
		c.Plate("data", a.data.Len(), func(*tensor.Tensor) {
			c.Sample("obs", dist.Normal(loc, tensor.Scalar(1)), vigo.Obs(a.data))
		})
		if extra != nil {
			extra(c, a, loc)
		}
	}
}

// hostileGuide is the mean-field Normal guide of hostileModel, with extra
// run after it when not nil.
func hostileGuide(extra func(c *vigo.Ctx, a hostileArgs)) func(*vigo.Ctx, hostileArgs) {
	return func(c *vigo.Ctx, a hostileArgs) {
		l := c.Param("guide_loc", tensor.Scalar(0))
		s := c.Param("guide_scale", tensor.Scalar(1), vigo.Constrain(constraint.Positive))
		c.Sample("loc", dist.Normal(l, s))
		if extra != nil {
			extra(c, a)
		}
	}
}

// hostileQuadratic has the single parameter "w" and no latent: its loss is
// (w - x)²/2 summed over the data, up to a constant.
func hostileQuadratic(c *vigo.Ctx, a hostileArgs) {
	w := c.Param("w", tensor.Scalar(1))
	c.Plate("data", a.data.Len(), func(*tensor.Tensor) {
		c.Sample("obs", dist.Normal(w, tensor.Scalar(1)), vigo.Obs(a.data))
	})
}

func hostileEmptyGuide(*vigo.Ctx, hostileArgs) {}

// TestHostileInputs feeds SVI.Step inputs that must fail and checks, for
// each, that (a) Step returns an error, never a panic or a silent NaN loss,
// (b) the message names the site (or parameter) and shows the shapes
// involved, and (c) the failed step changed no parameter value (bit for
// bit), no optimizer state byte and no gradient, and left no new parameter
// behind. A few good steps come first, so that there is state to damage,
// and a good step must succeed afterwards.
//
// Cases with a lenient note say what happens under the default warning sink
// (ELBO.Warn nil, which logs each warning once): the step then succeeds and
// the warning is delivered; the table runs them with vigo.StrictWarnings,
// which turns the warning into the error checked here.
func TestHostileInputs(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name         string
		model, guide func(*vigo.Ctx, hostileArgs)
		opt          func() optim.Optimizer // nil: Adam, LR 0.01
		strict       bool                   // ELBO.Warn = vigo.StrictWarnings
		particles    int                    // NumParticles (0: 1)
		warm         int                    // good steps before the hostile ones
		tries        int                    // hostile steps allowed before the error (0: 1)
		want         []string               // substrings of the error message
		lenient      string                 // under the default sink: no error, this warning
		noRecovery   bool                   // good steps fail too (the optimizer diverges)
	}{
		{
			name: "NaN in observed data",
			model: func(c *vigo.Ctx, a hostileArgs) {
				hostileModel(nil)(c, hostileArgs{data: hostileData(a, 3, nan)})
			},
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"obs"`, "[10]", "NaN"},
		},
		{
			name: "+Inf in observed data",
			model: func(c *vigo.Ctx, a hostileArgs) {
				hostileModel(nil)(c, hostileArgs{data: hostileData(a, 9, inf)})
			},
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"obs"`, "[10]", "Inf"},
		},
		{
			name: "NaN in observed data, several particles",
			model: func(c *vigo.Ctx, a hostileArgs) {
				hostileModel(nil)(c, hostileArgs{data: hostileData(a, 0, nan)})
			},
			guide: hostileGuide(nil), warm: 3, particles: 4,
			want: []string{`"obs"`, "[10]", "NaN"},
		},
		{
			name: "data shape disagrees with its plate",
			model: func(c *vigo.Ctx, a hostileArgs) {
				loc := c.Sample("loc", dist.Normal(tensor.Scalar(0), tensor.Scalar(10)))
				data := a.data
				if a.hostile {
					data = data.Narrow(0, 0, 7)
				}
				c.Plate("data", 10, func(*tensor.Tensor) {
					c.Sample("obs", dist.Normal(loc, tensor.Scalar(1)), vigo.Obs(data))
				})
			},
			guide: hostileGuide(nil), warm: 3,
			want: []string{"'obs'", "[7]", "[10]"},
		},
		{
			name: "distribution batch shape disagrees with its plate",
			model: func(c *vigo.Ctx, a hostileArgs) {
				loc := c.Sample("loc", dist.Normal(tensor.Scalar(0), tensor.Scalar(10)))
				n := 10
				if a.hostile {
					n = 4
				}
				c.Plate("data", 10, func(*tensor.Tensor) {
					c.Sample("obs", dist.Normal(loc.Expand(n), tensor.Scalar(1)), vigo.Obs(a.data.Narrow(0, 0, n)))
				})
			},
			guide: hostileGuide(nil), warm: 3,
			want: []string{"obs", "plate('data')", "10 vs 4"},
		},
		{
			name: "negative scale",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
				scale := 1.0
				if a.hostile {
					scale = -1
				}
				c.Sample("noisy", dist.Normal(loc, tensor.Scalar(scale)), vigo.Obs(tensor.Scalar(0.5)))
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"noisy"`, "Normal", "scale", "shape []", "-1"},
		},
		{
			name: "probability outside [0, 1]",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, _ *tensor.Tensor) {
				p := tensor.Vector(0.5, 0.5)
				if a.hostile {
					p = tensor.Vector(0.5, 1.5)
				}
				c.Sample("flip", dist.BernoulliProbs(p).ToEvent(1), vigo.Obs(tensor.Vector(1, 0)))
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"flip"`, "Bernoulli", "probs", "[2]", "1.5"},
		},
		{
			name: "empty plate",
			model: func(c *vigo.Ctx, a hostileArgs) {
				n := a.data.Len()
				if a.hostile {
					n = 0
				}
				loc := c.Sample("loc", dist.Normal(tensor.Scalar(0), tensor.Scalar(10)))
				c.Plate("data", n, func(idx *tensor.Tensor) {
					c.Sample("obs", dist.Normal(loc, tensor.Scalar(1)), vigo.Obs(a.data.IndexSelect(0, idx)))
				})
			},
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"data"`, "zero"},
		},
		{
			name:  "guide samples a site the model lacks",
			model: hostileModel(nil),
			guide: hostileGuide(func(c *vigo.Ctx, a hostileArgs) {
				if a.hostile {
					c.Sample("stray", dist.Normal(tensor.Scalar(0), tensor.Scalar(1)))
				}
			}),
			strict: true, warm: 3,
			want:    []string{"'stray'", "guide but not model"},
			lenient: "Found non-auxiliary vars in guide but not model",
		},
		{
			name: "model latent the guide lacks",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, _ *tensor.Tensor) {
				if a.hostile {
					c.Sample("orphan", dist.Normal(tensor.Scalar(0), tensor.Scalar(1)))
				}
			}),
			guide: hostileGuide(nil), strict: true, warm: 3,
			want:    []string{"'orphan'", "model but not guide"},
			lenient: "Found vars in model but not guide",
		},
		{
			name: "parameter name collides with a sample site",
			model: func(c *vigo.Ctx, a hostileArgs) {
				if a.hostile {
					c.Param("loc", tensor.Scalar(0))
				}
				hostileModel(nil)(c, a)
			},
			// The step creates the parameter "loc" before failing; it must
			// not remain in the store.
			guide: hostileGuide(nil), warm: 3,
			want: []string{"loc", "already in the trace as a param"},
		},
		{
			name:  "diverging SGD (LR 1e308) on a quadratic",
			model: hostileQuadratic, guide: hostileEmptyGuide,
			// The first step already overflows: w = 1 - 1e308·5 = -Inf,
			// so the refused step is the one that created w.
			opt:   func() optim.Optimizer { return &optim.SGD{LR: 1e308} },
			tries: 5, noRecovery: true,
			want: []string{"SGD", `parameter "w"`, "step refused"},
		},
		{
			name:  "diverging Adam (LR 1e300) on a quadratic",
			model: hostileQuadratic, guide: hostileEmptyGuide,
			// Adam moves w by about LR on its first step (w ≈ -1e300);
			// the second step's squared gradient overflows exp_avg_sq.
			opt:   func() optim.Optimizer { return &optim.Adam{LR: 1e300} },
			tries: 5, noRecovery: true,
			want: []string{"Adam", `parameter "w"`, "step refused"},
		},
		{
			name: "divergence on a parameter's first step",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, _ *tensor.Tensor) {
				if a.hostile {
					w := c.Param("w", tensor.Scalar(1e10))
					c.Sample("far", dist.Normal(w, tensor.Scalar(1)), vigo.Obs(tensor.Scalar(0)))
				}
			}),
			// w is created by the refused step and must be removed with it.
			guide: hostileGuide(nil), warm: 3,
			opt: func() optim.Optimizer {
				return optim.PerParam(func(name string) optim.Optimizer {
					if name == "w" {
						return &optim.SGD{LR: 1e308}
					}
					return &optim.Adam{LR: 0.01}
				})
			},
			want: []string{`parameter "w"`, "step refused"},
		},
		{
			name: "Categorical index out of range",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, _ *tensor.Tensor) {
				k := 1.0
				if a.hostile {
					k = 3
				}
				c.Sample("pick", dist.CategoricalProbs(tensor.Vector(0.2, 0.3, 0.5)), vigo.Obs(tensor.Scalar(k)))
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{"'pick'", "Categorical", "support", "shape []", "3"},
		},
		{
			name:  "Delta guide at NaN",
			model: hostileModel(nil),
			guide: func(c *vigo.Ctx, a hostileArgs) {
				l := c.Param("guide_loc", tensor.Scalar(0))
				if a.hostile {
					l = l.Mul(tensor.Scalar(nan))
				}
				c.Sample("loc", dist.Delta(l, nil, 0))
			},
			// The NaN reaches the model's observation, whose
			// distribution's loc it becomes.
			warm: 3,
			want: []string{`"obs"`, "Normal", "loc must be real", "shape []", "NaN"},
		},
		{
			name: "Delta with a NaN log-density",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
				ld := tensor.Vector(0, 0)
				if a.hostile {
					ld = tensor.Vector(0, nan)
				}
				c.Sample("pin", dist.Delta(loc.Expand(2), ld, 0).ToEvent(1), vigo.Obs(loc.Detach().Expand(2)))
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"pin"`, "Delta", "log density", "[2]", "NaN"},
		},
		{
			name: "Delta with more event dims than its value",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
				ed := 1
				if a.hostile {
					ed = 2
				}
				c.Sample("pin", dist.Delta(loc.Expand(2), nil, ed), vigo.Obs(loc.Detach().Expand(2)))
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"pin"`, "Delta", "event dim 2", "[2]"},
		},
		{
			name: "Beta observation outside (0, 1)",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, _ *tensor.Tensor) {
				x := 0.25
				if a.hostile {
					x = 1.5
				}
				c.Sample("frac", dist.Beta(tensor.Scalar(2), tensor.Scalar(2)), vigo.Obs(tensor.Scalar(x)))
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{"'frac'", "Beta", "support", "1.5"},
		},
		{
			name: "observation that does not broadcast with the batch",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
				n := 3
				if a.hostile {
					n = 4
				}
				c.Sample("vec", dist.Normal(loc.Expand(3), tensor.Scalar(1)).ToEvent(1), vigo.Obs(tensor.Zeros(n)))
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{"'vec'", "[3]", "[4]"},
		},
		{
			name: "nil distribution",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, _ *tensor.Tensor) {
				if a.hostile {
					c.Sample("nothing", nil)
				}
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"nothing"`, "nil distribution"},
		},
		{
			name: "sample site named twice",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
				if a.hostile {
					c.Sample("obs", dist.Normal(loc, tensor.Scalar(1)), vigo.Obs(tensor.Scalar(0)))
				}
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{"'obs'", "Multiple sample sites"},
		},
		{
			name: "NaN initial value of a new parameter",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
				if a.hostile {
					w := c.Param("w", tensor.Vector(0, nan))
					c.Sample("w_obs", dist.Normal(w, tensor.Scalar(1)).ToEvent(1), vigo.Obs(tensor.Zeros(2)))
				}
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"w"`, "[2]", "NaN"},
		},
		{
			name: "initial value outside the parameter's constraint",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
				if a.hostile {
					s := c.Param("s", tensor.Vector(1, -2, 3), vigo.Constrain(constraint.Positive))
					c.Sample("s_obs", dist.Normal(loc, s).ToEvent(1), vigo.Obs(tensor.Zeros(3)))
				}
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{`"s"`, "[3]", "constraint"},
		},
		{
			name: "NaN log-factor",
			model: hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
				f := loc.MulScalar(0)
				if a.hostile {
					f = loc.Mul(tensor.Scalar(nan))
				}
				c.Factor("penalty", f)
			}),
			guide: hostileGuide(nil), warm: 3,
			want: []string{"penalty", "NaN"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			elbo := func(warn vigo.WarnFunc) *TraceELBO {
				return &TraceELBO{NumParticles: tc.particles, Warn: warn}
			}
			newSVI := func(warn vigo.WarnFunc) *SVI[hostileArgs] {
				var opt optim.Optimizer = &optim.Adam{LR: 0.01}
				if tc.opt != nil {
					opt = tc.opt()
				}
				return NewSVI(tc.model, tc.guide, opt, elbo(warn), WithSeed(7))
			}
			// Warnings other than the one under test must not fail the
			// step: only strict cases turn them into errors.
			var warn vigo.WarnFunc = vigo.IgnoreWarnings
			if tc.strict {
				warn = vigo.StrictWarnings
			}
			svi := newSVI(warn)
			good := hostileArgs{data: tensor.Linspace(-1, 2, 10)}
			bad := hostileArgs{data: good.data, hostile: true}
			for i := 0; i < tc.warm; i++ {
				if loss, err := hostileStep(t, svi, good); err != nil || math.IsNaN(loss) {
					t.Fatalf("good step %d: loss %v, error %v", i, loss, err)
				}
			}
			var err error
			var snap hostileSnapshot
			for i := 0; i < max(tc.tries, 1); i++ {
				snap = hostileSnap(t, svi)
				var loss float64
				if loss, err = hostileStep(t, svi, bad); err != nil {
					break
				}
				if math.IsNaN(loss) {
					t.Fatalf("hostile step %d returned a NaN loss and no error", i)
				}
			}
			if err == nil {
				t.Fatalf("no error after %d hostile steps", max(tc.tries, 1))
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not mention %q:\n%s", w, msg)
				}
			}
			snap.check(t, svi)
			if !tc.noRecovery {
				if loss, err := hostileStep(t, svi, good); err != nil || math.IsNaN(loss) {
					t.Errorf("good step after the failed one: loss %v, error %v", loss, err)
				}
			}
			if tc.lenient == "" {
				return
			}
			// Under a collecting sink the same hostile step succeeds and
			// delivers the warning (the default sink logs it instead).
			var got []string
			lenient := newSVI(func(w *vigo.Warning) error { got = append(got, w.Msg); return nil })
			for i := 0; i < tc.warm; i++ {
				if _, err := lenient.Step(good); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := lenient.Step(bad); err != nil {
				t.Fatalf("with warnings allowed: %v", err)
			}
			if !slices.ContainsFunc(got, func(m string) bool { return strings.Contains(m, tc.lenient) }) {
				t.Errorf("with warnings allowed, got warnings %q, want one containing %q", got, tc.lenient)
			}
			// The default sink (Warn nil) logs the warning once and the
			// step succeeds, as in Pyro.
			def := newSVI(nil)
			if _, err := def.Step(bad); err != nil {
				t.Errorf("with the default warning sink: %v", err)
			}
		})
	}
}

// hostileStep runs one SVI step, turning a panic into a test failure.
func hostileStep(t *testing.T, svi *SVI[hostileArgs], a hostileArgs) (loss float64, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Step panicked: %v", r)
		}
	}()
	return svi.Step(a)
}

// hostileSnapshot is an SVI's parameters, optimizer state and gradients.
type hostileSnapshot struct {
	state vigo.ParamState
	opt   []byte
}

func hostileSnap(t *testing.T, svi *SVI[hostileArgs]) hostileSnapshot {
	t.Helper()
	b, err := svi.Optimizer().(optim.Stateful).State()
	if err != nil {
		t.Fatal(err)
	}
	return hostileSnapshot{state: svi.Params().State(), opt: b}
}

// check fails t unless svi's parameters (bit for bit, with their names and
// constraints) and optimizer state are those of the snapshot, and every
// gradient is absent or zero.
func (s hostileSnapshot) check(t *testing.T, svi *SVI[hostileArgs]) {
	t.Helper()
	now := hostileSnap(t, svi)
	if !slices.Equal(s.state.Names, now.state.Names) {
		t.Errorf("parameters %v after the failed step, %v before", now.state.Names, s.state.Names)
	}
	for _, n := range s.state.Names {
		a, b := s.state.Values[n], now.state.Values[n]
		if b == nil {
			continue
		}
		if !slices.Equal(a.Shape(), b.Shape()) {
			t.Errorf("parameter %q: shape %v, was %v", n, b.Shape(), a.Shape())
			continue
		}
		for i, v := range a.Data() {
			if math.Float64bits(v) != math.Float64bits(b.Data()[i]) {
				t.Errorf("parameter %q[%d] = %v, was %v", n, i, b.Data()[i], v)
			}
		}
		if s.state.Constraints[n] != now.state.Constraints[n] {
			t.Errorf("parameter %q: constraint changed", n)
		}
		if g := svi.Params().Unconstrained(n).Grad(); g != nil && slices.ContainsFunc(g.Data(), func(v float64) bool { return v != 0 }) {
			t.Errorf("parameter %q keeps gradient %v", n, g)
		}
	}
	if !bytes.Equal(s.opt, now.opt) {
		t.Errorf("optimizer state changed:\nbefore %s\nafter  %s", s.opt, now.opt)
	}
}

// TestHostileInfiniteLoss pins down an input that is not an error: an
// observation that a Delta cannot produce has log-density -Inf, so the loss
// is +Inf, as in PyTorch and Pyro, which warn about NaN and +Inf
// log-densities but allow -Inf. The loss is +Inf, not NaN, and the other
// sites' gradients still move the parameters to finite values.
func TestHostileInfiniteLoss(t *testing.T) {
	model := hostileModel(func(c *vigo.Ctx, a hostileArgs, loc *tensor.Tensor) {
		c.Sample("pin", dist.Delta(loc, nil, 0), vigo.Obs(tensor.Scalar(123)))
	})
	svi := NewSVI(model, hostileGuide(nil), &optim.Adam{LR: 0.01}, &TraceELBO{Warn: vigo.StrictWarnings}, WithSeed(1))
	for i := 0; i < 3; i++ {
		loss, err := svi.Step(hostileArgs{data: tensor.Linspace(-1, 2, 10)})
		if err != nil || !math.IsInf(loss, 1) {
			t.Fatalf("step %d: loss %v, error %v; want +Inf and no error", i, loss, err)
		}
	}
	for _, n := range svi.Params().Names() {
		if v := svi.Params().Get(n); !v.AllFinite() || v.Item() == 0 && n == "guide_loc" {
			t.Errorf("parameter %q = %v; want finite and moved", n, v)
		}
	}
}
