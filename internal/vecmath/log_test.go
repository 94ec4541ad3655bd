package vecmath

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ulps returns |got − want| in units of the last place of want: the spacing
// of the floats in want's binade, and the smallest subnormal for want = 0 or
// subnormal. NaN matches only NaN and an infinity only itself (0, else +Inf).
func ulps(got, want float64) float64 {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		if math.IsNaN(want) && math.IsNaN(got) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		if got == want {
			return 0
		}
		return math.Inf(1)
	case want == 0:
		return math.Abs(got) / 0x1p-1074
	}
	_, e := math.Frexp(want)
	return math.Abs(got-want) / math.Ldexp(1, max(e-53, -1074))
}

// bigPrec is the precision of the exact references, and halfLn2 is
// ln2/2 = atanh(1/3) at that precision.
const bigPrec = 200

var halfLn2 = atanhBig(new(big.Float).SetPrec(bigPrec).Quo(big.NewFloat(1), big.NewFloat(3)))

// exactLog returns ln x to 200 bits, for x > 0 given exactly as a
// big.Float: x = 2^e·m with m in [√½, √2) and ln x = 2·(atanh((m−1)/(m+1))
// + e·atanh(1/3)), by the series of atanh.
func exactLog(x *big.Float) *big.Float {
	m := new(big.Float)
	e := x.MantExp(m) // m in [0.5, 1)
	if m.Cmp(big.NewFloat(math.Sqrt2/2)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	one := big.NewFloat(1)
	t := new(big.Float).SetPrec(bigPrec).Sub(m, one)
	t.Quo(t, new(big.Float).SetPrec(bigPrec).Add(m, one))
	sum := atanhBig(t)
	sum.Add(sum, new(big.Float).SetPrec(bigPrec).Mul(halfLn2, big.NewFloat(float64(e))))
	return sum.Mul(sum, big.NewFloat(2))
}

// atanhBig returns atanh t = Σ t^(2n+1)/(2n+1) for |t| ≤ 1/3, at t's
// precision.
func atanhBig(t *big.Float) *big.Float {
	prec := t.Prec()
	t2 := new(big.Float).SetPrec(prec).Mul(t, t)
	term := new(big.Float).SetPrec(prec).Set(t)
	sum := new(big.Float).SetPrec(prec).Set(t)
	d := new(big.Float).SetPrec(prec)
	for n := int64(3); term.Sign() != 0; n += 2 {
		term.Mul(term, t2)
		d.Quo(term, new(big.Float).SetInt64(n))
		if d.Sign() == 0 || d.MantExp(nil) < sum.MantExp(nil)-int(prec)-8 {
			break
		}
		sum.Add(sum, d)
	}
	return sum
}

// exactLog1p returns ln(1+x) to 200 bits; 1+x is formed exactly.
func exactLog1p(x float64) *big.Float {
	if math.Abs(x) < 0x1p-60 {
		// x − x²/2, within 2^−118 of ln(1+x) relative to it
		y := new(big.Float).SetPrec(bigPrec).SetFloat64(x)
		h := new(big.Float).SetPrec(bigPrec).Mul(y, y)
		return y.Sub(y, h.Quo(h, big.NewFloat(2)))
	}
	u := new(big.Float).SetPrec(2200).SetFloat64(x)
	u.Add(u, big.NewFloat(1))
	return exactLog(u)
}

// exactUlps returns |got − exact| in units of the last place of the float64
// nearest to exact, as a real number.
func exactUlps(got float64, exact *big.Float) float64 {
	want, _ := exact.Float64()
	d := new(big.Float).SetPrec(bigPrec).SetFloat64(got)
	diff, _ := d.Sub(d, exact).Float64()
	if want == 0 {
		return math.Abs(diff) / 0x1p-1074
	}
	_, e := math.Frexp(want)
	return math.Abs(diff) / math.Ldexp(1, max(e-53, -1074))
}

// refLog is ln x from the math package, except for positive subnormals,
// where math.Log on amd64 treats the exponent field as that of a normal
// number; there the correctly rounded value is used.
func refLog(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		f, _ := exactLog(new(big.Float).SetFloat64(x)).Float64()
		return f
	}
	return math.Log(x)
}

