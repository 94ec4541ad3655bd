package vecmath

import "math"

// Constants of the exp kernels, shared by the Go and assembly versions.
const (
	// expLimit bounds |l| in e^−|l|: e^−746 already rounds to zero.
	expLimit = 746
	// expShift scales e^r by 2^(k+expShift) and then by 2^−expShift, so
	// that results down to the smallest subnormal are rounded only once.
	expShift = 100
	ln2Hi    = 6.93147180369123816490e-01 // Cody–Waite split of ln 2
	ln2Lo    = 1.90821492927058770002e-10
)

// Exp stores e^x[i] in dst[i] for every i < len(x); dst must be at least as
// long as x and may be x itself. Results are within 2 ulps of e^x, overflow
// to +Inf only past the largest finite result, underflow through the
// subnormals to 0, and NaN stays NaN.
func Exp(dst, x []float64) { mapKernel(dst, x, expAVX2, expGo) }

// mapKernel stores f(x[i]) in dst[i] for every i < len(x): the vector
// kernel vec on the first multiple of four elements when this CPU runs it,
// and twin, the Go version of the same formula, on the rest.
func mapKernel(dst, x []float64, vec func(dst, x *float64, n int), twin func(float64) float64) {
	n := len(x)
	dst = dst[:n]
	i := 0
	if haveAVX2FMA && n >= 4 {
		i = n &^ 3
		vec(&dst[0], &x[0], i)
	}
	for ; i < n; i++ {
		dst[i] = twin(x[i])
	}
}

// ExpScalar returns e^x for one value, by the formula of [Exp]: within two
// ulps of the exact result, +Inf above the overflow threshold, 0 below the
// underflow threshold and NaN for NaN.
func ExpScalar(x float64) float64 { return expGo(x) }

// expGo is the portable e^x, the same formula as expAVX2 (math.Exp on amd64
// overflows below the largest finite result).
func expGo(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 710:
		return math.Inf(1)
	case x < -746:
		return 0
	}
	k := math.RoundToEven(x * math.Log2E)
	k1 := math.Floor(k / 2)
	return expPoly((x-k*ln2Hi)-k*ln2Lo) * math.Float64frombits(uint64(int64(k1)+1023)<<52) * math.Float64frombits(uint64(int64(k-k1)+1023)<<52)
}

// Sigmoid stores the logistic function σ(x[i]) = 1/(1+e^−x[i]) in dst[i] for
// every i < len(x), without overflow for any input; dst may be x itself.
func Sigmoid(dst, x []float64) { mapKernel(dst, x, sigmoidAVX2, Logistic) }

// SigmoidGrad stores g[i]·σ'(x[i]) = g[i]·e^−|x|/(1+e^−|x|)² in dst[i] for
// every i < len(x), keeping full relative accuracy in both tails.
func SigmoidGrad(dst, g, x []float64) {
	n := len(x)
	dst, g = dst[:n], g[:n]
	i := 0
	if haveAVX2FMA && n >= 4 {
		i = n &^ 3
		sigmoidGradAVX2(&dst[0], &g[0], &x[0], i)
	}
	for ; i < n; i++ {
		e := math.Exp(-math.Abs(x[i]))
		d := 1 + e
		dst[i] = g[i] * (e / (d * d))
	}
}

// Logistic returns σ(v) = 1/(1+e^−v), computed from e^−|v| so that it
// never overflows: the scalar form of Sigmoid.
func Logistic(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// expNeg returns e^−a for 0 ≤ a ≤ expLimit.
func expNeg(a float64) float64 {
	y := -a
	k := math.RoundToEven(y * math.Log2E)
	return expPoly((y-k*ln2Hi)-k*ln2Lo) * math.Float64frombits(uint64(int64(k)+1023+expShift)<<52) * 0x1p-100
}

// expPoly returns e^r for |r| ≤ ln2/2 as E(r²) + r·O(r²), with the Taylor
// coefficients 1/n!, n ≤ 13.
func expPoly(r float64) float64 {
	z := r * r
	e := ((((((1.0/479001600)*z+1.0/3628800)*z+1.0/40320)*z+1.0/720)*z+1.0/24)*z+1.0/2)*z + 1
	o := ((((((1.0/6227020800)*z+1.0/39916800)*z+1.0/362880)*z+1.0/5040)*z+1.0/120)*z+1.0/6)*z + 1
	return e + r*o
}
