package dist

import (
	"math"

	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// Block kernels of the continuous families whose LogProb is a chain of
// tensor operations; their fused sums (blockSum) follow the same formulas.

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *StudentTDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.blockSumLogProb(studentTKernel, d.checkRealSupport, value, d.df, d.loc, d.scale)
}

// studentTKernel is −(ν+1)/2 · log1p(z²/ν) − (log s + ½ log ν + ½ log π +
// log Γ(ν/2) − log Γ((ν+1)/2)) with z = (x − loc)/s, the normalizer computed
// once for a single-element ν and scale.
func studentTKernel() blockKernel {
	return blockKernel{
		name: "StudentTLogProb",
		logProb: func(out, _ []float64, in [][]float64, uniform []bool) {
			x, nu, m, s := in[0][:len(out)], in[1][:len(out)], in[2][:len(out)], in[3][:len(out)]
			for i := range out {
				z := (x[i] - m[i]) / s[i]
				out[i] = z * z / nu[i]
			}
			vecmath.Log1p(out, out)
			if uniform[1] && uniform[3] {
				h, norm := -0.5*(nu[0]+1), studentTNorm(nu[0], s[0])
				for i, l := range out {
					out[i] = h*l - norm
				}
				return
			}
			for i, l := range out {
				out[i] = -0.5*(nu[i]+1)*l - studentTNorm(nu[i], s[i])
			}
		},
		grad: func(k float64, in [][]float64, uniform []bool, d [][]float64) {
			x, nu, m, s := in[0], in[1], in[2], in[3]
			var dgh, dgh1 float64 // ψ(ν/2) and ψ((ν+1)/2) of a single-element ν
			if d[1] != nil {
				if uniform[1] {
					dgh, dgh1 = tensor.DigammaFloat(0.5*nu[0]), tensor.DigammaFloat(0.5*(nu[0]+1))
				}
				for i := range x { // log1p(z²/ν) first, in ν's buffer
					z := (x[i] - m[i]) / s[i]
					d[1][i] = z * z / nu[i]
				}
				vecmath.Log1p(d[1], d[1])
			}
			for i := range x {
				v, si := nu[i], s[i]
				z := (x[i] - m[i]) / si
				z2 := z * z
				r := (v + 1) / (v + z2)
				if d[0] != nil {
					d[0][i] = -k * r * z / si
				}
				if d[2] != nil {
					d[2][i] = k * r * z / si
				}
				if d[3] != nil {
					d[3][i] = k * (r*z2 - 1) / si
				}
				if d[1] != nil {
					if !uniform[1] {
						dgh, dgh1 = tensor.DigammaFloat(0.5*v), tensor.DigammaFloat(0.5*(v+1))
					}
					d[1][i] = k * (-0.5*d[1][i] + 0.5*r*z2/v - 0.5/v - 0.5*dgh + 0.5*dgh1)
				}
			}
		},
	}
}

// studentTNorm is the StudentT normalizer log s + ½ log ν + ½ log π +
// log Γ(ν/2) − log Γ((ν+1)/2), in LogProb's order of operations.
func studentTNorm(nu, s float64) float64 {
	return math.Log(s) + 0.5*math.Log(nu) + 0.5*math.Log(math.Pi) + tensor.LgammaFloat(0.5*nu) - tensor.LgammaFloat(0.5*(nu+1))
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *BetaDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.blockSumLogProb(betaKernel, d.checkUnitValues, value, d.c1, d.c0)
}

// betaKernel is xlogy(a−1, x) + xlogy(b−1, 1−x) − log B(a, b), LogProb's
// formula, with the logarithms of x and 1−x from the vectorized kernel and
// log B computed once for single-element concentrations.
func betaKernel() blockKernel {
	return blockKernel{
		name: "BetaLogProb",
		logProb: func(out, lx []float64, in [][]float64, uniform []bool) {
			x, a, b := in[0][:len(out)], in[1][:len(out)], in[2][:len(out)]
			for i, xv := range x {
				out[i] = 1 - xv
			}
			vecmath.Log(out, out) // log(1−x), then the log-density in place
			vecmath.Log(lx, x)
			var lb float64
			if uniform[1] && uniform[2] {
				lb = logBetaFloat(a[0], b[0])
			}
			for i, l1 := range out {
				if !uniform[1] || !uniform[2] {
					lb = logBetaFloat(a[i], b[i])
				}
				xv := x[i]
				out[i] = xlogyLog(a[i]-1, xv, lx[i]) + xlogyLog(b[i]-1, 1-xv, l1) - lb
			}
		},
		grad: func(k float64, in [][]float64, uniform []bool, d [][]float64) {
			x, a, b := in[0], in[1], in[2]
			// log x and log(1−x) first, in the buffers they end up in
			if d[1] != nil {
				vecmath.Log(d[1], x)
			}
			if d[2] != nil {
				for i, xv := range x {
					d[2][i] = 1 - xv
				}
				vecmath.Log(d[2], d[2])
			}
			var da, db float64 // ψ(a)−ψ(a+b) and ψ(b)−ψ(a+b) of single elements
			if uniform[1] && uniform[2] {
				da, db = betaDigammas(a[0], b[0])
			}
			for i := range x {
				ai, bi, xv := a[i], b[i], x[i]
				if !uniform[1] || !uniform[2] {
					da, db = betaDigammas(ai, bi)
				}
				if d[0] != nil {
					d[0][i] = k * ((ai-1)/xv - (bi-1)/(1-xv))
				}
				if d[1] != nil {
					lx := d[1][i]
					if ai == 1 && xv == 0 {
						lx = 0 // xlogy's derivative in its first argument
					}
					d[1][i] = k * (lx - da)
				}
				if d[2] != nil {
					l1 := d[2][i]
					if bi == 1 && xv == 1 {
						l1 = 0
					}
					d[2][i] = k * (l1 - db)
				}
			}
		},
	}
}

