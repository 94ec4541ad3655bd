package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// fdFamily builds one distribution family from three arbitrary floats.
// par turns a parameter value into the tensor the constructor receives (a
// scalar, or a batch of two equal values), so every family is also checked
// with a batch shape.
type fdFamily struct {
	name string
	make func(p1, p2, p3 float64, par func(float64) *tensor.Tensor) Distribution
	// value returns the value LogProb is asked about, from x; wrong is true
	// when its shape cannot fit the distribution (LogProb must fail).
	value func(x float64, mode int) (v *tensor.Tensor, wrong bool)
	// countLike families sample in time growing with their parameters, so
	// sampling is skipped when those are huge.
	countLike bool
}

// fdScalarValue is the value of a family with scalar events: x, or in mode
// 2 three copies of x against a batch of two (shapes that do not broadcast).
func fdScalarValue(x float64, mode int) (*tensor.Tensor, bool) {
	if mode == 2 {
		return tensor.Vector(x, x, x), true
	}
	return tensor.Scalar(x), false
}

func fdFamilies() []fdFamily {
	s := tensor.Scalar
	return []fdFamily{
		{name: "Normal", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return Normal(p(a), p(b)) }, value: fdScalarValue},
		{name: "LogNormal", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return LogNormal(p(a), p(b)) }, value: fdScalarValue},
		{name: "Cauchy", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return Cauchy(p(a), p(b)) }, value: fdScalarValue},
		{name: "Laplace", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return Laplace(p(a), p(b)) }, value: fdScalarValue},
		{name: "StudentT", make: func(a, b, c float64, p func(float64) *tensor.Tensor) Distribution { return StudentT(p(a), p(b), p(c)) }, value: fdScalarValue},
		{name: "HalfNormal", make: func(a, _, _ float64, p func(float64) *tensor.Tensor) Distribution { return HalfNormal(p(a)) }, value: fdScalarValue},
		{name: "HalfCauchy", make: func(a, _, _ float64, p func(float64) *tensor.Tensor) Distribution { return HalfCauchy(p(a)) }, value: fdScalarValue},
		{name: "Gamma", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return Gamma(p(a), p(b)) }, value: fdScalarValue},
		{name: "Exponential", make: func(a, _, _ float64, p func(float64) *tensor.Tensor) Distribution { return Exponential(p(a)) }, value: fdScalarValue},
		{name: "Beta", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return Beta(p(a), p(b)) }, value: fdScalarValue},
		{name: "Uniform", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return Uniform(p(a), p(b)) }, value: fdScalarValue},
		{name: "Poisson", make: func(a, _, _ float64, p func(float64) *tensor.Tensor) Distribution { return Poisson(p(a)) }, value: fdScalarValue, countLike: true},
		{name: "Geometric", make: func(a, _, _ float64, p func(float64) *tensor.Tensor) Distribution { return Geometric(p(a)) }, value: fdScalarValue},
		{name: "BernoulliProbs", make: func(a, _, _ float64, p func(float64) *tensor.Tensor) Distribution { return BernoulliProbs(p(a)) }, value: fdScalarValue},
		{name: "BernoulliLogits", make: func(a, _, _ float64, p func(float64) *tensor.Tensor) Distribution { return BernoulliLogits(p(a)) }, value: fdScalarValue},
		{name: "Binomial", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return Binomial(p(a), p(b)) }, value: fdScalarValue, countLike: true},
		{name: "BinomialLogits", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return BinomialLogits(p(a), p(b)) }, value: fdScalarValue, countLike: true},
		{name: "Delta", make: func(a, b, _ float64, p func(float64) *tensor.Tensor) Distribution { return Delta(p(a), p(b), 0) }, value: fdScalarValue},
		{name: "Unit", make: func(a, _, _ float64, p func(float64) *tensor.Tensor) Distribution { return Unit(p(a)) },
			value: func(x float64, mode int) (*tensor.Tensor, bool) { return tensor.Zeros(0), false }},
		{name: "CategoricalProbs", make: func(a, b, c float64, _ func(float64) *tensor.Tensor) Distribution {
			return CategoricalProbs(tensor.Vector(a, b, c))
		}, value: func(x float64, mode int) (*tensor.Tensor, bool) { return s(x), false }},
		{name: "CategoricalLogits", make: func(a, b, c float64, _ func(float64) *tensor.Tensor) Distribution {
			return CategoricalLogits(tensor.Vector(a, b, c))
		}, value: func(x float64, mode int) (*tensor.Tensor, bool) { return s(x), false }},
		{name: "OneHotCategoricalProbs", make: func(a, b, c float64, _ func(float64) *tensor.Tensor) Distribution {
			return OneHotCategoricalProbs(tensor.Vector(a, b, c))
		}, value: fdVectorValue(3)},
		{name: "Dirichlet", make: func(a, b, c float64, _ func(float64) *tensor.Tensor) Distribution {
			return Dirichlet(tensor.Vector(a, b, c))
		}, value: fdVectorValue(3)},
		{name: "MultivariateNormalTril", make: func(a, b, c float64, _ func(float64) *tensor.Tensor) Distribution {
			return MultivariateNormalTril(tensor.Vector(a, -a), tensor.New([]float64{b, 0, a, c}, 2, 2))
		}, value: fdVectorValue(2)},
		{name: "MultivariateNormalCov", make: func(a, b, c float64, _ func(float64) *tensor.Tensor) Distribution {
			return MultivariateNormalCov(tensor.Vector(0, c), tensor.New([]float64{b, a, a, c}, 2, 2))
		}, value: fdVectorValue(2)},
		{name: "LowRankMultivariateNormal", make: func(a, b, c float64, _ func(float64) *tensor.Tensor) Distribution {
			return LowRankMultivariateNormal(tensor.Vector(a, 0), tensor.New([]float64{b, a}, 2, 1), tensor.Vector(c, b))
		}, value: fdVectorValue(2)},
	}
}

