package dist_test

import (
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// lowRankCov returns W Wᵀ + diag(d) for one D×R factor w and diagonal d.
func lowRankCov(w, dg []float64, n, r int) []float64 {
	out := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			for k := 0; k < r; k++ {
				out[i*n+j] += w[i*r+k] * w[j*r+k]
			}
		}
		out[i*n+i] += dg[i]
	}
	return out
}

// positives returns n numbers in [0.3, 1.8).
func positives(seed uint64, n int) []float64 {
	return tensor.RandU(newRNG(seed), n).MulScalar(1.5).AddScalar(0.3).Data()
}

// TestLowRankMVNLogProbMatchesDense checks the Woodbury log-density, the
// entropy, the variance and the dense covariance, precision and Cholesky
// factor against the dense reference density with Σ = W Wᵀ + diag(d), for
// a single distribution and for batched parameters broadcast against
// values.
func TestLowRankMVNLogProbMatchesDense(t *testing.T) {
	const n, r = 4, 2
	ws := randVec(20, 2*n*r)
	ds := positives(21, 3*n)
	locs := randVec(22, 3*n)
	x := randVec(23, 40*n)
	cases := []struct {
		name   string
		d      *dist.LowRankMultivariateNormalDist
		batch  []int
		xshape []int
		out    []int
		ref    gaussRef
	}{
		{
			"single",
			dist.LowRankMultivariateNormal(tensor.New(locs[:n], n), tensor.New(ws[:n*r], n, r), tensor.New(ds[:n], n)),
			nil, []int{6, n}, []int{6},
			func(int) ([]float64, []float64) { return locs[:n], lowRankCov(ws[:n*r], ds[:n], n, r) },
		},
		{
			"factor (2,1), diag (3), values (4,1,1)",
			dist.LowRankMultivariateNormal(tensor.New(locs[:n], n), tensor.New(ws, 2, 1, n, r), tensor.New(ds, 3, n)),
			[]int{2, 3}, []int{4, 1, 1, n}, []int{4, 2, 3},
			func(b int) ([]float64, []float64) {
				i, j := b/3, b%3
				return locs[:n], lowRankCov(ws[i*n*r:(i+1)*n*r], ds[j*n:(j+1)*n], n, r)
			},
		},
		{
			"loc (3), values (5,3)",
			dist.LowRankMultivariateNormal(tensor.New(locs, 3, n), tensor.New(ws[:n*r], n, r), tensor.New(ds[:n], n)),
			[]int{3}, []int{5, 3, n}, []int{5, 3},
			func(b int) ([]float64, []float64) {
				return locs[b*n : (b+1)*n], lowRankCov(ws[:n*r], ds[:n], n, r)
			},
		},
	}
	for _, c := range cases {
		if err := c.d.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(c.d.BatchShape(), c.batch) || !slices.Equal(c.d.EventShape(), []int{n}) {
			t.Fatalf("%s: shapes %v %v", c.name, c.d.BatchShape(), c.d.EventShape())
		}
		m := 1
		for _, s := range c.xshape {
			m *= s
		}
		lp, err := c.d.LogProb(tensor.New(x[:m], c.xshape...))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		checkGaussLogProb(t, c.name, lp, c.out, c.batch, x[:m], c.xshape, n, c.ref)
		ent := c.d.Entropy().Data()
		vr := c.d.Variance().Data()
		cv := c.d.CovarianceMatrix().Data()
		pm := c.d.PrecisionMatrix().Data()
		st := c.d.ScaleTril().Data()
		for b := range ent {
			mu, cov := c.ref(b)
			g, _ := newRefNormal(mu, cov)
			// matrix determinant lemma vs a dense log-determinant: rounding only.
			if !near(ent[b], g.Entropy(), 1e-12) {
				t.Errorf("%s: Entropy[%d] = %v, want %v", c.name, b, ent[b], g.Entropy())
			}
			for i := 0; i < n; i++ {
				if !near(vr[b*n+i], cov[i*n+i], 1e-12) {
					t.Errorf("%s: Variance[%d][%d] = %v, want %v", c.name, b, i, vr[b*n+i], cov[i*n+i])
				}
			}
			// dense products, a Woodbury inverse and a Cholesky factor of
			// well-conditioned 4×4 matrices: 1e-10 relative.
			checkSlice(t, c.name+" CovarianceMatrix", cv[b*n*n:(b+1)*n*n], cov, 1e-10)
			checkSlice(t, c.name+" PrecisionMatrix", pm[b*n*n:(b+1)*n*n], inverses(cov, n), 1e-10)
			checkSlice(t, c.name+" ScaleTril", st[b*n*n:(b+1)*n*n], cholLower(cov, n), 1e-10)
		}
	}
}

// TestLowRankMVNSampleMoments checks the sample mean and covariance of a
// batch of two low-rank distributions drawn with a vectorized sample shape.
func TestLowRankMVNSampleMoments(t *testing.T) {
	const n, r = 3, 1
	w := randVec(24, 2*n*r)
	dg := positives(25, n)
	loc := randVec(26, n)
	d := dist.LowRankMultivariateNormal(tensor.New(loc, n), tensor.New(w, 2, n, r), tensor.New(dg, n))
	s := d.Sample(newRNG(27), 20000)
	if !slices.Equal(s.Shape(), []int{20000, 2, n}) {
		t.Fatalf("sample shape %v", s.Shape())
	}
	cov := append(lowRankCov(w[:n*r], dg, n, r), lowRankCov(w[n*r:], dg, n, r)...)
	checkGaussMoments(t, "LowRankMVN", s, d.Mean().Data(), cov, 2, n)
}

// TestLowRankMVNGradients checks LogProb gradients in loc, the factor, the
// diagonal and the value, the entropy's, and RSample gradients with common
// random numbers, against central finite differences.
func TestLowRankMVNGradients(t *testing.T) {
	const n, r = 3, 2
	loc := param{randVec(30, n), []int{n}}
	w := param{randVec(31, 2*n*r), []int{2, n, r}}
	dg := param{positives(32, n), []int{n}}
	value := param{randVec(33, 5*2*n), []int{5, 2, n}}
	wt := weightsFor(34, 5, 2)
	checkGrad(t, "LowRankMVN LogProb", []param{loc, w, dg, value}, func(ts []*tensor.Tensor) *tensor.Tensor {
		lp, err := dist.LowRankMultivariateNormal(ts[0], ts[1], ts[2]).LogProb(ts[3])
		if err != nil {
			t.Fatal(err)
		}
		return lp.Mul(wt).Sum()
	})
	checkGrad(t, "LowRankMVN Entropy", []param{w, dg}, func(ts []*tensor.Tensor) *tensor.Tensor {
		return dist.LowRankMultivariateNormal(tensor.Zeros(n), ts[0], ts[1]).Entropy().Sum()
	})
	wr := weightsFor(35, 4, 2, n)
	checkGrad(t, "LowRankMVN RSample", []param{loc, w, dg}, func(ts []*tensor.Tensor) *tensor.Tensor {
		return dist.LowRankMultivariateNormal(ts[0], ts[1], ts[2]).RSample(newRNG(36), 4).Mul(wr).Sum()
	})
}
