package dist

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// TestShapes checks batch, event, sample and log-prob shapes of families
// and wrappers against PyTorch/Pyro's rules.
func TestShapes(t *testing.T) {
	s, z := tensor.Scalar, tensor.Zeros
	norm := func(shape ...int) Distribution { return Normal(z(shape...), tensor.Ones(shape...)) }
	cases := []struct {
		name         string
		d            Distribution
		batch, event []int
		value        *tensor.Tensor
		lpShape      []int
	}{
		{"scalar params", Normal(s(0), s(1)), []int{}, []int{}, z(4), []int{4}},
		{"broadcast params", Normal(z(3, 1), tensor.Ones(2)), []int{3, 2}, []int{}, z(2), []int{3, 2}},
		{"expand", Normal(s(0), s(1)).Expand(3, 2), []int{3, 2}, []int{}, z(2), []int{3, 2}},
		{"expand value larger", Normal(s(0), s(1)).Expand(3, 2), []int{3, 2}, []int{}, z(5, 1, 1), []int{5, 3, 2}},
		{"expand interstitial", norm(3, 1).Expand(4, 3, 2), []int{4, 3, 2}, []int{}, z(3, 2), []int{4, 3, 2}},
		{"to_event(1)", norm(3).ToEvent(1), []int{}, []int{3}, z(3), []int{}},
		{"to_event(1) batched value", norm(3).ToEvent(1), []int{}, []int{3}, z(4, 3), []int{4}},
		{"to_event twice merges", norm(2, 3).ToEvent(1).ToEvent(1), []int{}, []int{2, 3}, z(2, 3), []int{}},
		{"to_event partial", norm(4, 2, 3).ToEvent(2), []int{4}, []int{2, 3}, z(2, 3), []int{4}},
		{"to_event all", ToEventAll(norm(4, 2)), []int{}, []int{4, 2}, z(4, 2), []int{}},
		{"independent expand", norm(3).ToEvent(1).Expand(5), []int{5}, []int{3}, z(3), []int{5}},
		{"mask broadcast", norm(3).Mask(tensor.Ones(2, 1)), []int{2, 3}, []int{}, z(3), []int{2, 3}},
		{"mask scalar", norm(3).Mask(s(1)), []int{3}, []int{}, z(3), []int{3}},
		{"mask then to_event", norm(2, 3).Mask(tensor.Ones(3)).ToEvent(1), []int{2}, []int{3}, z(2, 3), []int{2}},
		{"mask all false", MaskAll(norm(3), false), []int{3}, []int{}, z(4, 1), []int{4, 3}},
		{"mask expand", norm(3).Mask(tensor.Ones(3)).Expand(2, 3), []int{2, 3}, []int{}, z(3), []int{2, 3}},
		{"dirichlet", Dirichlet(tensor.Ones(2, 3)), []int{2}, []int{3}, tensor.Full(1.0/3, 3), []int{2}},
		{"dirichlet expand", Dirichlet(tensor.Ones(3)).Expand(4, 2), []int{4, 2}, []int{3}, tensor.Full(1.0/3, 2, 3), []int{4, 2}},
		{"dirichlet to_event", Dirichlet(tensor.Ones(2, 3)).ToEvent(1), []int{}, []int{2, 3}, tensor.Full(1.0/3, 2, 3), []int{}},
		{"delta event dim", Delta(z(2, 3), nil, 1), []int{2}, []int{3}, z(2, 3), []int{2}},
		{"delta expand", Delta(z(3), nil, 1).Expand(4), []int{4}, []int{3}, z(3), []int{4}},
		{"unit", Unit(z(2)), []int{2}, []int{0}, z(2, 0), []int{2}},
		{"unit expand", Unit(s(0)).Expand(3), []int{3}, []int{0}, z(0), []int{3}},
		{"gamma expand", Gamma(s(2), tensor.Ones(3)).Expand(2, 3), []int{2, 3}, []int{}, tensor.Ones(3), []int{2, 3}},
		{"transformed identity", TransformedDistribution(norm(2)), []int{2}, []int{}, z(2), []int{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.d.Validate(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.d.BatchShape(), c.batch) || !slices.Equal(c.d.EventShape(), c.event) {
				t.Errorf("batch %v event %v, want %v %v", c.d.BatchShape(), c.d.EventShape(), c.batch, c.event)
			}
			lp, err := c.d.LogProb(c.value)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(lp.Shape(), c.lpShape) {
				t.Errorf("LogProb shape %v, want %v", lp.Shape(), c.lpShape)
			}
			x := c.d.Sample(rand.New(rand.NewPCG(1, 1)), 5, 1)
			want := slices.Concat([]int{5, 1}, c.batch, c.event)
			if !slices.Equal(x.Shape(), want) {
				t.Errorf("Sample shape %v, want %v", x.Shape(), want)
			}
			m := c.d.Mean()
			if want := slices.Concat(c.batch, c.event); !slices.Equal(m.Shape(), want) {
				t.Errorf("Mean shape %v, want %v", m.Shape(), want)
			}
			if c.d.HasRSample() {
				if r := c.d.RSample(rand.New(rand.NewPCG(1, 1)), 2); !slices.Equal(r.Shape(), slices.Concat([]int{2}, c.batch, c.event)) {
					t.Errorf("RSample shape %v", r.Shape())
				}
			}
		})
	}
}

