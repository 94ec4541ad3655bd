package dist_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// discreteCase is a family with event shape () checked element by element
// against a reference log-probability of one value given the parameters at
// the broadcast position.
type discreteCase struct {
	name   string
	make   func(ps []*tensor.Tensor) dist.Distribution
	params []param
	value  param
	out    []int // expected LogProb shape
	ref    func(p []float64, x float64) float64
}

func discreteCases() []discreteCase {
	probs := []float64{0, 0.1, 0.5, 0.93, 1}
	logits := []float64{-40, -2.5, 0, 0.7, 3, 40}
	return []discreteCase{
		{
			name:   "BernoulliProbs",
			make:   func(ps []*tensor.Tensor) dist.Distribution { return dist.BernoulliProbs(ps[0]) },
			params: []param{{probs, []int{5, 1}}},
			value:  param{[]float64{0, 1, 1, 0, 1, 0, 0, 1}, []int{2, 1, 4}},
			out:    []int{2, 5, 4},
			ref:    func(p []float64, x float64) float64 { return distuv.Bernoulli{P: p[0]}.LogProb(x) },
		},
		{
			name:   "BernoulliLogits",
			make:   func(ps []*tensor.Tensor) dist.Distribution { return dist.BernoulliLogits(ps[0]) },
			params: []param{{logits, []int{6}}},
			value:  param{[]float64{0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0}, []int{2, 6}},
			out:    []int{2, 6},
			ref: func(p []float64, x float64) float64 {
				// gonum loses precision at |l| = 40 through 1 - sigmoid, so
				// the reference there is the exact log-sigmoid.
				if x == 1 {
					return -math.Log1p(math.Exp(-p[0]))
				}
				return -math.Log1p(math.Exp(p[0]))
			},
		},
		{
			name: "BinomialProbs",
			make: func(ps []*tensor.Tensor) dist.Distribution { return dist.Binomial(ps[1], ps[0]) },
			params: []param{
				{[]float64{0.05, 0.5, 0.8, 1}, []int{4}},
				{[]float64{0, 3, 10}, []int{3, 1}},
			},
			value: param{[]float64{0, 0, 0, 0, 1, 2, 3, 3, 10, 4, 7, 10}, []int{3, 4}},
			out:   []int{3, 4},
			ref: func(p []float64, x float64) float64 {
				if p[0] == 1 { // gonum gives NaN (0·log 0); closed form
					if x == p[1] {
						return 0
					}
					return math.Inf(-1)
				}
				return distuv.Binomial{N: p[1], P: p[0]}.LogProb(x)
			},
		},
		{
			name: "BinomialLogits",
			make: func(ps []*tensor.Tensor) dist.Distribution { return dist.BinomialLogits(ps[1], ps[0]) },
			params: []param{
				{[]float64{-3, -0.2, 0.4, 2}, []int{4}},
				{[]float64{4, 25}, []int{2, 1}},
			},
			value: param{[]float64{0, 1, 2, 4, 0, 7, 13, 25}, []int{2, 4}},
			out:   []int{2, 4},
			ref: func(p []float64, x float64) float64 {
				return distuv.Binomial{N: p[1], P: sigmoid(p[0])}.LogProb(x)
			},
		},
		{
			name:   "Poisson",
			make:   func(ps []*tensor.Tensor) dist.Distribution { return dist.Poisson(ps[0]) },
			params: []param{{[]float64{0.01, 1, 3.5, 120}, []int{4, 1}}},
			value:  param{[]float64{0, 1, 4, 130}, []int{1, 4}},
			out:    []int{4, 4},
			ref:    func(p []float64, x float64) float64 { return distuv.Poisson{Lambda: p[0]}.LogProb(x) },
		},
		{
			// rates laid out like the counts (the vectorized path), with
			// counts on both sides of the log-factorial table's end
			name:   "PoissonElementwise",
			make:   func(ps []*tensor.Tensor) dist.Distribution { return dist.Poisson(ps[0]) },
			params: []param{{[]float64{0.5, 900, 1500, 3000, 1e-3, 40}, []int{6}}},
			value:  param{[]float64{0, 1000, 1024, 2999, 1023, 41}, []int{6}},
			out:    []int{6},
			ref:    func(p []float64, x float64) float64 { return distuv.Poisson{Lambda: p[0]}.LogProb(x) },
		},
		{
			name:   "PoissonScalarRate",
			make:   func(ps []*tensor.Tensor) dist.Distribution { return dist.Poisson(ps[0]) },
			params: []param{{[]float64{2.5}, []int{}}},
			value:  param{[]float64{0, 1, 2, 3, 7, 1030}, []int{6}},
			out:    []int{6},
			ref:    func(p []float64, x float64) float64 { return distuv.Poisson{Lambda: p[0]}.LogProb(x) },
		},
		{
			name:   "Geometric",
			make:   func(ps []*tensor.Tensor) dist.Distribution { return dist.Geometric(ps[0]) },
			params: []param{{[]float64{0.01, 0.3, 0.9, 1}, []int{4}}},
			value:  param{[]float64{0, 1, 5, 0, 17, 2, 0, 3}, []int{2, 1, 4}},
			out:    []int{2, 1, 4},
			ref: func(p []float64, x float64) float64 {
				// closed form P(k) = (1-p)^k p
				if p[0] == 1 {
					if x == 0 {
						return 0
					}
					return math.Inf(-1)
				}
				return x*math.Log1p(-p[0]) + math.Log(p[0])
			},
		},
	}
}

