package dist

import (
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// SumLogProb returns LogProb(value).Sum() and LogProb's shape. Built from
// logits with one index per row of the logits (the usual observation
// site), it is one pass over the rows, each row's logit at its index less
// the row's log-sum-exp, without the normalized logits; its backward pass
// writes g·(onehot − softmax) into the logits' gradient. Other layouts sum
// LogProb.
func (d *CategoricalDist) SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, nil, err
	}
	if d.raw == nil || !slices.Equal(value.Shape(), shape) || !slices.Equal(d.raw.Shape()[:d.raw.Dim()-1], shape) {
		lp, err := d.LogProb(value)
		if err != nil {
			return nil, nil, err
		}
		return lp.Sum(), shape, nil
	}
	if d.validating() {
		k := float64(d.k)
		for _, v := range value.Data() {
			if !(v >= 0 && v < k && v == math.Trunc(v)) {
				return nil, nil, d.supportError(value, "an integer in [0, K)", v)
			}
		}
	}
	return categoricalSum(d.raw, value, d.k), shape, nil
}

// categoricalSum is Σ_i l[i, y_i] − lse(l[i, :]) over the rows of logits l
// (k to a row) and the indices y, one per row.
func categoricalSum(l, y *tensor.Tensor, k int) *tensor.Tensor {
	ld, yd := l.Data(), y.Data()
	rows := len(yd)
	lse := make([]float64, rows)
	nc := numChunks(rows)
	partial := make([]float64, nc)
	forChunks(rows, func(c, lo, hi int) {
		block := min(hi-lo, max(1, blockLen/k)) // rows at a time
		buf, ms := make([]float64, block*k), make([]float64, block)
		s := 0.0
		for r := lo; r < hi; r += block {
			e := min(hi, r+block)
			rowLSE(lse[r:e], ld[r*k:e*k], k, buf[:(e-r)*k], ms)
			for i := r; i < e; i++ {
				s += ld[i*k+int(yd[i])] - lse[i]
			}
		}
		partial[c] = s
	})
	total := 0.0
	for _, s := range partial {
		total += s
	}
	out := tensor.Scalar(total)
	if !l.RequiresGrad() {
		return out
	}
	return tensor.FusedInto("CategoricalSumLogProb", out, []*tensor.Tensor{l}, func(_, g *tensor.Tensor, gin []*tensor.Tensor) {
		gk := g.Item()
		grad := make([]float64, len(ld))
		forChunks(rows, func(_, lo, hi int) {
			gr := grad[lo*k : hi*k]
			for i := lo; i < hi; i++ {
				for j, v := range ld[i*k : (i+1)*k] {
					gr[(i-lo)*k+j] = v - lse[i]
				}
			}
			vecmath.Exp(gr, gr) // the softmax
			for i := lo; i < hi; i++ {
				row := gr[(i-lo)*k : (i-lo+1)*k]
				for j, p := range row {
					row[j] = -gk * p
				}
				row[int(yd[i])] += gk
			}
		})
		gin[0] = tensor.Handoff(tensor.FromData(grad, l.Shape()...))
	})
}

// rowLSE stores in lse the log-sum-exp of each row of k logits in l, as
// LogSoftmax computes it: the row's maximum m plus log Σ e^(v−m), or m
// itself where m is infinite. buf holds len(l) values and ms len(lse) values
// of scratch space.
func rowLSE(lse, l []float64, k int, buf, ms []float64) {
	ms = ms[:len(lse)]
	for i := range ms {
		row := l[i*k : (i+1)*k]
		m := row[0]
		for _, v := range row[1:] {
			m = max(m, v) // NaN if any is
		}
		ms[i] = m
		b := buf[i*k : (i+1)*k]
		for j, v := range row {
			b[j] = v - m
		}
	}
	vecmath.Exp(buf, buf)
	for i := range lse {
		lse[i] = vecmath.Sum(buf[i*k : (i+1)*k])
	}
	vecmath.Log(lse, lse)
	for i, m := range ms {
		if math.IsInf(m, 0) {
			lse[i] = m
		} else {
			lse[i] += m
		}
	}
}
