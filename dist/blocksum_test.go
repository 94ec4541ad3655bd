package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// TestBlockSumLogProb checks the block-kernel sums against
// LogProb(value).Sum(), whose tensor-op formula is an independent
// reference: the value, the shape, and every operand's gradient under two
// incoming gradients on one graph, for single-element and per-element
// parameters, broadcasting, expanded batches, several chunks and values
// that require a gradient.
func TestBlockSumLogProb(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	pos := func(want bool, lo, hi float64, shape ...int) *tensor.Tensor {
		return tensor.RandU(rng, shape...).MulScalar(hi - lo).AddScalar(lo).Detach().Clone().SetRequiresGrad(want)
	}
	big := 2*chunkSize + 9
	type layout struct {
		x, p, q []int // shapes of the value and the two parameters
		expand  []int
		xGrad   bool
	}
	layouts := []layout{
		{x: []int{big}},
		{x: []int{300}, p: []int{300}, q: []int{300}},
		{x: []int{4, 3}, p: []int{3}, q: []int{4, 1}, xGrad: true},
		{x: []int{3}, p: []int{3}, expand: []int{5, 3}},
		{x: []int{big}, q: []int{big}, xGrad: true},
		{x: []int{1}},
		// above a block, where Normal and LogNormal take their block kernels too
		{x: []int{40, 30}, p: []int{30}, q: []int{40, 1}, xGrad: true},
		{x: []int{300}, p: []int{300}, expand: []int{2, 300}},
		// parameters per feature over rows of data, chunks not aligned with rows
		{x: []int{11000, 3}, p: []int{3}, q: []int{1, 3}, xGrad: true},
	}
	// make builds a family from two positive parameters p and q; r is a
	// third, real parameter shaped like q.
	families := []struct {
		name string
		xs   [2]float64 // range of the values
		make func(p, q, r *tensor.Tensor) Distribution
	}{
		{"Gamma", [2]float64{0.05, 3}, func(p, q, _ *tensor.Tensor) Distribution { return Gamma(p, q) }},
		{"Exponential", [2]float64{0.05, 3}, func(p, _, _ *tensor.Tensor) Distribution { return Exponential(p) }},
		{"Beta", [2]float64{0.02, 0.98}, func(p, q, _ *tensor.Tensor) Distribution { return Beta(p, q) }},
		{"StudentT", [2]float64{-4, 4}, func(p, q, r *tensor.Tensor) Distribution { return StudentT(p, r, q) }},
		{"LogNormal", [2]float64{0.05, 3}, func(_, q, r *tensor.Tensor) Distribution { return LogNormal(r, q) }},
		{"Normal", [2]float64{-3, 3}, func(_, q, r *tensor.Tensor) Distribution { return Normal(r, q) }},
		{"Laplace", [2]float64{-3, 3}, func(_, q, r *tensor.Tensor) Distribution { return Laplace(r, q) }},
		{"HalfNormal", [2]float64{0, 3}, func(_, q, _ *tensor.Tensor) Distribution { return HalfNormal(q) }},
		{"Cauchy", [2]float64{-3, 3}, func(_, q, r *tensor.Tensor) Distribution { return Cauchy(r, q) }},
		{"HalfCauchy", [2]float64{0, 3}, func(_, q, _ *tensor.Tensor) Distribution { return HalfCauchy(q) }},
	}
	for _, f := range families {
		for _, l := range layouts {
			name := fmt.Sprintf("%s %+v", f.name, l)
			x := pos(l.xGrad, f.xs[0], f.xs[1], l.x...)
			p, q, r := pos(true, 0.5, 3, l.p...), pos(true, 0.5, 2, l.q...), pos(true, -1, 1, l.q...)
			checkBlockSum(t, name, f.make(p, q, r), l.expand, x, []*tensor.Tensor{x, p, q, r})
		}
	}
	// xlogy(α−1, x) at α = 1, x = 0 is 0, and so is its derivative in α.
	// The edge values are repeated to fill more than a block: smaller sites
	// sum LogProb.
	a := tile(128, 1, 2, 1).SetRequiresGrad(true)
	b := tensor.Scalar(1.5).SetRequiresGrad(true)
	checkBlockSum(t, "Gamma at x = 0", Gamma(a, b), nil, tile(128, 0, 0.5, 2), []*tensor.Tensor{a, b})
	a1 := tensor.Scalar(1).SetRequiresGrad(true)
	checkBlockSum(t, "Gamma(1, β) at x = 0", Gamma(a1, b), nil, tile(128, 0, 0.5, 2), []*tensor.Tensor{a1, b})
	// Beta's xlogy terms at the ends of the unit interval.
	checkBlockSum(t, "Beta(1, b) at x = 0", Beta(a1, b), nil, tile(128, 0, 0.5), []*tensor.Tensor{a1, b})
	checkBlockSum(t, "Beta(a, 1) at x = 1", Beta(b, a1), nil, tile(128, 0.5, 1), []*tensor.Tensor{b, a1})
	// |x − loc|'s derivative at x = loc is 0.
	loc := tile(128, 0.5, 1).SetRequiresGrad(true)
	checkBlockSum(t, "Laplace at x = loc", Laplace(loc, b), nil, tile(128, 0.5, 2), []*tensor.Tensor{loc, b})
	// Without validation a negative HalfNormal value has log-density −Inf
	// and passes no gradient.
	hn := WithValidation(HalfNormal(b), false)
	checkBlockSumInf(t, hn, tile(128, -0.5, 1, 2), b)
	// So does a negative HalfCauchy value.
	hc := WithValidation(HalfCauchy(b), false)
	checkBlockSumInf(t, hc, tile(128, -0.5, 1, 2), b)
}

