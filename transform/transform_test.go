package transform

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/vigo-ppl/vigo/tensor"
)

const batch = 4 // events per test input

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// lowerIdx returns the flat indices (row-major in an n×n matrix) of the
// entries with j <= i+k, each repeated for rows of blocks blocks of n*n.
func lowerIdx(n, k int) []int {
	var idx []int
	for i := 0; i < n; i++ {
		for j := 0; j <= i+k && j < n; j++ {
			idx = append(idx, i*n+j)
		}
	}
	return idx
}

// firstOf returns the indices 0..m-1 of each of rows blocks of length size.
func firstOf(rows, size, m int) []int {
	var idx []int
	for r := 0; r < rows; r++ {
		for j := 0; j < m; j++ {
			idx = append(idx, r*size+j)
		}
	}
	return idx
}

// randLower returns batch random n×n lower-triangular matrices (upper
// triangle exactly zero), strictly lower if strict.
func randLower(rng *rand.Rand, n int, strict bool) *tensor.Tensor {
	k := 0
	if strict {
		k = -1
	}
	return tensor.RandN(rng, batch, n, n).Tril(k)
}

func randN(rng *rand.Rand, scale float64, shape ...int) *tensor.Tensor {
	return tensor.RandN(rng, shape...).MulScalar(scale)
}

func affineParams() (loc, scale *tensor.Tensor) {
	return tensor.Vector(0.5, -1, 2), tensor.Vector(2, -0.5, 3)
}

// transformCase is a transform with inputs in its domain. inFree and
// outFree list the free coordinates inside one flattened domain and
// codomain event (nil: all); the log-det Jacobian is checked between them.
type transformCase struct {
	name    string
	t       Transform
	x       func(rng *rand.Rand) *tensor.Tensor
	inFree  []int
	outFree []int
	exact   bool // Inverse(Forward(x)) gives x back
	symIn   bool // inputs are symmetric matrices, read through their lower triangle
	noJac   bool // LogAbsDetJacobian is undefined and panics
}

