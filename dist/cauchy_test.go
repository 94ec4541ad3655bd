package dist

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// TestCauchyLogProbMatchesChain checks the fused Cauchy log-density against
// the same formula written with tensor ops, values and gradients of value,
// loc and scale, for scalar and batched operands in every combination (a
// scalar operand's gradient is reduced, a batched one's is elementwise),
// on more elements than one chunk.
func TestCauchyLogProbMatchesChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	shapes := [][]int{{}, {5}, {3*chunkSize + 7}}
	for _, xs := range shapes {
		for _, ls := range shapes[:2] {
			for _, ss := range shapes[:2] {
				if len(xs) > 0 && len(ls) > 0 && xs[0] != ls[0] {
					continue
				}
				if len(xs) > 0 && len(ss) > 0 && xs[0] != ss[0] {
					continue
				}
				x0, l0 := tensor.RandN(rng, xs...), tensor.RandN(rng, ls...)
				s0 := tensor.RandU(rng, ss...).AddScalar(0.5)
				leaves := func() []*tensor.Tensor {
					return []*tensor.Tensor{
						tensor.Param(x0.Data(), xs...), tensor.Param(l0.Data(), ls...), tensor.Param(s0.Data(), ss...),
					}
				}
				f := leaves()
				fused := cauchyLogProb(f[0], f[1], f[2], math.Ln2)
				c := leaves()
				z := c[0].Sub(c[1]).Div(c[2])
				chain := z.Square().Log1p().Add(c[2].Log()).AddScalar(math.Log(math.Pi) - math.Ln2).Neg()
				for i, v := range fused.Data() {
					if w := chain.Data()[i]; math.Abs(v-w) > 1e-13*(1+math.Abs(w)) {
						t.Fatalf("x %v loc %v scale %v [%d]: %g, chain %g", xs, ls, ss, i, v, w)
					}
				}
				w := tensor.RandN(rng, fused.Shape()...)
				gf := tensor.Gradients(fused.Mul(w).Sum(), f...)
				gc := tensor.Gradients(chain.Mul(w).Sum(), c...)
				for k := range gf {
					for i, v := range gf[k].Data() {
						if u := gc[k].Data()[i]; math.Abs(v-u) > 1e-10*(1+math.Abs(u)) {
							t.Fatalf("x %v loc %v scale %v: gradient of input %d [%d] %g, chain %g", xs, ls, ss, k, i, v, u)
						}
					}
				}
			}
		}
	}
}
