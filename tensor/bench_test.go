package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkElementwise times forward and backward of (a·b + a).Sum() at
// several sizes, beside a plain Go loop doing the same arithmetic and its
// hand-written gradient.
func BenchmarkElementwise(b *testing.B) {
	for _, n := range []int{1e3, 1e5, 1e6} {
		rng := rand.New(rand.NewPCG(1, 1))
		x := RandN(rng, n).SetRequiresGrad(true)
		y := RandN(rng, n).SetRequiresGrad(true)
		b.Run(fmt.Sprintf("tensor/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				x.ClearGrad()
				y.ClearGrad()
				x.Mul(y).Add(x).Sum().Backward()
			}
		})
		b.Run(fmt.Sprintf("loop/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			xd, yd := x.Data(), y.Data()
			for i := 0; i < b.N; i++ {
				prod := make([]float64, n)
				sum := make([]float64, n)
				for j := range prod {
					prod[j] = xd[j] * yd[j]
					sum[j] = prod[j] + xd[j]
				}
				s := 0.0
				for _, v := range sum {
					s += v
				}
				gx := make([]float64, n)
				gy := make([]float64, n)
				for j := range gx {
					gx[j] = yd[j] + 1
					gy[j] = xd[j]
				}
				_ = s
			}
		})
	}
}

// BenchmarkBroadcast times a (1000,1) + (1,1000) broadcast with backward.
func BenchmarkBroadcast(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	x := RandN(rng, 1000, 1).SetRequiresGrad(true)
	y := RandN(rng, 1, 1000).SetRequiresGrad(true)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		x.ClearGrad()
		y.ClearGrad()
		x.Add(y).Sum().Backward()
	}
}

// BenchmarkReduceDims times SumDims over each dim of a 1000×1000 tensor.
func BenchmarkReduceDims(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	x := RandN(rng, 1000, 1000)
	for _, d := range []int{0, 1} {
		b.Run(fmt.Sprintf("dim=%d", d), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				x.SumDims(false, d)
			}
		})
	}
}

// BenchmarkSmallExpression times forward and backward of a Normal
// log-density written with elementwise ops on 10 values: the overhead that
// dominates small models.
func BenchmarkSmallExpression(b *testing.B) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := RandN(rng, 10)
	loc := Param([]float64{0.5}, 1)
	scale := Param([]float64{1.5}, 1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		loc.ClearGrad()
		scale.ClearGrad()
		z := x.Sub(loc).Div(scale)
		z.Square().MulScalar(-0.5).Sub(scale.Log()).Sum().Backward()
	}
}

// BenchmarkExpSigmoid times Exp and Sigmoid, forward and backward, over
// 100 000 elements: the vectorized transcendental kernels.
func BenchmarkExpSigmoid(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := randParam(rng, -5, 5, 100000)
	for _, c := range []struct {
		name string
		f    func(*Tensor) *Tensor
	}{{"Exp", (*Tensor).Exp}, {"Sigmoid", (*Tensor).Sigmoid}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.ClearGrad()
				c.f(x).Sum().Backward()
			}
		})
	}
}

// BenchmarkBroadcastRows times adding one value per row to a 100 × 1000
// matrix, the bias of a regression with vectorized particles: the general
// row walk, one call per row. (Split across two cores it measured 19%
// slower here: the walk is bound by memory, not arithmetic.)
func BenchmarkBroadcastRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	x, bias := RandN(rng, 100, 1000), RandN(rng, 100, 1)
	b.ReportAllocs()
	for b.Loop() {
		x.Add(bias)
	}
}
