package optim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// benchParams makes n parameters of size elements each, with fixed random
// gradients.
func benchParams(n, size int) []Param {
	rng := rand.New(rand.NewPCG(1, 2))
	ps := make([]Param, n)
	for i := range ps {
		ps[i] = Param{Name: fmt.Sprintf("p%d", i), Tensor: tensor.RandN(rng, size).SetRequiresGrad(true)}
		ps[i].Tensor.SetGrad(tensor.RandN(rng, size))
	}
	return ps
}

func BenchmarkStep(b *testing.B) {
	opts := []struct {
		name string
		make func() Optimizer
	}{
		{"Adam", func() Optimizer { return &Adam{LR: 1e-3} }},
		{"ClippedAdam", func() Optimizer { return &ClippedAdam{LR: 1e-3} }},
		{"SGDMomentum", func() Optimizer { return &SGD{LR: 1e-3, Momentum: 0.9} }},
		{"ClipAdam", func() Optimizer { return &Clip{Optimizer: &Adam{LR: 1e-3}, Norm: 10} }},
	}
	shapes := []struct{ n, size int }{{10, 10}, {1, 100000}}
	for _, o := range opts {
		for _, sh := range shapes {
			b.Run(fmt.Sprintf("%s/%dx%d", o.name, sh.n, sh.size), func(b *testing.B) {
				opt, ps := o.make(), benchParams(sh.n, sh.size)
				b.ReportAllocs()
				for b.Loop() {
					if err := opt.Step(ps); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
