package transform

import (
	"testing"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// Parameters are read through TransformTo(c).Forward on every step, and
// densities carried through BijectTo add the log-det Jacobian; these
// benchmarks time both for typical sizes.

func benchForward(b *testing.B, c constraint.Constraint, xShape ...int) {
	tr, err := TransformTo(c)
	if err != nil {
		b.Fatal(err)
	}
	x := tensor.RandN(newRNG(1), xShape...)
	b.ReportAllocs()
	for b.Loop() {
		tr.Forward(x)
	}
}

func BenchmarkForwardPositive1000(b *testing.B) { benchForward(b, constraint.Positive, 1000) }
func BenchmarkForwardInterval1000(b *testing.B) {
	benchForward(b, constraint.Interval(-1, 2), 1000)
}
func BenchmarkForwardSimplex100x10(b *testing.B) { benchForward(b, constraint.Simplex, 100, 10) }
func BenchmarkForwardLowerCholesky100x5x5(b *testing.B) {
	benchForward(b, constraint.LowerCholesky, 100, 5, 5)
}
func BenchmarkForwardCorrCholesky100x5(b *testing.B) {
	benchForward(b, constraint.CorrCholesky, 100, 10)
}

func benchLogDet(b *testing.B, tr Transform, xShape ...int) {
	x := tensor.RandN(newRNG(1), xShape...)
	y := tr.Forward(x)
	b.ReportAllocs()
	for b.Loop() {
		tr.LogAbsDetJacobian(x, y)
	}
}

func BenchmarkLogDetStickBreaking100x9(b *testing.B) { benchLogDet(b, StickBreaking, 100, 9) }
func BenchmarkLogDetCorrCholesky100x5(b *testing.B)  { benchLogDet(b, CorrCholesky, 100, 10) }
