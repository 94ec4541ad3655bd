package constraint

import (
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// Distributions check values against their support on every LogProb while
// validation is on, so Check is on the hot path.

func benchCheck(b *testing.B, c Constraint, v *tensor.Tensor) {
	b.ReportAllocs()
	for b.Loop() {
		c.Check(v)
	}
}

func BenchmarkCheckPositive1000(b *testing.B) {
	benchCheck(b, Positive, tensor.RandU(rand.New(rand.NewPCG(1, 2)), 1000))
}

func BenchmarkCheckSimplex100x10(b *testing.B) {
	benchCheck(b, Simplex, tensor.Full(0.1, 100, 10))
}

func BenchmarkCheckPositiveDefinite100x5x5(b *testing.B) {
	eye := tensor.Eye(5).Expand(100, 5, 5)
	benchCheck(b, PositiveDefinite, eye)
}
