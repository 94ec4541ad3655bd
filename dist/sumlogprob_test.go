package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// TestNormalSumLogProb checks the fused sum and its gradients against
// LogProb(value).Sum() (the reference it must equal) for broadcast shapes.
func TestNormalSumLogProb(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	// wants says which of x, loc and scale require a gradient (all when nil).
	cases := []struct {
		x, loc, scale, expand []int
		wants                 []bool
	}{
		{[]int{50}, nil, nil, nil, nil},
		{[]int{50}, []int{50}, []int{1}, nil, nil},
		{[]int{4, 3}, []int{3}, []int{4, 1}, nil, nil},
		{[]int{40000}, nil, nil, nil, nil},
		{[]int{3}, nil, nil, []int{5, 3}, nil},
		// a regression's likelihood: observed data, a mean per element
		{[]int{50}, []int{50}, nil, nil, []bool{false, true, false}},
		{[]int{40000}, []int{40000}, nil, nil, []bool{false, true, true}},
		{[]int{4, 3}, []int{3}, []int{4, 1}, []int{2, 4, 3}, []bool{false, false, true}},
		{[]int{2, 20000}, []int{20000}, []int{2, 1}, nil, []bool{false, true, true}},
	}
	for _, c := range cases {
		for _, logNormal := range []bool{false, true} {
			checkNormalSum(t, rng, c.x, c.loc, c.scale, c.expand, c.wants, logNormal)
		}
	}
}

// checkNormalSum compares the fused Normal (or LogNormal) sum over a value
// of shape xs with LogProb(value).Sum(), and their gradients, through
// checkBlockSum.
func checkNormalSum(t *testing.T, rng *rand.Rand, xs, locs, scales, expand []int, wants []bool, logNormal bool) {
	t.Helper()
	c := fmt.Sprintf("x %v loc %v scale %v expand %v wants %v logNormal %v", xs, locs, scales, expand, wants, logNormal)
	if wants == nil {
		wants = []bool{true, true, true}
	}
	mk := func(shape []int, lo, hi float64, want bool) *tensor.Tensor {
		v := tensor.RandU(rng, shape...)
		return v.MulScalar(hi - lo).AddScalar(lo).Detach().Clone().SetRequiresGrad(want)
	}
	xlo := -2.0
	if logNormal {
		xlo = 0.1
	}
	x, loc, scale := mk(xs, xlo, 2, wants[0]), mk(locs, -1, 1, wants[1]), mk(scales, 0.5, 2, wants[2])
	var d Distribution = Normal(loc, scale)
	if logNormal {
		d = LogNormal(loc, scale)
	}
	checkBlockSum(t, c, d, expand, x, []*tensor.Tensor{x, loc, scale})
}

// TestNormalSumLogProbObserved covers the one-pass sum of an observed
// value (no gradient of its own) under scalar loc and scale: its value, the
// gradients it takes straight to loc and scale, and a second backward pass
// over the same graph, on one chunk and on several.
func TestNormalSumLogProbObserved(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, n := range []int{37, 3*chunkSize + 5} {
		x := tensor.RandN(rng, n).MulScalar(2)
		for _, wants := range [][2]bool{{true, true}, {true, false}, {false, true}} {
			loc := tensor.Scalar(0.3).SetRequiresGrad(wants[0])
			scale := tensor.Scalar(1.7).SetRequiresGrad(wants[1])
			d := Normal(loc, scale)
			sum, _, err := d.SumLogProb(x)
			if err != nil {
				t.Fatal(err)
			}
			lp, err := d.LogProb(x)
			if err != nil {
				t.Fatal(err)
			}
			ref := lp.Sum()
			if !(math.Abs(sum.Item()-ref.Item()) <= 1e-12*math.Abs(ref.Item())) {
				t.Errorf("n=%d: sum %.15g, reference %.15g", n, sum.Item(), ref.Item())
			}
			for pass := 0; pass < 2; pass++ {
				got := tensor.Gradients(sum.MulScalar(-0.5), loc, scale)
				want := tensor.Gradients(ref.MulScalar(-0.5), loc, scale)
				for k := range got {
					if (got[k] == nil) != (want[k] == nil) {
						t.Fatalf("n=%d input %d: gradient %v, reference %v", n, k, got[k], want[k])
					}
					if got[k] == nil {
						continue
					}
					if v, w := got[k].Item(), want[k].Item(); !(math.Abs(v-w) <= 1e-9*math.Max(1, math.Abs(w))) {
						t.Errorf("n=%d pass %d: input %d gradient %.15g, reference %.15g", n, pass, k, v, w)
					}
				}
			}
		}
	}
}

