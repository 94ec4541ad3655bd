package vecmath

import "math"

// Constants of the logarithm kernels, shared by the Go and assembly versions.
//
// A positive x is split as x = 2^k·m with m in [√½, √2): adding logOffset to
// the bits of x carries into the exponent field exactly when the mantissa of
// x is at least that of √2, so the exponent field of the sum is k+1023 and
// its mantissa field plus the bits of √½ are the bits of m.
const (
	sqrtHalfBits = 0x3fe6a09e667f3bcd // √½ rounded, the smallest m
	logOffset    = 0x3ff0000000000000 - sqrtHalfBits
	logMantMask  = 1<<52 - 1
	// logSubnormal scales the subnormals by 2^logScale into the normal range.
	logSubnormal = 0x1p-1022
	logScale     = 54
)

// Coefficients of R(z) = z·(logC1 + logC2·z + … + logC7·z⁶), the minimax
// approximation of 2·atanh(s)/s − 2 in z = s² for s² ≤ 0.02944 (|s| ≤
// 3−2√2), with absolute error below 2^−57.8.
const (
	logC1 = 0.6666666666666734
	logC2 = 0.39999999999414343
	logC3 = 0.28571428742469196
	logC4 = 0.22222198564120116
	logC5 = 0.18183564831185026
	logC6 = 0.15314036803672557
	logC7 = 0.14796095175799417
)

// Log stores the natural logarithm ln x[i] in dst[i] for every i < len(x);
// dst must be at least as long as x and may be x itself. Results are within
// 2 ulps of ln x over all positive floats, subnormals included; Log(±0) =
// −Inf, Log(+Inf) = +Inf, and negative x and NaN give NaN.
func Log(dst, x []float64) { mapKernel(dst, x, logAVX2, logGo) }

// LogScalar returns ln x for one value, by the formula of [Log]: within two
// ulps of the exact result, −Inf for ±0, +Inf for +Inf and NaN for negative
// x and NaN.
func LogScalar(x float64) float64 { return logGo(x) }

// Log1p stores ln(1+x[i]) in dst[i] for every i < len(x); dst must be at
// least as long as x and may be x itself. Results are within 2 ulps of
// ln(1+x) for every x > −1 (x itself for tiny x); Log1p(−1) = −Inf,
// Log1p(+Inf) = +Inf, and x < −1 and NaN give NaN.
func Log1p(dst, x []float64) { mapKernel(dst, x, log1pAVX2, log1pGo) }

// Log1pScalar returns ln(1+x) for one value, by the formula of [Log1p]:
// within two ulps of the exact result, −Inf for −1, +Inf for +Inf and NaN
// below −1 and for NaN.
func Log1pScalar(x float64) float64 { return log1pGo(x) }

// logGo is the portable ln x, the same formula as logAVX2: subnormals are
// scaled by 2^54, x = 2^k·m, f = m−1 and ln x = k·ln2 + ln(1+f).
func logGo(x float64) float64 {
	switch {
	case x != x:
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case x > math.MaxFloat64:
		return x
	}
	k := 0.0
	if x < logSubnormal {
		x *= 1 << logScale
		k = -logScale
	}
	t := math.Float64bits(x) + logOffset
	k += float64(int64(t>>52) - 1023)
	f := math.Float64frombits(t&logMantMask+sqrtHalfBits) - 1
	return logPoly(k, f, f/(2+f), 0)
}

// log1pGo is the portable ln(1+x), the same formula as log1pAVX2. The sum
// u = 1+x is split as u = 2^k·m, f = m−1, and its rounding error e =
// (1+x) − u, found exactly by a two-sum, enters as c = e/u ≈ ln(1+x) − ln u.
// A single division 1/(m·(2+f)) yields both s = f/(2+f) and 1/m; c is
// corrected by one step of the remainder e·2^−k − m·c.
func log1pGo(x float64) float64 {
	switch {
	case x != x:
		return x
	case x < -1:
		return math.NaN()
	case x == -1:
		return math.Inf(-1)
	case x == 0 || x > math.MaxFloat64:
		return x
	}
	u := 1 + x
	e := min(x, 1) - (u - max(x, 1))
	t := math.Float64bits(u) + logOffset
	k := float64(int64(t>>52) - 1023)
	m := math.Float64frombits(t&logMantMask + sqrtHalfBits)
	f := m - 1
	d := 2 + f
	r := 1 / (m * d)
	inv := d * r // ≈ 1/m
	mr := m * r  // ≈ 1/(2+f)
	// e·2^−k; for k ≥ 1023 the factor is 0 and c, below 2^−1000, is dropped.
	es := e * math.Float64frombits(uint64(1023-min(k, 1023))<<52)
	c := es * inv
	c += (es - m*c) * inv
	return logPoly(k, f, f*mr, c)
}

// logPoly returns k·ln2 + ln(1+f) + c for f in [√½−1, √2−1) and s =
// f/(2+f), as k·ln2Hi + (f − (f²/2 − (s·(f²/2 + R(s²)) + k·ln2Lo + c))):
// ln(1+f) = 2·atanh(s) = f − f²/2 + s·(f²/2 + R), so the leading f is exact
// and the rounding of s only touches the smaller terms. R(z) = z·P(z) is
// evaluated by Estrin's scheme, which keeps the dependency chain short.
func logPoly(k, f, s, c float64) float64 {
	z := s * s
	w := z * z
	p := (logC2*z + logC1) + w*(logC4*z+logC3)
	q := (logC6*z + logC5) + w*logC7
	p += (w * w) * q
	hfsq := 0.5 * f * f
	return k*ln2Hi + (f - (hfsq - (s*(hfsq+z*p) + (k*ln2Lo + c))))
}
