package transform

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/vigo-ppl/vigo/tensor"
)

// TestForwardGradients checks reverse-mode gradients through every
// transform against central differences (gonum diff/fd): the scalar
// Σ w·Forward(x) + Σ LogAbsDetJacobian(x, Forward(x)), with fixed random
// weights w, differentiated in every entry of x. Parameters are read
// through these transforms, so their gradients must be right.
func TestForwardGradients(t *testing.T) {
	for i, tc := range transformCases() {
		t.Run(tc.name, func(t *testing.T) {
			rng := newRNG(uint64(400 + i))
			x0 := tc.x(rng)
			w := tensor.RandN(rng, tc.t.ForwardShape(x0.Shape())...)
			objective := func(x *tensor.Tensor) *tensor.Tensor {
				y := tc.t.Forward(x)
				s := y.Mul(w).Sum()
				if !tc.noJac {
					s = s.Add(tc.t.LogAbsDetJacobian(x, y).Sum())
				}
				return s
			}
			x := tensor.Param(slices.Clone(x0.Data()), x0.Shape()...)
			objective(x).Backward()
			got := x.Grad().Data()
			want := fd.Gradient(nil, func(v []float64) float64 {
				return objective(tensor.New(v, x0.Shape()...)).Item()
			}, x0.Data(), &fd.Settings{Formula: fd.Central})
			if tc.symIn {
				// The Cholesky factorization reads only the lower
				// triangle, while its backward rule (as PyTorch's)
				// spreads the gradient symmetrically over both. Compare
				// along symmetric perturbations: the derivative in a
				// lower entry moved together with its mirror.
				got, want = symmetricGrads(objective, x0, got)
			}
			for k := range want {
				// Central differences are accurate to about 1e-8 here
				// (see TestLogAbsDetJacobian); 1e-5 relative is far
				// below the size of any wrong backward rule.
				if !(math.Abs(got[k]-want[k]) <= 1e-5*math.Max(1, math.Abs(want[k]))) {
					t.Errorf("d/dx[%d] = %.10g, finite differences give %.10g", k, got[k], want[k])
				}
			}
		})
	}
}

// symmetricGrads returns, for each entry (i, j) with j <= i of the square
// matrices of x0, the autograd derivative along the symmetric perturbation
// of (i, j) and (j, i) (from the full gradient g) and its central-difference
// estimate.
func symmetricGrads(objective func(*tensor.Tensor) *tensor.Tensor, x0 *tensor.Tensor, g []float64) (got, want []float64) {
	n := x0.Shape()[x0.Dim()-1]
	var pos [][2]int // flat offsets of (i, j) and (j, i)
	for m := 0; m < x0.Len(); m += n * n {
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				pos = append(pos, [2]int{m + i*n + j, m + j*n + i})
			}
		}
	}
	for _, p := range pos {
		if p[0] == p[1] {
			got = append(got, g[p[0]])
		} else {
			got = append(got, g[p[0]]+g[p[1]])
		}
	}
	u0 := make([]float64, len(pos))
	for k, p := range pos {
		u0[k] = x0.Data()[p[0]]
	}
	want = fd.Gradient(nil, func(u []float64) float64 {
		d := slices.Clone(x0.Data())
		for k, p := range pos {
			d[p[0]], d[p[1]] = u[k], u[k]
		}
		return objective(tensor.New(d, x0.Shape()...)).Item()
	}, u0, &fd.Settings{Formula: fd.Central})
	return got, want
}
