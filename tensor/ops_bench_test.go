package tensor_test

import (
	"math/rand/v2"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// BenchmarkOpsForwardBackward times each operation's forward and backward
// pass on a 1 000 × 100 tensor (100 000 elements), so that an operation
// far slower per element than its neighbours stands out.
func BenchmarkOpsForwardBackward(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := tensor.Param(tensor.RandU(r, 1000, 100).AddScalar(0.5).Data(), 1000, 100)
	y := tensor.Param(tensor.RandU(r, 1000, 100).AddScalar(0.5).Data(), 1000, 100)
	row := tensor.Param(tensor.RandU(r, 100).AddScalar(0.5).Data(), 100)
	col := tensor.Param(tensor.RandU(r, 1000, 1).AddScalar(0.5).Data(), 1000, 1)
	idx := tensor.FromData(func() []float64 {
		d := make([]float64, 1000)
		for i := range d {
			d[i] = float64(r.IntN(1000))
		}
		return d
	}(), 1000)
	gidx := tensor.FromData(func() []float64 {
		d := make([]float64, 1000)
		for i := range d {
			d[i] = float64(r.IntN(100))
		}
		return d
	}(), 1000, 1)
	ops := map[string]func() *tensor.Tensor{
		"Add":           func() *tensor.Tensor { return x.Add(y) },
		"AddRow":        func() *tensor.Tensor { return x.Add(row) },
		"AddCol":        func() *tensor.Tensor { return x.Add(col) },
		"Mul":           func() *tensor.Tensor { return x.Mul(y) },
		"MulCol":        func() *tensor.Tensor { return x.Mul(col) },
		"Div":           func() *tensor.Tensor { return x.Div(y) },
		"Pow":           func() *tensor.Tensor { return x.Pow(y) },
		"Exp":           func() *tensor.Tensor { return x.Exp() },
		"Log":           func() *tensor.Tensor { return x.Log() },
		"Sqrt":          func() *tensor.Tensor { return x.Sqrt() },
		"Tanh":          func() *tensor.Tensor { return x.Tanh() },
		"Sigmoid":       func() *tensor.Tensor { return x.Sigmoid() },
		"Softplus":      func() *tensor.Tensor { return x.Softplus() },
		"LogSigmoid":    func() *tensor.Tensor { return x.LogSigmoid() },
		"Lgamma":        func() *tensor.Tensor { return x.Lgamma() },
		"Clamp":         func() *tensor.Tensor { return x.Clamp(0.7, 1.2) },
		"Square":        func() *tensor.Tensor { return x.Square() },
		"SumDims0":      func() *tensor.Tensor { return x.SumDims(false, 0) },
		"SumDims1":      func() *tensor.Tensor { return x.SumDims(false, 1) },
		"MeanDims1":     func() *tensor.Tensor { return x.MeanDims(false, 1) },
		"LogSumExpDim1": func() *tensor.Tensor { return x.LogSumExpDims(false, 1) },
		"LogSumExpDim0": func() *tensor.Tensor { return x.LogSumExpDims(false, 0) },
		"Softmax1":      func() *tensor.Tensor { return x.Softmax(1) },
		"LogSoftmax1":   func() *tensor.Tensor { return x.LogSoftmax(1) },
		"MaxDims1":      func() *tensor.Tensor { return x.MaxDims(false, 1) },
		"Cumsum1":       func() *tensor.Tensor { return x.Cumsum(1) },
		"Transpose":     func() *tensor.Tensor { return x.Transpose(0, 1) },
		"MT":            func() *tensor.Tensor { return x.MT() },
		"IndexSelect0":  func() *tensor.Tensor { return x.IndexSelect(0, idx) },
		"Gather1":       func() *tensor.Tensor { return x.Gather(1, gidx) },
		"Expand":        func() *tensor.Tensor { return row.Expand(1000, 100).Mul(x) },
		"Narrow":        func() *tensor.Tensor { return x.Narrow(1, 10, 50) },
		"Select":        func() *tensor.Tensor { return x.Select(1, 3) },
		"Xlogy":         func() *tensor.Tensor { return x.Xlogy(y) },
		"LogAddExp":     func() *tensor.Tensor { return x.LogAddExp(y) },
		"Maximum":       func() *tensor.Tensor { return x.Maximum(y) },
		"Abs":           func() *tensor.Tensor { return x.Abs() },
		"Permute":       func() *tensor.Tensor { return x.Reshape(10, 100, 100).Permute(2, 0, 1) },
		"MatMul":        func() *tensor.Tensor { return x.MatMul(y.MT()) },
	}
	for name, f := range ops {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				out := f()
				tensor.Gradients(out.Sum(), x, y, row, col)
			}
		})
	}
}
