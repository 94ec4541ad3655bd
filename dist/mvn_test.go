package dist_test

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// randSPD returns nb random symmetric positive-definite d×d matrices
// A Aᵀ + 0.5 I, stored one after another.
func randSPD(seed uint64, nb, d int) []float64 {
	rng := newRNG(seed)
	out := make([]float64, 0, nb*d*d)
	for b := 0; b < nb; b++ {
		a := mat.NewDense(d, d, nil)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				a.Set(i, j, rng.NormFloat64())
			}
		}
		var s mat.Dense
		s.Mul(a, a.T())
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				v := s.At(i, j)
				if i == j {
					v += 0.5
				}
				out = append(out, v)
			}
		}
	}
	return out
}

// cholLower returns the lower Cholesky factors of the d×d matrices in m.
func cholLower(m []float64, d int) []float64 {
	out := make([]float64, 0, len(m))
	for o := 0; o < len(m); o += d * d {
		var c mat.Cholesky
		if !c.Factorize(mat.NewSymDense(d, append([]float64(nil), m[o:o+d*d]...))) {
			panic("cholLower: not positive definite")
		}
		var l mat.TriDense
		c.LTo(&l)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				out = append(out, l.At(i, j))
			}
		}
	}
	return out
}

// inverses returns the inverses of the d×d matrices in m.
func inverses(m []float64, d int) []float64 {
	out := make([]float64, 0, len(m))
	for o := 0; o < len(m); o += d * d {
		var inv mat.Dense
		if err := inv.Inverse(mat.NewDense(d, d, append([]float64(nil), m[o:o+d*d]...))); err != nil {
			panic(err)
		}
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				out = append(out, (inv.At(i, j)+inv.At(j, i))/2)
			}
		}
	}
	return out
}

// randVec returns n standard normal numbers.
func randVec(seed uint64, n int) []float64 {
	return tensor.RandN(newRNG(seed), n).Data()
}

// refNormal is the reference multivariate normal density, evaluated with
// gonum's mat.Cholesky: -½(D log 2π + log det Σ + (x-μ)ᵀΣ⁻¹(x-μ)). It is
// the formula of gonum's stat/distmv.Normal, which this module cannot
// import (distmv pulls in golang.org/x/tools, outside the module's
// dependencies).
type refNormal struct {
	mu   []float64
	chol mat.Cholesky
}

func newRefNormal(mu, cov []float64) (*refNormal, bool) {
	r := &refNormal{mu: mu}
	ok := r.chol.Factorize(mat.NewSymDense(len(mu), append([]float64(nil), cov...)))
	return r, ok
}

// LogProb returns the log-density at x.
func (r *refNormal) LogProb(x []float64) float64 {
	d := len(r.mu)
	diff := mat.NewVecDense(d, nil)
	diff.SubVec(mat.NewVecDense(d, append([]float64(nil), x...)), mat.NewVecDense(d, append([]float64(nil), r.mu...)))
	var sol mat.VecDense
	if err := r.chol.SolveVecTo(&sol, diff); err != nil {
		panic(err)
	}
	return -0.5 * (float64(d)*math.Log(2*math.Pi) + r.chol.LogDet() + mat.Dot(diff, &sol))
}

// Entropy returns ½(D(1 + log 2π) + log det Σ).
func (r *refNormal) Entropy() float64 {
	d := float64(len(r.mu))
	return 0.5 * (d*(1+math.Log(2*math.Pi)) + r.chol.LogDet())
}

// gaussRef is a reference multivariate normal: mean and covariance of one
// batch element.
type gaussRef func(b int) ([]float64, []float64)

