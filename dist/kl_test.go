package dist_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// TestKLMatchesMonteCarlo checks every registered closed form against the
// Monte Carlo estimate mean(log p(x) - log q(x)) over 20000 draws x ~ p
// (fixed seed, one vectorized sample), within 5 standard errors of that
// mean, for each element of the broadcast batch.
func TestKLMatchesMonteCarlo(t *testing.T) {
	const n = 20000
	v := tensor.Vector
	m := func(data []float64, shape ...int) *tensor.Tensor { return tensor.New(data, shape...) }
	cov2 := randSPD(40, 2, 3)
	cov1 := randSPD(41, 1, 3)
	cases := []struct {
		name string
		p, q dist.Distribution
	}{
		{"Normal", dist.Normal(v(0, 1, -2), v(1, 0.5, 2)), dist.Normal(tensor.Scalar(0.5), v(1.5, 1, 0.7))},
		{"Gamma", dist.Gamma(v(2, 5), v(1, 3)), dist.Gamma(v(3, 4), tensor.Scalar(2))},
		{"Beta", dist.Beta(v(2, 0.8), v(3, 1.5)), dist.Beta(v(1.5, 2), v(1, 4))},
		{"Exponential", dist.Exponential(v(1, 3)), dist.Exponential(v(2, 0.5))},
		{"Bernoulli probs-logits", dist.BernoulliProbs(v(0.2, 0.7, 0.5)), dist.BernoulliLogits(v(1, -0.5, 0))},
		{"Bernoulli logits-probs", dist.BernoulliLogits(v(-2, 3)), dist.BernoulliProbs(v(0.3, 0.6))},
		{"Categorical", dist.CategoricalProbs(m([]float64{1, 2, 3, 4, 5, 0, 1, 1}, 2, 4)), dist.CategoricalLogits(v(0.2, -1, 0.5, 0))},
		{"Dirichlet", dist.Dirichlet(m([]float64{1, 2, 3, 0.7, 4, 2}, 2, 3)), dist.Dirichlet(v(2, 2, 1))},
		{"MVN", dist.MultivariateNormalCov(m(randVec(42, 6), 2, 3), m(cov2, 2, 3, 3)), dist.MultivariateNormalTril(m(randVec(43, 3), 3), m(cholLower(cov1, 3), 3, 3))},
		{"LowRank-MVN", dist.LowRankMultivariateNormal(m(randVec(44, 3), 3), m(randVec(45, 6), 3, 2), v(0.5, 1, 0.8)), dist.MultivariateNormalCov(m(randVec(46, 3), 3), m(cov1, 3, 3))},
		{"MVN-LowRank", dist.MultivariateNormalCov(m(randVec(47, 3), 3), m(cov1, 3, 3)), dist.LowRankMultivariateNormal(m(randVec(48, 3), 3), m(randVec(49, 6), 2, 3, 1), v(0.5, 1, 0.8))},
		{"Independent Normal", dist.Normal(m(randVec(50, 6), 2, 3), tensor.Scalar(1)).ToEvent(1), dist.Normal(tensor.Scalar(0.3), v(1, 2, 0.5)).Expand(2, 3).ToEvent(1)},
		{"Independent Gamma", dist.Gamma(v(2, 5), v(1, 3)).ToEvent(1), dist.Gamma(v(3, 4), tensor.Scalar(2)).ToEvent(1)},
		{"Delta-Normal", dist.Delta(v(0.3, -1), nil, 0), dist.Normal(tensor.Scalar(0), v(1, 2))},
		{"Delta-MVN", dist.Delta(v(0.3, -1, 2), nil, 1), dist.MultivariateNormalCov(m(randVec(51, 3), 3), m(cov1, 3, 3))},
		{"Independent Delta-Normal", dist.Delta(m(randVec(52, 6), 2, 3), nil, 0).ToEvent(1), dist.Normal(tensor.Scalar(0), v(1, 2, 3)).ToEvent(1)},
		{"diagonal Normal-MVN", dist.Normal(m(randVec(53, 6), 2, 3), v(0.5, 1, 2)).ToEvent(1), dist.MultivariateNormalCov(m(randVec(54, 3), 3), m(cov1, 3, 3))},
		{"MVN-diagonal Normal", dist.MultivariateNormalCov(m(randVec(55, 3), 3), m(cov1, 3, 3)), dist.Normal(tensor.Zeros(3), v(0.5, 1, 2)).ToEvent(1)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kl, err := dist.KL(c.p, c.q)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := tensor.BroadcastShapes(c.p.BatchShape(), c.q.BatchShape())
			if !slices.Equal(kl.Shape(), want) {
				t.Fatalf("KL shape %v, want %v", kl.Shape(), want)
			}
			x := c.p.Expand(want...).Sample(newRNG(uint64(60+i)), n)
			lp, err := c.p.LogProb(x)
			if err != nil {
				t.Fatal(err)
			}
			lq, err := c.q.LogProb(x)
			if err != nil {
				t.Fatal(err)
			}
			diff := lp.Sub(lq).Expand(append([]int{n}, want...)...).Data()
			nb := kl.Len()
			for b := 0; b < nb; b++ {
				var s, s2 float64
				for k := 0; k < n; k++ {
					d := diff[k*nb+b]
					s += d
					s2 += d * d
				}
				mean := s / n
				se := math.Sqrt(math.Max(s2/n-mean*mean, 0) / n)
				got := kl.Data()[b]
				// 5 standard errors, plus rounding for the point masses (se = 0)
				if !(math.Abs(got-mean) <= 5*se+1e-12*math.Max(1, math.Abs(mean))) {
					t.Errorf("batch %d: KL %.6g, Monte Carlo %.6g ± 5×%.3g", b, got, mean, se)
				}
				if got < -1e-12 {
					t.Errorf("batch %d: negative KL %g", b, got)
				}
			}
		})
	}
}

