package tensor

import (
	"math"

	"github.com/vigo-ppl/vigo/internal/vecmath"
)

// This file holds scalar special functions. They are exported so that fused
// kernels in other packages (log-densities, their gradients) can call them
// directly on float64 values; the tensor methods of the same names apply them
// elementwise and record gradients.

// SigmoidFloat returns the logistic function 1/(1+e^-x), computed without
// overflow for any x.
func SigmoidFloat(x float64) float64 { return vecmath.Logistic(x) }

// SoftplusFloat returns log(1+e^x), written as max(x,0) + log1p(e^-|x|) so that
// it neither overflows for large x nor loses the tiny value e^x for very
// negative x. Unlike PyTorch's softplus it has no linear threshold: the
// result is accurate to a few ulps everywhere.
func SoftplusFloat(x float64) float64 { return vecmath.Softplus(x) }

// LogSigmoidFloat returns log σ(x) = -log(1+e^-x) = -softplus(-x), that is
// min(x,0) - log1p(e^-|x|), so that it is accurate for all x.
func LogSigmoidFloat(x float64) float64 {
	return 0 - vecmath.Softplus(-x) // 0 - s keeps a zero result positive
}

// Log1mExpFloat returns log(1-e^x) for x <= 0. It uses log(-expm1(x)) for
// x > -ln 2, where e^x is close to 1, and log1p(-e^x) otherwise, which keeps
// full relative accuracy on both sides. It returns -Inf at 0 and NaN for x > 0.
func Log1mExpFloat(x float64) float64 {
	if x > -math.Ln2 {
		return math.Log(-math.Expm1(x))
	}
	return math.Log1p(-math.Exp(x))
}

// LgammaFloat returns log|Γ(x)|, the natural logarithm of the absolute value
// of the gamma function; it is +Inf at the poles 0, -1, -2, ...
func LgammaFloat(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// eulerGamma is the Euler–Mascheroni constant γ = -ψ(1).
const eulerGamma = 0.57721566490153286060651209008240243104215933593992

// Asymptotic series of the polygamma functions are used once x reaches
// these values; below them the recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x+1) - (-1)ⁿ n!/xⁿ⁺¹
// shifts the argument up. The truncation error of each series at its
// threshold is below 1e-16 relative.
const (
	digammaAsymptotic    = 10
	trigammaAsymptotic   = 10
	tetragammaAsymptotic = 12
)

// tinyNegative bounds the negative arguments, (-tinyNegative, 0), for which
// the reflection formulas would need sin(πx) at tiny, possibly subnormal, πx;
// there the polygamma functions take one recurrence step up to x+1 instead,
// where the 1/xⁿ term dominates.
const tinyNegative = 1e-8

// DigammaFloat returns ψ(x) = d/dx log Γ(x), accurate over the whole real line:
// an asymptotic series for large x, the recurrence ψ(x) = ψ(x+1) - 1/x to reach
// it from small x, a Taylor series about the positive zero x₀ ≈ 1.4616, and
// the reflection ψ(x) = ψ(1-x) - π cot(πx) for negative x. For x > 0 the
// relative error is below 1e-14 (measured against 50-digit values); for x < 0
// the error is below 1e-14 relative to max(1, |ψ(x)|): close to the negative
// zeros of ψ, one in each interval (-n-1, -n), the accuracy is absolute.
//
// As in PyTorch and SciPy, ψ(±0) = ∓Inf, ψ is NaN at the negative integers and
// at -Inf, and ψ(+Inf) = +Inf.
func DigammaFloat(x float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x == 0:
		return math.Copysign(math.Inf(1), -x)
	case x < 0:
		if x == math.Floor(x) { // also catches -Inf
			return math.NaN()
		}
		if x > -tinyNegative {
			return digammaPositive(x+1) - 1/x
		}
		return digammaPositive(1-x) - math.Pi*cotPi(x)
	}
	return digammaPositive(x)
}

// The positive zero of ψ, x₀ = 1.4616321449683623412626595423257213..., split
// into a float64 and the remainder so that x - x₀ is exact to rounding.
const (
	digammaRootHi = 1.4616321449683622
	digammaRootLo = 9.549995429965697e-17
)

// digammaRootSeries holds ψ⁽ᵏ⁾(x₀)/k! for k = 1..16, the Taylor coefficients
// of ψ about its positive zero (computed to 50 digits and rounded).
var digammaRootSeries = [...]float64{
	0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652,
	0.10782405069126237, -0.07219956125645471, 0.04880428816414311, -0.03316112647484736,
	0.022597648232218104, -0.01542476590494896, 0.010538791616612175, -0.007204534386356869,
	0.004926781395729853, -0.003369801655439328, 0.002305126326734928, -0.0015769367714301972,
}