// checkGaussLogProb compares lp (of shape out) with the reference refNormal
// at every element, the parameters of element i being ref(index of i in
// the batch shape batch).
func checkGaussLogProb(t *testing.T, what string, lp *tensor.Tensor, out, batch []int, x []float64, xshape []int, d int, ref gaussRef) {
	t.Helper()
	if !slices.Equal(lp.Shape(), out) {
		t.Fatalf("%s: LogProb shape %v, want %v", what, lp.Shape(), out)
	}
	xb := xshape[:len(xshape)-1]
	want := make([]float64, lp.Len())
	for i := range want {
		mu, cov := ref(bcastIndex(out, batch, i))
		n, ok := newRefNormal(mu, cov)
		if !ok {
			t.Fatalf("%s: reference covariance not positive definite", what)
		}
		xi := bcastIndex(out, xb, i)
		want[i] = n.LogProb(x[xi*d : (xi+1)*d])
	}
	// Different factorizations and solves of well-conditioned 3×3 and 4×4
	// matrices agree to ~1e-14; 1e-11 relative leaves room.
	checkSlice(t, what, lp.Data(), want, 1e-11)
}

// TestMVNLogProbMatchesGonum checks the three parameterizations against
// the gonum reference density with batched parameters broadcast against values,
// through the one-solve path (matrices' batch a trailing part of the
// result's) and the broadcasting path.
func TestMVNLogProbMatchesGonum(t *testing.T) {
	const d = 3
	covs := randSPD(1, 6, d)
	locs := randVec(2, 6*d)
	x := randVec(3, 40*d)
	at := func(s []float64, b, n int) []float64 { return s[b*n : (b+1)*n] }
	cases := []struct {
		name   string
		make   func() *dist.MultivariateNormalDist
		batch  []int
		xshape []int
		out    []int
		ref    gaussRef
	}{
		{
			"tril single matrix, many values",
			func() *dist.MultivariateNormalDist {
				return dist.MultivariateNormalTril(tensor.New(locs[:d], d), tensor.New(cholLower(covs[:d*d], d), d, d))
			},
			nil, []int{7, d}, []int{7},
			func(int) ([]float64, []float64) { return locs[:d], covs[:d*d] },
		},
		{
			"cov batch 3, values (5,3)",
			func() *dist.MultivariateNormalDist {
				return dist.MultivariateNormalCov(tensor.New(locs[:3*d], 3, d), tensor.New(covs[:3*d*d], 3, d, d))
			},
			[]int{3}, []int{5, 3, d}, []int{5, 3},
			func(b int) ([]float64, []float64) { return at(locs, b, d), at(covs, b, d*d) },
		},
		{
			"precision batch (2,1) with loc (3), values (4,1,1)",
			func() *dist.MultivariateNormalDist {
				return dist.MultivariateNormalPrecision(tensor.New(locs[:3*d], 3, d), tensor.New(inverses(covs[:2*d*d], d), 2, 1, d, d))
			},
			[]int{2, 3}, []int{4, 1, 1, d}, []int{4, 2, 3},
			func(b int) ([]float64, []float64) { return at(locs, b%3, d), at(covs, b/3, d*d) },
		},
		{
			"tril batch 3 with loc (2,1), one value",
			func() *dist.MultivariateNormalDist {
				return dist.MultivariateNormalTril(tensor.New(locs[:2*d], 2, 1, d), tensor.New(cholLower(covs[:3*d*d], d), 3, d, d))
			},
			[]int{2, 3}, []int{d}, []int{2, 3},
			func(b int) ([]float64, []float64) { return at(locs, b/3, d), at(covs, b%3, d*d) },
		},
	}
	for _, c := range cases {
		dd := c.make()
		if err := dd.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(dd.BatchShape(), c.batch) || !slices.Equal(dd.EventShape(), []int{d}) {
			t.Fatalf("%s: shapes %v %v, want %v [%d]", c.name, dd.BatchShape(), dd.EventShape(), c.batch, d)
		}
		n := 1
		for _, s := range c.xshape {
			n *= s
		}
		xv := x[:n]
		lp, err := dd.LogProb(tensor.New(xv, c.xshape...))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		checkGaussLogProb(t, c.name, lp, c.out, c.batch, xv, c.xshape, d, c.ref)

		// Entropy, Variance and the dense matrices against the reference.
		ent := dd.Entropy().Data()
		vr := dd.Variance().Data()
		cv := dd.CovarianceMatrix().Data()
		pm := dd.PrecisionMatrix().Data()
		for b := range ent {
			mu, cov := c.ref(b)
			g, _ := newRefNormal(mu, cov)
			// closed form through gonum's log-determinant; rounding only.
			if !near(ent[b], g.Entropy(), 1e-12) {
				t.Errorf("%s: Entropy[%d] = %v, want %v", c.name, b, ent[b], g.Entropy())
			}
			checkSlice(t, c.name+" Mean", dd.Mean().Data()[b*d:(b+1)*d], mu, 0)
			for i := 0; i < d; i++ {
				if !near(vr[b*d+i], cov[i*d+i], 1e-12) {
					t.Errorf("%s: Variance[%d][%d] = %v, want %v", c.name, b, i, vr[b*d+i], cov[i*d+i])
				}
			}
			// Σ from L Lᵀ and Σ⁻¹ from triangular solves: 1e-10 relative
			// covers their rounding for these condition numbers.
			checkSlice(t, c.name+" CovarianceMatrix", cv[b*d*d:(b+1)*d*d], cov, 1e-10)
			checkSlice(t, c.name+" PrecisionMatrix", pm[b*d*d:(b+1)*d*d], inverses(cov, d), 1e-10)
		}
	}
}

