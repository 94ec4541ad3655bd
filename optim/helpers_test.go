package optim

import (
	"math"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// param makes a named leaf parameter holding vals.
func param(name string, vals ...float64) Param {
	return Param{Name: name, Tensor: tensor.Param(vals, len(vals))}
}

// setGrad stores g as p's gradient (nil: no gradient).
func setGrad(p Param, g []float64) {
	if g == nil {
		p.Tensor.SetGrad(nil)
		return
	}
	p.Tensor.SetGrad(tensor.New(g, len(g)))
}

// values copies a parameter's current values.
func values(p Param) []float64 { return append([]float64(nil), p.Tensor.Data()...) }

// closeTo reports whether got and want agree to within tol, absolutely or
// relatively (whichever is looser), element by element.
func closeTo(got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		d := math.Abs(got[i] - want[i])
		if !(d <= tol || d <= tol*math.Abs(want[i])) {
			return false
		}
	}
	return true
}

// sameBits reports whether got and want are bit-for-bit equal.
func sameBits(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			return false
		}
	}
	return true
}

// mustStep steps opt and fails the test on error.
func mustStep(t *testing.T, opt Optimizer, params ...Param) {
	t.Helper()
	if err := opt.Step(params); err != nil {
		t.Fatalf("Step: %v", err)
	}
}

// mustState returns opt's serialized state.
func mustState(t *testing.T, opt Optimizer) []byte {
	t.Helper()
	b, err := opt.(Stateful).State()
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	return b
}

// runSteps steps a single parameter through a sequence of gradients and
// returns its value after each step.
func runSteps(t *testing.T, opt Optimizer, p0 []float64, grads [][]float64) [][]float64 {
	t.Helper()
	p := param("x", p0...)
	var out [][]float64
	for _, g := range grads {
		setGrad(p, g)
		mustStep(t, opt, p)
		out = append(out, values(p))
	}
	return out
}