// TestNormalSumLogProbNaN checks that a NaN value is reported by the fused
// sum as by LogProb, whatever the chunk it falls in and the parameters'
// layout.
func TestNormalSumLogProbNaN(t *testing.T) {
	for _, n := range []int{50, 3*chunkSize + 5} {
		for _, elementwise := range []bool{false, true} {
			loc := tensor.Scalar(0.5).SetRequiresGrad(true)
			if elementwise {
				loc = tensor.Full(0.5, n).SetRequiresGrad(true)
			}
			xd := make([]float64, n)
			xd[n-3] = math.NaN()
			d := Normal(loc, tensor.Scalar(1))
			if _, err := d.LogProb(tensor.FromData(xd, n)); err == nil {
				t.Fatalf("n=%d: LogProb accepted a NaN value", n)
			}
			if _, _, err := d.SumLogProb(tensor.FromData(xd, n)); err == nil {
				t.Errorf("n=%d elementwise=%v: SumLogProb accepted a NaN value", n, elementwise)
			}
		}
	}
}

// checkBernoulliSum compares the fused sum of d's log-density at x, and its
// gradient with respect to logits under each scale k (one backward pass per
// k over the same graph), against LogProb(x).Sum().
func checkBernoulliSum(t *testing.T, name string, d *BernoulliDist, logits, x *tensor.Tensor, ks []float64) {
	t.Helper()
	sum, _, err := d.SumLogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	lp, _ := d.LogProb(x)
	ref := lp.Sum()
	if !(math.Abs(sum.Item()-ref.Item()) <= 1e-12*math.Abs(ref.Item())) {
		t.Errorf("%s: sum %.15g, reference %.15g", name, sum.Item(), ref.Item())
	}
	for _, k := range ks {
		got := tensor.Gradients(sum.MulScalar(k), logits)[0]
		want := tensor.Gradients(ref.MulScalar(k), logits)[0]
		for i, v := range got.Data() {
			if !(math.Abs(v-want.Data()[i]) <= 1e-12*max(1, math.Abs(k))) {
				t.Fatalf("%s k=%v: grad[%d] = %.15g, reference %.15g", name, k, i, v, want.Data()[i])
			}
		}
	}
}

// TestBernoulliSumLogProb checks the fused sum and its gradient against
// LogProb(value).Sum(), including extreme logits.
func TestBernoulliSumLogProb(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	n := 40000
	ld := tensor.RandN(rng, n).MulScalar(8).Clone().Data()
	ld[0], ld[1], ld[2], ld[3] = 800, -800, 40, -40
	logits := tensor.New(ld, n).SetRequiresGrad(true)
	x := tensor.RandU(rng, n).Lt(tensor.Scalar(0.5))
	d := BernoulliLogits(logits)
	checkBernoulliSum(t, "flat", d, logits, x, []float64{1, -0.25})
	if _, _, err := d.SumLogProb(tensor.Full(0.5, n)); err == nil {
		t.Error("value 0.5 accepted")
	}
}

