package tensor

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// mustPanic fails t unless f panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic; want one containing %q", want)
			return
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, want) {
			t.Errorf("panic %q; want one containing %q", msg, want)
		}
	}()
	f()
}

// checkClose fails t if got and want differ in shape or in any value by more
// than tol relative to max(1, |want|).
func checkClose(t *testing.T, name string, got *Tensor, wantShape []int, want []float64, tol float64) {
	t.Helper()
	if !slices.Equal(got.Shape(), wantShape) {
		t.Errorf("%s: shape %v, want %v", name, got.Shape(), wantShape)
		return
	}
	for i, w := range want {
		if g := got.Data()[i]; math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) || math.IsNaN(g) {
			t.Errorf("%s: element %d = %.15g, want %.15g", name, i, g, w)
		}
	}
}

// eachMatrix calls fn with the matrices number i of the stacks a and b after
// broadcasting their batch dims, as gonum dense matrices.
func eachMatrix(a, b *Tensor, fn func(i int, am, bm *mat.Dense)) {
	ab, ar, ac := splitMat("test", a.Shape())
	bb, br, bc := splitMat("test", b.Shape())
	batch, _ := BroadcastShapes(ab, bb)
	ae := a.Detach().Expand(matShape(batch, ar, ac)...).Data()
	be := b.Detach().Expand(matShape(batch, br, bc)...).Data()
	for i := 0; i < numel(batch); i++ {
		var am, bm *mat.Dense
		if ar*ac > 0 {
			am = mat.NewDense(ar, ac, append([]float64(nil), ae[i*ar*ac:(i+1)*ar*ac]...))
		}
		if br*bc > 0 {
			bm = mat.NewDense(br, bc, append([]float64(nil), be[i*br*bc:(i+1)*br*bc]...))
		}
		fn(i, am, bm)
	}
}

// matmulCases lists operand shapes and the result shape torch.matmul gives.
var matmulCases = []struct{ a, b, out []int }{
	{[]int{3, 4}, []int{4, 5}, []int{3, 5}},
	{[]int{1, 1}, []int{1, 1}, []int{1, 1}},
	{[]int{4}, []int{4}, []int{}},
	{[]int{4}, []int{4, 5}, []int{5}},
	{[]int{3, 4}, []int{4}, []int{3}},
	{[]int{2, 3, 4}, []int{2, 4, 5}, []int{2, 3, 5}},
	{[]int{2, 3, 4}, []int{4, 5}, []int{2, 3, 5}},
	{[]int{3, 4}, []int{2, 4, 5}, []int{2, 3, 5}},
	{[]int{2, 1, 3, 4}, []int{5, 4, 2}, []int{2, 5, 3, 2}},
	{[]int{1, 3, 4}, []int{2, 1, 4, 2}, []int{2, 1, 3, 2}},
	{[]int{3, 1, 2, 4}, []int{1, 2, 4, 3}, []int{3, 2, 2, 3}},
	{[]int{4}, []int{2, 3, 4, 5}, []int{2, 3, 5}},
	{[]int{2, 3, 3, 4}, []int{4}, []int{2, 3, 3}},
	{[]int{3, 0}, []int{0, 2}, []int{3, 2}},
	{[]int{0, 3}, []int{3, 2}, []int{0, 2}},
	{[]int{2, 0, 3, 4}, []int{4, 2}, []int{2, 0, 3, 2}},
}

func TestMatMulMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	for _, c := range matmulCases {
		a, b := RandN(rng, c.a...), RandN(rng, c.b...)
		got := a.MatMul(b)
		// Reference: promote vectors as torch.matmul does, multiply each
		// broadcast pair with gonum's mat.Dense.Mul.
		ap, bp := a, b
		if a.Dim() == 1 {
			ap = a.Reshape(1, a.Len())
		}
		if b.Dim() == 1 {
			bp = b.Reshape(b.Len(), 1)
		}
		m, n := ap.Shape()[ap.Dim()-2], bp.Shape()[bp.Dim()-1]
		want := make([]float64, 0, numel(c.out))
		eachMatrix(ap, bp, func(_ int, am, bm *mat.Dense) {
			if m*n == 0 {
				return
			}
			if am == nil || bm == nil { // inner dim 0: the product is zero
				want = append(want, make([]float64, m*n)...)
				return
			}
			var cm mat.Dense
			cm.Mul(am, bm)
			want = append(want, cm.RawMatrix().Data...)
		})
		// gonum's Mul runs the same kind of BLAS kernel; allow rounding only.
		checkClose(t, fmt.Sprintf("MatMul %v×%v", c.a, c.b), got, c.out, want, 1e-13)
	}
}

func TestGradMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 2))
	for _, c := range matmulCases {
		if numel(c.a) == 0 || numel(c.b) == 0 {
			continue
		}
		a, b := randParam(rng, -1, 1, c.a...), randParam(rng, -1, 1, c.b...)
		name := fmt.Sprintf("MatMul %v×%v", c.a, c.b)
		checkGrad(t, name, func(in []*Tensor) *Tensor { return in[0].MatMul(in[1]) }, a, b)
		// one operand constant: only the other gets a gradient
		bc := b.Detach()
		checkGrad(t, name+" const b", func(in []*Tensor) *Tensor { return in[0].MatMul(bc) }, a)
	}
	// the same tensor on both sides
	x := randParam(rng, -1, 1, 2, 3, 3)
	checkGrad(t, "MatMul x·x", func(in []*Tensor) *Tensor { return in[0].MatMul(in[0]) }, x)
	checkGrad(t, "MatMul x·xᵀ", func(in []*Tensor) *Tensor { return in[0].MatMul(in[0].MT()) }, x)
}

// refMatMul multiplies stacks of matrices with the core's broadcasting
// elementwise product and sum, an implementation independent of the BLAS
// kernels, its gradient included.
func refMatMul(a, b *Tensor) *Tensor {
	as, bs := a.Shape(), b.Shape()
	a3 := a.Reshape(append(cloneInts(as), 1)...)
	b3 := b.Reshape(append(append(cloneInts(bs[:len(bs)-2]), 1), bs[len(bs)-2:]...)...)
	return a3.Mul(b3).SumDims(false, -2)
}

func TestMatMulKernelPaths(t *testing.T) {
	// Shapes chosen to reach every path of the kernel: plain loops, vector
	// kernels with and without scalar tails, narrow results, rows split
	// across cores, and BLAS; batches split across cores, rows of a batch stacked into one
	// product, gradients summed into broadcast operands, and a sum over the
	// batch done as one product.
	cases := []struct{ a, b []int }{
		{[]int{8, 40, 40}, []int{8, 40, 40}},
		{[]int{6, 20, 30}, []int{30, 25}},
		{[]int{2, 3, 20, 30}, []int{1, 1, 30, 25}},
		{[]int{30, 25}, []int{6, 25, 20}},
		{[]int{1, 7, 5, 6}, []int{3, 1, 6, 4}},
		{[]int{300, 2, 3}, []int{3, 2}},
		{[]int{4, 1, 20, 30}, []int{5, 30, 20}},
		{[]int{64, 70}, []int{70, 50}},
		{[]int{100, 1, 10}, []int{10, 1000}},
		{[]int{20, 200}, []int{200, 300}},
		// narrow results (fewer than narrowCols columns): a matrix times a
		// vector, split across cores, and a few columns, whose Bᵀ
		// gradients run over more than 64 rows
		{[]int{1000, 20}, []int{20, 1}},
		{[]int{20000, 20}, []int{20, 1}},
		{[]int{500, 24}, []int{24, 3}},
		{[]int{100, 70}, []int{70, 2}},
		{[]int{3, 130, 9}, []int{9, 31}},
	}
	rng := rand.New(rand.NewPCG(21, 3))
	for _, c := range cases {
		name := fmt.Sprintf("MatMul %v×%v", c.a, c.b)
		a, b := randParam(rng, -1, 1, c.a...), randParam(rng, -1, 1, c.b...)
		a2, b2 := a.Detach().Clone().SetRequiresGrad(true), b.Detach().Clone().SetRequiresGrad(true)
		got, want := a.MatMul(b), refMatMul(a2, b2)
		// the two sum the same products in different orders: rounding only
		checkClose(t, name, got, want.Shape(), want.Data(), 1e-12)
		w := RandN(rng, got.Shape()...)
		got.Mul(w).Sum().Backward()
		want.Mul(w).Sum().Backward()
		checkClose(t, name+" dA", a.Grad(), c.a, a2.Grad().Data(), 1e-12)
		checkClose(t, name+" dB", b.Grad(), c.b, b2.Grad().Data(), 1e-12)
	}
}

