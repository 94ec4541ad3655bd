package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randRank3Shape returns a random shape of rank 0 to 3 with sizes 1 to 4.
func randRank3Shape(rng *rand.Rand) []int {
	s := make([]int, rng.IntN(4))
	for i := range s {
		s[i] = 1 + rng.IntN(4)
	}
	return s
}

// randBroadcastPair returns two random shapes that broadcast together: both
// are taken from one random shape by dropping leading dims and setting some
// dims to 1, so either side may be the one that is broadcast.
func randBroadcastPair(rng *rand.Rand) (a, b []int) {
	out := randRank3Shape(rng)
	sub := func() []int {
		s := cloneInts(out[rng.IntN(len(out)+1):])
		for i := range s {
			if rng.IntN(3) == 0 {
				s[i] = 1
			}
		}
		return s
	}
	return sub(), sub()
}

// gradShapePairs lists fixed shape pairs covering same shapes, scalars and
// broadcasting of either operand, then adds random pairs.
func gradShapePairs(rng *rand.Rand, random int) [][2][]int {
	pairs := [][2][]int{
		{{3, 4}, {3, 4}},
		{{3, 4}, {4}},
		{{4}, {3, 4}},
		{{3, 1}, {1, 4}},
		{{1, 4}, {3, 1}},
		{{}, {2, 3}},
		{{2, 3}, {}},
		{{2, 1, 3}, {4, 1}},
	}
	for i := 0; i < random; i++ {
		a, b := randBroadcastPair(rng)
		pairs = append(pairs, [2][]int{a, b})
	}
	return pairs
}

func TestGradElementwiseUnary(t *testing.T) {
	// Finite differences (checkGrad: gonum diff/fd, 1e-6 relative). The
	// input ranges keep every element away from poles and from the kinks of
	// the piecewise ops (the chance of landing within the 1e-6 step of a
	// kink is below 1e-5 per element).
	rng := rand.New(rand.NewPCG(31, 32))
	cases := []struct {
		name   string
		f      func(a *Tensor) *Tensor
		lo, hi float64
	}{
		{"Sigmoid", (*Tensor).Sigmoid, -6, 6},
		{"LogSigmoid", (*Tensor).LogSigmoid, -6, 6},
		{"Softplus", (*Tensor).Softplus, -6, 6},
		{"Lgamma", (*Tensor).Lgamma, 0.2, 6},
		{"Lgamma/negative", (*Tensor).Lgamma, -2.9, -2.1},
		{"Digamma", (*Tensor).Digamma, 0.3, 6},
		{"Digamma/negative", (*Tensor).Digamma, -1.8, -1.2},
		{"Trigamma", (*Tensor).Trigamma, 0.3, 15},
		{"Trigamma/negative", (*Tensor).Trigamma, -3.8, -3.2},
		{"Clamp", func(a *Tensor) *Tensor { return a.Clamp(-0.5, 0.7) }, -1.5, 1.5},
		{"ClampMin", func(a *Tensor) *Tensor { return a.ClampMin(0.2) }, -1, 1},
		{"ClampMax", func(a *Tensor) *Tensor { return a.ClampMax(0.2) }, -1, 1},
		{"Log1mExp", (*Tensor).Log1mExp, -3, -0.05},
		{"Reciprocal", (*Tensor).Reciprocal, 0.5, 2},
		{"Reciprocal/negative", (*Tensor).Reciprocal, -2, -0.5},
		{"Floor", (*Tensor).Floor, -3, 3},
		{"Round", (*Tensor).Round, -3, 3},
		{"Sign", (*Tensor).Sign, -1, 1},
	}
	for _, c := range cases {
		for r := 0; r < 3; r++ {
			shape := randRank3Shape(rng)
			if r == 0 {
				shape = []int{2, 5}
			}
			a := randParam(rng, c.lo, c.hi, shape...)
			checkGrad(t, c.name, func(in []*Tensor) *Tensor { return c.f(in[0]) }, a)
		}
	}
}

