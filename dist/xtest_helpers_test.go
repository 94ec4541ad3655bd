package dist_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/vigo-ppl/vigo/tensor"
)

// Helpers shared by the external tests of the discrete, multivariate normal
// and KL code.

// newRNG returns the seeded PCG source every statistical test uses.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// bcastIndex returns the flat index into a tensor of shape in that
// broadcasting maps to the flat index i of a tensor of shape out.
func bcastIndex(out, in []int, i int) int {
	idx, stride := 0, 1
	for d := len(out) - 1; d >= 0; d-- {
		c := i % out[d]
		i /= out[d]
		k := d - (len(out) - len(in))
		if k < 0 {
			continue
		}
		if in[k] != 1 {
			idx += c * stride
		}
		stride *= in[k]
	}
	return idx
}

// near reports whether got is within tol of want, relative to max(1, |want|);
// equal infinities count as near.
func near(got, want, tol float64) bool {
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// checkSlice fails t for every element of got not near want.
func checkSlice(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %.15g, want %.15g (tol %g)", what, i, got[i], want[i], tol)
		}
	}
}

// checkMoments compares the column means and variances of draws (ns rows of
// nb columns, row-major) with the given means and variances, within 5 Monte
// Carlo standard errors: σ/√n for the mean and √((m₄ - s⁴)/n) for the
// variance, with m₄ the sample fourth central moment (plus the O(σ²/n) effect
// of estimating the mean).
func checkMoments(t *testing.T, what string, draws []float64, nb int, mean, variance []float64) {
	t.Helper()
	ns := len(draws) / nb
	for j := 0; j < nb; j++ {
		var m float64
		for i := 0; i < ns; i++ {
			m += draws[i*nb+j]
		}
		m /= float64(ns)
		var s2, m4 float64
		for i := 0; i < ns; i++ {
			d := draws[i*nb+j] - m
			s2 += d * d
			m4 += d * d * d * d
		}
		s2 /= float64(ns - 1)
		m4 /= float64(ns)
		seMean := math.Sqrt(variance[j] / float64(ns))
		if !(math.Abs(m-mean[j]) <= 5*seMean+1e-12) {
			t.Errorf("%s: column %d mean %.6g, want %.6g ± 5×%.3g", what, j, m, mean[j], seMean)
		}
		// s² = Σ(x-μ)²/(n-1) - n(m-μ)²/(n-1): the first term has standard
		// error √((m₄ - σ⁴)/n); the second is at most (5·seMean)² at 5σ and
		// the 1/(n-1) normalization shifts by σ²/n.
		seVar := math.Sqrt(math.Max(m4-s2*s2, 0) / float64(ns))
		slack := 25*seMean*seMean + variance[j]/float64(ns)
		if !(math.Abs(s2-variance[j]) <= 5*seVar+slack+1e-12) {
			t.Errorf("%s: column %d variance %.6g, want %.6g ± 5×%.3g", what, j, s2, variance[j], seVar)
		}
	}
}

// param is one differentiable input of a gradient check.
type param struct {
	data  []float64
	shape []int
}

// checkGrad compares the autograd gradient of f, a scalar function of the
// parameters, with central finite differences from gonum diff/fd. The
// tolerance 1e-6 (relative to max(1, |g|)) is far above the O(h²) truncation
// and O(ε/h) rounding errors of the central formula with its default step.
func checkGrad(t *testing.T, what string, ps []param, f func(ts []*tensor.Tensor) *tensor.Tensor) {
	t.Helper()
	leaves := make([]*tensor.Tensor, len(ps))
	for i, p := range ps {
		leaves[i] = tensor.Param(append([]float64(nil), p.data...), p.shape...)
	}
	f(leaves).Backward()
	for i, p := range ps {
		g := leaves[i].Grad()
		if g == nil {
			t.Fatalf("%s: parameter %d got no gradient", what, i)
		}
		num := fd.Gradient(nil, func(x []float64) float64 {
			ts := make([]*tensor.Tensor, len(ps))
			for j, q := range ps {
				ts[j] = tensor.New(q.data, q.shape...)
			}
			ts[i] = tensor.New(x, p.shape...)
			return f(ts).Item()
		}, p.data, &fd.Settings{Formula: fd.Central})
		checkSlice(t, what+" gradient of parameter "+string(rune('0'+i)), g.Data(), num, 1e-6)
	}
}

// weightsFor returns fixed pseudo-random weights of the given shape, so
// that a gradient check of Σ w·f sees every element of f separately.
func weightsFor(seed uint64, shape ...int) *tensor.Tensor {
	return tensor.RandU(newRNG(seed), shape...).AddScalar(0.5)
}