// fdVectorValue returns the value maker of a family with events of size k:
// mode 0 and 1 give an event made from x (on the simplex when x is in
// [0, 1], so Dirichlet and one-hot values are sometimes valid), mode 2 an
// event of the wrong size.
func fdVectorValue(k int) func(x float64, mode int) (*tensor.Tensor, bool) {
	return func(x float64, mode int) (*tensor.Tensor, bool) {
		if mode == 2 {
			return tensor.Full(x, k+1), true
		}
		v := make([]float64, k)
		v[0], v[1] = x, 1-x
		if mode == 1 && k > 2 { // one-hot at an index chosen by x
			v = make([]float64, k)
			if i := int(math.Abs(math.Mod(x, float64(k)))); x == x && !math.IsInf(x, 0) {
				v[i] = 1
			}
		}
		return tensor.New(v, k), false
	}
}

// FuzzDistributions builds every family from arbitrary floats (NaN, ±Inf,
// subnormals, huge values included) and checks the documented contract:
// constructors never panic, Validate reports bad parameters and LogProb then
// returns an error; with valid parameters LogProb errors exactly when the
// value is outside Support or of a shape that does not fit, and otherwise
// returns a tensor of the broadcast batch shape which, when every input is
// finite, holds no NaN (±Inf are allowed: log 0 and densities that blow up
// at a boundary; NaN only where the density has no limit, at a vertex of
// Dirichlet's simplex). LogProb with validation off, ScoreParts, Mean, Variance,
// Entropy and Sample never panic; samples from valid, finite parameters are
// not NaN and lie in the support, or on its boundary where rounding put them.
func FuzzDistributions(f *testing.F) {
	nan, inf := math.NaN(), math.Inf(1)
	for fam := range uint8(26) {
		f.Add(fam, uint8(0), 0.5, 1.5, 2.0, 0.25)
	}
	f.Add(uint8(0), uint8(0), 0.0, -1.0, 0.0, 0.0)      // Normal, negative scale
	f.Add(uint8(13), uint8(1), 1.5, 0.0, 0.0, 1.0)      // Bernoulli probs 1.5
	f.Add(uint8(7), uint8(0), 1e-300, 1e300, 0.0, 0.0)  // Gamma, extreme parameters, value 0
	f.Add(uint8(9), uint8(0), 0.5, 0.5, 0.0, 0.0)       // Beta density infinite at 0
	f.Add(uint8(19), uint8(0), 0.2, 0.3, 0.5, 3.0)      // Categorical index out of range
	f.Add(uint8(0), uint8(2), 0.0, 1.0, 0.0, 1.0)       // value shape does not broadcast
	f.Add(uint8(0), uint8(0), nan, 1.0, 0.0, 0.0)       // NaN loc
	f.Add(uint8(0), uint8(0), inf, 1.0, 0.0, inf)       // Inf loc and value
	f.Add(uint8(15), uint8(0), 1e18, 0.5, 0.0, 3.0)     // Binomial, huge count
	f.Add(uint8(23), uint8(0), 1.0, 1e-170, 1e170, 0.0) // MVN, ill-conditioned scale
	f.Add(uint8(22), uint8(1), 1e-300, 1e-300, 1e-300, 0.5)
	fams := fdFamilies()
	f.Fuzz(func(t *testing.T, which, mode uint8, p1, p2, p3, x float64) {
		fam := fams[int(which)%len(fams)]
		m := int(mode) % 3
		par := tensor.Scalar
		if m > 0 {
			par = func(v float64) *tensor.Tensor { return tensor.Vector(v, v) }
		}
		desc := fmt.Sprintf("%s(%v, %v, %v), mode %d, value %v", fam.name, p1, p2, p3, m, x)
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%s: panic: %v", desc, r)
			}
		}()
		d := fam.make(p1, p2, p3, par)
		value, wrong := fam.value(x, m)
		verr := d.Validate()
		lp, err := d.LogProb(value)
		if sl, ok := d.(SumLogProber); ok {
			fdCheckSum(t, desc, sl, value, lp, err)
			// The value repeated along a new leading dim fills a block, where
			// the block kernels run (smaller sites sum LogProb).
			tiled := value.Unsqueeze(0).Expand(append([]int{blockLen}, value.Shape()...)...).Clone()
			tlp, terr := d.LogProb(tiled)
			fdCheckSum(t, desc+", repeated", sl, tiled, tlp, terr)
		}
		switch {
		case verr != nil:
			if err == nil {
				t.Fatalf("%s: Validate says %v but LogProb returned no error", desc, verr)
			}
		case wrong:
			if err == nil {
				t.Fatalf("%s: value of shape %v against batch %v, event %v: LogProb returned no error", desc, value.Shape(), d.BatchShape(), d.EventShape())
			}
		default:
			in := d.Support().Check(value).All()
			if strings.HasPrefix(fam.name, "Binomial") && x > p1 {
				// Binomial's Support is the nonnegative integers when the
				// count is a tensor (documented); LogProb checks x ≤ n.
				in = false
			}
			if !in {
				if err == nil {
					t.Fatalf("%s: value outside the support %s: LogProb returned no error (%v)", desc, d.Support().Name(), lp)
				}
				break
			}
			if err != nil {
				t.Fatalf("%s: value inside the support %s: LogProb error %v", desc, d.Support().Name(), err)
			}
			k := value.Dim() - len(d.EventShape())
			want, _ := tensor.BroadcastShapes(d.BatchShape(), value.Shape()[:k])
			if !slices.Equal(lp.Shape(), want) {
				t.Fatalf("%s: log-prob shape %v, want %v", desc, lp.Shape(), want)
			}
			// At a vertex of the simplex, Dirichlet terms (α-1)·log 0 of
			// opposite infinite signs meet and the density has no limit:
			// NaN is the answer there, as in PyTorch.
			vertex := fam.name == "Dirichlet" && slices.Contains(value.Data(), 0)
			// With a diagonal below 1e-150 the Woodbury terms (x/d)·x and
			// |L⁻¹Wᵀd⁻¹x|² overflow and cancel to NaN; PyTorch's formula,
			// which vigo follows, does the same.
			woodbury := fam.name == "LowRankMultivariateNormal" && min(math.Abs(p2), math.Abs(p3)) < 1e-150
			if fdFinite(p1, p2, p3, x) && !vertex && !woodbury && slices.ContainsFunc(lp.Data(), math.IsNaN) {
				t.Fatalf("%s: finite valid inputs, log-prob %v holds NaN", desc, lp)
			}
			sp, err := d.ScoreParts(value)
			if err != nil {
				t.Fatalf("%s: ScoreParts: %v", desc, err)
			}
			if sp.LogProb == nil || !fdSameBits(sp.LogProb.Data(), lp.Data()) {
				t.Fatalf("%s: ScoreParts log-prob %v, LogProb %v", desc, sp.LogProb, lp)
			}
		}
		fdNoValidation(t, desc, d, value, verr == nil && !wrong && d.Support().Check(value).All())
		if verr != nil {
			return
		}
		_ = d.Mean()
		_ = d.Variance()
		if e, ok := d.(Entropier); ok {
			_ = e.Entropy()
		}
		if fam.countLike && max(math.Abs(p1), math.Abs(p2)) > 1e6 {
			return
		}
		rng := rand.New(rand.NewPCG(uint64(which), math.Float64bits(p1)))
		smp := d.Sample(rng, 2)
		if !fdFinite(p1, p2, p3) {
			return
		}
		if slices.ContainsFunc(smp.Data(), math.IsNaN) {
			t.Fatalf("%s: sample %v holds NaN", desc, smp)
		}
		if in := d.Support().Check(smp); !in.All() {
			// Rounding may land a draw on the boundary of an open support:
			// exp underflows to 0 (LogNormal), a ratio rounds to 1 (Beta).
			// PyTorch's samplers round the same way; anything else is a bug.
			ok := len(d.EventShape()) == 0
			for i, v := range smp.Data() {
				ok = ok && (in.Data()[i] != 0 || v == 0 || v == 1)
			}
			if !ok {
				t.Fatalf("%s: sample %v outside the support %s", desc, smp, d.Support().Name())
			}
		}
		if d.HasRSample() {
			_ = d.RSample(rng, 2)
		}
	})
}