// tile returns a vector of the values repeated times times.
func tile(times int, values ...float64) *tensor.Tensor {
	d := make([]float64, 0, times*len(values))
	for range times {
		d = append(d, values...)
	}
	return tensor.FromData(d, len(d))
}

// checkBlockSumInf checks that d's fused sum over x is −Inf, as LogProb's,
// and that the parameter p gets LogProb's gradient.
func checkBlockSumInf(t *testing.T, d Distribution, x, p *tensor.Tensor) {
	t.Helper()
	sum, _, err := d.(SumLogProber).SumLogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := d.LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(sum.Item(), -1) || !math.IsInf(lp.Sum().Item(), -1) {
		t.Fatalf("sum %v, LogProb's %v, want -Inf", sum.Item(), lp.Sum().Item())
	}
	got := tensor.Gradients(sum, p)[0].Item()
	want := tensor.Gradients(lp.Sum(), p)[0].Item()
	if !(math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want))) {
		t.Errorf("gradient %v, LogProb's %v", got, want)
	}
}

// checkBlockSum compares d's fused sum over x (d expanded to expand when
// not nil) with LogProb(x).Sum(), and their gradients in wrt.
func checkBlockSum(t *testing.T, name string, d Distribution, expand []int, x *tensor.Tensor, wrt []*tensor.Tensor) {
	t.Helper()
	if expand != nil {
		d = d.Expand(expand...)
	}
	sum, shape, err := d.(SumLogProber).SumLogProb(x)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	lp, err := d.LogProb(x)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ref := lp.Sum()
	if !slices.Equal(shape, lp.Shape()) {
		t.Errorf("%s: shape %v, LogProb shape %v", name, shape, lp.Shape())
	}
	if !(math.Abs(sum.Item()-ref.Item()) <= 1e-11*math.Max(1, math.Abs(ref.Item()))) {
		t.Errorf("%s: sum %.15g, reference %.15g", name, sum.Item(), ref.Item())
	}
	for _, k := range []float64{1.7, -0.3} {
		got := tensor.Gradients(sum.MulScalar(k), wrt...)
		want := tensor.Gradients(ref.MulScalar(k), wrt...)
		for j := range got {
			if (got[j] == nil) != (want[j] == nil) {
				t.Fatalf("%s: operand %d: gradient %v, reference %v", name, j, got[j], want[j])
			}
			if got[j] == nil {
				continue
			}
			if !slices.Equal(got[j].Shape(), want[j].Shape()) {
				t.Fatalf("%s: operand %d: gradient shape %v, reference %v", name, j, got[j].Shape(), want[j].Shape())
			}
			for i, v := range got[j].Data() {
				if w := want[j].Data()[i]; !(math.Abs(v-w) <= 1e-10*math.Max(1, math.Abs(w))) {
					t.Fatalf("%s k=%v: operand %d grad[%d] = %.15g, reference %.15g", name, k, j, i, v, w)
				}
			}
		}
	}
}

