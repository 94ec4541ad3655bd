package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestReduceOpsForward(t *testing.T) {
	inf, ninf, nan := math.Inf(1), math.Inf(-1), math.NaN()
	m := New([]float64{3, -1, 4, 1, -5, 9}, 2, 3)
	c := arangeShape(2, 3, 2) // [[[0 1] [2 3] [4 5]] [[6 7] [8 9] [10 11]]]
	tests := []struct {
		name  string
		got   *Tensor
		shape []int
		want  []float64
		tol   float64 // absolute; 0 where the result is exact in floating point
	}{
		{"Max", m.Max(), []int{}, []float64{9}, 0},
		{"Min", m.Min(), []int{}, []float64{-5}, 0},
		{"Max 0-d", Scalar(-2).Max(), []int{}, []float64{-2}, 0},
		{"Max NaN", Vector(1, nan, 3).Max(), []int{}, []float64{nan}, 0},
		{"Min NaN", Vector(1, nan, -3).Min(), []int{}, []float64{nan}, 0},
		{"Max -Inf", Vector(ninf, ninf).Max(), []int{}, []float64{ninf}, 0},
		{"MaxDims(0)", m.MaxDims(false, 0), []int{3}, []float64{3, -1, 9}, 0},
		{"MaxDims(1) keep", m.MaxDims(true, 1), []int{2, 1}, []float64{4, 9}, 0},
		{"MaxDims(-1)", m.MaxDims(false, -1), []int{2}, []float64{4, 9}, 0},
		{"MaxDims(0,1)", m.MaxDims(false, 0, 1), []int{}, []float64{9}, 0},
		{"MaxDims() identity", m.MaxDims(false), []int{2, 3}, m.Data(), 0},
		{"MinDims(0)", m.MinDims(false, 0), []int{3}, []float64{1, -5, 4}, 0},
		{"MinDims(1) keep", m.MinDims(true, 1), []int{2, 1}, []float64{-1, -5}, 0},
		{"MaxDims(0,2) 3-d", c.MaxDims(false, 0, 2), []int{3}, []float64{7, 9, 11}, 0},
		{"MinDims(0,2) keep 3-d", c.MinDims(true, 2, 0), []int{1, 3, 1}, []float64{0, 2, 4}, 0},
		{"MaxDims(1) 3-d", c.MaxDims(false, 1), []int{2, 2}, []float64{4, 5, 10, 11}, 0},
		{"Prod", Vector(2, 3, 4).Prod(), []int{}, []float64{24}, 0},
		{"Prod zero", Vector(2, 0, 4).Prod(), []int{}, []float64{0}, 0},
		{"Prod empty", Vector().Prod(), []int{}, []float64{1}, 0},
		{"ProdDims(0)", m.ProdDims(false, 0), []int{3}, []float64{3, 5, 36}, 0},
		{"ProdDims(1) keep", m.ProdDims(true, 1), []int{2, 1}, []float64{-12, -45}, 0},
		{"ProdDims(0,2)", c.ProdDims(false, 0, 2), []int{3}, []float64{0, 2 * 3 * 8 * 9, 4 * 5 * 10 * 11}, 0},
		// log(e^0 + e^1 + e^2) = 2.40760596444437..., closed form via math.Log/Exp; 1e-14 is a few ulps
		{"LogSumExp", Vector(0, 1, 2).LogSumExp(), []int{}, []float64{math.Log(1 + math.E + math.E*math.E)}, 1e-14},
		// 1000 + log 2 must not overflow; closed form
		{"LogSumExp large", Vector(1000, 1000).LogSumExp(), []int{}, []float64{1000 + math.Ln2}, 1e-12},
		{"LogSumExp very negative", Vector(-1000, -1000).LogSumExp(), []int{}, []float64{-1000 + math.Ln2}, 1e-12},
		{"LogSumExp -Inf entry", Vector(ninf, 0, 0).LogSumExp(), []int{}, []float64{math.Ln2}, 1e-15},
		{"LogSumExp all -Inf", Vector(ninf, ninf).LogSumExp(), []int{}, []float64{ninf}, 0},
		{"LogSumExp +Inf", Vector(1, inf, ninf).LogSumExp(), []int{}, []float64{inf}, 0},
		{"LogSumExp empty", Vector().LogSumExp(), []int{}, []float64{ninf}, 0},
		{"LogSumExp NaN", Vector(1, nan).LogSumExp(), []int{}, []float64{nan}, 0},
		{"LogSumExp 0-d", Scalar(3).LogSumExp(), []int{}, []float64{3}, 0},
		{"LogSumExpDims(0) mixed", New([]float64{1000, ninf, ninf, 1000, 0, ninf}, 2, 3).LogSumExpDims(false, 0),
			[]int{3}, []float64{1000 + math.Ln2, 0, ninf}, 1e-12}, // closed form 1000 + log 2
		{"LogSumExpDims(1) keep", New([]float64{1000, 1000, 0, ninf, ninf, inf}, 2, 3).LogSumExpDims(true, 1),
			[]int{2, 1}, []float64{1000 + math.Ln2, inf}, 1e-12}, // closed form 1000 + log 2
		{"Cumsum(0)", m.Cumsum(0), []int{2, 3}, []float64{3, -1, 4, 4, -6, 13}, 0},
		{"Cumsum(-1)", m.Cumsum(-1), []int{2, 3}, []float64{3, 2, 6, 1, -4, 5}, 0},
		{"Cumsum 0-d", Scalar(2).Cumsum(0), []int{}, []float64{2}, 0},
		{"Cumprod(1)", m.Cumprod(1), []int{2, 3}, []float64{3, -3, -12, 1, -5, -45}, 0},
		{"Cumprod(0)", m.Cumprod(0), []int{2, 3}, []float64{3, -1, 4, 3, 5, 36}, 0},
		{"Cumprod zero", Vector(2, 0, 3).Cumprod(0), []int{3}, []float64{2, 0, 0}, 0},
		// softmax of (0, log 3) is (1/4, 3/4) in closed form; 1e-15 is a few ulps
		{"Softmax", Vector(0, math.Log(3)).Softmax(0), []int{2}, []float64{0.25, 0.75}, 1e-15},
		{"Softmax large", Vector(1000, 1000).Softmax(-1), []int{2}, []float64{0.5, 0.5}, 0},
		{"Softmax -Inf", Vector(ninf, 7).Softmax(0), []int{2}, []float64{0, 1}, 0},
		{"Softmax all -Inf", Vector(ninf, ninf).Softmax(0), []int{2}, []float64{nan, nan}, 0},
		{"Softmax 0-d", Scalar(5).Softmax(-1), []int{}, []float64{1}, 0},
		{"Softmax(0) 2-d", New([]float64{0, 1, math.Log(3), 1}, 2, 2).Softmax(0), []int{2, 2},
			[]float64{0.25, 0.5, 0.75, 0.5}, 1e-15}, // closed form, a few ulps
		{"LogSoftmax", Vector(0, math.Log(3)).LogSoftmax(0), []int{2}, []float64{-math.Log(4), math.Log(0.75)}, 1e-15},
		{"LogSoftmax very negative", Vector(-2000, 0).LogSoftmax(0), []int{2}, []float64{-2000, 0}, 0},
		{"LogSoftmax -Inf", Vector(ninf, 0, 0).LogSoftmax(0), []int{3}, []float64{ninf, -math.Ln2, -math.Ln2}, 1e-15},
		{"ArgMax(1)", m.ArgMax(1), []int{2}, []float64{2, 2}, 0},
		{"ArgMax(0)", m.ArgMax(0), []int{3}, []float64{0, 0, 1}, 0},
		{"ArgMax ties first", Vector(1, 5, 5, 2).ArgMax(0), []int{}, []float64{1}, 0},
		{"ArgMax NaN", Vector(1, nan, 5, nan).ArgMax(0), []int{}, []float64{1}, 0},
		{"ArgMax 0-d", Scalar(4).ArgMax(0), []int{}, []float64{0}, 0},
		{"ArgMax(1) 3-d", c.ArgMax(1), []int{2, 2}, []float64{2, 2, 2, 2}, 0},
	}
	for _, tc := range tests {
		matchTensor(t, tc.name, tc.got, tc.shape, tc.want, tc.tol)
	}
}