// logBetaFloat is log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a+b).
func logBetaFloat(a, b float64) float64 {
	return tensor.LgammaFloat(a) + tensor.LgammaFloat(b) - tensor.LgammaFloat(a+b)
}

// betaDigammas returns ψ(a)−ψ(a+b) and ψ(b)−ψ(a+b), the derivatives of
// log B(a, b).
func betaDigammas(a, b float64) (float64, float64) {
	ab := tensor.DigammaFloat(a + b)
	return tensor.DigammaFloat(a) - ab, tensor.DigammaFloat(b) - ab
}

// SumLogProb returns the sum of the LogNormal log-density over value and the
// shape LogProb would have, in one pass that stores no log-density. As
// LogProb, it looks for values outside the support only when the sum is NaN.
func (d *LogNormalDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	s, shape, err := d.blockSumLogProb(logNormalKernel, nil, value, d.loc, d.scale)
	if err != nil {
		return nil, nil, err
	}
	if v := s.Item(); v != v {
		if err := d.checkValuesIn(value, "positive", tensor.Positive); err != nil {
			return nil, nil, err
		}
	}
	return s, shape, nil
}

// logNormalKernel is −z²/2 − log s − log √(2π) − log x with z = (log x −
// loc)/s, LogProb's formula, with log x from the vectorized logarithm.
func logNormalKernel() blockKernel {
	return blockKernel{
		name: "LogNormalLogProb",
		logProb: func(out, tmp []float64, in [][]float64, uniform []bool) {
			x, m, s := in[0][:len(out)], in[1][:len(out)], in[2][:len(out)]
			vecmath.Log(out, x)
			ls := blockLogs(tmp, s, uniform[2])
			for i, ly := range out {
				z := (ly - m[i]) / s[i]
				out[i] = -0.5*z*z - ls[i] - logSqrt2Pi - ly
			}
		},
		grad: func(k float64, in [][]float64, _ []bool, d [][]float64) {
			x, m, s := in[0], in[1], in[2]
			var lx []float64 // log x, in the first buffer the loop writes
			for _, dj := range d {
				if dj != nil {
					lx = dj
					break
				}
			}
			vecmath.Log(lx, x)
			for i, ly := range lx {
				iv := 1 / s[i]
				z := (ly - m[i]) * iv
				w := k * z * iv // k ∂/∂loc
				if d[0] != nil {
					d[0][i] = (-w - k) / x[i]
				}
				if d[1] != nil {
					d[1][i] = w
				}
				if d[2] != nil {
					d[2][i] = k * (z*z - 1) * iv
				}
			}
		},
	}
}

// normalBlockKernel is −z²/2 − log s − log √(2π) with z = (x − loc)/s, the
// Normal log-density, for loc or scale given per element (a regression's
// mean, a scale per group): log s from the vectorized logarithm, or once
// for a single-element scale.
func normalBlockKernel() blockKernel {
	return blockKernel{
		name: "NormalLogProb",
		logProb: func(out, ls []float64, in [][]float64, uniform []bool) {
			x, m, s := in[0][:len(out)], in[1][:len(out)], in[2][:len(out)]
			if uniform[2] {
				iv, c := 1/s[0], -math.Log(s[0])-logSqrt2Pi
				for i, xv := range x {
					z := (xv - m[i]) * iv
					out[i] = c - 0.5*z*z
				}
				return
			}
			vecmath.Log(ls, s)
			for i, xv := range x {
				z := (xv - m[i]) / s[i]
				out[i] = -0.5*z*z - ls[i] - logSqrt2Pi
			}
		},
		grad: func(k float64, in [][]float64, _ []bool, d [][]float64) {
			x, m, s := in[0], in[1], in[2]
			for i := range x {
				iv := 1 / s[i]
				z := (x[i] - m[i]) * iv
				w := k * z * iv // k ∂/∂loc
				if d[0] != nil {
					d[0][i] = -w
				}
				if d[1] != nil {
					d[1][i] = w
				}
				if d[2] != nil {
					d[2][i] = k * (z*z - 1) * iv
				}
			}
		},
	}
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *LaplaceDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.blockSumLogProb(laplaceKernel, d.checkRealSupport, value, d.loc, d.scale)
}