func transformCases() []transformCase {
	loc, scale := affineParams()
	normal := func(s float64, shape ...int) func(*rand.Rand) *tensor.Tensor {
		return func(rng *rand.Rand) *tensor.Tensor { return randN(rng, s, shape...) }
	}
	positive := func(rng *rand.Rand) *tensor.Tensor { return randN(rng, 1, batch, 3).Exp() }
	lower := func(n int) func(*rand.Rand) *tensor.Tensor {
		return func(rng *rand.Rand) *tensor.Tensor { return randLower(rng, n, false) }
	}
	choleskyFactor := func(rng *rand.Rand) *tensor.Tensor { return LowerCholesky.Forward(randLower(rng, 3, false)) }
	corrFactor := func(n int) func(*rand.Rand) *tensor.Tensor {
		return func(rng *rand.Rand) *tensor.Tensor { return CorrCholesky.Forward(randN(rng, 1, batch, n*(n-1)/2)) }
	}
	simplex := func(rng *rand.Rand) *tensor.Tensor { return StickBreaking.Forward(randN(rng, 1, batch, 3)) }
	return []transformCase{
		{name: "Identity", t: Identity, x: normal(2, batch, 3), exact: true},
		{name: "Exp", t: Exp, x: normal(2, batch, 3), exact: true},
		{name: "Sigmoid", t: Sigmoid, x: normal(2, batch, 3), exact: true},
		{name: "Softplus", t: Softplus, x: normal(2, batch, 3), exact: true},
		{name: "Tanh", t: Tanh, x: normal(2, batch, 3), exact: true},
		{name: "Power", t: Power(tensor.Vector(0.5, 2, -1.5)), x: positive, exact: true},
		{name: "Affine/event0", t: Affine(loc, scale, 0), x: normal(1, batch, 3), exact: true},
		{name: "Affine/event1", t: Affine(loc, scale, 1), x: normal(1, batch, 3), exact: true},
		{name: "Affine/scalar_event2", t: Affine(tensor.Scalar(1), tensor.Scalar(-2), 2), x: normal(1, batch, 2, 3), exact: true},
		{name: "Softmax", t: Softmax, x: normal(2, batch, 4), noJac: true},
		{name: "StickBreaking/K4", t: StickBreaking, x: normal(2, batch, 3), outFree: firstOf(1, 4, 3), exact: true},
		{name: "StickBreaking/K2", t: StickBreaking, x: normal(2, batch, 1), outFree: firstOf(1, 2, 1), exact: true},
		{name: "Ordered", t: Ordered, x: normal(1, batch, 4), exact: true},
		{name: "Normalize", t: Normalize, x: normal(1, batch, 3), noJac: true},
		{name: "LowerCholesky", t: LowerCholesky, x: lower(3), inFree: lowerIdx(3, 0), outFree: lowerIdx(3, 0), exact: true},
		{name: "SoftplusLowerCholesky", t: SoftplusLowerCholesky, x: lower(3), inFree: lowerIdx(3, 0), outFree: lowerIdx(3, 0), exact: true},
		{name: "UnitLowerCholesky", t: UnitLowerCholesky, x: func(rng *rand.Rand) *tensor.Tensor { return randLower(rng, 3, true) },
			inFree: lowerIdx(3, -1), outFree: lowerIdx(3, -1)},
		{name: "CholeskyOuter", t: CholeskyOuter, x: choleskyFactor, inFree: lowerIdx(3, 0), outFree: lowerIdx(3, 0), exact: true},
		{name: "CorrCholeskyOuter", t: CorrCholeskyOuter, x: corrFactor(4), inFree: lowerIdx(4, -1), outFree: lowerIdx(4, -1), exact: true},
		{name: "PositiveDefinite", t: PositiveDefinite, x: lower(3), inFree: lowerIdx(3, 0), outFree: lowerIdx(3, 0), exact: true},
		{name: "CorrCholesky/n2", t: CorrCholesky, x: normal(1, batch, 1), outFree: lowerIdx(2, -1), exact: true},
		{name: "CorrCholesky/n3", t: CorrCholesky, x: normal(1, batch, 3), outFree: lowerIdx(3, -1), exact: true},
		{name: "CorrCholesky/n5", t: CorrCholesky, x: normal(1, batch, 10), outFree: lowerIdx(5, -1), exact: true},
		{name: "CorrMatrix", t: Compose(CorrCholesky, CorrCholeskyOuter), x: normal(1, batch, 6), outFree: lowerIdx(4, -1), exact: true},
		{name: "Compose/Exp_Affine", t: Compose(Exp, Affine(tensor.Scalar(2), tensor.Scalar(3), 0)), x: normal(2, batch, 3), exact: true},
		{name: "Compose/Sigmoid_Affine", t: Compose(Sigmoid, Affine(tensor.Scalar(-1), tensor.Scalar(4), 0)), x: normal(2, batch, 3), exact: true},
		{name: "Compose/Ordered_Exp", t: Compose(Ordered, Exp), x: normal(1, batch, 4), exact: true},
		{name: "Compose/Exp_StickBreaking", t: Compose(Exp, StickBreaking), x: normal(0.5, batch, 3), outFree: firstOf(1, 4, 3), exact: true},
		{name: "Inverse/Exp", t: Inverse(Exp), x: positive, exact: true},
		{name: "Inverse/StickBreaking", t: Inverse(StickBreaking), x: simplex, inFree: firstOf(1, 4, 3), exact: true},
		{name: "Inverse/CorrCholesky", t: Inverse(CorrCholesky), x: corrFactor(3), inFree: lowerIdx(3, -1), exact: true},
		{name: "Inverse/CholeskyOuter", t: Inverse(CholeskyOuter), x: func(rng *rand.Rand) *tensor.Tensor {
			return PositiveDefinite.Forward(randLower(rng, 3, false))
		}, inFree: lowerIdx(3, 0), outFree: lowerIdx(3, 0), exact: true, symIn: true},
		{name: "Independent/Exp", t: Independent(Exp, 1), x: normal(1, batch, 3), exact: true},
		{name: "Independent/StickBreaking", t: Independent(StickBreaking, 1), x: normal(1, batch, 2, 3), outFree: firstOf(2, 4, 3), exact: true},
	}
}