// TestBernoulliSumLogProbBatched covers logits with a leading batch dim over
// repeating observations, an infinite logit (the exact path for its run), a
// short run of observations (the scalar path), and repeated backward passes
// over one graph, each of which must see the unscaled derivative.
func TestBernoulliSumLogProbBatched(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 2))
	for _, m := range []int{1000, 7} {
		ld := tensor.RandN(rng, 5, m).MulScalar(3).Clone().Data()
		ld[2*m+3] = math.Inf(-1)
		logits := tensor.New(ld, 5, m).SetRequiresGrad(true)
		xd := tensor.RandU(rng, m).Lt(tensor.Scalar(0.5)).Clone().Data()
		xd[3] = 0 // log-likelihood of 0 under logit −∞ is 0
		checkBernoulliSum(t, fmt.Sprintf("m=%d", m), BernoulliLogits(logits), logits, tensor.New(xd, m), []float64{-0.25, 1, 3})
	}
}

// TestPointwiseSumLogProb checks the fused sums of the discrete families
// against LogProb(value).Sum(): the value, the shape, and the parameter's
// gradient under incoming gradients other than 1, on two backward passes
// over one graph (the first scales stored partials in place, the second
// recomputes them), on one chunk and several, with broadcast parameters and
// expanded batches.
func TestPointwiseSumLogProb(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	counts := func(n int, hi float64) *tensor.Tensor {
		d := make([]float64, n)
		for i := range d {
			d[i] = math.Floor(rng.Float64() * (hi + 1))
		}
		return tensor.FromData(d, n)
	}
	unit := func(shape ...int) *tensor.Tensor {
		return tensor.RandU(rng, shape...).MulScalar(0.8).AddScalar(0.1).SetRequiresGrad(true)
	}
	big := 2*chunkSize + 7
	cases := []struct {
		name  string
		d     func(param *tensor.Tensor) Distribution
		param *tensor.Tensor
		value *tensor.Tensor
	}{
		{"poisson", func(p *tensor.Tensor) Distribution { return Poisson(p) }, unit(40).MulScalar(5).Detach().SetRequiresGrad(true), counts(40, 6)},
		{"poisson several chunks", func(p *tensor.Tensor) Distribution { return Poisson(p) }, tensor.Scalar(2.5).SetRequiresGrad(true), counts(big, 6)},
		{"geometric expanded", func(p *tensor.Tensor) Distribution { return Geometric(p).Expand(3, 20) }, unit(20), counts(20, 4)},
		{"binomial probs", func(p *tensor.Tensor) Distribution { return Binomial(tensor.Scalar(5), p) }, unit(4, 1), counts(30, 5).Reshape(6, 5).Narrow(0, 0, 4)},
		{"binomial logits", func(p *tensor.Tensor) Distribution { return BinomialLogits(tensor.Scalar(5), p) }, tensor.RandN(rng, big).SetRequiresGrad(true), counts(big, 5)},
		{"bernoulli probs", func(p *tensor.Tensor) Distribution { return BernoulliProbs(p) }, unit(big), counts(big, 1)},
		{"bernoulli logits broadcast", func(p *tensor.Tensor) Distribution { return BernoulliLogits(p) }, tensor.RandN(rng, 7, 1).SetRequiresGrad(true), counts(35, 1).Reshape(7, 5)},
		// one parameter for all the data: the partials are only summed
		{"bernoulli probs one p", func(p *tensor.Tensor) Distribution { return BernoulliProbs(p) }, tensor.Scalar(0.3).SetRequiresGrad(true), counts(big, 1)},
		{"bernoulli logits one logit", func(p *tensor.Tensor) Distribution { return BernoulliLogits(p) }, tensor.Scalar(-0.7).SetRequiresGrad(true), counts(big, 1)},
		{"bernoulli logits one logit expanded", func(p *tensor.Tensor) Distribution { return BernoulliLogits(p).Expand(3, 40) }, tensor.Scalar(0.4).SetRequiresGrad(true), counts(40, 1)},
		{"binomial one p", func(p *tensor.Tensor) Distribution { return Binomial(tensor.Scalar(5), p) }, tensor.Scalar(0.3).SetRequiresGrad(true), counts(big, 5)},
	}
	for _, c := range cases {
		d := c.d(c.param)
		sum, shape, err := d.(SumLogProber).SumLogProb(c.value)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		lp, err := d.LogProb(c.value)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ref := lp.Sum()
		if !slices.Equal(shape, lp.Shape()) {
			t.Errorf("%s: shape %v, LogProb shape %v", c.name, shape, lp.Shape())
		}
		if !(math.Abs(sum.Item()-ref.Item()) <= 1e-10*math.Abs(ref.Item())) {
			t.Errorf("%s: sum %.15g, reference %.15g", c.name, sum.Item(), ref.Item())
		}
		for _, k := range []float64{1.7, -0.3} {
			got := tensor.Gradients(sum.MulScalar(k), c.param)[0]
			want := tensor.Gradients(ref.MulScalar(k), c.param)[0]
			if !slices.Equal(got.Shape(), want.Shape()) {
				t.Fatalf("%s: gradient shape %v, reference %v", c.name, got.Shape(), want.Shape())
			}
			for i, v := range got.Data() {
				if w := want.Data()[i]; !(math.Abs(v-w) <= 1e-9*math.Max(1, math.Abs(w))) {
					t.Fatalf("%s k=%v: grad[%d] = %.15g, reference %.15g", c.name, k, i, v, w)
				}
			}
			// LogProb's backward pass shares code with the fused one:
			// central differences of the sum are an independent reference.
			for _, i := range []int{0, got.Len() / 2, got.Len() - 1} {
				fd := k * centralDiff(t, c.d, c.param, c.value, i)
				if v := got.Data()[i]; !(math.Abs(v-fd) <= 1e-5*math.Max(1, math.Abs(fd))) {
					t.Fatalf("%s k=%v: grad[%d] = %.10g, central difference %.10g", c.name, k, i, v, fd)
				}
			}
		}
	}
	// Values outside the support are the same error as LogProb's.
	bad := counts(big, 6)
	bad.Data()[big-2] = 2.5
	if _, _, err := Poisson(tensor.Scalar(2)).SumLogProb(bad); err == nil {
		t.Error("Poisson SumLogProb accepted 2.5")
	}
	if _, _, err := BernoulliProbs(unit(big)).SumLogProb(bad); err == nil {
		t.Error("Bernoulli SumLogProb accepted 2.5")
	}
}