// TestMulAddAccumulates checks the kernel under MatMul directly: it adds
// alpha·op(A)·op(B) into a C that already holds values, for every
// combination of transposes and for results narrow, wide and split across
// cores, against a plain triple loop.
func TestMulAddAccumulates(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 4))
	for _, dims := range [][3]int{{70, 1, 20}, {70, 3, 9}, {70, 40, 20}, {20000, 1, 20}, {5, 2, 3}, {1, 4, 300}, {1, 1, 50},
		{33, 301, 150}, {300, 45, 1000}, {3, 70, 600}, {1000, 1, 5}, {70, 1, 2}} {
		m, n, k := dims[0], dims[1], dims[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				ar, ac, br, bc := m, k, k, n
				if ta {
					ar, ac = k, m
				}
				if tb {
					br, bc = n, k
				}
				a := blas64.General{Rows: ar, Cols: ac, Stride: ac, Data: RandN(rng, ar, ac).Data()}
				b := blas64.General{Rows: br, Cols: bc, Stride: bc, Data: RandN(rng, br, bc).Data()}
				c0 := RandN(rng, m, n).Data()
				c := blas64.General{Rows: m, Cols: n, Stride: n, Data: slices.Clone(c0)}
				mulAdd(0.5, a, ta, b, tb, c)
				for i := range m {
					for j := range n {
						want := 0.0
						for p := range k {
							ai, bi := i*ac+p, p*bc+j
							if ta {
								ai = p*ac + i
							}
							if tb {
								bi = j*bc + p
							}
							av, bv := a.Data[ai], b.Data[bi]
							want += av * bv
						}
						want = c0[i*n+j] + 0.5*want
						if got := c.Data[i*n+j]; !(math.Abs(got-want) <= 1e-12*(1+math.Abs(want))) {
							t.Fatalf("m=%d n=%d k=%d ta=%v tb=%v: C[%d,%d] = %v, want %v", m, n, k, ta, tb, i, j, got, want)
						}
					}
				}
			}
		}
	}
}

func TestMatMulPanics(t *testing.T) {
	cases := []struct {
		a, b []int
		want string
	}{
		{[]int{3, 4}, []int{5, 2}, "not aligned"},
		{[]int{4}, []int{3}, "not aligned"},
		{[]int{3}, []int{4, 2}, "not aligned"},
		{[]int{}, []int{3}, "at least 1 dim"},
		{[]int{2, 3, 4}, []int{3, 4, 5}, "do not broadcast"},
	}
	for _, c := range cases {
		mustPanic(t, c.want, func() { Zeros(c.a...).MatMul(Zeros(c.b...)) })
	}
}

func TestMT(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 1))
	for _, s := range [][]int{{3, 4}, {1, 5}, {2, 3, 4}, {2, 1, 4, 3}} {
		a := randParam(rng, -1, 1, s...)
		got := a.MT()
		nd := len(s)
		want := make([]float64, 0, a.Len())
		batch, r, c := splitMat("test", s)
		for m := 0; m < numel(batch); m++ {
			for j := 0; j < c; j++ { // row j of the result is column j of a
				for i := 0; i < r; i++ {
					want = append(want, a.Data()[m*r*c+i*c+j])
				}
			}
		}
		ws := cloneInts(s)
		ws[nd-2], ws[nd-1] = s[nd-1], s[nd-2]
		// a pure copy: exact
		checkClose(t, fmt.Sprintf("MT %v", s), got, ws, want, 0)
		checkGrad(t, fmt.Sprintf("MT %v", s), func(in []*Tensor) *Tensor { return in[0].MT() }, a)
	}
	mustPanic(t, "fewer than 2 dims", func() { Zeros(3).MT() })
}