// TestKLEdgeValues checks closed forms where the Monte Carlo estimate
// cannot reach: identical distributions (KL exactly 0) and a q that gives
// probability 0 to an outcome p can draw (KL +Inf).
func TestKLEdgeValues(t *testing.T) {
	cases := []struct {
		name string
		p, q dist.Distribution
		want []float64
	}{
		{"Bernoulli p=0 vs q=0", dist.BernoulliProbs(tensor.Scalar(0)), dist.BernoulliProbs(tensor.Scalar(0)), []float64{0}},
		{"Bernoulli p=0.3 vs q=0", dist.BernoulliProbs(tensor.Scalar(0.3)), dist.BernoulliProbs(tensor.Scalar(0)), []float64{math.Inf(1)}},
		{"Categorical support", dist.CategoricalProbs(tensor.Vector(0.5, 0.5, 0)), dist.CategoricalProbs(tensor.Vector(0.5, 0, 0.5)), []float64{math.Inf(1)}},
		{"Categorical zero in p", dist.CategoricalProbs(tensor.Vector(0, 1)), dist.CategoricalProbs(tensor.Vector(0, 1)), []float64{0}},
		{"Normal equal", dist.Normal(tensor.Vector(1, 2), tensor.Scalar(3)), dist.Normal(tensor.Vector(1, 2), tensor.Scalar(3)), []float64{0, 0}},
	}
	for _, c := range cases {
		kl, err := dist.KL(c.p, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// exact: 0 or +Inf by the conventions 0·log 0 = 0 and log 0 = -Inf.
		checkSlice(t, c.name, kl.Data(), c.want, 0)
	}
}

// TestKLGradient checks that a closed-form KL is differentiable in both
// distributions' parameters (central finite differences).
func TestKLGradient(t *testing.T) {
	checkGrad(t, "KL Bernoulli", []param{{[]float64{0.2, 0.7}, []int{2}}, {[]float64{-1, 0.4}, []int{2}}}, func(ts []*tensor.Tensor) *tensor.Tensor {
		kl, err := dist.KL(dist.BernoulliProbs(ts[0]), dist.BernoulliLogits(ts[1]))
		if err != nil {
			t.Fatal(err)
		}
		return kl.Sum()
	})
	// At the edges p = 0 and p = 1 the terms of probability 0 drop out of
	// the gradient instead of turning it into NaN: d/dp KL = log(p/q) -
	// log((1-p)/(1-q)) with the 0·log 0 terms constant (closed form).
	pe := tensor.Param([]float64{0, 1, 0.5}, 3)
	kl, err := dist.KL(dist.BernoulliProbs(pe), dist.BernoulliProbs(tensor.Vector(0.3, 0.3, 0.3)))
	if err != nil {
		t.Fatal(err)
	}
	kl.Sum().Backward()
	for i, g := range pe.Grad().Data() {
		if g != g {
			t.Errorf("KL Bernoulli gradient[%d] is NaN", i)
		}
	}
	if g := pe.Grad().Data()[2]; !near(g, math.Log(0.5/0.3)-math.Log(0.5/0.7), 1e-12) {
		t.Errorf("KL Bernoulli gradient at 0.5 = %v", g)
	}
	cov := randSPD(70, 1, 2)
	checkGrad(t, "KL MVN", []param{{randVec(71, 2), []int{2}}, {cov, []int{2, 2}}}, func(ts []*tensor.Tensor) *tensor.Tensor {
		kl, err := dist.KL(dist.MultivariateNormalCov(ts[0], sym(ts[1])), dist.MultivariateNormalTril(tensor.Zeros(2), tensor.Eye(2)))
		if err != nil {
			t.Fatal(err)
		}
		return kl.Sum()
	})
}

// TestKLErrors checks that unregistered pairs, mismatched reinterpreted
// dims, event shapes, category counts and batch shapes, and invalid
// parameters are errors naming the problem.
func TestKLErrors(t *testing.T) {
	normal := dist.Normal(tensor.Zeros(3), tensor.Ones(3))
	cases := []struct {
		name string
		p, q dist.Distribution
		msg  string
	}{
		{"unregistered", normal, dist.Gamma(tensor.Ones(3), tensor.Ones(3)), "no closed form"},
		{"unregistered reverse", dist.Poisson(tensor.Scalar(1)), dist.Poisson(tensor.Scalar(2)), "no closed form"},
		{"independent vs plain", dist.Gamma(tensor.Ones(3), tensor.Ones(3)).ToEvent(1), dist.MultivariateNormalTril(tensor.Zeros(3), tensor.Eye(3)), "no closed form"},
		{"masked vs plain", normal.Mask(tensor.Ones(3)), normal, "no closed form"},
		{
			"reinterpreted dims differ",
			dist.MultivariateNormalTril(tensor.Zeros(2, 3), tensor.Eye(3)).ToEvent(1),
			dist.Normal(tensor.Zeros(2, 3), tensor.Scalar(1)).ToEvent(2),
			"reinterpreted batch dims differ",
		},
		{"event shapes", dist.MultivariateNormalTril(tensor.Zeros(2), tensor.Eye(2)), dist.MultivariateNormalTril(tensor.Zeros(3), tensor.Eye(3)), "event shapes"},
		{"categories", dist.CategoricalProbs(tensor.Ones(3)), dist.CategoricalProbs(tensor.Ones(4)), "categories"},
		{"batch shapes", normal, dist.Normal(tensor.Zeros(2), tensor.Ones(2)), "do not broadcast"},
		{"invalid p", dist.Normal(tensor.Scalar(0), tensor.Scalar(-1)), normal, "scale"},
		{"invalid q", normal, dist.BernoulliProbs(tensor.Scalar(2)), "probs"},
		{"nil", nil, normal, "nil"},
	}
	for _, c := range cases {
		_, err := dist.KL(c.p, c.q)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
}

// klByQuadrature returns ∫ p(x)(log p(x) - log q(x)) dx over [lo, hi] for
// distributions of batch shape () and event shape (), with an n-point
// Gauss-Legendre rule from gonum integrate/quad.
func klByQuadrature(t *testing.T, p, q dist.Distribution, lo, hi float64, n int) float64 {
	t.Helper()
	x := make([]float64, n)
	w := make([]float64, n)
	quad.Legendre{}.FixedLocations(x, w, lo, hi)
	xs := tensor.New(x, n)
	lp, err := p.LogProb(xs)
	if err != nil {
		t.Fatal(err)
	}
	lq, err := q.LogProb(xs)
	if err != nil {
		t.Fatal(err)
	}
	s := 0.0
	for i := range x {
		a, b := lp.Data()[i], lq.Data()[i]
		if !math.IsInf(a, -1) {
			s += w[i] * math.Exp(a) * (a - b)
		}
	}
	return s
}

// klBySum returns Σ P(k)(log P(k) - log Q(k)) over the values ks.
func klBySum(t *testing.T, p, q dist.Distribution, ks *tensor.Tensor) []float64 {
	t.Helper()
	lp, err := p.LogProb(ks)
	if err != nil {
		t.Fatal(err)
	}
	lq, err := q.LogProb(ks)
	if err != nil {
		t.Fatal(err)
	}
	shape, _ := tensor.BroadcastShapes(lp.Shape(), lq.Shape())
	lp, lq = lp.Expand(shape...), lq.Expand(shape...)
	n := ks.Shape()[0]
	nb := lp.Len() / n
	out := make([]float64, nb)
	for i, a := range lp.Data() {
		if !math.IsInf(a, -1) {
			out[i%nb] += math.Exp(a) * (a - lq.Data()[i])
		}
	}
	return out
}

// TestKLMatchesExactReference checks the closed forms against references
// far sharper than Monte Carlo: sums over the support for the discrete
// pairs, Gauss-Legendre quadrature for the scalar continuous pairs, the
// Beta closed form for a two-category Dirichlet, and gonum's mat for the
// Gaussian formula ½(tr(Σq⁻¹Σp) + δᵀΣq⁻¹δ - D + log det Σq - log det Σp).
func TestKLMatchesExactReference(t *testing.T) {
	s := tensor.Scalar
	one := func(p, q dist.Distribution) float64 {
		kl, err := dist.KL(p, q)
		if err != nil {
			t.Fatal(err)
		}
		return kl.Item()
	}
	// Quadrature of smooth integrands with 2000 nodes over ranges that hold
	// all but e^-30 of p's mass is accurate to far below 1e-8 relative.
	quadCases := []struct {
		name   string
		p, q   dist.Distribution
		lo, hi float64
	}{
		{"Normal", dist.Normal(s(0.3), s(0.8)), dist.Normal(s(-1), s(1.7)), -12, 12},
		{"Gamma", dist.Gamma(s(3), s(2)), dist.Gamma(s(1.5), s(0.7)), 0, 40},
		{"Beta", dist.Beta(s(2), s(3)), dist.Beta(s(1.5), s(1.2)), 0, 1},
		{"Exponential", dist.Exponential(s(1.5)), dist.Exponential(s(0.4)), 0, 50},
	}
	for _, c := range quadCases {
		got, want := one(c.p, c.q), klByQuadrature(t, c.p, c.q, c.lo, c.hi, 2000)
		if !near(got, want, 1e-8) {
			t.Errorf("%s: KL %.12g, quadrature %.12g", c.name, got, want)
		}
	}
	// Finite sums over the support: exact up to rounding (1e-12).
	bp := dist.BernoulliProbs(tensor.Vector(0.2, 0.7, 1))
	bq := dist.BernoulliLogits(tensor.Vector(1, -0.5, 2))
	kl, _ := dist.KL(bp, bq)
	checkSlice(t, "Bernoulli", kl.Data(), klBySum(t, bp, bq, tensor.New([]float64{0, 1}, 2, 1)), 1e-12)
	cp := dist.CategoricalProbs(tensor.New([]float64{1, 2, 3, 4, 5, 0, 1, 1}, 2, 4))
	cq := dist.CategoricalLogits(tensor.Vector(0.2, -1, 0.5, 0))
	kl, _ = dist.KL(cp, cq)
	checkSlice(t, "Categorical", kl.Data(), klBySum(t, cp, cq, tensor.New([]float64{0, 1, 2, 3}, 4, 1)), 1e-12)
	// A Dirichlet over two categories is the Beta of its first coordinate.
	dk := one(dist.Dirichlet(tensor.Vector(2, 3)), dist.Dirichlet(tensor.Vector(1.5, 1.2)))
	if bk := one(dist.Beta(s(2), s(3)), dist.Beta(s(1.5), s(1.2))); !near(dk, bk, 1e-12) {
		t.Errorf("Dirichlet(2 categories) KL %.15g, Beta KL %.15g", dk, bk)
	}
	// Gaussians against the trace formula evaluated with gonum's mat.
	const d = 3
	cov := randSPD(80, 2, d)
	mu := randVec(81, 2*d)
	g := one(dist.MultivariateNormalCov(tensor.New(mu[:d], d), tensor.New(cov[:d*d], d, d)),
		dist.MultivariateNormalPrecision(tensor.New(mu[d:], d), tensor.New(inverses(cov[d*d:], d), d, d)))
	if want := gaussKLRef(mu[:d], cov[:d*d], mu[d:], cov[d*d:], d); !near(g, want, 1e-10) {
		t.Errorf("MVN KL %.12g, trace formula %.12g", g, want)
	}
	w := randVec(82, d*2)
	dg := []float64{0.5, 1, 0.8}
	lr := one(dist.LowRankMultivariateNormal(tensor.New(mu[:d], d), tensor.New(w, d, 2), tensor.New(dg, d)),
		dist.MultivariateNormalCov(tensor.New(mu[d:], d), tensor.New(cov[d*d:], d, d)))
	if want := gaussKLRef(mu[:d], lowRankCov(w, dg, d, 2), mu[d:], cov[d*d:], d); !near(lr, want, 1e-10) {
		t.Errorf("LowRank-MVN KL %.12g, trace formula %.12g", lr, want)
	}
	sc := []float64{0.5, 1, 2}
	dn := one(dist.Normal(tensor.New(mu[:d], d), tensor.New(sc, d)).ToEvent(1),
		dist.MultivariateNormalCov(tensor.New(mu[d:], d), tensor.New(cov[d*d:], d, d)))
	if want := gaussKLRef(mu[:d], lowRankCov(make([]float64, d), []float64{0.25, 1, 4}, d, 1), mu[d:], cov[d*d:], d); !near(dn, want, 1e-10) {
		t.Errorf("diagonal Normal-MVN KL %.12g, trace formula %.12g", dn, want)
	}
}

// gaussKLRef is KL(N(mp, Σp) ‖ N(mq, Σq)) by the trace formula with gonum's mat.
func gaussKLRef(mp, cp, mq, cq []float64, d int) float64 {
	var chq, chp mat.Cholesky
	chq.Factorize(mat.NewSymDense(d, append([]float64(nil), cq...)))
	chp.Factorize(mat.NewSymDense(d, append([]float64(nil), cp...)))
	var x mat.Dense
	if err := chq.SolveTo(&x, mat.NewDense(d, d, append([]float64(nil), cp...))); err != nil {
		panic(err)
	}
	delta := mat.NewVecDense(d, nil)
	delta.SubVec(mat.NewVecDense(d, append([]float64(nil), mq...)), mat.NewVecDense(d, append([]float64(nil), mp...)))
	var y mat.VecDense
	if err := chq.SolveVecTo(&y, delta); err != nil {
		panic(err)
	}
	return 0.5 * (mat.Trace(&x) + mat.Dot(delta, &y) - float64(d) + chq.LogDet() - chp.LogDet())
}

// TestKLMasked checks that the KL of two masked distributions is the KL of
// their bases zeroed where either mask is 0, and 0 for a constant false mask.
func TestKLMasked(t *testing.T) {
	p := dist.Normal(tensor.Vector(0, 1, 2), tensor.Scalar(1))
	q := dist.Normal(tensor.Scalar(0.5), tensor.Vector(1, 2, 0.5))
	base, err := dist.KL(p, q)
	if err != nil {
		t.Fatal(err)
	}
	b := base.Data()
	cases := []struct {
		name string
		p, q dist.Distribution
		want []float64
	}{
		{"tensor masks", p.Mask(tensor.Vector(1, 0, 1)), q.Mask(tensor.Vector(1, 1, 0)), []float64{b[0], 0, 0}},
		{"broadcast mask", p.Mask(tensor.New([]float64{1, 0}, 2, 1)), dist.MaskAll(q, true), []float64{b[0], b[1], b[2], 0, 0, 0}},
		{"constant false", dist.MaskAll(p, false), q.Mask(tensor.Ones(3)), []float64{0, 0, 0}},
	}
	for _, c := range cases {
		kl, err := dist.KL(c.p, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// exact: the masked values are copies of the base KL or 0.
		checkSlice(t, c.name, kl.Data(), c.want, 0)
	}
}