// naiveReduce reduces a over dims element by element through At, combining
// with f from init: the slow, obviously correct reference for the kernels.
func naiveReduce(a *Tensor, dims []int, keepdim bool, init float64, f func(acc, v float64) float64) *Tensor {
	ds := normDims("naive", a.Dim(), dims)
	kept := keptShape(a.Shape(), ds)
	acc := Full(init, kept...)
	forEachIndex(a.Shape(), func(ix []int) {
		o := make([]int, len(ix))
		for k := range ix {
			if !slices.Contains(ds, k) {
				o[k] = ix[k]
			}
		}
		off := 0
		for k, s := range contiguousStrides(kept) {
			off += o[k] * s
		}
		acc.data[off] = f(acc.data[off], a.At(ix...))
	})
	if keepdim {
		return acc
	}
	return acc.Reshape(droppedShape(a.Shape(), ds)...)
}

// smallRandomShape returns a shape of 1 to 4 dims with sizes 1 to 4.
func smallRandomShape(rng *rand.Rand) []int {
	s := make([]int, 1+rng.IntN(4))
	for i := range s {
		s[i] = 1 + rng.IntN(4)
	}
	return s
}

// randomDimSet returns a random non-empty subset of 0..nd-1, written in random
// order with a random mix of negative and non-negative forms.
func randomDimSet(rng *rand.Rand, nd int) []int {
	var ds []int
	for len(ds) == 0 {
		for _, d := range rng.Perm(nd) {
			if rng.IntN(2) == 0 {
				if rng.IntN(2) == 0 {
					d -= nd
				}
				ds = append(ds, d)
			}
		}
	}
	return ds
}