func TestGradElementwiseBinary(t *testing.T) {
	// Finite differences (checkGrad: gonum diff/fd, 1e-6 relative), with
	// broadcasting of each operand against the other and random shapes.
	rng := rand.New(rand.NewPCG(33, 34))
	cases := []struct {
		name               string
		f                  func(a, b *Tensor) *Tensor
		alo, ahi, blo, bhi float64
	}{
		{"LogAddExp", (*Tensor).LogAddExp, -3, 3, -3, 3},
		{"Xlogy", (*Tensor).Xlogy, -2, 2, 0.2, 3},
		{"Xlog1py", (*Tensor).Xlog1py, -2, 2, -0.8, 3},
		{"Maximum", (*Tensor).Maximum, -2, 2, -2, 2},
		{"Minimum", (*Tensor).Minimum, -2, 2, -2, 2},
	}
	for _, c := range cases {
		for _, s := range gradShapePairs(rng, 6) {
			a := randParam(rng, c.alo, c.ahi, s[0]...)
			b := randParam(rng, c.blo, c.bhi, s[1]...)
			checkGrad(t, fmt.Sprintf("%s%v%v", c.name, s[0], s[1]), func(in []*Tensor) *Tensor { return c.f(in[0], in[1]) }, a, b)
		}
	}
}

// leafGradOf returns the gradient of sum(f(x)·w) with respect to the leaf x, or
// of sum(f(x)) when w is nil.
func leafGradOf(x *Tensor, out *Tensor, w *Tensor) []float64 {
	x.ClearGrad()
	if w != nil {
		out = out.Mul(w)
	}
	out.Sum().Backward()
	return x.Grad().Data()
}

func identicalFloats(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !identicalFloat(got[i], want[i]) && !(got[i] == 0 && want[i] == 0) {
			return false
		}
	}
	return true
}

func TestElementwiseMatchScalarFuncs(t *testing.T) {
	// The tensor methods apply the scalar functions exactly, or within a few
	// ulps where a vector kernel evaluates them (ulps > 0).
	xs := []float64{-800, -40, -3.5, -1e-12, 0.1, 1.4616, 2, 37, 900, math.Inf(1), math.Inf(-1), math.NaN()}
	x := Vector(xs...)
	cases := []struct {
		name string
		got  *Tensor
		f    func(float64) float64
		ulps float64
	}{
		{"Sigmoid", x.Sigmoid(), SigmoidFloat, 4},
		{"Exp", x.Exp(), math.Exp, 2},
		{"LogSigmoid", x.LogSigmoid(), LogSigmoidFloat, 4},
		{"Softplus", x.Softplus(), SoftplusFloat, 4},
		{"Lgamma", x.Lgamma(), LgammaFloat, 0},
		{"Digamma", x.Digamma(), DigammaFloat, 0},
		{"Trigamma", x.Trigamma(), TrigammaFloat, 0},
		{"Log1mExp", x.Log1mExp(), Log1mExpFloat, 0},
	}
	for _, c := range cases {
		want := make([]float64, len(xs))
		for i, v := range xs {
			want[i] = c.f(v)
		}
		ok := slices.Equal(c.got.Shape(), x.Shape())
		if c.ulps == 0 {
			ok = ok && identicalFloats(c.got.Data(), want)
		} else {
			for i, g := range c.got.Data() {
				w := want[i]
				same := g == w || math.IsNaN(g) && math.IsNaN(w)
				ok = ok && (same || math.Abs(g-w) <= c.ulps*0x1p-52*math.Abs(w))
			}
		}
		if !ok {
			t.Errorf("%s = %v, want %v", c.name, c.got, want)
		}
	}
}