// digammaPositive returns ψ(x) for finite x > 0.
func digammaPositive(x float64) float64 {
	if d := x - digammaRootHi; math.Abs(d) < 0.125 {
		// Near its zero ψ is a small difference of large terms; the Taylor
		// series keeps full relative accuracy there (truncation < 1e-17).
		d -= digammaRootLo
		p := 0.0
		for i := len(digammaRootSeries) - 1; i >= 0; i-- {
			p = p*d + digammaRootSeries[i]
		}
		return p * d
	}
	acc := 0.0
	for x < digammaAsymptotic {
		acc -= 1 / x
		x++
	}
	// ψ(x) ~ log x - 1/(2x) - Σ B₂ₖ/(2k x²ᵏ)
	z := 1 / (x * x)
	s := z * (1.0/12 - z*(1.0/120-z*(1.0/252-z*(1.0/240-z*(1.0/132-z*(691.0/32760-z*(1.0/12-z*(3617.0/8160))))))))
	return acc + math.Log(x) - 0.5/x - s
}

// TrigammaFloat returns ψ₁(x) = d²/dx² log Γ(x), accurate to a few ulps over
// the whole real line: an asymptotic series for large x, the recurrence
// ψ₁(x) = ψ₁(x+1) + 1/x² to reach it from small positive x and from (-1, 0),
// and the reflection ψ₁(x) = π²/sin²(πx) - ψ₁(1-x) below -1.
//
// ψ₁ has double poles at 0, -1, -2, ... approached from both sides by +Inf,
// and TrigammaFloat returns +Inf there; ψ₁(+Inf) = 0 and ψ₁(-Inf) = NaN.
func TrigammaFloat(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case math.IsInf(x, 1):
		return 0
	case math.IsInf(x, -1):
		return math.NaN()
	case x <= 0:
		if x == math.Floor(x) {
			return math.Inf(1)
		}
		if x > -1 {
			return trigammaPositive(x+1) + 1/(x*x)
		}
		s := sinPi(x)
		return math.Pi*math.Pi/(s*s) - trigammaPositive(1-x)
	}
	return trigammaPositive(x)
}

// trigammaPositive returns ψ₁(x) for finite x > 0.
func trigammaPositive(x float64) float64 {
	acc := 0.0
	for x < trigammaAsymptotic {
		acc += 1 / (x * x)
		x++
	}
	// ψ₁(x) ~ 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹
	r := 1 / x
	z := r * r
	s := z * (1.0/6 - z*(1.0/30-z*(1.0/42-z*(1.0/30-z*(5.0/66-z*(691.0/2730-z*(7.0/6-z*(3617.0/510))))))))
	return acc + r + 0.5*z + r*s
}

// tetragammaFloat returns ψ₂(x) = d³/dx³ log Γ(x), the derivative of
// TrigammaFloat, by the same scheme as DigammaFloat: recurrence
// ψ₂(x) = ψ₂(x+1) - 2/x³, asymptotic series, and for negative x the
// reflection ψ₂(x) = ψ₂(1-x) - 2π³ cot(πx)/sin²(πx).
// At the poles 0, -1, -2, ... it returns NaN (the sign of the infinity
// depends on the side).
func tetragammaFloat(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case math.IsInf(x, 1):
		return 0
	case math.IsInf(x, -1):
		return math.NaN()
	case x <= 0:
		if x == math.Floor(x) {
			return math.NaN()
		}
		if x > -tinyNegative {
			return tetragammaPositive(x+1) - 2/(x*x*x)
		}
		s := sinPi(x)
		return tetragammaPositive(1-x) - 2*math.Pi*math.Pi*math.Pi*cotPi(x)/(s*s)
	}
	return tetragammaPositive(x)
}

// tetragammaPositive returns ψ₂(x) for finite x > 0.
func tetragammaPositive(x float64) float64 {
	acc := 0.0
	for x < tetragammaAsymptotic {
		acc -= 2 / (x * x * x)
		x++
	}
	// ψ₂(x) ~ -1/x² - 1/x³ - Σ (2k+1) B₂ₖ/x²ᵏ⁺²
	r := 1 / x
	z := r * r
	s := z * (1.0/2 - z*(1.0/6-z*(1.0/6-z*(3.0/10-z*(5.0/6-z*(691.0/210-z*(35.0/2-z*(3617.0/30))))))))
	return acc - z - z*r - z*s
}

// sinPi returns sin(πx), reducing x to [-1/2, 1/2] first so that the result
// stays accurate for large |x| and is exactly 0 at the integers.
func sinPi(x float64) float64 {
	n := math.Round(x)
	s := math.Sin(math.Pi * (x - n))
	if math.Mod(n, 2) != 0 {
		return -s
	}
	return s
}

// cotPi returns cot(πx) for non-integer x, reducing x to [-1/2, 1/2] first
// (cot has period π, so no sign change is needed); it is exactly 0 at the
// half-integers.
func cotPi(x float64) float64 {
	r := x - math.Round(x)
	if math.Abs(r) == 0.5 {
		return 0
	}
	s, c := math.Sincos(math.Pi * r)
	return c / s
}