func TestTrilTriu(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 1))
	for _, s := range [][]int{{4, 4}, {3, 5}, {5, 3}, {2, 3, 4}} {
		a := randParam(rng, -1, 1, s...)
		batch, r, c := splitMat("test", s)
		for k := -5; k <= 5; k++ {
			for _, lower := range []bool{true, false} {
				name := fmt.Sprintf("Triu(%d) %v", k, s)
				f := func(x *Tensor) *Tensor { return x.Triu(k) }
				if lower {
					name = fmt.Sprintf("Tril(%d) %v", k, s)
					f = func(x *Tensor) *Tensor { return x.Tril(k) }
				}
				want := make([]float64, a.Len())
				for m := 0; m < numel(batch); m++ {
					for i := 0; i < r; i++ {
						for j := 0; j < c; j++ {
							if (lower && j-i <= k) || (!lower && j-i >= k) {
								o := m*r*c + i*c + j
								want[o] = a.Data()[o]
							}
						}
					}
				}
				// definition of the triangles: exact
				checkClose(t, name, f(a), s, want, 0)
				checkGrad(t, name, func(in []*Tensor) *Tensor { return f(in[0]) }, a)
			}
		}
	}
	mustPanic(t, "fewer than 2 dims", func() { Zeros(3).Tril(0) })
}

func TestDiagonalDiagEmbed(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 1))
	for _, s := range [][]int{{4, 4}, {3, 5}, {5, 3}, {2, 3, 3}, {2, 1, 2, 4}} {
		a := randParam(rng, -1, 1, s...)
		batch, r, c := splitMat("test", s)
		p := min(r, c)
		var want []float64
		for m := 0; m < numel(batch); m++ {
			for i := 0; i < p; i++ {
				want = append(want, a.Data()[m*r*c+i*c+i])
			}
		}
		// a pure gather: exact
		checkClose(t, fmt.Sprintf("Diagonal %v", s), a.Diagonal(), append(cloneInts(batch), p), want, 0)
		checkGrad(t, fmt.Sprintf("Diagonal %v", s), func(in []*Tensor) *Tensor { return in[0].Diagonal() }, a)
	}
	for _, s := range [][]int{{1}, {3}, {2, 4}, {2, 1, 3}} {
		v := randParam(rng, -1, 1, s...)
		n := s[len(s)-1]
		nb := v.Len() / n
		want := make([]float64, nb*n*n)
		for m := 0; m < nb; m++ {
			for i := 0; i < n; i++ {
				want[m*n*n+i*n+i] = v.Data()[m*n+i]
			}
		}
		// a pure scatter: exact
		checkClose(t, fmt.Sprintf("DiagEmbed %v", s), v.DiagEmbed(), append(cloneInts(s), n), want, 0)
		checkClose(t, "Diagonal∘DiagEmbed", v.DiagEmbed().Diagonal(), s, v.Data(), 0)
		checkGrad(t, fmt.Sprintf("DiagEmbed %v", s), func(in []*Tensor) *Tensor { return in[0].DiagEmbed() }, v)
	}
	mustPanic(t, "fewer than 2 dims", func() { Zeros(3).Diagonal() })
	mustPanic(t, "no last dim", func() { Scalar(1).DiagEmbed() })
}

// spd returns a batch of well-conditioned symmetric positive-definite
// matrices X Xᵀ + n·I with standard normal X.
func spd(rng *rand.Rand, shape ...int) *Tensor {
	n := shape[len(shape)-1]
	x := RandN(rng, shape...)
	return x.MatMul(x.MT()).Add(Eye(n).MulScalar(float64(n)))
}

func TestCholeskyMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 1))
	for _, s := range [][]int{{1, 1}, {2, 2}, {5, 5}, {70, 70}, {3, 4, 4}, {2, 1, 3, 3}} {
		a := spd(rng, s...)
		// garbage above the diagonal must be ignored
		noisy := a.Add(RandN(rng, s...).Triu(1))
		got := noisy.Cholesky()
		batch, n, _ := splitMat("test", s)
		var want []float64
		for m := 0; m < numel(batch); m++ {
			sym := mat.NewSymDense(n, append([]float64(nil), a.Data()[m*n*n:(m+1)*n*n]...))
			var ch mat.Cholesky
			if !ch.Factorize(sym) {
				t.Fatalf("gonum: %v not positive definite", s)
			}
			var l mat.TriDense
			ch.LTo(&l)
			want = append(want, mat.DenseCopyOf(&l).RawMatrix().Data...)
		}
		// both are LAPACK dpotrf up to blocking; entries are O(√n)
		checkClose(t, fmt.Sprintf("Cholesky %v", s), got, s, want, 1e-12)
		// and L Lᵀ reproduces A (backward stable: error ~ n·eps·|A|)
		rec := got.MatMul(got.MT())
		checkClose(t, fmt.Sprintf("L Lᵀ %v", s), rec, s, a.Data(), 1e-12)
	}
}

func TestGradCholesky(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 2))
	// Differentiate through the symmetric parameterization A = X Xᵀ + n·I so
	// that finite differences move A only along symmetric directions.
	for _, s := range [][]int{{1, 1}, {3, 3}, {5, 5}, {2, 3, 3}} {
		x := randParam(rng, -1, 1, s...)
		n := s[len(s)-1]
		shift := Eye(n).MulScalar(float64(n))
		checkGrad(t, fmt.Sprintf("Cholesky %v", s), func(in []*Tensor) *Tensor {
			return in[0].MatMul(in[0].MT()).Add(shift).Cholesky()
		}, x)
	}
	// The gradient with respect to a leaf A is symmetric.
	a := spd(rng, 4, 4).Detach().SetRequiresGrad(true)
	w := RandN(rng, 4, 4)
	a.Cholesky().Mul(w).Sum().Backward()
	g := a.Grad()
	for i := 0; i < 4; i++ {
		for j := 0; j < i; j++ {
			if g.At(i, j) != g.At(j, i) {
				t.Errorf("Cholesky gradient not symmetric at (%d,%d): %g vs %g", i, j, g.At(i, j), g.At(j, i))
			}
		}
	}
}

func TestCholeskyNotPositiveDefinite(t *testing.T) {
	cases := []struct {
		name  string
		a     *Tensor
		entry string
	}{
		{"indefinite", New([]float64{1, 2, 2, 1}, 2, 2), ""},
		{"negative", New([]float64{-1}, 1, 1), ""},
		{"NaN", New([]float64{1, 0, math.NaN(), 1}, 2, 2), ""},
		{"second of batch", New([]float64{2, 0, 0, 2, 1, 0, 0, -1}, 2, 2, 2), "batch entry 1"},
	}
	for _, c := range cases {
		l, err := c.a.CholeskyErr()
		if l != nil || !errors.Is(err, ErrNotPositiveDefinite) {
			t.Errorf("%s: CholeskyErr = %v, %v; want nil, ErrNotPositiveDefinite", c.name, l, err)
			continue
		}
		if !strings.Contains(err.Error(), c.entry) || !strings.Contains(err.Error(), fmt.Sprint(c.a.Shape())) {
			t.Errorf("%s: error %q does not name shape %v and %q", c.name, err, c.a.Shape(), c.entry)
		}
		func() {
			defer func() {
				r := recover()
				e, ok := r.(error)
				if !ok || !errors.Is(e, ErrNotPositiveDefinite) {
					t.Errorf("%s: Cholesky panicked with %v; want ErrNotPositiveDefinite", c.name, r)
				}
			}()
			c.a.Cholesky()
		}()
	}
	mustPanic(t, "tensor: Cholesky: matrix not positive definite", func() { New([]float64{0}, 1, 1).Cholesky() })
	mustPanic(t, "square", func() { Zeros(2, 3).Cholesky() })
	mustPanic(t, "fewer than 2 dims", func() { Zeros(3).Cholesky() })
}