// closeTo reports whether got and want agree within tol, absolutely or
// relatively.
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func TestRoundTrip(t *testing.T) {
	for i, tc := range transformCases() {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.x(newRNG(uint64(100 + i)))
			y := tc.t.Forward(x)
			if got, want := y.Shape(), tc.t.ForwardShape(x.Shape()); !slices.Equal(got, want) {
				t.Fatalf("Forward shape %v, ForwardShape says %v", got, want)
			}
			if got := tc.t.InverseShape(y.Shape()); !slices.Equal(got, x.Shape()) {
				t.Errorf("InverseShape(%v) = %v, want %v", y.Shape(), got, x.Shape())
			}
			if in := tc.t.Domain().Check(x); in.Sum().Item() != float64(in.Len()) {
				t.Errorf("input not in domain %s: %v", tc.t.Domain().Name(), in)
			}
			if in := tc.t.Codomain().Check(y); in.Sum().Item() != float64(in.Len()) {
				t.Errorf("output not in codomain %s: %v", tc.t.Codomain().Name(), in)
			}
			back := tc.t.Inverse(y)
			// Exact round trips lose only rounding (tanh/atanh and the
			// Cholesky factorization amplify it most); 1e-9 leaves room.
			want, got := x, back
			if !tc.exact {
				// Non-injective maps satisfy f(f⁻¹(y)) = y instead.
				want, got = y, tc.t.Forward(back)
			}
			if !slices.Equal(got.Shape(), want.Shape()) {
				t.Fatalf("round trip shape %v, want %v", got.Shape(), want.Shape())
			}
			for k, w := range want.Data() {
				if !closeTo(got.Data()[k], w, 1e-9) {
					t.Fatalf("round trip entry %d = %.17g, want %.17g", k, got.Data()[k], w)
				}
			}
		})
	}
}

// numericLogDet returns log|det J| of the map from the free input
// coordinates of event b of x to the free output coordinates of event b,
// with J from central differences (gonum diff/fd).
func numericLogDet(tr Transform, x *tensor.Tensor, nb, b int, inFree, outFree []int) float64 {
	xd := x.Data()
	evIn := len(xd) / nb
	y := tr.Forward(x)
	evOut := y.Len() / nb
	if inFree == nil {
		inFree = firstOf(1, evIn, evIn)
	}
	if outFree == nil {
		outFree = firstOf(1, evOut, evOut)
	}
	u0 := make([]float64, len(inFree))
	for i, k := range inFree {
		u0[i] = xd[b*evIn+k]
	}
	f := func(dst, u []float64) {
		d := slices.Clone(xd)
		for i, k := range inFree {
			d[b*evIn+k] = u[i]
		}
		yd := tr.Forward(tensor.FromData(d, x.Shape()...)).Data()
		for j, k := range outFree {
			dst[j] = yd[b*evOut+k]
		}
	}
	jac := mat.NewDense(len(outFree), len(inFree), nil)
	fd.Jacobian(jac, f, u0, &fd.JacobianSettings{Formula: fd.Central})
	logDet, _ := mat.LogDet(jac)
	return logDet
}

func TestLogAbsDetJacobian(t *testing.T) {
	worst := 0.0
	for i, tc := range transformCases() {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.x(newRNG(uint64(200 + i)))
			y := tc.t.Forward(x)
			if tc.noJac {
				defer func() {
					if recover() == nil {
						t.Errorf("LogAbsDetJacobian did not panic")
					}
				}()
				tc.t.LogAbsDetJacobian(x, y)
				return
			}
			ladj := tc.t.LogAbsDetJacobian(x, y)
			wantShape := x.Shape()[:x.Dim()-tc.t.DomainEventDim()]
			if !slices.Equal(ladj.Shape(), wantShape) {
				t.Fatalf("LogAbsDetJacobian shape %v, want %v", ladj.Shape(), wantShape)
			}
			for b := range ladj.Len() {
				want := numericLogDet(tc.t, x, ladj.Len(), b, tc.inFree, tc.outFree)
				got := ladj.Data()[b]
				worst = math.Max(worst, math.Abs(got-want))
				// Central differences with gonum's default step (~6e-6)
				// err by about h² times the third derivative plus eps/h
				// per Jacobian entry; near a boundary (the inverses of
				// stick-breaking and of correlation factors) that reached
				// 4e-8 on log|det|, so 1e-6 leaves room without hiding a
				// wrong formula.
				if !closeTo(got, want, 1e-6) {
					t.Errorf("event %d: LogAbsDetJacobian = %.12g, finite differences give %.12g", b, got, want)
				}
			}
		})
	}
	t.Logf("largest |analytic - numeric| log-det difference: %.3g", worst)
}

