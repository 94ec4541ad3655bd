package vecmath

import "math"

// Exp stores e^x[i] in dst[i] for every i < len(x); dst must be at least as
// long as x and may be x itself. Results are within 2 ulps of e^x, overflow
// to +Inf only past the largest finite result, underflow through the
// subnormals to 0, and NaN stays NaN.
func Exp(dst, x []float64) {
	n := len(x)
	dst = dst[:n]
	i := 0
	if haveAVX2FMA && n >= 4 {
		i = n &^ 3
		expAVX2(&dst[0], &x[0], i)
	}
	for ; i < n; i++ {
		dst[i] = expGo(x[i])
	}
}

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
func Sigmoid(dst, x []float64) {
	n := len(x)
	dst = dst[:n]
	i := 0
	if haveAVX2FMA && n >= 4 {
		i = n &^ 3
		sigmoidAVX2(&dst[0], &x[0], i)
	}
	for ; i < n; i++ {
		dst[i] = sigmoid(x[i])
	}
}

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

// sigmoid is σ(v), from e^−|v| so that it never overflows.
func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}