func TestPiecewiseValues(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	cases := []struct {
		name    string
		f       func(*Tensor) *Tensor
		in, out []float64
	}{
		// Round: ties to even, as torch.round.
		{"Round", (*Tensor).Round,
			[]float64{-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, 2.6, -inf, nan},
			[]float64{-2, -2, negZero, 0, 2, 2, 0, 3, -inf, nan}},
		{"Floor", (*Tensor).Floor,
			[]float64{-2.5, -0.1, 0, 0.9, 3, inf, nan},
			[]float64{-3, -1, 0, 0, 3, inf, nan}},
		{"Sign", (*Tensor).Sign,
			[]float64{-3, negZero, 0, 1e-300, inf, -inf, nan},
			[]float64{-1, 0, 0, 1, 1, -1, nan}},
		{"Reciprocal", (*Tensor).Reciprocal,
			[]float64{-4, 0.5, 0, negZero, inf},
			[]float64{-0.25, 2, inf, -inf, 0}},
		{"Clamp(-1,2)", func(a *Tensor) *Tensor { return a.Clamp(-1, 2) },
			[]float64{-5, -1, 0.5, 2, 7, inf, -inf, nan},
			[]float64{-1, -1, 0.5, 2, 2, 2, -1, nan}},
		// lo > hi: min(max(x, lo), hi) = hi everywhere, as in PyTorch.
		{"Clamp(3,1)", func(a *Tensor) *Tensor { return a.Clamp(3, 1) },
			[]float64{0, 2, 5},
			[]float64{1, 1, 1}},
		{"Clamp(NaN,1)", func(a *Tensor) *Tensor { return a.Clamp(nan, 1) },
			[]float64{0, 2},
			[]float64{nan, nan}},
		{"ClampMin(0)", func(a *Tensor) *Tensor { return a.ClampMin(0) },
			[]float64{-2, 0, 3, nan},
			[]float64{0, 0, 3, nan}},
		{"ClampMax(0)", func(a *Tensor) *Tensor { return a.ClampMax(0) },
			[]float64{-2, 0, 3, nan},
			[]float64{-2, 0, 0, nan}},
	}
	for _, c := range cases {
		got := c.f(Vector(c.in...)).Data()
		if !identicalFloats(got, c.out) {
			t.Errorf("%s(%v) = %v, want %v", c.name, c.in, got, c.out)
		}
		for i := range got {
			if math.Signbit(got[i]) != math.Signbit(c.out[i]) && !math.IsNaN(got[i]) {
				t.Errorf("%s(%v): element %d is %v, want %v (sign of zero)", c.name, c.in[i], i, got[i], c.out[i])
			}
		}
	}
}