// laplaceKernel is −(|x − loc|/s + log s + ln 2), LogProb's formula, with
// log s once for a single-element scale; |·|'s derivative at 0 is 0.
func laplaceKernel() blockKernel {
	return blockKernel{
		name: "LaplaceLogProb",
		logProb: func(out, tmp []float64, in [][]float64, uniform []bool) {
			x, m, s := in[0][:len(out)], in[1][:len(out)], in[2][:len(out)]
			ls := blockLogs(tmp, s, uniform[2])
			for i, xv := range x {
				out[i] = -(math.Abs(xv-m[i])/s[i] + ls[i] + math.Ln2)
			}
		},
		grad: func(k float64, in [][]float64, _ []bool, d [][]float64) {
			x, m, s := in[0], in[1], in[2]
			for i := range x {
				r, si := x[i]-m[i], s[i]
				sgn := 0.0
				switch {
				case r > 0:
					sgn = 1
				case r < 0:
					sgn = -1
				}
				if d[0] != nil {
					d[0][i] = -k * sgn / si
				}
				if d[1] != nil {
					d[1][i] = k * sgn / si
				}
				if d[2] != nil {
					d[2][i] = k * (math.Abs(r)/(si*si) - 1/si)
				}
			}
		},
	}
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *HalfNormalDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.blockSumLogProb(halfNormalKernel, d.checkNonNegativeValues, value, d.scale)
}

// halfNormalKernel is the Normal(0, s) log-density plus ln 2, LogProb's
// formula, and −Inf with no gradient below 0 (reachable only with
// validation off).
func halfNormalKernel() blockKernel {
	return blockKernel{
		name: "HalfNormalLogProb",
		logProb: func(out, ls []float64, in [][]float64, uniform []bool) {
			x, s := in[0][:len(out)], in[1][:len(out)]
			if uniform[1] {
				iv, c := 1/s[0], -math.Log(s[0])-logSqrt2Pi
				for i, xv := range x {
					z := xv * iv
					out[i] = c - 0.5*z*z + math.Ln2
				}
			} else {
				vecmath.Log(ls, s)
				for i, xv := range x {
					z := xv / s[i]
					out[i] = -0.5*z*z - ls[i] - logSqrt2Pi + math.Ln2
				}
			}
			for i, xv := range x {
				if !(xv >= 0) {
					out[i] = math.Inf(-1)
				}
			}
		},
		grad: func(k float64, in [][]float64, _ []bool, d [][]float64) {
			x, s := in[0], in[1]
			for i := range x {
				xv, iv := x[i], 1/s[i]
				z := xv * iv
				dx, ds := -k*z*iv, k*(z*z-1)*iv
				if !(xv >= 0) {
					dx, ds = 0, 0
				}
				if d[0] != nil {
					d[0][i] = dx
				}
				if d[1] != nil {
					d[1][i] = ds
				}
			}
		},
	}
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *CauchyDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.blockSumLogProb(func() blockKernel { return cauchyKernel(false) }, d.checkRealSupport, value, d.loc, d.scale)
}

// cauchyKernel is −log π − log s − log1p(z²) with z = (x − loc)/s, the
// fused LogProb's formula, with log1p(z²) from the vectorized kernel. The
// half-Cauchy's (loc 0) adds ln 2, and gives −Inf with no gradient below 0
// (reachable only with validation off).
func cauchyKernel(half bool) blockKernel {
	extra := 0.0
	if half {
		extra = math.Ln2
	}
	k0 := extra - math.Log(math.Pi) // assigned once: the closures copy it
	return blockKernel{
		name: "CauchyLogProb",
		logProb: func(out, tmp []float64, in [][]float64, uniform []bool) {
			x, m, s := in[0][:len(out)], in[1][:len(out)], in[2][:len(out)]
			for i, xv := range x {
				z := (xv - m[i]) / s[i]
				out[i] = z * z
			}
			vecmath.Log1p(out, out)
			ls := blockLogs(tmp, s, uniform[2])
			for i, l := range out {
				out[i] = k0 - ls[i] - l
				if half && !(x[i] >= 0) {
					out[i] = math.Inf(-1)
				}
			}
		},
		grad: func(k float64, in [][]float64, _ []bool, d [][]float64) {
			x, m, s := in[0], in[1], in[2]
			for i := range x {
				si := s[i]
				z := (x[i] - m[i]) / si
				q := 1 / ((1 + z*z) * si)
				w, ws := k*2*z*q, k*(z*z-1)*q // k ∂/∂loc, k ∂/∂s
				if half && !(x[i] >= 0) {
					w, ws = 0, 0
				}
				if d[0] != nil {
					d[0][i] = -w
				}
				if d[1] != nil {
					d[1][i] = w
				}
				if d[2] != nil {
					d[2][i] = ws
				}
			}
		},
	}
}

// SumLogProb returns LogProb(value).Sum() and LogProb's shape, in one pass
// that stores no log-density.
func (d *HalfCauchyDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	return d.blockSumLogProb(func() blockKernel { return cauchyKernel(true) }, d.checkNonNegativeValues, value, tensor.Scalar(0), d.scale)
}
