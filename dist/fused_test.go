package dist

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// checkReduce checks a fused backward pass's two modes against each other:
// with reduce, the gradient must equal g ⊙ (elementwise partials) summed to
// each input's shape.
func checkReduce(t *testing.T, name string, ins []*tensor.Tensor, out *tensor.Tensor, bw fusedBackward, want wantSet) {
	t.Helper()
	g := tensor.RandN(rand.New(rand.NewPCG(8, 8)), out.Shape()...)
	parts := make([]*tensor.Tensor, len(ins))
	bw(nil, want, false, parts)
	red := make([]*tensor.Tensor, len(ins))
	bw(g.Data(), want, true, red)
	for i, in := range ins {
		if !want[i] {
			if red[i] != nil {
				t.Errorf("%s input %d: gradient not asked for", name, i)
			}
			continue
		}
		ref := g.Mul(parts[i]).SumTo(in.Shape())
		got := red[i]
		if got == nil || len(got.Shape()) != len(in.Shape()) {
			t.Fatalf("%s input %d: gradient shape %v for input %v", name, i, got.Shape(), in.Shape())
		}
		for j, v := range got.Data() {
			// the same sums in another order
			if math.Abs(v-ref.Data()[j]) > 1e-12*(1+math.Abs(ref.Data()[j])) {
				t.Errorf("%s input %d [%d]: reduced %g, from partials %g", name, i, j, v, ref.Data()[j])
			}
		}
	}
}

// TestFusedReduceMatchesPartials covers the reducing backward passes of the
// fused kernels, for scalar, broadcast and full-shape operands, on more
// elements than one chunk so the per-chunk sums are exercised.
func TestFusedReduceMatchesPartials(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 3*chunkSize + 17
	x := tensor.RandU(rng, n, 2).AddScalar(0.1)
	shapes := [][2][]int{{{}, {}}, {{2}, {1, 2}}, {{n, 2}, {2}}, {{n, 1}, {n, 2}}}
	for _, sh := range shapes {
		loc := tensor.RandN(rng, sh[0]...)
		scale := tensor.RandU(rng, sh[1]...).AddScalar(0.5)
		for _, logx := range []bool{false, true} {
			out, _, bw := normalKernel(x, loc, scale, logx)
			ins := []*tensor.Tensor{x, loc, scale}
			checkReduce(t, "normal", ins, out, bw, wantSet{true, true, true})
			// an observed value: the scalar-parameter fast path
			checkReduce(t, "normal", ins, out, bw, wantSet{false, true, true})
			checkReduce(t, "normal", ins, out, bw, wantSet{false, false, true})
		}
	}
	for _, ash := range [][]int{{}, {2}, {n, 2}} {
		alpha := tensor.RandU(rng, ash...).AddScalar(0.2)
		out, bw := standardGammaKernel(rng, alpha, []int{n, 2})
		checkReduce(t, "gamma", []*tensor.Tensor{alpha}, out, bw, wantSet{true})
	}
}
