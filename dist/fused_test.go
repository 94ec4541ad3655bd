package dist

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// checkReduce checks a fused backward pass's two modes against each other:
// with an incoming gradient g, the gradient of each input that requires one
// must equal g ⊙ (elementwise partials) summed to that input's shape, and
// inputs that require none get none.
func checkReduce(t *testing.T, name string, ins []*tensor.Tensor, out *tensor.Tensor, bw fusedBackward) {
	t.Helper()
	g := tensor.RandN(rand.New(rand.NewPCG(8, 8)), out.Shape()...)
	parts := make([]*tensor.Tensor, len(ins))
	bw(out, nil, parts)
	red := make([]*tensor.Tensor, len(ins))
	bw(out, g, red)
	for i, in := range ins {
		if !in.RequiresGrad() {
			if red[i] != nil {
				t.Errorf("%s input %d: gradient not asked for", name, i)
			}
			continue
		}
		ref := g.Mul(parts[i]).SumTo(in.Shape())
		got := red[i]
		if got == nil || len(got.Shape()) != len(in.Shape()) {
			t.Fatalf("%s input %d: gradient %v for input shape %v", name, i, got, in.Shape())
		}
		for j, v := range got.Data() {
			// the same sums in another order
			if !(math.Abs(v-ref.Data()[j]) <= 1e-12*(1+math.Abs(ref.Data()[j]))) {
				t.Errorf("%s input %d [%d]: reduced %g, from partials %g", name, i, j, v, ref.Data()[j])
			}
		}
	}
}

// withGrads returns copies of ts, each requiring a gradient where want says.
func withGrads(ts []*tensor.Tensor, want ...bool) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, t := range ts {
		out[i] = t.Detach().Clone().SetRequiresGrad(want[i])
	}
	return out
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
			// every input, then an observed value (the scalar-parameter
			// fast path), then the scale alone
			for _, want := range [][]bool{{true, true, true}, {false, true, true}, {false, false, true}} {
				ins := withGrads([]*tensor.Tensor{x, loc, scale}, want...)
				out, _, bw := normalKernel(ins[0], ins[1], ins[2], logx)
				checkReduce(t, "normal", ins, out, bw)
			}
		}
	}
	for _, ash := range [][]int{{}, {2}, {n, 2}} {
		alpha := withGrads([]*tensor.Tensor{tensor.RandU(rng, ash...).AddScalar(0.2)}, true)
		out, bw := standardGammaKernel(rng, alpha[0], []int{n, 2})
		checkReduce(t, "gamma", alpha, out, bw)
	}
}