// TestReduceDimsAgainstNaive compares the dim reductions on random shapes
// and dim sets (adjacent, split, with size-1 gaps) with naiveReduce.
func TestReduceDimsAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for trial := 0; trial < 200; trial++ {
		shape := smallRandomShape(rng)
		dims := randomDimSet(rng, len(shape))
		keep := rng.IntN(2) == 0
		a := RandN(rng, shape...)
		name := fmt.Sprintf("shape %v dims %v keepdim %v", shape, dims, keep)
		mx := naiveReduce(a, dims, keep, math.Inf(-1), math.Max)
		matchTensor(t, "MaxDims "+name, a.MaxDims(keep, dims...), mx.Shape(), mx.Data(), 0) // exact: selection
		mn := naiveReduce(a, dims, keep, math.Inf(1), math.Min)
		matchTensor(t, "MinDims "+name, a.MinDims(keep, dims...), mn.Shape(), mn.Data(), 0) // exact: selection
		pr := naiveReduce(a, dims, keep, 1, func(s, v float64) float64 { return s * v })
		// products of at most 256 normal draws in another order: relative 1e-13 covers the rounding
		matchRel(t, "ProdDims "+name, a.ProdDims(keep, dims...), pr, 1e-13)
		se := naiveReduce(a, dims, keep, 0, func(s, v float64) float64 { return s + math.Exp(v) })
		// log Σ exp of normal draws computed without shifting: relative 1e-13 covers the rounding
		matchRel(t, "LogSumExpDims "+name, a.LogSumExpDims(keep, dims...), se.Log(), 1e-13)
	}
}

// matchRel fails unless got and want have one shape and agree to relative
// tolerance rel.
func matchRel(t *testing.T, name string, got, want *Tensor, rel float64) {
	t.Helper()
	if !slices.Equal(got.Shape(), want.Shape()) {
		t.Errorf("%s: shape %v, want %v", name, got.Shape(), want.Shape())
		return
	}
	for i, w := range want.Data() {
		if g := got.Data()[i]; !closeRel(g, w, rel, 0) {
			t.Errorf("%s: element %d = %.15g, want %.15g", name, i, g, w)
			return
		}
	}
}

func TestGradReduceOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	shapes := [][]int{{}, {5}, {1}, {3, 4}, {1, 4}, {3, 1}, {2, 3, 4}, {2, 1, 3}, {3, 2, 1, 2}}
	type red struct {
		name   string
		lo, hi float64
		all    func(a *Tensor) *Tensor
		dims   func(a *Tensor, keep bool, dims ...int) *Tensor
	}
	reds := []red{
		{"Max", -1, 1, (*Tensor).Max, (*Tensor).MaxDims},
		{"Min", -1, 1, (*Tensor).Min, (*Tensor).MinDims},
		// |x| in [0.5, 1.5] keeps products of order 1, so finite differences stay accurate
		{"Prod", 0.5, 1.5, (*Tensor).Prod, (*Tensor).ProdDims},
		{"LogSumExp", -2, 2, (*Tensor).LogSumExp, (*Tensor).LogSumExpDims},
	}
	for _, r := range reds {
		for _, s := range shapes {
			a := randParam(rng, r.lo, r.hi, s...)
			checkGrad(t, fmt.Sprintf("%s %v", r.name, s), func(in []*Tensor) *Tensor { return r.all(in[0]) }, a)
			for d := range s {
				for _, keep := range []bool{false, true} {
					name := fmt.Sprintf("%sDims(%v, %d) %v", r.name, keep, d, s)
					checkGrad(t, name, func(in []*Tensor) *Tensor { return r.dims(in[0], keep, d) }, a)
					checkGrad(t, name+" negative", func(in []*Tensor) *Tensor { return r.dims(in[0], keep, d-len(s)) }, a)
				}
			}
			// every dim set of up to 4 dims: adjacent, split and whole
			for mask := 1; mask < 1<<len(s); mask++ {
				var ds []int
				for d := range s {
					if mask&(1<<d) != 0 {
						ds = append(ds, d)
					}
				}
				for _, keep := range []bool{false, true} {
					name := fmt.Sprintf("%sDims(%v, %v) %v", r.name, keep, ds, s)
					checkGrad(t, name, func(in []*Tensor) *Tensor { return r.dims(in[0], keep, ds...) }, a)
				}
			}
		}
	}

	scans := []struct {
		name   string
		lo, hi float64
		f      func(a *Tensor, dim int) *Tensor
	}{
		{"Cumsum", -1, 1, (*Tensor).Cumsum},
		{"Cumprod", 0.5, 1.5, (*Tensor).Cumprod},
		{"Softmax", -2, 2, (*Tensor).Softmax},
		{"LogSoftmax", -2, 2, (*Tensor).LogSoftmax},
	}
	for _, sc := range scans {
		for _, s := range shapes {
			a := randParam(rng, sc.lo, sc.hi, s...)
			dims := []int{-1}
			for d := range s {
				dims = append(dims, d)
			}
			for _, d := range dims {
				checkGrad(t, fmt.Sprintf("%s(%d) %v", sc.name, d, s), func(in []*Tensor) *Tensor { return sc.f(in[0], d) }, a)
			}
		}
	}
}