// TestToEventZeroIsIdentity checks that ToEvent(0) returns the same
// distribution, as Pyro's to_event(0).
func TestToEventZeroIsIdentity(t *testing.T) {
	d := Normal(tensor.Zeros(3), tensor.Ones(3))
	if d.ToEvent(0) != Distribution(d) {
		t.Error("ToEvent(0) made a new distribution")
	}
	e := d.ToEvent(1)
	if e.ToEvent(-1) != Distribution(d) {
		t.Error("ToEvent(1).ToEvent(-1) should give back the base")
	}
}

// TestMaskedLogProb checks that a tensor mask zeroes the log-density (and
// its gradient) where it is 0.
func TestMaskedLogProb(t *testing.T) {
	loc := tensor.Param([]float64{0, 1, 2}, 3)
	d := Normal(loc, tensor.Scalar(1)).Mask(tensor.Vector(1, 0, 1))
	lp, err := d.LogProb(tensor.Vector(0.5, 0.5, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	if lp.Data()[1] != 0 || lp.Data()[0] == 0 {
		t.Errorf("masked log-prob %v", lp)
	}
	lp.Sum().Backward()
	if g := loc.Grad().Data(); g[1] != 0 || g[0] != 0.5 || g[2] != -1.5 {
		t.Errorf("gradient %v, want [0.5 0 -1.5] (closed form (x-loc)/scale²)", g)
	}
}

// TestScoreParts checks the default rule and the wrappers' rules of spec
// §3.2: nil means identically zero.
func TestScoreParts(t *testing.T) {
	v := tensor.Vector(0.1, -0.3)
	norm := Normal(tensor.Zeros(2), tensor.Ones(2))
	mask := tensor.Vector(0, 1)
	type want struct{ sf, ent bool } // which terms exist
	cases := []struct {
		name  string
		d     Distribution
		w     want
		check func(t *testing.T, p ScoreParts)
	}{
		{"reparameterized", norm, want{false, true}, nil},
		{"not reparameterized", norm.WithRSample(false), want{true, false}, nil},
		{"expand keeps override", norm.WithRSample(false).Expand(3, 2), want{true, false}, nil},
		{"to_event", norm.ToEvent(1), want{false, true}, nil},
		{"to_event non-reparam", norm.WithRSample(false).ToEvent(1), want{true, false}, nil},
		{"mask all false", MaskAll(norm, false), want{false, true}, func(t *testing.T, p ScoreParts) {
			if p.EntropyTerm.Sum().Item() != 0 || !slices.Equal(p.EntropyTerm.Shape(), []int{2}) {
				t.Errorf("entropy term %v, want zeros of shape [2]", p.EntropyTerm)
			}
		}},
		{"mask all true non-reparam", MaskAll(norm.WithRSample(false), true), want{true, false}, nil},
		{"tensor mask non-reparam", norm.WithRSample(false).Mask(mask), want{true, false}, func(t *testing.T, p ScoreParts) {
			if p.LogProb.Data()[0] != 0 {
				t.Error("log prob not masked")
			}
			if p.ScoreFunction.Data()[0] == 0 {
				t.Error("score function must not be masked (spec §3.3)")
			}
		}},
		{"tensor mask reparam", norm.Mask(mask), want{false, true}, func(t *testing.T, p ScoreParts) {
			if p.EntropyTerm.Data()[0] != 0 || p.EntropyTerm.Data()[1] == 0 {
				t.Errorf("entropy term %v, want masked", p.EntropyTerm)
			}
		}},
		{"masked WithRSample", norm.Mask(mask).WithRSample(false), want{true, false}, nil},
		{"gamma", Gamma(tensor.Ones(2), tensor.Ones(2)), want{false, true}, nil},
		{"unit", Unit(tensor.Zeros(2)), want{true, false}, nil},
		{"unit with rsample", Unit(tensor.Zeros(2)).WithRSample(true), want{false, true}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			val := v
			if _, ok := c.d.(*UnitDist); ok {
				val = tensor.Zeros(2, 0)
			}
			if _, ok := c.d.(*GammaDist); ok {
				val = tensor.Vector(0.1, 0.3)
			}
			p, err := c.d.ScoreParts(val)
			if err != nil {
				t.Fatal(err)
			}
			if p.LogProb == nil {
				t.Fatal("nil log prob")
			}
			if (p.ScoreFunction != nil) != c.w.sf || (p.EntropyTerm != nil) != c.w.ent {
				t.Errorf("score function present %v, entropy term present %v; want %v, %v",
					p.ScoreFunction != nil, p.EntropyTerm != nil, c.w.sf, c.w.ent)
			}
			if c.check != nil {
				c.check(t, p)
			}
		})
	}
}

// TestRSampleOverride checks that WithRSample is reported through
// expansion and wrappers (spec §1.5: has_rsample is copied on expand).
func TestRSampleOverride(t *testing.T) {
	u := Unit(tensor.Zeros(2))
	if _, set := u.RSampleOverride(); set {
		t.Error("fresh Unit reports an override")
	}
	for name, d := range map[string]Distribution{
		"with":          u.WithRSample(true),
		"expanded":      u.WithRSample(true).Expand(3, 2),
		"masked":        u.WithRSample(true).Mask(tensor.Vector(1, 0)),
		"masked after":  u.Mask(tensor.Vector(1, 0)).WithRSample(true),
		"independent":   u.WithRSample(true).ToEvent(1),
		"all masked":    MaskAll(u.WithRSample(true), false),
		"normal masked": Normal(tensor.Scalar(0), tensor.Scalar(1)).WithRSample(true).Mask(tensor.Scalar(1)),
	} {
		on, set := d.(RSampleOverrider).RSampleOverride()
		if !on || !set || !d.HasRSample() {
			t.Errorf("%s: override (%v, %v), HasRSample %v", name, on, set, d.HasRSample())
		}
	}
}
