package vigo_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// BenchmarkNestedPlates runs ten observed sites inside three nested
// vectorized plates (batch shape already full, so only the cost of plate
// frames and broadcasting checks shows).
func BenchmarkNestedPlates(b *testing.B) {
	loc := tensor.Zeros(4, 3, 2)
	scale := tensor.Ones(4, 3, 2)
	obs := tensor.Zeros(4, 3, 2)
	names := make([]string, 10)
	for i := range names {
		names[i] = fmt.Sprintf("x%d", i)
	}
	d := dist.Normal(loc, scale)
	c := vigo.NewCtx(nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		c.Plate("a", 2, func(*tensor.Tensor) {
			c.Plate("b", 3, func(*tensor.Tensor) {
				c.Plate("c", 4, func(*tensor.Tensor) {
					for _, n := range names {
						c.Sample(n, d, vigo.Obs(obs))
					}
				})
			})
		})
	}
}

// BenchmarkSubsample times drawing a plate's subsample indices: minibatches
// of 1% and of 10% of 100 000 points, with an index cache as inference
// sets one.
func BenchmarkSubsample(b *testing.B) {
	for _, k := range []int{1000, 10000} {
		b.Run(fmt.Sprint(k), func(b *testing.B) {
			c := vigo.NewCtx(nil, rand.New(rand.NewPCG(1, 2)))
			c.SetIndexCache(&vigo.IndexCache{})
			b.ReportAllocs()
			for b.Loop() {
				c.Plate("data", 100000, func(*tensor.Tensor) {}, vigo.SubsampleSize(k))
			}
		})
	}
}