// TestGradReduceZerosAndInf checks the cases the generic random checks miss:
// zeros in products, -Inf entries in log-sum-exp and large values.
func TestGradReduceZerosAndInf(t *testing.T) {
	inf, ninf := math.Inf(1), math.Inf(-1)
	oneZero := Param([]float64{2, 0, 3, 0.5, 1.5, -1}, 2, 3)
	twoZeros := Param([]float64{0, 1.5, 0, 2, 0.5, 1}, 3, 2)
	for _, a := range []*Tensor{oneZero, twoZeros} {
		checkGrad(t, "Prod with zeros", func(in []*Tensor) *Tensor { return in[0].Prod() }, a)
		for _, d := range []int{0, 1} {
			checkGrad(t, "ProdDims with zeros", func(in []*Tensor) *Tensor { return in[0].ProdDims(false, d) }, a)
			checkGrad(t, "Cumprod with zeros", func(in []*Tensor) *Tensor { return in[0].Cumprod(d) }, a)
		}
	}
	// d/dx_i Π x = Π_{j≠i} x_j: with one zero only that element's gradient is non-zero
	p := Param([]float64{2, 0, 3}, 3)
	p.Prod().Backward()
	matchTensor(t, "Prod grad one zero", p.Grad(), []int{3}, []float64{0, 6, 0}, 0) // exact integers
	q := Param([]float64{2, 0, 0}, 3)
	q.Prod().Backward()
	matchTensor(t, "Prod grad two zeros", q.Grad(), []int{3}, []float64{0, 0, 0}, 0) // exact
	// out = (2, 0, 0): d Σ out / dx = (1 + x2 + x2 x3, x1 + x1 x3, x1 x2) = (1, 12, 0)
	r := Param([]float64{2, 0, 5}, 3)
	r.Cumprod(0).Sum().Backward()
	matchTensor(t, "Cumprod grad zero", r.Grad(), []int{3}, []float64{1, 12, 0}, 0) // exact integers

	// every row and column holds a finite value, so the outputs (and the
	// finite-difference loss) stay finite while -Inf entries get gradient 0
	withInf := Param([]float64{ninf, 0.3, -0.2, 0.5, ninf, ninf}, 2, 3)
	checkGrad(t, "LogSumExpDims(1) -Inf", func(in []*Tensor) *Tensor { return in[0].LogSumExpDims(false, 1) }, withInf)
	checkGrad(t, "LogSumExpDims(0) -Inf", func(in []*Tensor) *Tensor { return in[0].LogSumExpDims(true, 0) }, withInf)
	checkGrad(t, "LogSumExp -Inf", func(in []*Tensor) *Tensor { return in[0].LogSumExp() }, withInf)
	checkGrad(t, "Softmax(-1) -Inf", func(in []*Tensor) *Tensor { return in[0].Softmax(-1) }, withInf)
	checkGrad(t, "Softmax(0) -Inf", func(in []*Tensor) *Tensor { return in[0].Softmax(0) }, withInf)
	big := Param([]float64{1000, 999, 1001, -1000}, 4)
	checkGrad(t, "LogSumExp large", func(in []*Tensor) *Tensor { return in[0].LogSumExp() }, big)
	checkGrad(t, "Softmax large", func(in []*Tensor) *Tensor { return in[0].Softmax(0) }, big)
	checkGrad(t, "LogSoftmax large", func(in []*Tensor) *Tensor { return in[0].LogSoftmax(0) }, big)

	// the gradient of a -Inf result is 0, of a +Inf result split among the +Inf inputs
	l := Param([]float64{inf, 1, inf, ninf, ninf, ninf}, 2, 3)
	l.LogSumExpDims(false, 1).Sum().Backward()
	matchTensor(t, "LogSumExp grad ±Inf", l.Grad(), []int{2, 3}, []float64{0.5, 0, 0.5, 0, 0, 0}, 0) // exact halves
	// softmax weights at the large values: e^{x-y} with y = 1000 + log 2, whose
	// rounding to a double (half an ulp of 1000, 5.7e-14) bounds the error
	h := Param([]float64{1000, 1000}, 2)
	h.LogSumExp().Backward()
	matchTensor(t, "LogSumExp grad large", h.Grad(), []int{2}, []float64{0.5, 0.5}, 1e-13)
}

// TestExtremeGradTies checks the documented tie rule: each maximum's
// gradient is split evenly among the elements equal to it.
func TestExtremeGradTies(t *testing.T) {
	a := Param([]float64{3, 1, 3, 2, 2, 2}, 2, 3)
	a.MaxDims(false, 1).Mul(Vector(1, 6)).Sum().Backward()
	matchTensor(t, "MaxDims ties", a.Grad(), []int{2, 3}, []float64{0.5, 0, 0.5, 2, 2, 2}, 0) // exact: 1/2 and 6/3
	b := Param([]float64{1, 4, 1, 1}, 2, 2)
	b.Min().Backward()
	matchTensor(t, "Min ties", b.Grad(), []int{2, 2}, []float64{1. / 3, 0, 1. / 3, 1. / 3}, 0) // exact: same division
	c := Param([]float64{5, 2, 5, 5}, 2, 2)
	c.MaxDims(true, 0, 1).Backward()
	matchTensor(t, "MaxDims all ties", c.Grad(), []int{2, 2}, []float64{1. / 3, 0, 1. / 3, 1. / 3}, 0)
}

func TestArgMaxNoGrad(t *testing.T) {
	a := Param([]float64{1, 2}, 2)
	if a.ArgMax(0).RequiresGrad() {
		t.Error("ArgMax must record no gradient")
	}
}