// fdNoValidation calls LogProb with validation off. For a value inside the
// support it must not panic. For one outside, the result is unspecified
// (validation exists to catch it); a "tensor: " panic from the tensor layer
// is then tolerated, as PyTorch raises from its indexing kernels, but any
// other panic is a bug.
func fdNoValidation(t *testing.T, desc string, d Distribution, value *tensor.Tensor, inSupport bool) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if s, ok := r.(string); ok && !inSupport && strings.HasPrefix(s, "tensor: ") {
			return
		}
		t.Fatalf("%s: LogProb with validation off panicked: %v", desc, r)
	}()
	_, _ = WithValidation(d, false).LogProb(value)
}

func fdFinite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func fdSameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

// fdCheckSum checks a distribution's fused sum against its LogProb: an
// error exactly when LogProb has one, LogProb's shape, and LogProb's total
// to rounding (NaN and infinities alike).
func fdCheckSum(t *testing.T, desc string, sl SumLogProber, value, lp *tensor.Tensor, lpErr error) {
	t.Helper()
	sum, shape, err := sl.SumLogProb(value)
	if (err == nil) != (lpErr == nil) {
		t.Fatalf("%s: SumLogProb error %v, LogProb error %v", desc, err, lpErr)
	}
	if err != nil {
		return
	}
	if !slices.Equal(shape, lp.Shape()) {
		t.Fatalf("%s: SumLogProb shape %v, LogProb shape %v", desc, shape, lp.Shape())
	}
	got, want := sum.Item(), lp.Sum().Item()
	scale := 0.0
	for _, v := range lp.Data() {
		scale += math.Abs(v)
	}
	switch {
	case math.IsNaN(want) || math.IsInf(want, 0):
		if !fdSameBits([]float64{got}, []float64{want}) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("%s: SumLogProb %v, LogProb's sum %v", desc, got, want)
		}
	case !(math.Abs(got-want) <= 1e-9*scale+1e-300):
		t.Fatalf("%s: SumLogProb %v, LogProb's sum %v", desc, got, want)
	}
}