// checkGaussMoments compares the sample mean and covariance of draws of
// shape (n, nb, d) with mean (nb, d) and covariance (nb, d, d), each entry
// within 5 Monte Carlo standard errors (the sample standard deviation of
// x_i, or of (x_i-μ_i)(x_j-μ_j), over √n).
func checkGaussMoments(t *testing.T, what string, s *tensor.Tensor, mean, cov []float64, nb, d int) {
	t.Helper()
	x := s.Data()
	n := len(x) / (nb * d)
	for b := 0; b < nb; b++ {
		for i := 0; i < d; i++ {
			mi := mean[b*d+i]
			for j := 0; j <= i; j++ {
				mj := mean[b*d+j]
				var sum, sum2, m, m2 float64
				for k := 0; k < n; k++ {
					xi, xj := x[(k*nb+b)*d+i], x[(k*nb+b)*d+j]
					p := (xi - mi) * (xj - mj)
					sum += p
					sum2 += p * p
					if j == 0 {
						m += xi
						m2 += xi * xi
					}
				}
				c := sum / float64(n)
				se := math.Sqrt((sum2/float64(n) - c*c) / float64(n))
				if w := cov[(b*d+i)*d+j]; !(math.Abs(c-w) <= 5*se) {
					t.Errorf("%s: batch %d covariance[%d][%d] %.5g, want %.5g ± 5×%.3g", what, b, i, j, c, w, se)
				}
				if j == 0 {
					m /= float64(n)
					se := math.Sqrt(cov[(b*d+i)*d+i] / float64(n))
					if !(math.Abs(m-mi) <= 5*se) {
						t.Errorf("%s: batch %d mean[%d] %.5g, want %.5g ± 5×%.3g", what, b, i, m, mi, se)
					}
				}
			}
		}
	}
}

// TestMVNSampleMoments draws from a batch of two distributions with a
// vectorized sample shape and checks the sample means and covariances.
func TestMVNSampleMoments(t *testing.T) {
	const d = 3
	covs := randSPD(4, 2, d)
	loc := tensor.New(randVec(5, 2*d), 2, d)
	for _, dd := range []*dist.MultivariateNormalDist{
		dist.MultivariateNormalCov(loc, tensor.New(covs, 2, d, d)),
		dist.MultivariateNormalPrecision(loc, tensor.New(inverses(covs, d), 2, d, d)),
	} {
		s := dd.Sample(newRNG(6), 4000, 5)
		if !slices.Equal(s.Shape(), []int{4000, 5, 2, d}) {
			t.Fatalf("sample shape %v", s.Shape())
		}
		checkGaussMoments(t, "MVN", s, loc.Data(), covs, 2, d)
	}
}