// triangularTestMatrix returns a random matrix whose diagonal lies in [1, 2]
// and other entries in [-0.5, 0.5], so that its triangles are well
// conditioned.
func triangularTestMatrix(rng *rand.Rand, shape ...int) *Tensor {
	a := RandU(rng, shape...)
	batch, n, _ := splitMat("test", shape)
	for m := 0; m < numel(batch); m++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				v := &a.data[m*n*n+i*n+j]
				if i == j {
					*v++
				} else {
					*v -= 0.5
				}
			}
		}
	}
	return a
}

var solveCases = []struct{ a, b, out []int }{
	{[]int{4, 4}, []int{4, 3}, []int{4, 3}},
	{[]int{1, 1}, []int{1, 1}, []int{1, 1}},
	{[]int{4, 4}, []int{4}, []int{4}},
	{[]int{2, 4, 4}, []int{4}, []int{2, 4}},
	{[]int{2, 4, 4}, []int{4, 2}, []int{2, 4, 2}},
	{[]int{4, 4}, []int{3, 4, 2}, []int{3, 4, 2}},
	{[]int{2, 1, 3, 3}, []int{4, 3, 1}, []int{2, 4, 3, 1}},
	{[]int{3, 3}, []int{3, 0}, []int{3, 0}},
}

func TestSolveTriangularMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(26, 1))
	for _, c := range solveCases {
		for _, lower := range []bool{true, false} {
			a := triangularTestMatrix(rng, c.a...)
			b := RandN(rng, c.b...)
			got := a.SolveTriangular(b, lower)
			bp := b
			if b.Dim() == 1 {
				bp = b.Reshape(b.Len(), 1)
			}
			kind := mat.Upper
			if lower {
				kind = mat.Lower
			}
			var want []float64
			eachMatrix(a, bp, func(_ int, am, bm *mat.Dense) {
				if bm == nil {
					return
				}
				n, _ := am.Dims()
				tri := mat.NewTriDense(n, kind, nil)
				tri.Copy(am) // copies only the triangle
				var x mat.Dense
				if err := tri.SolveTo(&x, false, bm); err != nil {
					t.Fatalf("gonum: %v", err)
				}
				want = append(want, x.RawMatrix().Data...)
			})
			// gonum uses LAPACK dtrtrs, the same substitution; the test
			// triangles have condition numbers of order 10
			checkClose(t, fmt.Sprintf("SolveTriangular %v \\ %v lower=%v", c.a, c.b, lower), got, c.out, want, 1e-12)
		}
	}
	mustPanic(t, "need square", func() { Zeros(3, 4).SolveTriangular(Zeros(3, 1), true) })
	mustPanic(t, "need square", func() { Zeros(3, 3).SolveTriangular(Zeros(4, 1), true) })
	mustPanic(t, "need square", func() { Zeros(3, 3).SolveTriangular(Zeros(4), true) })
	mustPanic(t, "do not broadcast", func() { Zeros(2, 3, 3).SolveTriangular(Zeros(3, 3, 1), true) })
}

func TestGradSolveTriangular(t *testing.T) {
	rng := rand.New(rand.NewPCG(26, 2))
	for _, c := range solveCases {
		if numel(c.out) == 0 {
			continue
		}
		for _, lower := range []bool{true, false} {
			a := triangularTestMatrix(rng, c.a...).SetRequiresGrad(true)
			b := randParam(rng, -1, 1, c.b...)
			// entries of a outside its triangle are not read: their
			// gradient must be 0, which finite differences confirm
			checkGrad(t, fmt.Sprintf("SolveTriangular %v \\ %v lower=%v", c.a, c.b, lower), func(in []*Tensor) *Tensor {
				return in[0].SolveTriangular(in[1], lower)
			}, a, b)
		}
	}
}

