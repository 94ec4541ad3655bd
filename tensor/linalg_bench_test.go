package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMatMul times the product of two n×n matrices and its backward
// pass into both operands.
func BenchmarkMatMul(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprintf("%dx%d", n, n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			x := randParam(rng, -1, 1, n, n)
			y := randParam(rng, -1, 1, n, n)
			seed := Ones(n, n)
			b.ReportAllocs()
			for b.Loop() {
				x.ClearGrad()
				y.ClearGrad()
				x.MatMul(y).BackwardWith(seed)
			}
		})
	}
}

// BenchmarkMatMulBatched times a broadcast batch of small products, the
// shape of per-datum covariance work: (1000, 3, 3) × (3, 3).
func BenchmarkMatMulBatched(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := randParam(rng, -1, 1, 1000, 3, 3)
	y := randParam(rng, -1, 1, 3, 3)
	seed := Ones(1000, 3, 3)
	b.ReportAllocs()
	for b.Loop() {
		x.ClearGrad()
		y.ClearGrad()
		x.MatMul(y).BackwardWith(seed)
	}
}

// BenchmarkCholesky times the factor of an n×n positive-definite matrix and
// its backward pass.
func BenchmarkCholesky(b *testing.B) {
	for _, n := range []int{3, 100} {
		b.Run(fmt.Sprintf("%dx%d", n, n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 3))
			a := spd(rng, n, n).Detach().SetRequiresGrad(true)
			seed := Ones(n, n)
			b.ReportAllocs()
			for b.Loop() {
				a.ClearGrad()
				a.Cholesky().BackwardWith(seed)
			}
		})
	}
}

// BenchmarkSolveTriangular times a 100×100 lower-triangular solve with 10
// right-hand sides and its backward pass.
func BenchmarkSolveTriangular(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 4))
	a := triangularTestMatrix(rng, 100, 100).SetRequiresGrad(true)
	y := randParam(rng, -1, 1, 100, 10)
	seed := Ones(100, 10)
	b.ReportAllocs()
	for b.Loop() {
		a.ClearGrad()
		y.ClearGrad()
		a.SolveTriangular(y, true).BackwardWith(seed)
	}
}

// BenchmarkMatMulLarge times a product whose right operand does not fit the
// L2 cache, a dense layer of 784 inputs and 400 outputs over a batch of 256,
// forward alone and with its backward pass into both operands.
func BenchmarkMatMulLarge(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	x := randParam(rng, -1, 1, 256, 784)
	w := randParam(rng, -1, 1, 784, 400)
	b.Run("forward", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			x.Detach().MatMul(w.Detach())
		}
	})
	b.Run("backward", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Gradients(x.MatMul(w).Sum(), x, w)
		}
	})
}

// BenchmarkMatMulParticles times the linear predictor of a regression with
// vectorized particles: weights (P, 1, 10), one row of ten per particle,
// times the transposed design (10, 1000), forward alone and with the
// backward pass into the weights, for P = 1 and P = 100.
func BenchmarkMatMulParticles(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 4))
	xT := RandN(rng, 10, 1000)
	for _, p := range []int{1, 100} {
		w := randParam(rng, -1, 1, p, 1, 10)
		seed := Ones(p, 1, 1000)
		b.Run(fmt.Sprintf("P%d/forward", p), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w.Detach().MatMul(xT)
			}
		})
		b.Run(fmt.Sprintf("P%d/backward", p), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w.ClearGrad()
				w.MatMul(xT).BackwardWith(seed)
			}
		})
	}
}

// BenchmarkMatVec times a design matrix times a weight vector, x·w with x
// (1000, 10), forward and backward into w: the linear predictor as Pyro
// users write it, rows of ten values each.
func BenchmarkMatVec(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 5))
	x := RandN(rng, 1000, 10)
	w := randParam(rng, -1, 1, 10)
	seed := Ones(1000)
	b.ReportAllocs()
	for b.Loop() {
		w.ClearGrad()
		x.MatMul(w).BackwardWith(seed)
	}
}