// sym returns T's lower triangle mirrored into a symmetric matrix, so that
// finite differences of the free entries of T perturb Σ symmetrically.
func sym(t *tensor.Tensor) *tensor.Tensor { return t.Tril(0).Add(t.Tril(-1).MT()) }

// TestMVNGradients checks LogProb gradients in loc, the matrix parameter
// and the value, Entropy gradients, and RSample gradients (with common
// random numbers: every evaluation reseeds the same stream), against
// central finite differences.
func TestMVNGradients(t *testing.T) {
	const d = 3
	cov := randSPD(7, 2, d)
	lower := cholLower(cov, d)
	prec := inverses(cov, d)
	loc := param{randVec(8, 2*d), []int{2, d}}
	value := param{randVec(9, 4*2*d), []int{4, 2, d}}
	makers := []struct {
		name string
		m    param
		make func(loc, m *tensor.Tensor) *dist.MultivariateNormalDist
	}{
		{"tril", param{lower, []int{2, d, d}}, func(l, m *tensor.Tensor) *dist.MultivariateNormalDist {
			return dist.MultivariateNormalTril(l, m.Tril(0))
		}},
		{"cov", param{cov[:d*d], []int{d, d}}, func(l, m *tensor.Tensor) *dist.MultivariateNormalDist {
			return dist.MultivariateNormalCov(l, sym(m))
		}},
		{"precision", param{prec, []int{2, d, d}}, func(l, m *tensor.Tensor) *dist.MultivariateNormalDist {
			return dist.MultivariateNormalPrecision(l, sym(m))
		}},
	}
	for _, mk := range makers {
		w := weightsFor(10, 4, 2)
		checkGrad(t, "MVN "+mk.name+" LogProb", []param{loc, mk.m, value}, func(ts []*tensor.Tensor) *tensor.Tensor {
			lp, err := mk.make(ts[0], ts[1]).LogProb(ts[2])
			if err != nil {
				t.Fatal(err)
			}
			return lp.Mul(w).Sum()
		})
		checkGrad(t, "MVN "+mk.name+" Entropy", []param{mk.m}, func(ts []*tensor.Tensor) *tensor.Tensor {
			return mk.make(tensor.Zeros(d), ts[0]).Entropy().Sum()
		})
		wr := weightsFor(11, 3, 2, d)
		checkGrad(t, "MVN "+mk.name+" RSample", []param{loc, mk.m}, func(ts []*tensor.Tensor) *tensor.Tensor {
			return mk.make(ts[0], ts[1]).RSample(newRNG(12), 3).Mul(wr).Sum()
		})
	}
}

// TestMVNExpand checks that Expand keeps the parameters and grows the
// LogProb, Mean and sample shapes.
func TestMVNExpand(t *testing.T) {
	const d = 2
	base := dist.MultivariateNormalTril(tensor.Vector(1, -1), tensor.New([]float64{2, 0, 0.5, 1}, d, d))
	e := base.Expand(4, 3)
	if !slices.Equal(e.BatchShape(), []int{4, 3}) || !slices.Equal(e.EventShape(), []int{d}) {
		t.Fatalf("expanded shapes %v %v", e.BatchShape(), e.EventShape())
	}
	v := tensor.Vector(0.3, 0.2)
	want, _ := base.LogProb(v)
	got, err := e.LogProb(v)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Shape(), []int{4, 3}) {
		t.Fatalf("expanded LogProb shape %v", got.Shape())
	}
	for _, g := range got.Data() {
		if g != want.Item() {
			t.Fatalf("expanded LogProb %v, want all %v", got.Data(), want.Item())
		}
	}
	if s := e.Sample(newRNG(1), 5); !slices.Equal(s.Shape(), []int{5, 4, 3, d}) {
		t.Errorf("expanded sample shape %v", s.Shape())
	}
	if m := e.Mean(); !slices.Equal(m.Shape(), []int{4, 3, d}) {
		t.Errorf("expanded Mean shape %v", m.Shape())
	}
}