func TestPiecewiseGradients(t *testing.T) {
	// PyTorch's conventions: Clamp passes the gradient where lo <= x <= hi,
	// boundaries included; Floor, Round and Sign record a zero gradient.
	x := Param([]float64{-1, 2, 0.5, -3, 5}, 5)
	cases := []struct {
		name string
		out  *Tensor
		want []float64
	}{
		{"Clamp(-1,2)", x.Clamp(-1, 2), []float64{1, 1, 1, 0, 0}},
		{"ClampMin(-1)", x.ClampMin(-1), []float64{1, 1, 1, 0, 1}},
		{"ClampMax(2)", x.ClampMax(2), []float64{1, 1, 1, 1, 0}},
		{"Floor", x.Floor(), []float64{0, 0, 0, 0, 0}},
		{"Round", x.Round(), []float64{0, 0, 0, 0, 0}},
		{"Sign", x.Sign(), []float64{0, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		if !c.out.RequiresGrad() {
			t.Errorf("%s does not record a gradient", c.name)
			continue
		}
		if got := leafGradOf(x, c.out, nil); !identicalFloats(got, c.want) {
			t.Errorf("%s gradient = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestMaximumMinimum(t *testing.T) {
	nan := math.NaN()
	a := Param([]float64{1, 5, 3, nan, 2, 2}, 2, 3)
	b := Param([]float64{4, 3, 3}, 3)
	// a broadcasts against b row by row: rows (1,5,3) and (NaN,2,2) against (4,3,3).
	if got, want := a.Maximum(b).Data(), []float64{4, 5, 3, nan, 3, 3}; !identicalFloats(got, want) {
		t.Errorf("Maximum = %v, want %v", got, want)
	}
	if got, want := a.Minimum(b).Data(), []float64{1, 3, 3, nan, 2, 2}; !identicalFloats(got, want) {
		t.Errorf("Minimum = %v, want %v", got, want)
	}
	// Gradients as in PyTorch: to the larger (smaller) input, halved on ties,
	// in full to both where one of them is NaN; b's gradient is summed over rows.
	cases := []struct {
		name   string
		out    *Tensor
		ga, gb []float64
	}{
		{"Maximum", a.Maximum(b), []float64{0, 1, 0.5, 1, 0, 0}, []float64{1 + 1, 0 + 1, 0.5 + 1}},
		{"Minimum", a.Minimum(b), []float64{1, 0, 0.5, 1, 1, 1}, []float64{0 + 1, 1 + 0, 0.5 + 0}},
	}
	for _, c := range cases {
		a.ClearGrad()
		b.ClearGrad()
		c.out.Sum().Backward()
		if got := a.Grad().Data(); !identicalFloats(got, c.ga) {
			t.Errorf("%s: gradient of a = %v, want %v", c.name, got, c.ga)
		}
		if got := b.Grad().Data(); !identicalFloats(got, c.gb) {
			t.Errorf("%s: gradient of b = %v, want %v", c.name, got, c.gb)
		}
	}
}

func TestLogAddExp(t *testing.T) {
	// mpmath for the finite cases (2e-15 relative); the infinite ones are
	// exact limits.
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct{ a, b, want float64 }{
		{0, 0, 0.6931471805599453},
		{1, 2, 2.313261687518223},
		{-1000, -1000, -999.3068528194401},
		{1000, 1000, 1000.6931471805599},
		{1000, -1000, 1000},
		{-50, 0, 1.9287498479639178e-22},
		{710, 709, 710.3132616875182},
		{1e-300, -1e-300, 0.6931471805599453},
		{-745, -745, -744.3068528194401},
		{-inf, -inf, -inf},
		{-inf, 3, 3},
		{3, -inf, 3},
		{inf, 5, inf},
		{5, inf, inf},
		{inf, inf, inf},
		{inf, -inf, inf},
		{nan, 1, nan},
		{1, nan, nan},
		{nan, inf, nan},
	}
	for _, c := range cases {
		got := Scalar(c.a).LogAddExp(Scalar(c.b)).Item()
		checkScalar(t, fmt.Sprintf("LogAddExp(%v, ·)", c.a), c.b, got, c.want, 2e-15, 0)
	}
	// Gradients at the infinite limits: σ(a-b), with equal arguments sharing
	// the gradient half and half.
	grads := []struct{ a, b, ga, gb float64 }{
		{-inf, 3, 0, 1},
		{inf, 3, 1, 0},
		{-inf, -inf, 0.5, 0.5},
		{inf, inf, 0.5, 0.5},
		{2, 2, 0.5, 0.5},
		{-800, 0, 0, 1},
	}
	for _, c := range grads {
		a, b := Param([]float64{c.a}), Param([]float64{c.b})
		a.LogAddExp(b).Backward()
		if ga, gb := a.Grad().Item(), b.Grad().Item(); ga != c.ga || gb != c.gb {
			t.Errorf("LogAddExp(%v, %v) gradients = %v, %v; want %v, %v", c.a, c.b, ga, gb, c.ga, c.gb)
		}
	}
	if got := Zeros(3, 1).LogAddExp(Zeros(4)).Shape(); !slices.Equal(got, []int{3, 4}) {
		t.Errorf("LogAddExp of shapes [3 1] and [4] has shape %v, want [3 4]", got)
	}
}

func TestXlogy(t *testing.T) {
	// PyTorch's definitions: 0 where x == 0 unless y is NaN. Finite values
	// against closed forms (log e = 1, log1p(1e-20) = 1e-20 to 1e-40).
	inf, nan := math.Inf(1), math.NaN()
	xlogy := []struct{ x, y, want float64 }{
		{0, 0, 0},
		{0, inf, 0},
		{0, -1, 0},
		{0, nan, nan},
		{2, 0, -inf},
		{2, math.E, 2},
		{3, 1, 0},
		{-1, -1, nan},
		{nan, 1, nan},
	}
	for _, c := range xlogy {
		got := Scalar(c.x).Xlogy(Scalar(c.y)).Item()
		checkScalar(t, fmt.Sprintf("Xlogy(%v, ·)", c.x), c.y, got, c.want, 1e-15, 0)
	}
	xlog1py := []struct{ x, y, want float64 }{
		{0, -1, 0},
		{0, inf, 0},
		{0, nan, nan},
		{2, -1, -inf},
		{1, math.E - 1, 1},
		{3, 1e-20, 3e-20},
		{3, 0, 0},
	}
	for _, c := range xlog1py {
		got := Scalar(c.x).Xlog1py(Scalar(c.y)).Item()
		checkScalar(t, fmt.Sprintf("Xlog1py(%v, ·)", c.x), c.y, got, c.want, 1e-15, 0)
	}
	// Gradients at x == 0 as in PyTorch: ∂/∂x is 0 and ∂/∂y is x/y = 0.
	x, y := Param([]float64{0, 0, 2}, 3), Param([]float64{0.5, 3, 4}, 3)
	x.Xlogy(y).Sum().Backward()
	if got, want := x.Grad().Data(), []float64{0, 0, math.Log(4)}; !identicalFloats(got, want) {
		t.Errorf("Xlogy gradient in x = %v, want %v", got, want)
	}
	if got, want := y.Grad().Data(), []float64{0, 0, 0.5}; !identicalFloats(got, want) {
		t.Errorf("Xlogy gradient in y = %v, want %v", got, want)
	}
	x.ClearGrad()
	y.ClearGrad()
	x.Xlog1py(y).Sum().Backward()
	if got, want := x.Grad().Data(), []float64{0, 0, math.Log1p(4)}; !identicalFloats(got, want) {
		t.Errorf("Xlog1py gradient in x = %v, want %v", got, want)
	}
	if got, want := y.Grad().Data(), []float64{0, 0, 2.0 / 5}; !identicalFloats(got, want) {
		t.Errorf("Xlog1py gradient in y = %v, want %v", got, want)
	}
}

func TestStableGradientsInTails(t *testing.T) {
	// Closed forms: σ'(x) = σ(x)σ(-x) ≈ e^-|x| in the tails (relative error
	// e^-|x|), softplus' = σ, logsigmoid' = σ(-x), Log1mExp'(x) = -1/expm1(-x).
	// The naive σ(1-σ) would give 0 at x = 40.
	x := Param([]float64{-40, 40, -745}, 3)
	cases := []struct {
		name string
		out  *Tensor
		want []float64
	}{
		{"Sigmoid", x.Sigmoid(), []float64{math.Exp(-40), math.Exp(-40), 5e-324}},
		{"Softplus", x.Softplus(), []float64{math.Exp(-40), 1, 5e-324}},
		{"LogSigmoid", x.LogSigmoid(), []float64{1, math.Exp(-40), 1}},
	}
	for _, c := range cases {
		got := leafGradOf(x, c.out, nil)
		for i := range got {
			if !closeRel(got[i], c.want[i], 1e-15, 0) {
				t.Errorf("%s gradient at %v = %v, want %v", c.name, x.Data()[i], got[i], c.want[i])
			}
		}
	}
	y := Param([]float64{-1e-10, -50, -1000}, 3)
	got := leafGradOf(y, y.Log1mExp(), nil)
	want := []float64{-1e10, -math.Exp(-50), 0}
	for i := range got {
		if !closeRel(got[i], want[i], 1e-9, 0) { // -1/expm1(1e-10) = -1e10(1 - 5e-11)
			t.Errorf("Log1mExp gradient at %v = %v, want %v", y.Data()[i], got[i], want[i])
		}
	}
	// The slope of log(1-e^x) tends to -Inf as x rises to 0.
	z := Param([]float64{0, math.Copysign(0, -1)}, 2)
	if got := leafGradOf(z, z.Log1mExp(), nil); !identicalFloats(got, []float64{math.Inf(-1), math.Inf(-1)}) {
		t.Errorf("Log1mExp gradient at ±0 = %v, want [-Inf -Inf]", got)
	}
}

func TestElementwiseLarge(t *testing.T) {
	// Above the parallel threshold the chunked kernels must give the
	// values and gradients of the scalar functions element by element, to
	// the few ulps by which the vector kernels may differ from them.
	rng := rand.New(rand.NewPCG(35, 36))
	n := 3*parallelThreshold + 17
	x := randParam(rng, -20, 20, n)
	out := x.Softplus()
	w := RandN(rng, n)
	got := leafGradOf(x, out, w)
	for i, v := range x.Data() {
		if want := SoftplusFloat(v); !(math.Abs(out.Data()[i]-want) <= 4*0x1p-52*math.Abs(want)) {
			t.Fatalf("Softplus element %d = %v, want %v", i, out.Data()[i], want)
		}
		if want := w.Data()[i] * SigmoidFloat(v); !(math.Abs(got[i]-want) <= 5*0x1p-52*math.Abs(want)) {
			t.Fatalf("Softplus gradient element %d = %v, want %v", i, got[i], want)
		}
	}
}

func ExampleTensor_Sigmoid() {
	x := Param([]float64{-800, 0, 2}, 3)
	y := x.Sigmoid()
	y.Sum().Backward()
	fmt.Printf("%.4g\n", y.Data())
	fmt.Printf("%.4g\n", x.Grad().Data())
	// Output:
	// [0 0.5 0.8808]
	// [0 0.25 0.105]
}

func benchmarkUnary(b *testing.B, f func(*Tensor) *Tensor, lo, hi float64) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randParam(rng, lo, hi, 10000)
	b.ReportAllocs()
	for b.Loop() {
		x.ClearGrad()
		f(x).Sum().Backward()
	}
}

func BenchmarkSigmoid(b *testing.B)    { benchmarkUnary(b, (*Tensor).Sigmoid, -5, 5) }
func BenchmarkSoftplus(b *testing.B)   { benchmarkUnary(b, (*Tensor).Softplus, -5, 5) }
func BenchmarkLogSigmoid(b *testing.B) { benchmarkUnary(b, (*Tensor).LogSigmoid, -5, 5) }
func BenchmarkLgamma(b *testing.B)     { benchmarkUnary(b, (*Tensor).Lgamma, 0.1, 20) }
func BenchmarkDigamma(b *testing.B)    { benchmarkUnary(b, (*Tensor).Digamma, 0.1, 20) }
func BenchmarkLog(b *testing.B)        { benchmarkUnary(b, (*Tensor).Log, 0.1, 20) }
func BenchmarkLog1p(b *testing.B)      { benchmarkUnary(b, (*Tensor).Log1p, -0.5, 20) }

func BenchmarkLogAddExp(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randParam(rng, -5, 5, 100, 100)
	y := randParam(rng, -5, 5, 100)
	b.ReportAllocs()
	for b.Loop() {
		x.ClearGrad()
		y.ClearGrad()
		x.LogAddExp(y).Sum().Backward()
	}
}

// TestClampedSigmoidMatchesChain checks the fused op against Sigmoid then
// Clamp, values and gradients, inside the bounds, clamped at both ends and
// across the vector and scalar tails of the kernels.
func TestClampedSigmoidMatchesChain(t *testing.T) {
	lo, hi := 0x1p-1022, 1-0x1p-52
	xs := []float64{-800, -709, -708, -30, -1, -0.25, 0, 0.5, 3, 36, 37, 40, 800}
	for n := 1; n <= len(xs); n++ {
		fused := Param(xs[:n], n)
		chain := Param(xs[:n], n)
		g := RandN(rand.New(rand.NewPCG(uint64(n), 3)), n)
		yf := fused.ClampedSigmoid(lo, hi)
		yc := chain.Sigmoid().Clamp(lo, hi)
		yf.Mul(g).Sum().Backward()
		yc.Mul(g).Sum().Backward()
		for i := range n {
			if yf.Data()[i] != yc.Data()[i] {
				t.Errorf("n=%d x=%g: value %g, chain %g", n, xs[i], yf.Data()[i], yc.Data()[i])
			}
			if gf, gc := fused.Grad().Data()[i], chain.Grad().Data()[i]; gf != gc {
				t.Errorf("n=%d x=%g: gradient %g, chain %g", n, xs[i], gf, gc)
			}
		}
	}
}

// TestBroadcastLarge checks broadcasting binary ops and Expand above the
// parallel threshold element by element, against an independent index
// walk, for shapes that need the general row iterator.
func TestBroadcastLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, c := range []struct{ a, b []int }{
		{[]int{301, 257}, []int{301, 1}},
		{[]int{7, 129, 73}, []int{129, 1}},
		{[]int{3, 1, 97}, []int{3, 251, 1}},
		{[]int{1, 251, 97}, []int{3, 1, 97}},
	} {
		a, b := RandN(rng, c.a...), RandN(rng, c.b...)
		sum := a.Add(b)
		if sum.Len() < parallelThreshold {
			t.Fatalf("%v+%v: %d elements, below the parallel threshold", c.a, c.b, sum.Len())
		}
		ea, eb := a.Expand(sum.Shape()...), b.Expand(sum.Shape()...)
		ae, be := a.Detach().Expand(sum.Shape()...).Data(), b.Detach().Expand(sum.Shape()...).Data()
		for i, v := range sum.Data() {
			if want := ae[i] + be[i]; v != want {
				t.Fatalf("%v+%v element %d = %v, want %v", c.a, c.b, i, v, want)
			}
		}
		// Expand against an independent index walk
		st := sum.Shape()
		idx := make([]int, len(st))
		for i := range sum.Len() {
			r := i
			for d := len(st) - 1; d >= 0; d-- {
				idx[d] = r % st[d]
				r /= st[d]
			}
			if ea.Data()[i] != broadcastAt(a, idx) || eb.Data()[i] != broadcastAt(b, idx) {
				t.Fatalf("%v, %v: Expand element %d differs from index walk", c.a, c.b, i)
			}
		}
	}
}

// broadcastAt reads t at the broadcast multi-index idx (t's dims aligned right, size-1
// dims read at 0).
func broadcastAt(t *Tensor, idx []int) float64 {
	off, stride := 0, 1
	sh := t.Shape()
	for d := len(sh) - 1; d >= 0; d-- {
		i := idx[len(idx)-len(sh)+d]
		if sh[d] == 1 {
			i = 0
		}
		off += i * stride
		stride *= sh[d]
	}
	return t.Data()[off]
}