// TestDiscreteLogProbMatchesReference checks every discrete family with
// event shape () against gonum's stat/distuv (the Geometric against its
// closed form), with batched parameters broadcast against the values.
func TestDiscreteLogProbMatchesReference(t *testing.T) {
	for _, c := range discreteCases() {
		t.Run(c.name, func(t *testing.T) {
			ts := make([]*tensor.Tensor, len(c.params))
			for i, p := range c.params {
				ts[i] = tensor.New(p.data, p.shape...)
			}
			lp, err := c.make(ts).LogProb(tensor.New(c.value.data, c.value.shape...))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(lp.Shape(), c.out) {
				t.Fatalf("LogProb shape %v, want %v", lp.Shape(), c.out)
			}
			want := make([]float64, lp.Len())
			for i := range want {
				pv := make([]float64, len(c.params))
				for j, p := range c.params {
					pv[j] = p.data[bcastIndex(c.out, p.shape, i)]
				}
				want[i] = c.ref(pv, c.value.data[bcastIndex(c.out, c.value.shape, i)])
			}
			// gonum evaluates the same formulas through Lgamma and Log; 1e-12
			// relative covers the rounding of the different orders of terms.
			checkSlice(t, c.name, lp.Data(), want, 1e-12)
		})
	}
}

// TestCategoricalLogProbMatchesGonum compares Categorical (from probs and
// from logits) and OneHotCategorical with gonum's distuv.Categorical, which
// normalizes its weights as PyTorch does, for a batch of 3 distributions
// over 4 categories broadcast against values of shape (5, 1) and (2, 3).
func TestCategoricalLogProbMatchesGonum(t *testing.T) {
	w := []float64{
		1, 2, 3, 4,
		0.5, 0.5, 0.5, 0.5,
		10, 0.1, 1e-3, 5,
	}
	logits := make([]float64, len(w))
	for i, v := range w {
		logits[i] = math.Log(v) + 7 // unnormalized on purpose
	}
	ref := func(b int, x float64) float64 {
		return distuv.NewCategorical(w[4*b:4*b+4], nil).LogProb(x)
	}
	cases := []struct {
		name   string
		d      dist.Distribution
		onehot bool
	}{
		{"probs", dist.CategoricalProbs(tensor.New(w, 3, 4)), false},
		{"logits", dist.CategoricalLogits(tensor.New(logits, 3, 4)), false},
		{"onehot-probs", dist.OneHotCategoricalProbs(tensor.New(w, 3, 4)), true},
		{"onehot-logits", dist.OneHotCategoricalLogits(tensor.New(logits, 3, 4)), true},
	}
	values := []struct {
		data  []float64
		shape []int
		out   []int
	}{
		{[]float64{0, 1, 2, 3, 1}, []int{5, 1}, []int{5, 3}},
		{[]float64{3, 0, 2, 1, 1, 0}, []int{2, 3}, []int{2, 3}},
	}
	for _, c := range cases {
		for _, v := range values {
			val := tensor.New(v.data, v.shape...)
			if c.onehot {
				val = tensor.OneHot(val, 4)
			}
			lp, err := c.d.LogProb(val)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !slices.Equal(lp.Shape(), v.out) {
				t.Fatalf("%s: LogProb shape %v, want %v", c.name, lp.Shape(), v.out)
			}
			want := make([]float64, lp.Len())
			for i := range want {
				want[i] = ref(i%3, v.data[bcastIndex(v.out, v.shape, i)])
			}
			// gonum normalizes by a running sum; 1e-12 relative covers rounding.
			checkSlice(t, c.name, lp.Data(), want, 1e-12)
		}
	}
}

