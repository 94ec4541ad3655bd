package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// checkGrad compares the reverse-mode gradient of the scalar sum of f(inputs)
// weighted by a fixed random tensor against central finite differences
// (gonum diff/fd), for every input that requires grad.
func checkGrad(t *testing.T, name string, f func(in []*Tensor) *Tensor, inputs ...*Tensor) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	out := f(inputs)
	w := RandN(rng, out.Shape()...) // a random cotangent exercises every output element
	loss := func(in []*Tensor) float64 {
		o := f(in)
		s := 0.0
		for i, v := range o.Data() {
			s += v * w.Data()[i]
		}
		return s
	}
	for _, in := range inputs {
		in.ClearGrad()
	}
	f(inputs).Mul(w).Sum().Backward()
	for k, in := range inputs {
		if !in.RequiresGrad() {
			continue
		}
		x0 := append([]float64(nil), in.Data()...)
		num := fd.Gradient(nil, func(x []float64) float64 {
			in.SetData(x)
			v := loss(inputs)
			in.SetData(x0)
			return v
		}, x0, &fd.Settings{Formula: fd.Central, Step: 1e-6})
		got := in.Grad()
		if got == nil {
			t.Fatalf("%s: input %d has no gradient", name, k)
		}
		for i := range num {
			g := got.Data()[i]
			if !closeRel(g, num[i], 1e-6, 1e-7) {
				t.Errorf("%s: input %d (shape %v) element %d: autodiff %.12g, finite differences %.12g", name, k, in.Shape(), i, g, num[i])
			}
		}
	}
}

// closeRel reports whether a and b agree to relative tolerance rel, or to
// absolute tolerance abs near zero.
func closeRel(a, b, rel, abs float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return false
	}
	d := math.Abs(a - b)
	return d <= abs || d <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// randParam returns a leaf requiring grad with values uniform in [lo, hi).
func randParam(rng *rand.Rand, lo, hi float64, shape ...int) *Tensor {
	t := RandU(rng, shape...)
	for i := range t.data {
		t.data[i] = lo + (hi-lo)*t.data[i]
	}
	return t.SetRequiresGrad(true)
}

func TestGradArithmeticBroadcast(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][2][]int{
		{{3, 4}, {3, 4}},
		{{3, 4}, {4}},
		{{4}, {3, 4}},
		{{3, 1}, {1, 4}},
		{{}, {2, 3}},
		{{2, 1, 3}, {4, 1}},
	}
	ops := map[string]func(a, b *Tensor) *Tensor{
		"Add": (*Tensor).Add, "Sub": (*Tensor).Sub, "Mul": (*Tensor).Mul,
		"Div": (*Tensor).Div, "Pow": (*Tensor).Pow,
	}
	for name, f := range ops {
		for _, s := range shapes {
			a := randParam(rng, 0.5, 2, s[0]...)
			b := randParam(rng, 0.5, 2, s[1]...)
			checkGrad(t, name, func(in []*Tensor) *Tensor { return f(in[0], in[1]) }, a, b)
		}
	}
}

func TestGradUnaryCore(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ops := map[string]func(a *Tensor) *Tensor{
		"Neg": (*Tensor).Neg, "Exp": (*Tensor).Exp, "Log": (*Tensor).Log, "Log1p": (*Tensor).Log1p,
		"Expm1": (*Tensor).Expm1, "Sqrt": (*Tensor).Sqrt, "Square": (*Tensor).Square,
		"Abs": (*Tensor).Abs, "Tanh": (*Tensor).Tanh,
	}
	for name, f := range ops {
		a := randParam(rng, 0.2, 2, 2, 3)
		checkGrad(t, name, func(in []*Tensor) *Tensor { return f(in[0]) }, a)
	}
}

func TestGradReductionsCore(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a := randParam(rng, -1, 1, 2, 3, 4)
	checkGrad(t, "Sum", func(in []*Tensor) *Tensor { return in[0].Sum() }, a)
	checkGrad(t, "Mean", func(in []*Tensor) *Tensor { return in[0].Mean() }, a)
	for _, keep := range []bool{false, true} {
		for _, dims := range [][]int{{0}, {1}, {2}, {-1}, {0, 2}, {0, 1, 2}} {
			checkGrad(t, "SumDims", func(in []*Tensor) *Tensor { return in[0].SumDims(keep, dims...) }, a)
			checkGrad(t, "MeanDims", func(in []*Tensor) *Tensor { return in[0].MeanDims(keep, dims...) }, a)
		}
	}
	checkGrad(t, "Expand", func(in []*Tensor) *Tensor { return in[0].Reshape(2, 1, 3, 4).Expand(5, 2, 2, 3, 4) }, a)
}
