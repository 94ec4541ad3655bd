package dist

import (
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/tensor"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// SumLogProb returns LogProb(value).Sum() and LogProb's shape. With one loc
// and one scale_tril for all the values (observations of a D-dimensional
// variable) and a value that needs no gradient, it is one pass over the
// rows that keeps only the sums of z = L⁻¹(x − μ), z zᵀ and |z|², from which
// the backward pass forms the gradients of loc and scale_tril with one
// triangular solve each. Other layouts sum LogProb.
func (d *MultivariateNormalDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	D := d.dim
	if value.RequiresGrad() || d.loc.Len() != D || d.scaleTril.Len() != D*D || value.Dim() == 0 || !slices.Equal(value.Shape()[:value.Dim()-1], shape) {
		lp, err := d.LogProb(value)
		if err != nil {
			return nil, nil, err
		}
		return lp.Sum(), shape, nil
	}
	if err := d.checkRealValues(value, "real vectors"); err != nil {
		return nil, nil, err
	}
	return mvnSum(value, d.loc, d.scaleTril, D), shape, nil
}

// mvnSum is Σ_rows −½|z|² − Σ log diag L − (D/2) log 2π over the rows x of
// value, z = L⁻¹(x − μ). It keeps S1 = Σ z and S2 = Σ z zᵀ for the backward
// pass: the gradient of μ is L⁻ᵀ S1, that of L the lower triangle of
// L⁻ᵀ S2 less N/L_jj on the diagonal.
func mvnSum(value, loc, l *tensor.Tensor, D int) *tensor.Tensor {
	xd, mu, ld := value.Data(), loc.Data(), l.Data()
	rows := len(xd) / D
	nc := numChunks(rows)
	halfLogDet := 0.0
	for i := range D {
		halfLogDet += math.Log(ld[i*D+i])
	}
	norm := halfLogDet + float64(D)*logSqrt2Pi
	stats := make([]float64, nc*(1+D+D*D)) // per chunk: the log-density, S1, S2
	forChunks(rows, func(c, lo, hi int) {
		st := stats[c*(1+D+D*D) : (c+1)*(1+D+D*D)]
		s1, s2 := st[1:1+D], st[1+D:]
		z := make([]float64, D)
		for r := lo; r < hi; r++ {
			x := xd[r*D : (r+1)*D]
			for i := range D { // forward substitution, L z = x − μ
				v := x[i] - mu[i]
				for j := range i {
					v -= ld[i*D+j] * z[j]
				}
				z[i] = v / ld[i*D+i]
			}
			m := 0.0
			for i, zi := range z {
				m += zi * zi
				s1[i] += zi
				row := s2[i*D : (i+1)*D]
				for j, zj := range z {
					row[j] += zi * zj
				}
			}
			st[0] += -0.5*m - norm // each row's log-density as LogProb forms it, overflow included
		}
	})
	// chunk sums in chunk order
	sum := make([]float64, 1+D+D*D)
	for c := range nc {
		for i, v := range stats[c*(1+D+D*D) : (c+1)*(1+D+D*D)] {
			sum[i] += v
		}
	}
	n := float64(rows)
	out := tensor.Scalar(sum[0])
	if !loc.RequiresGrad() && !l.RequiresGrad() {
		return out
	}
	s1, s2 := sum[1:1+D], sum[1+D:]
	return tensor.FusedInto("MultivariateNormalSumLogProb", out, []*tensor.Tensor{loc, l}, func(_, g *tensor.Tensor, gin []*tensor.Tensor) {
		// k·L⁻ᵀ [S2 | S1] in one triangular solve, S1 as the last column
		k := g.Item()
		y := make([]float64, D*(D+1))
		for i := range D {
			for j, v := range s2[i*D : (i+1)*D] {
				y[i*(D+1)+j] = k * v
			}
			y[i*(D+1)+D] = k * s1[i]
		}
		lt := blas64.Triangular{Uplo: blas.Lower, Diag: blas.NonUnit, N: D, Stride: D, Data: ld}
		blas64.Trsm(blas.Left, blas.Trans, 1, lt, blas64.General{Rows: D, Cols: D + 1, Stride: D + 1, Data: y})
		if loc.RequiresGrad() {
			w := make([]float64, D)
			for i := range w {
				w[i] = y[i*(D+1)+D]
			}
			gin[0] = tensor.FromData(w, loc.Shape()...)
		}
		if l.RequiresGrad() {
			gl := make([]float64, D*D)
			for i := range D { // the lower triangle only
				copy(gl[i*D:i*D+i+1], y[i*(D+1):i*(D+1)+i+1])
				gl[i*D+i] -= k * n / ld[i*D+i]
			}
			gin[1] = tensor.FromData(gl, l.Shape()...)
		}
	})
}