// logSpecials are the special values of both kernels and the edges of the
// reduction: zeros, infinities, NaN, negatives, the subnormal threshold,
// the extremes of the floats and both ends of the mantissa interval
// [√½, √2).
func logSpecials() []float64 {
	sqrtHalf := math.Float64frombits(sqrtHalfBits)
	return []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		-1, -2, -0.5, -1e-300, -5e-324, -math.MaxFloat64, 1, 2, 0.5, math.E, 10,
		5e-324, 1e-323, 1e-320, 1e-310, 0x1p-1022, math.Nextafter(0x1p-1022, 0), math.Nextafter(0x1p-1022, 1),
		math.MaxFloat64, math.Nextafter(math.MaxFloat64, 0), 1e308,
		sqrtHalf, math.Nextafter(sqrtHalf, 0), math.Nextafter(sqrtHalf, 1),
		2 * sqrtHalf, math.Nextafter(2*sqrtHalf, 0), math.Nextafter(2*sqrtHalf, 2),
		math.Sqrt2 - 1, math.Nextafter(math.Sqrt2-1, 0), math.Nextafter(math.Sqrt2-1, 1),
		sqrtHalf - 1, math.Nextafter(sqrtHalf-1, 0), math.Nextafter(sqrtHalf-1, -1)}
}

// logUniform appends n values log-uniformly distributed over [lo, hi].
func logUniform(xs []float64, r *rand.Rand, n int, lo, hi float64) []float64 {
	a, b := math.Log(lo), math.Log(hi)
	if lo < 0x1p-1022 {
		a = math.Log(lo*0x1p100) - 100*math.Ln2
	}
	for range n {
		xs = append(xs, min(max(math.Exp(a+(b-a)*r.Float64()), lo), hi))
	}
	return xs
}

// logCases covers Log's range: a log-uniform sweep over 1e−320 … 1e308, the
// neighbours of 1, a dense sweep of [0.5, 2], every power of two and the
// special values.
func logCases() []float64 {
	xs := logSpecials()
	r := rand.New(rand.NewPCG(31, 32))
	xs = logUniform(xs, r, 20000, 1e-320, 1e308)
	xs = logUniform(xs, r, 2000, 5e-324, 0x1p-1022)
	for k := 1; k <= 64; k++ {
		xs = append(xs, 1+float64(k)*0x1p-52, 1-float64(k)*0x1p-53, 1-float64(k)*0x1p-52)
	}
	for i := range 6000 {
		xs = append(xs, 0.5+1.5*float64(i)/6000, 0.5+1.5*r.Float64())
	}
	for e := -1074; e <= 1023; e++ {
		xs = append(xs, math.Ldexp(1, e))
	}
	return xs
}

// log1pCases covers Log1p's range: positive x log-uniform over 1e−320 …
// 1e308, negative x down to −0.5 log-uniform and (−1, −0.5] uniform, the
// neighbours of −1, tiny x of both signs, a dense sweep of (−0.5, 1], large
// x and the special values.
func log1pCases() []float64 {
	xs := logSpecials()
	xs = append(xs, math.Nextafter(-1, 0), math.Nextafter(-1, -2), -1+0x1p-52, -1+1e-10, -1+1e-5,
		1e-300, -1e-300, 1e-20, -1e-20, 1e-17, -1e-17, 1e-10, -1e-10,
		0x1p-54, -0x1p-54, 0x1p-53, -0x1p-53, 0x1p-52, -0x1p-52, 0x1p-30, -0x1p-30,
		1e15, 0x1p52, 0x1p53, 0x1p53+2, 0x1p53-1, 0x1p54, 1e20, 1e300)
	r := rand.New(rand.NewPCG(41, 42))
	xs = logUniform(xs, r, 20000, 1e-320, 1e308)
	for _, v := range logUniform(nil, r, 6000, 1e-320, 0.5) {
		xs = append(xs, -v)
	}
	for range 4000 {
		xs = append(xs, -0.5-0.5*r.Float64())
	}
	for k := 1; k <= 64; k++ {
		xs = append(xs, -1+float64(k)*0x1p-53, float64(k)*0x1p-52, -float64(k)*0x1p-53)
	}
	for i := range 6000 {
		xs = append(xs, -0.5+1.5*float64(i+1)/6000, -0.5+1.5*r.Float64())
	}
	for e := -1074; e <= 1023; e++ {
		xs = append(xs, math.Ldexp(1, e), -math.Ldexp(1, e))
	}
	return xs
}

