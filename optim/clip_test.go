package optim

import (
	"errors"
	"math"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

func TestClipValues(t *testing.T) {
	c5 := 1 / (5 + 1e-6)    // Norm/(‖g‖ + 1e-6) for g = (3, 4), Norm 1
	c50 := 10 / (50 + 1e-6) // for g = (30, 40), Norm 10
	tests := []struct {
		name     string
		norm     float64
		value    float64
		g        []float64
		want     []float64 // the clipped gradient
		wantLits []float64 // the same, as literal numbers derived by hand
	}{
		// 3/5.000001 = 0.59999988000002400, 4/5.000001 = 0.79999984000003200.
		{"norm", 1, 0, []float64{3, 4}, []float64{3 * c5, 4 * c5}, []float64{0.599999880000024, 0.799999840000032}},
		{"norm not exceeded", 1, 0, []float64{0.3, 0.4}, []float64{0.3, 0.4}, []float64{0.3, 0.4}},
		{"value", 0, 1, []float64{-2, 0.5, 3}, []float64{-1, 0.5, 1}, []float64{-1, 0.5, 1}},
		// Norm first (PyTorch's clip_grad_norm_), then value: 30·c = 5.99999988.
		{"norm then value", 10, 7, []float64{30, 40}, []float64{30 * c50, 7}, []float64{5.99999988000000240, 7}},
		{"off", 0, 0, []float64{30, -40}, []float64{30, -40}, []float64{30, -40}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inner := &SGD{LR: 1}
			opt := &Clip{Optimizer: inner, Norm: tc.norm, Value: tc.value}
			p := param("w", make([]float64, len(tc.g))...)
			setGrad(p, tc.g)
			mustStep(t, opt, p)
			got := p.Tensor.Grad().Data()
			if !sameBits(got, tc.want) {
				t.Errorf("clipped gradient %v, want %v", got, tc.want)
			}
			if !closeTo(got, tc.wantLits, 1e-15) { // hand-derived literals, 1e-15 rounding of the decimal forms
				t.Errorf("clipped gradient %v, want %v", got, tc.wantLits)
			}
			// SGD with rate 1 from 0 leaves p = −clipped gradient.
			for i, v := range values(p) {
				if v != -tc.want[i] {
					t.Errorf("p[%d] = %v, want %v", i, v, -tc.want[i])
				}
			}
		})
	}
}

func TestL2Norm(t *testing.T) {
	tests := []struct {
		x    []float64
		want float64
	}{
		{[]float64{3, 4}, 5},
		{[]float64{3e200, -4e200}, 5e200},   // the plain sum of squares overflows
		{[]float64{3e-200, 4e-200}, 5e-200}, // the plain sum of squares underflows
		{[]float64{0, 0}, 0},
		{[]float64{}, 0},
		{[]float64{math.Inf(-1), 1}, math.Inf(1)},
	}
	for _, tc := range tests {
		if got := l2Norm(tc.x); !(got == tc.want || math.Abs(got-tc.want) <= 1e-15*tc.want) { // closed form, rounding only
			t.Errorf("l2Norm(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
	if got := l2Norm([]float64{math.NaN(), 1}); !math.IsNaN(got) {
		t.Errorf("l2Norm with NaN = %v", got)
	}
}

// plainSGD is an optimizer from outside the package: no Stager, no state.
// It refuses gradients above 100 in absolute value.
type plainSGD struct{}

func (plainSGD) Step(params []Param) error {
	for _, p := range params {
		if g := p.Tensor.Grad(); g != nil {
			for _, v := range g.Data() {
				if !(math.Abs(v) <= 100) {
					return errors.New("plainSGD: gradient too large")
				}
			}
		}
	}
	for _, p := range params {
		if g := p.Tensor.Grad(); g != nil {
			d := append([]float64(nil), p.Tensor.Data()...)
			for i, v := range g.Data() {
				d[i] -= v
			}
			p.Tensor.SetData(d)
		}
	}
	return nil
}

func TestClipForeignOptimizer(t *testing.T) {
	opt := &Clip{Optimizer: plainSGD{}, Value: 1}
	p := param("w", 0, 0)
	setGrad(p, []float64{5, -0.5})
	mustStep(t, opt, p)
	if !sameBits(values(p), []float64{-1, 0.5}) || !sameBits(p.Tensor.Grad().Data(), []float64{1, -0.5}) {
		t.Errorf("p = %v, grad = %v; want p = [-1 0.5], grad = [1 -0.5]", values(p), p.Tensor.Grad().Data())
	}
	// The wrapped optimizer refuses the (clipped copy of the) gradient, and
	// the original gradient is put back.
	opt = &Clip{Optimizer: plainSGD{}, Value: 1e7}
	g := tensor.New([]float64{1e6, 0}, 2)
	p.Tensor.SetGrad(g)
	if err := opt.Step([]Param{p}); err == nil {
		t.Fatal("plainSGD accepted a large gradient")
	}
	if p.Tensor.Grad() != g {
		t.Error("gradient not restored after a refused step")
	}
	if _, err := opt.State(); err == nil {
		t.Error("State of an optimizer without state succeeded")
	}
}