func TestReduceOpsPanics(t *testing.T) {
	m := arangeShape(2, 3)
	tests := []struct {
		prefix string
		f      func()
	}{
		{"tensor: Max:", func() { Vector().Max() }},
		{"tensor: Min:", func() { Zeros(2, 0).Min() }},
		{"tensor: MaxDims:", func() { m.MaxDims(false, 2) }},
		{"tensor: MaxDims:", func() { Zeros(2, 0).MaxDims(false, 1) }},
		{"tensor: MinDims:", func() { m.MinDims(true, -3) }},
		{"tensor: ProdDims:", func() { m.ProdDims(false, 5) }},
		{"tensor: LogSumExpDims:", func() { m.LogSumExpDims(false, 0, 2) }},
		{"tensor: Cumsum:", func() { m.Cumsum(2) }},
		{"tensor: Cumsum:", func() { Scalar(1).Cumsum(1) }},
		{"tensor: Cumprod:", func() { m.Cumprod(-3) }},
		{"tensor: Softmax:", func() { m.Softmax(2) }},
		{"tensor: LogSoftmax:", func() { m.LogSoftmax(-3) }},
		{"tensor: ArgMax:", func() { m.ArgMax(2) }},
		{"tensor: ArgMax:", func() { Zeros(0, 2).ArgMax(0) }},
	}
	for _, tc := range tests {
		mustPanicWith(t, tc.prefix, tc.f)
	}
}

func ExampleTensor_LogSumExpDims() {
	logits := New([]float64{1000, 1000, math.Inf(-1), 0}, 2, 2)
	fmt.Printf("%.4f\n", logits.LogSumExpDims(false, 1).Data())
	fmt.Println(logits.Softmax(-1))
	// Output:
	// [1000.6931 0.0000]
	// [[0.5 0.5] [0 1]]
}

func benchMatrix() *Tensor {
	return RandN(rand.New(rand.NewPCG(1, 1)), 1000, 1000)
}

func BenchmarkSum(b *testing.B) {
	a := benchMatrix()
	b.ReportAllocs()
	for b.Loop() {
		a.Sum()
	}
}

func BenchmarkSumDims(b *testing.B) {
	a := benchMatrix()
	for _, dim := range []int{0, 1} {
		b.Run(fmt.Sprintf("dim=%d", dim), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.SumDims(false, dim)
			}
		})
	}
}

func BenchmarkMaxDims(b *testing.B) {
	a := benchMatrix()
	for _, dim := range []int{0, 1} {
		b.Run(fmt.Sprintf("dim=%d", dim), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.MaxDims(false, dim)
			}
		})
	}
}

func BenchmarkLogSumExpDims(b *testing.B) {
	a := benchMatrix()
	for _, dim := range []int{0, 1} {
		b.Run(fmt.Sprintf("dim=%d", dim), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.LogSumExpDims(false, dim)
			}
		})
	}
}

func BenchmarkSoftmax(b *testing.B) {
	a := benchMatrix()
	b.ReportAllocs()
	for b.Loop() {
		a.Softmax(-1)
	}
}

func BenchmarkTranspose(b *testing.B) {
	a := benchMatrix()
	b.ReportAllocs()
	for b.Loop() {
		a.Transpose(0, 1)
	}
}

// TestMulSum checks MulSum's value against Mul then Sum and its gradients
// against finite differences, for one shape (the fused pass, with one or
// both operands requiring a gradient, and the same tensor twice) and for
// broadcast shapes.
func TestMulSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, c := range []struct{ as, bs []int }{
		{[]int{}, []int{}},
		{[]int{7}, []int{7}},
		{[]int{3, 5}, []int{3, 5}},
		{[]int{3, 5}, []int{5}},
		{[]int{4, 1}, []int{1, 6}},
	} {
		a, b := RandN(rng, c.as...), RandN(rng, c.bs...)
		if got, want := a.MulSum(b).Item(), a.Mul(b).Sum().Item(); !closeRel(got, want, 1e-14, 1e-14) {
			t.Errorf("%v·%v: MulSum %v, Mul then Sum %v", c.as, c.bs, got, want)
		}
		a.SetRequiresGrad(true)
		checkGrad(t, "MulSum a", func(in []*Tensor) *Tensor { return in[0].MulSum(in[1]) }, a, b)
		b.SetRequiresGrad(true)
		checkGrad(t, "MulSum a, b", func(in []*Tensor) *Tensor { return in[0].MulSum(in[1]) }, a, b)
	}
	x := RandN(rng, 6).SetRequiresGrad(true)
	checkGrad(t, "MulSum x, x", func(in []*Tensor) *Tensor { return in[0].MulSum(in[0]) }, x)
}