// logKernel is one of the two kernels with its Go twin and reference.
type logKernel struct {
	name string
	vec  func(dst, x []float64)
	twin func(float64) float64
	ref  func(float64) float64
}

var logKernels = []logKernel{
	{"Log", Log, logGo, refLog},
	{"Log1p", Log1p, log1pGo, math.Log1p},
}

// checkLog compares the vector function, over the whole slice and in
// chunks of 0 to 9 elements (so that every element also passes through a
// tail), and the Go twin with the reference, allowing 2 ulps, and returns
// the largest errors seen.
func checkLog(t *testing.T, k logKernel, xs []float64) (vecMax, twinMax float64) {
	t.Helper()
	const tol = 2
	want := make([]float64, len(xs))
	for i, x := range xs {
		want[i] = k.ref(x)
	}
	fails := 0
	fail := func(format string, args ...any) {
		t.Helper()
		if fails++; fails <= 20 {
			t.Errorf(format, args...)
		}
	}
	got := make([]float64, len(xs))
	k.vec(got, xs)
	for i, x := range xs {
		e := ulps(got[i], want[i])
		vecMax = max(vecMax, e)
		if e > tol {
			fail("%s(%v) = %v, want %v (%.3g ulps)", k.name, x, got[i], want[i], e)
		}
		e = ulps(k.twin(x), want[i])
		twinMax = max(twinMax, e)
		if e > tol {
			fail("%s Go twin (%v) = %v, want %v (%.3g ulps)", k.name, x, k.twin(x), want[i], e)
		}
	}
	const sentinel = 12345.0
	buf := make([]float64, 10)
	k.vec(nil, nil)
	for n := 0; n <= 9; n++ {
		for i := 0; i+n <= len(xs); i += max(n, 1) {
			for j := range buf {
				buf[j] = sentinel
			}
			k.vec(buf[:n], xs[i:i+n])
			for j := range n {
				if e := ulps(buf[j], want[i+j]); e > tol {
					fail("%s, length %d: element %d (%v) = %v, want %v", k.name, n, j, xs[i+j], buf[j], want[i+j])
				}
			}
			if buf[n] != sentinel {
				fail("%s, length %d: wrote past the end", k.name, n)
			}
		}
	}
	return vecMax, twinMax
}

func TestLog(t *testing.T) {
	v, g := checkLog(t, logKernels[0], logCases())
	t.Logf("Log: max %.3f ulps (exported, AVX2 %v), %.3f ulps (Go twin) from the math package", v, haveAVX2FMA, g)
}

func TestLog1p(t *testing.T) {
	xs := log1pCases()
	v, g := checkLog(t, logKernels[1], xs)
	t.Logf("Log1p: max %.3f ulps (exported, AVX2 %v), %.3f ulps (Go twin) from the math package", v, haveAVX2FMA, g)
	// For |x| < 2^−54, ln(1+x) rounds to x: both paths must return x to
	// within one ulp, subnormals included.
	var tiny []float64
	for _, x := range xs {
		if x != 0 && math.Abs(x) < 0x1p-54 {
			tiny = append(tiny, x)
		}
	}
	got := make([]float64, len(tiny))
	Log1p(got, tiny)
	for i, x := range tiny {
		if ulps(got[i], x) > 1 || ulps(log1pGo(x), x) > 1 {
			t.Errorf("Log1p(%v) = %v, Go twin %v, want %v", x, got[i], log1pGo(x), x)
		}
	}
}