// TestDiscreteLogProbExpanded checks that expanded distributions keep
// their parameters unexpanded but return LogProb of the expanded batch
// shape, with the values of the unexpanded one.
func TestDiscreteLogProbExpanded(t *testing.T) {
	cases := []struct {
		name string
		d    dist.Distribution
		v    *tensor.Tensor
	}{
		{"Bernoulli", dist.BernoulliLogits(tensor.Scalar(0.3)), tensor.Scalar(1)},
		{"Categorical", dist.CategoricalProbs(tensor.Vector(0.2, 0.3, 0.5)), tensor.Scalar(2)},
		{"Binomial", dist.Binomial(tensor.Scalar(7), tensor.Scalar(0.4)), tensor.Scalar(3)},
		{"Poisson", dist.Poisson(tensor.Scalar(2.5)), tensor.Scalar(4)},
		{"Geometric", dist.Geometric(tensor.Scalar(0.3)), tensor.Scalar(2)},
	}
	for _, c := range cases {
		want, err := c.d.LogProb(c.v)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := c.d.Expand(2, 3).LogProb(c.v)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(got.Shape(), []int{2, 3}) {
			t.Fatalf("%s: expanded LogProb shape %v, want [2 3]", c.name, got.Shape())
		}
		for _, v := range got.Data() {
			if v != want.Item() {
				t.Fatalf("%s: expanded LogProb %v, want all %v", c.name, got.Data(), want.Item())
			}
		}
	}
}

// TestDiscreteLogProbEdges checks the exact values at the ends of the
// parameter ranges: probability 0 and 1 outcomes and a zero rate.
func TestDiscreteLogProbEdges(t *testing.T) {
	inf := math.Inf(-1)
	cases := []struct {
		name string
		d    dist.Distribution
		v    []float64
		want []float64
	}{
		{"Bernoulli p=0", dist.BernoulliProbs(tensor.Scalar(0)), []float64{0, 1}, []float64{0, inf}},
		{"Bernoulli p=1", dist.BernoulliProbs(tensor.Scalar(1)), []float64{0, 1}, []float64{inf, 0}},
		{"Bernoulli l=+Inf", dist.BernoulliLogits(tensor.Scalar(math.Inf(1))), []float64{0, 1}, []float64{inf, 0}},
		{"Binomial p=1", dist.Binomial(tensor.Scalar(3), tensor.Scalar(1)), []float64{3, 2}, []float64{0, inf}},
		{"Poisson rate=0", dist.Poisson(tensor.Scalar(0)), []float64{0, 1}, []float64{0, inf}},
		{"Geometric p=1", dist.Geometric(tensor.Scalar(1)), []float64{0, 1}, []float64{0, inf}},
		{"Categorical p=0", dist.CategoricalProbs(tensor.Vector(0, 1)), []float64{1}, []float64{0}},
	}
	for _, c := range cases {
		lp, err := c.d.LogProb(tensor.New(c.v, len(c.v)))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// exact: these are log 1 = 0 or log 0 = -Inf.
		checkSlice(t, c.name, lp.Data(), c.want, 0)
	}
}

// TestDiscreteLogProbLarge runs the fused kernels over more elements than
// one work chunk, so that chunks run concurrently, and checks values and
// gradients element by element against the closed forms, and that the
// first value outside the support is the one reported.
func TestDiscreteLogProbLarge(t *testing.T) {
	const n = 70000
	rng := newRNG(90)
	l := tensor.RandN(rng, n).MulScalar(3)
	x := tensor.RandU(rng, n).Lt(tensor.Scalar(0.4))
	logits := tensor.Param(l.Data(), n)
	lp, err := dist.BernoulliLogits(logits).LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	lp.Sum().Backward()
	want := make([]float64, n)
	grad := make([]float64, n)
	for i, li := range l.Data() {
		xi := x.Data()[i]
		want[i] = xi*li - math.Log1p(math.Exp(li)) // closed form; |l| ≲ 15 here
		grad[i] = xi - sigmoid(li)
	}
	// closed forms evaluated without the stable rewriting: 1e-12 relative.
	checkSlice(t, "Bernoulli LogProb", lp.Data(), want, 1e-12)
	checkSlice(t, "Bernoulli gradient", logits.Grad().Data(), grad, 1e-12)

	rate := tensor.Param([]float64{3.5})
	k := dist.Poisson(tensor.Scalar(3.5)).Sample(rng, n)
	lp, err = dist.Poisson(rate.Reshape()).LogProb(k)
	if err != nil {
		t.Fatal(err)
	}
	lp.Sum().Backward()
	var sum float64
	for _, v := range k.Data() {
		sum += v
	}
	// d/dλ Σ (k log λ - λ) = Σk/λ - n, summed in a different order: 1e-10.
	if g := rate.Grad().Item(); !near(g, sum/3.5-n, 1e-10) {
		t.Errorf("Poisson rate gradient %v, want %v", g, sum/3.5-n)
	}

	bad := k.Clone().Data()
	bad[n-5], bad[n-2] = 0.5, -1
	_, err = dist.Poisson(tensor.Scalar(3.5)).LogProb(tensor.New(bad, n))
	if err == nil || !strings.Contains(err.Error(), "found 0.5") {
		t.Errorf("error %v, want the first bad value 0.5", err)
	}
}