// centralDiff is the derivative of the summed log-density of value with
// respect to element i of param, by central differences.
func centralDiff(t *testing.T, d func(*tensor.Tensor) Distribution, param, value *tensor.Tensor, i int) float64 {
	t.Helper()
	at := func(delta float64) float64 {
		p := param.Detach().Clone()
		p.Data()[i] += delta
		s, _, err := d(p).(SumLogProber).SumLogProb(value)
		if err != nil {
			t.Fatal(err)
		}
		return s.Item()
	}
	h := 1e-6 * math.Max(1, math.Abs(param.Data()[i]))
	return (at(h) - at(-h)) / (2 * h)
}

// TestBernoulliLogitsInfinite checks that infinite logits, which the
// vectorized Bernoulli-logits kernel declines, get their exact limits in
// LogProb and in the fused sum.
func TestBernoulliLogitsInfinite(t *testing.T) {
	inf := math.Inf(1)
	n := 600 // several blocks, the infinite logits in the second
	ld := make([]float64, n)
	xd := make([]float64, n)
	for i := range ld {
		ld[i] = float64(i%7) - 3
		xd[i] = float64(i % 2)
	}
	ld[300], xd[300] = inf, 1 // log σ(∞) = 0
	ld[301], xd[301] = -inf, 0
	logits := tensor.FromData(ld, n).SetRequiresGrad(true)
	x := tensor.FromData(xd, n)
	d := BernoulliLogits(logits.Reshape(2, 300))
	lp, err := d.LogProb(x.Reshape(2, 300))
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for i, l := range ld {
		v := 0.0
		if !math.IsInf(l, 0) {
			v = xd[i]*l - math.Max(l, 0) - math.Log1p(math.Exp(-math.Abs(l)))
		}
		want += v
		if got := lp.Reshape(n).Data()[i]; !(math.Abs(got-v) <= 1e-15*math.Max(1, math.Abs(v))) {
			t.Fatalf("LogProb[%d] at logit %v = %v, want %v", i, l, got, v)
		}
	}
	// The value laid out like the logits takes the dedicated sum; a value
	// with a leading unit dim, the elementwise kernel a block at a time.
	for _, c := range []struct{ ls, xs []int }{{[]int{2, 300}, []int{2, 300}}, {[]int{600}, []int{1, 600}}} {
		sum, _, err := BernoulliLogits(logits.Reshape(c.ls...)).SumLogProb(x.Reshape(c.xs...))
		if err != nil {
			t.Fatal(err)
		}
		if !(math.Abs(sum.Item()-want) <= 1e-12*math.Abs(want)) {
			t.Errorf("value %v: sum %v, want %v", c.xs, sum.Item(), want)
		}
	}
}

