package vecmath

import "math"

// BernoulliLogits returns Σᵢ xᵢ·lᵢ − softplus(lᵢ), the Bernoulli log-likelihood
// of outcomes x under logits l, and, when grad is not nil, stores its
// derivative xᵢ − σ(lᵢ) in grad[i]. x and grad must be at least as long as l.
//
// The logits must be finite: with an infinite or NaN logit the sum is not
// finite, and callers take their exact-limit path for such data. Values of x
// other than 0 and 1 are used as given.
func BernoulliLogits(l, x, grad []float64) float64 {
	n := len(l)
	x = x[:n]
	if grad != nil {
		grad = grad[:n]
	}
	sum := 0.0
	if haveAVX2FMA && n >= 4 {
		v := n &^ 3
		var g *float64
		if grad != nil {
			g = &grad[0]
		}
		sum = bernoulliLogitsAVX2(&l[0], &x[0], g, v)
		l, x = l[v:], x[v:]
		if grad != nil {
			grad = grad[v:]
		}
	}
	return sum + bernoulliLogitsGo(l, x, grad)
}

// log1pSplit is √2−1: for t above it log1p(t) is reduced to ln 2 +
// log((1+t)/2), keeping the atanh argument within ±0.1716.
const log1pSplit = math.Sqrt2 - 1

// bernoulliLogitsGo is the portable kernel: per element, t = e^−|l| by a
// Cody–Waite reduction and a degree-13 polynomial, log1p(t) = m·ln2 +
// 2·atanh(s) with s = (t−m)/(t+2+m) and m = [t > √2−1] (exact in t, so
// small t keep their digits), softplus(l) = max(l,0) + log1p(t), and
// σ(l) = 1/(1+t) for l > 0, t/(1+t) otherwise.
func bernoulliLogitsGo(l, x, grad []float64) float64 {
	sum := 0.0
	for i, li := range l {
		xi := x[i]
		a := math.Abs(li)
		t := expNeg(min(a, expLimit))
		sp := max(li, 0) + log1pUnit(t)
		sum += xi*li - sp
		if grad != nil {
			inv := 1 / (1 + t)
			sig := t * inv
			if li > 0 {
				sig = inv
			}
			grad[i] = xi - sig
		}
	}
	return sum
}

// Softplus returns log(1+e^x) = max(x,0) + log1p(e^−|x|), with the
// kernels of [BernoulliLogits]: it neither overflows for large x nor loses
// e^x for very negative x, and agrees with the exact value to a few ulps.
// NaN gives NaN, +Inf gives +Inf and −Inf gives 0; a subnormal result is
// rounded once, like e^x itself.
func Softplus(x float64) float64 {
	t := expNeg(min(math.Abs(x), expLimit))
	if t < 0x1p-53 {
		// log1p(t) rounds to t here; log1pUnit would halve a subnormal t
		// on the way and lose its last bit.
		return max(x, 0) + t
	}
	return max(x, 0) + log1pUnit(t)
}

// Log1pExpNegAbs stores log(1 + e^−|x[i]|) in dst[i] for i < len(x): what
// softplus adds to max(x, 0) and log-sigmoid takes from min(x, 0), through
// the vectorized [Exp] and [Log1p]. dst may be x.
func Log1pExpNegAbs(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = -math.Abs(v)
	}
	Exp(dst, dst)
	Log1p(dst, dst)
}

// log1pUnit returns log(1+t) for 0 ≤ t ≤ 1.
func log1pUnit(t float64) float64 {
	m := 0.0
	if t > log1pSplit {
		m = 1
	}
	s := (t - m) / (t + 2 + m)
	z := s * s
	w := z * z
	// atanh(s)/s = Σ zⁿ/(2n+1), n ≤ 11, split into even and odd n.
	qe := ((((1.0/21)*w+1.0/17)*w+1.0/13)*w+1.0/9)*w + 1.0/5
	qe = qe*w + 1
	qo := ((((1.0/23)*w+1.0/19)*w+1.0/15)*w+1.0/11)*w + 1.0/7
	qo = qo*w + 1.0/3
	return m*math.Ln2 + 2*s*(qe+z*qo)
}