func TestSolveTriangularBatchedMatchesSingle(t *testing.T) {
	// A batch large enough to be split across cores, with both operands
	// broadcast, against one solve per pair of matrices.
	rng := rand.New(rand.NewPCG(26, 3))
	const na, nbat, n, k = 20, 3, 30, 5
	for _, lower := range []bool{true, false} {
		a := triangularTestMatrix(rng, na, 1, n, n).SetRequiresGrad(true)
		b := randParam(rng, -1, 1, nbat, n, k)
		w := RandN(rng, na, nbat, n, k)
		x := a.SolveTriangular(b, lower)
		x.Mul(w).Sum().Backward()
		as := make([]*Tensor, na)
		for i := range as {
			as[i] = Param(a.Data()[i*n*n:(i+1)*n*n], n, n)
		}
		bs := make([]*Tensor, nbat)
		for j := range bs {
			bs[j] = Param(b.Data()[j*n*k:(j+1)*n*k], n, k)
		}
		for i := range as {
			for j := range bs {
				o := (i*nbat + j) * n * k
				xij := as[i].SolveTriangular(bs[j], lower)
				// the same substitution on the same data: identical up to
				// summation order across the split
				checkClose(t, fmt.Sprintf("X[%d,%d]", i, j), New(x.Data()[o:o+n*k], n, k), []int{n, k}, xij.Data(), 1e-13)
				xij.Mul(New(w.Data()[o:o+n*k], n, k)).Sum().Backward()
			}
		}
		for i := range as {
			checkClose(t, fmt.Sprintf("dA[%d] lower=%v", i, lower), New(a.Grad().Data()[i*n*n:(i+1)*n*n], n, n), []int{n, n}, as[i].Grad().Data(), 1e-12)
		}
		for j := range bs {
			checkClose(t, fmt.Sprintf("dB[%d] lower=%v", j, lower), New(b.Grad().Data()[j*n*k:(j+1)*n*k], n, k), []int{n, k}, bs[j].Grad().Data(), 1e-12)
		}
	}
}

// logDetChol returns log det A for symmetric positive-definite A, as
// 2 Σ log diag(cholesky(A)).
func logDetChol(a *Tensor) *Tensor {
	return a.Cholesky().Diagonal().Log().SumDims(false, -1).MulScalar(2)
}

func TestLogDetCholesky(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 1))
	// the last two shapes reach LAPACK's blocked factorization and the
	// batch split across cores
	for _, s := range [][]int{{1, 1}, {2, 2}, {4, 4}, {9, 9}, {70, 70}, {4, 40, 40}} {
		a := spd(rng, s...).Detach().SetRequiresGrad(true)
		ld := logDetChol(a)
		ld.Sum().Backward()
		batch, n, _ := splitMat("test", s)
		for m := 0; m < numel(batch); m++ {
			sym := mat.NewSymDense(n, append([]float64(nil), a.Data()[m*n*n:(m+1)*n*n]...))
			var ch mat.Cholesky
			if !ch.Factorize(sym) {
				t.Fatalf("gonum: not positive definite")
			}
			// gonum's LogDet sums the same logs of the same factor
			if got, want := ld.Data()[m], ch.LogDet(); !closeRel(got, want, 1e-13, 1e-13) {
				t.Errorf("%v[%d]: log det %.15g, gonum %.15g", s, m, got, want)
			}
			// d log det A / dA = A⁻¹ (closed form), compared with gonum's
			// inverse; A = X Xᵀ + n·I has condition number below 10, so the
			// two inverses agree to rounding
			var inv mat.SymDense
			if err := ch.InverseTo(&inv); err != nil {
				t.Fatal(err)
			}
			want := mat.DenseCopyOf(&inv).RawMatrix().Data
			got := New(a.Grad().Data()[m*n*n:(m+1)*n*n], n, n)
			checkClose(t, fmt.Sprintf("%v[%d]: gradient of log det", s, m), got, []int{n, n}, want, 1e-12)
		}
	}
	// finite differences through A = X Xᵀ + n·I, batched
	x := randParam(rng, -1, 1, 2, 3, 3)
	shift := Eye(3).MulScalar(3)
	checkGrad(t, "log det", func(in []*Tensor) *Tensor {
		return logDetChol(in[0].MatMul(in[0].MT()).Add(shift))
	}, x)
}