// TestLogSpecial checks the special values bit for bit where their sign
// matters.
func TestLogSpecial(t *testing.T) {
	negZero := math.Copysign(0, -1)
	cases := []struct {
		name string
		f    func(dst, x []float64)
		s    func(float64) float64
		x    float64
		want float64
	}{
		{"Log", Log, LogScalar, 0, math.Inf(-1)},
		{"Log", Log, LogScalar, negZero, math.Inf(-1)},
		{"Log", Log, LogScalar, math.Inf(1), math.Inf(1)},
		{"Log", Log, LogScalar, 1, 0},
		{"Log1p", Log1p, Log1pScalar, 0, 0},
		{"Log1p", Log1p, Log1pScalar, negZero, negZero},
		{"Log1p", Log1p, Log1pScalar, -1, math.Inf(-1)},
		{"Log1p", Log1p, Log1pScalar, math.Inf(1), math.Inf(1)},
		{"Log1p", Log1p, Log1pScalar, 5e-324, 5e-324},
		{"Log1p", Log1p, Log1pScalar, -5e-324, -5e-324},
	}
	for _, c := range cases {
		for lane := range 5 {
			xs := []float64{2, 3, 4, 5, 6}
			xs[lane] = c.x
			got := make([]float64, 5)
			c.f(got, xs)
			if math.Float64bits(got[lane]) != math.Float64bits(c.want) {
				t.Errorf("%s(%v) in lane %d = %v, want %v", c.name, c.x, lane, got[lane], c.want)
			}
		}
		if got := c.s(c.x); math.Float64bits(got) != math.Float64bits(c.want) {
			t.Errorf("%sScalar(%v) = %v, want %v", c.name, c.x, got, c.want)
		}
	}
	nan := []struct {
		name string
		f    func(dst, x []float64)
		s    func(float64) float64
		xs   []float64
	}{
		{"Log", Log, LogScalar, []float64{math.NaN(), math.Inf(-1), -1e-300, -5e-324, -1, -math.MaxFloat64}},
		{"Log1p", Log1p, Log1pScalar, []float64{math.NaN(), math.Inf(-1), -1 - 0x1p-52, -2, -math.MaxFloat64}},
	}
	for _, c := range nan {
		for _, x := range c.xs {
			got := make([]float64, 5)
			c.f(got, []float64{x, x, x, x, x})
			for i, g := range got {
				if !math.IsNaN(g) {
					t.Errorf("%s(%v) in lane %d = %v, want NaN", c.name, x, i, g)
				}
			}
			if g := c.s(x); !math.IsNaN(g) {
				t.Errorf("%sScalar(%v) = %v, want NaN", c.name, x, g)
			}
		}
	}
}

// TestLogExact compares both kernels with the exact values, to 200 bits,
// on a sample of their ranges: both stay within one ulp of the exact
// result, which bounds their distance from the math package (itself within
// one ulp) by two.
func TestLogExact(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	xs := logUniform(nil, r, 1500, 1e-320, 1e308)
	xs = logUniform(xs, r, 1000, 0.5, 2)
	for k := 1; k <= 16; k++ {
		xs = append(xs, 1+float64(k)*0x1p-52, 1-float64(k)*0x1p-53)
	}
	ys := append([]float64(nil), xs...)
	ys = logUniform(ys, r, 500, 1e-20, 0.5)
	for range 1000 {
		ys = append(ys, -0.999*r.Float64())
	}
	for _, c := range []struct {
		k     logKernel
		xs    []float64
		exact func(float64) *big.Float
	}{
		{logKernels[0], xs, func(x float64) *big.Float { return exactLog(new(big.Float).SetFloat64(x)) }},
		{logKernels[1], ys, exactLog1p},
	} {
		got := make([]float64, len(c.xs))
		c.k.vec(got, c.xs)
		vecMax, twinMax := 0.0, 0.0
		for i, x := range c.xs {
			exact := c.exact(x)
			v, g := exactUlps(got[i], exact), exactUlps(c.k.twin(x), exact)
			vecMax, twinMax = max(vecMax, v), max(twinMax, g)
			if v >= 1 || g >= 1 {
				t.Errorf("%s(%v) = %v, Go twin %v, exact %v", c.k.name, x, got[i], c.k.twin(x), exact.Text('g', 20))
			}
		}
		t.Logf("%s: max %.3f ulps (exported), %.3f ulps (Go twin) from the exact value", c.k.name, vecMax, twinMax)
	}
}