// TestCategoricalSumLogProb checks the fused categorical sum against
// LogProb(value).Sum() (log-softmax and a gather, an independent path): the
// value, the shape and the logits' gradient under two incoming gradients,
// for one and several chunks of rows, batch dims, a single category,
// impossible (−Inf) categories, and layouts that fall back to LogProb.
func TestCategoricalSumLogProb(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	cases := []struct {
		logits, value []int
		negInf        bool
	}{
		{[]int{37, 5}, []int{37}, false},
		{[]int{2*chunkSize + 3, 3}, []int{2*chunkSize + 3}, false},
		{[]int{4, 6, 7}, []int{4, 6}, false},
		{[]int{9, 1}, []int{9}, false},
		{[]int{50, 4}, []int{50}, true},
		{[]int{6, 3}, []int{2, 6}, false}, // a sample dim: LogProb's path
	}
	for _, c := range cases {
		k := c.logits[len(c.logits)-1]
		logits := tensor.RandN(rng, c.logits...).MulScalar(2)
		ld := logits.Data()
		nv := numel(c.value)
		yd := make([]float64, nv)
		for i := range yd {
			yd[i] = float64(rng.IntN(k))
			if c.negInf && k > 1 { // an impossible category beside the observed one
				ld[(i%(len(ld)/k))*k+(int(yd[i])+1)%k] = math.Inf(-1)
			}
		}
		logits.SetRequiresGrad(true)
		y := tensor.FromData(yd, c.value...)
		d := CategoricalLogits(logits)
		sum, shape, err := d.SumLogProb(y)
		if err != nil {
			t.Fatalf("%v: %v", c.logits, err)
		}
		lp, err := d.LogProb(y)
		if err != nil {
			t.Fatalf("%v: %v", c.logits, err)
		}
		ref := lp.Sum()
		if !slices.Equal(shape, lp.Shape()) {
			t.Errorf("%v: shape %v, LogProb shape %v", c.logits, shape, lp.Shape())
		}
		if !(math.Abs(sum.Item()-ref.Item()) <= 1e-11*math.Max(1, math.Abs(ref.Item()))) {
			t.Errorf("%v: sum %.15g, reference %.15g", c.logits, sum.Item(), ref.Item())
		}
		for _, g := range []float64{1.3, -0.4} {
			got := tensor.Gradients(sum.MulScalar(g), logits)[0]
			want := tensor.Gradients(ref.MulScalar(g), logits)[0]
			for i, v := range got.Data() {
				if w := want.Data()[i]; !(math.Abs(v-w) <= 1e-12*math.Max(1, math.Abs(w))) {
					t.Fatalf("%v g=%v: grad[%d] = %.15g, reference %.15g", c.logits, g, i, v, w)
				}
			}
		}
	}
	d := CategoricalLogits(tensor.RandN(rng, 4, 3))
	if _, _, err := d.SumLogProb(tensor.Vector(0, 1, 3, 2)); err == nil {
		t.Error("SumLogProb accepted the index 3 of 3 categories")
	}
}