func TestEventDims(t *testing.T) {
	loc, scale := affineParams()
	tests := []struct {
		t             Transform
		domain, codom int
		bijective     bool
		domainName    string
		codomainName  string
	}{
		{Exp, 0, 0, true, "real", "positive"},
		{Affine(loc, scale, 1), 1, 1, true, "real_vector", "real_vector"},
		{Softmax, 1, 1, false, "real_vector", "simplex"},
		{StickBreaking, 1, 1, true, "real_vector", "simplex"},
		{LowerCholesky, 2, 2, false, "independent(real, 2)", "lower_cholesky"},
		{CorrCholesky, 1, 2, true, "real_vector", "corr_cholesky"},
		{Inverse(CorrCholesky), 2, 1, true, "corr_cholesky", "real_vector"},
		{PositiveDefinite, 2, 2, false, "independent(real, 2)", "positive_definite"},
		{Compose(CorrCholesky, CorrCholeskyOuter), 1, 2, true, "real_vector", "corr_matrix"},
		{Compose(Exp, StickBreaking), 1, 1, true, "real_vector", "simplex"},
		{Compose(Ordered, Exp), 1, 1, true, "real_vector", "independent(positive, 1)"},
		{Independent(Exp, 2), 2, 2, true, "independent(real, 2)", "independent(positive, 2)"},
	}
	for _, tt := range tests {
		if d, c := tt.t.DomainEventDim(), tt.t.CodomainEventDim(); d != tt.domain || c != tt.codom {
			t.Errorf("%v: event dims (%d, %d), want (%d, %d)", tt.t, d, c, tt.domain, tt.codom)
		}
		if tt.t.Bijective() != tt.bijective {
			t.Errorf("%v: Bijective() = %v", tt.t, tt.t.Bijective())
		}
		if got := tt.t.Domain().Name(); got != tt.domainName {
			t.Errorf("%v: Domain() = %s, want %s", tt.t, got, tt.domainName)
		}
		if got := tt.t.Codomain().Name(); got != tt.codomainName {
			t.Errorf("%v: Codomain() = %s, want %s", tt.t, got, tt.codomainName)
		}
	}
}

func TestInverseOfInverse(t *testing.T) {
	for _, tr := range []Transform{Exp, StickBreaking, CorrCholesky, Compose(Exp, Sigmoid)} {
		if Inverse(Inverse(tr)) != tr {
			t.Errorf("Inverse(Inverse(%v)) is not %v", tr, tr)
		}
	}
	if Compose() != Identity || Compose(Exp) != Exp || Independent(Exp, 0) != Exp {
		t.Errorf("degenerate Compose/Independent should return their argument")
	}
}

// TestGradientFlows checks that Forward and LogAbsDetJacobian are
// differentiable in x: the gradient of Σ ladj through the Exp→Affine chain
// is 1 per element (closed form: ladj = x + log 3).
func TestGradientFlows(t *testing.T) {
	x := tensor.Param([]float64{0.1, -0.3, 2}, 3)
	tr := Compose(Exp, Affine(tensor.Scalar(2), tensor.Scalar(3), 0))
	tr.LogAbsDetJacobian(x, tr.Forward(x)).Sum().Backward()
	for i, g := range x.Grad().Data() {
		if g != 1 {
			t.Errorf("grad[%d] = %v, want 1", i, g)
		}
	}
}

func TestShapePanics(t *testing.T) {
	cases := map[string]func(){
		"CorrCholesky bad length":  func() { CorrCholesky.ForwardShape([]int{2, 4}) },
		"CorrCholesky scalar":      func() { CorrCholesky.Forward(tensor.Scalar(1)) },
		"LowerCholesky nonsquare":  func() { LowerCholesky.Forward(tensor.Zeros(2, 3)) },
		"StickBreaking scalar":     func() { StickBreaking.ForwardShape([]int{}) },
		"Softmax scalar":           func() { Softmax.InverseShape([]int{}) },
		"Affine shapes":            func() { Affine(tensor.Zeros(3), tensor.Ones(3), 0).ForwardShape([]int{4}) },
		"Independent too few dims": func() { Independent(Exp, 2).Forward(tensor.Zeros(3)) },
		"Compose nil":              func() { Compose(Exp, nil) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