func TestLogInPlace(t *testing.T) {
	for _, k := range logKernels {
		xs := log1pCases()[:1003]
		want := make([]float64, len(xs))
		k.vec(want, xs)
		k.vec(xs, xs)
		for i := range xs {
			if math.Float64bits(xs[i]) != math.Float64bits(want[i]) && !(math.IsNaN(xs[i]) && math.IsNaN(want[i])) {
				t.Fatalf("in-place %s differs at %d: %v, want %v", k.name, i, xs[i], want[i])
			}
		}
	}
}

// FuzzLog checks both kernels and their Go twins against the reference on
// arbitrary bit patterns, eight bytes per value, so that the fuzzer reaches
// subnormals, the neighbours of 1 and −1 and the special values.
func FuzzLog(f *testing.F) {
	seed := func(vs ...float64) []byte {
		b := make([]byte, 0, 8*len(vs))
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	f.Add(seed(1, 0.5, 2, 1e-310, 5e-324))
	f.Add(seed(-1, math.Nextafter(-1, 0), 1e-300, -0.3, 1e308, math.Inf(1), math.NaN()))
	f.Add(seed(math.Nextafter(1, 2), math.Nextafter(1, 0), math.Sqrt2, math.Sqrt2/2))
	f.Fuzz(func(t *testing.T, data []byte) {
		xs := make([]float64, len(data)/8)
		for i := range xs {
			xs[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		got := make([]float64, len(xs))
		for _, k := range logKernels {
			k.vec(got, xs)
			for i, x := range xs {
				want := k.ref(x)
				if e := ulps(got[i], want); e > 2 {
					t.Fatalf("%s(%v) = %v, want %v (%.3g ulps)", k.name, x, got[i], want, e)
				}
				if g := k.twin(x); ulps(g, want) > 2 {
					t.Fatalf("%s Go twin (%v) = %v, want %v", k.name, x, g, want)
				}
			}
		}
	})
}

// benchLog times a kernel and a loop over its math package counterpart on
// n values, reporting nanoseconds per element.
func benchLog(b *testing.B, vec func(dst, x []float64), scalar func(float64) float64, gen func(*rand.Rand) float64) {
	for _, n := range []int{1000, 100000} {
		r := rand.New(rand.NewPCG(61, uint64(n)))
		x, dst := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = gen(r)
		}
		b.Run(fmt.Sprintf("vecmath/%d", n), func(b *testing.B) {
			for b.Loop() {
				vec(dst, x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
		b.Run(fmt.Sprintf("math/%d", n), func(b *testing.B) {
			for b.Loop() {
				for i, v := range x {
					dst[i] = scalar(v)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
	}
}

func BenchmarkLog(b *testing.B) {
	benchLog(b, Log, math.Log, func(r *rand.Rand) float64 { return math.Exp(r.NormFloat64() * 10) })
}

func BenchmarkLog1p(b *testing.B) {
	benchLog(b, Log1p, math.Log1p, func(r *rand.Rand) float64 { return math.Exp(r.NormFloat64()*3) - 1 })
}