// TestIndependentSumLogProb checks that an Independent distribution's sum is
// its base's fused sum with LogProb's shape (the reinterpreted dims summed
// away), against LogProb(value).Sum(), for a base with a fused sum and one
// without.
func TestIndependentSumLogProb(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	loc := tensor.RandN(rng, 300, 3).SetRequiresGrad(true)
	scale := tensor.RandU(rng, 3).AddScalar(0.5).SetRequiresGrad(true)
	x := tensor.RandN(rng, 300, 3)
	checkBlockSum(t, "Independent(Normal, 1)", Normal(loc, scale).ToEvent(1), nil, x, []*tensor.Tensor{loc, scale})
	conc := tensor.RandU(rng, 2, 3).AddScalar(0.5).SetRequiresGrad(true)
	checkBlockSum(t, "Independent(Dirichlet, 1)", Independent(Dirichlet(conc), 1), nil, tensor.Full(1.0/3, 2, 3), []*tensor.Tensor{conc})
}

// TestMultivariateNormalSumLogProb checks the fused sum of MVN observations
// against LogProb(value).Sum() (triangular solves in tensor ops): values,
// shapes and the gradients of loc and of the matrix the distribution was
// built from, for several chunks of rows, batch dims, covariance and
// precision parameterizations, and a per-row loc that takes LogProb's
// path.
func TestMultivariateNormalSumLogProb(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	tril := func(D int) *tensor.Tensor {
		l := make([]float64, D*D)
		for i := range D {
			for j := range i {
				l[i*D+j] = rng.NormFloat64() * 0.5
			}
			l[i*D+i] = 0.5 + rng.Float64()
		}
		return tensor.FromData(l, D, D)
	}
	cases := []struct {
		name  string
		value []int
		D     int
		make  func(loc, l *tensor.Tensor) (Distribution, *tensor.Tensor)
		loc   []int
	}{
		{"tril", []int{500, 3}, 3, func(loc, l *tensor.Tensor) (Distribution, *tensor.Tensor) {
			l.SetRequiresGrad(true)
			return MultivariateNormalTril(loc, l), l
		}, []int{3}},
		{"tril, several chunks", []int{2*chunkSize + 5, 2}, 2, func(loc, l *tensor.Tensor) (Distribution, *tensor.Tensor) {
			l.SetRequiresGrad(true)
			return MultivariateNormalTril(loc, l), l
		}, []int{1, 2}},
		{"covariance, batch dims", []int{4, 50, 3}, 3, func(loc, l *tensor.Tensor) (Distribution, *tensor.Tensor) {
			cov := l.MatMul(l.MT()).Detach().SetRequiresGrad(true)
			return MultivariateNormalCov(loc, cov), cov
		}, []int{3}},
		{"precision", []int{300, 4}, 4, func(loc, l *tensor.Tensor) (Distribution, *tensor.Tensor) {
			prec := l.MatMul(l.MT()).Detach().SetRequiresGrad(true)
			return MultivariateNormalPrecision(loc, prec), prec
		}, []int{4}},
		{"a loc per row", []int{40, 3}, 3, func(loc, l *tensor.Tensor) (Distribution, *tensor.Tensor) {
			l.SetRequiresGrad(true)
			return MultivariateNormalTril(loc, l), l
		}, []int{40, 3}},
	}
	for _, c := range cases {
		loc := tensor.RandN(rng, c.loc...).SetRequiresGrad(true)
		d, m := c.make(loc, tril(c.D))
		checkBlockSum(t, "MultivariateNormal "+c.name, d, nil, tensor.RandN(rng, c.value...), []*tensor.Tensor{loc, m})
	}
	bad := tensor.RandN(rng, 10, 2)
	bad.Data()[5] = math.NaN()
	if _, _, err := MultivariateNormalTril(tensor.Zeros(2), tril(2)).SumLogProb(bad); err == nil {
		t.Error("SumLogProb accepted a NaN value")
	}
}
