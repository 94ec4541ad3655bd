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

// Constants of the kernels, shared by the Go and assembly versions.
const (
	// expLimit bounds |l|: e^−746 already rounds to zero.
	expLimit = 746
	// expShift scales e^r by 2^(k+expShift) and then by 2^−expShift, so
	// that results down to the smallest subnormal are rounded only once.
	expShift = 100
	ln2Hi    = 6.93147180369123816490e-01 // Cody–Waite split of ln 2
	ln2Lo    = 1.90821492927058770002e-10
	// log1pSplit is √2−1: for t above it log1p(t) is reduced to
	// ln 2 + log((1+t)/2), keeping the atanh argument within ±0.1716.
	log1pSplit = math.Sqrt2 - 1
)

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
