package optim

import (
	"math"
	"strings"
	"testing"
)

// refSGD is PyTorch's SGD written out element by element from its documentation.
func refSGD(lr, mu, tau, wd float64, nesterov bool, p0 []float64, grads [][]float64) [][]float64 {
	p := append([]float64(nil), p0...)
	b := make([]float64, len(p))
	var out [][]float64
	for k, g := range grads {
		for i := range p {
			d := g[i] + wd*p[i]
			if mu != 0 {
				if k == 0 {
					b[i] = d
				} else {
					b[i] = mu*b[i] + (1-tau)*d
				}
				if nesterov {
					d += mu * b[i]
				} else {
					d = b[i]
				}
			}
			p[i] -= lr * d
		}
		out = append(out, append([]float64(nil), p...))
	}
	return out
}

// refAdagrad is PyTorch's Adagrad written out from its documentation.
func refAdagrad(lr, decay, wd, init, eps float64, p0 []float64, grads [][]float64) [][]float64 {
	p := append([]float64(nil), p0...)
	s := make([]float64, len(p))
	for i := range s {
		s[i] = init
	}
	var out [][]float64
	for k, g := range grads {
		clr := lr / (1 + float64(k)*decay)
		for i := range p {
			gi := g[i] + wd*p[i]
			s[i] += gi * gi
			p[i] -= clr * gi / (math.Sqrt(s[i]) + eps)
		}
		out = append(out, append([]float64(nil), p...))
	}
	return out
}

// refRMSprop is PyTorch's RMSprop written out from its documentation.
func refRMSprop(lr, alpha, eps, wd, mu float64, centered bool, p0 []float64, grads [][]float64) [][]float64 {
	p := append([]float64(nil), p0...)
	sq := make([]float64, len(p))
	ga := make([]float64, len(p))
	b := make([]float64, len(p))
	var out [][]float64
	for _, g := range grads {
		for i := range p {
			gi := g[i] + wd*p[i]
			sq[i] = alpha*sq[i] + (1-alpha)*gi*gi
			avg := sq[i]
			if centered {
				ga[i] = alpha*ga[i] + (1-alpha)*gi
				avg -= ga[i] * ga[i]
			}
			d := math.Sqrt(avg) + eps
			if mu > 0 {
				b[i] = mu*b[i] + gi/d
				p[i] -= lr * b[i]
			} else {
				p[i] -= lr * gi / d
			}
		}
		out = append(out, append([]float64(nil), p...))
	}
	return out
}

func TestTorchOptimizersMatchFormulas(t *testing.T) {
	tests := []struct {
		name string
		opt  Optimizer
		want [][]float64
	}{
		{"SGD defaults", &SGD{}, refSGD(1e-3, 0, 0, 0, false, testP0, testGrads)},
		{"SGD plain", &SGD{LR: 0.1}, refSGD(0.1, 0, 0, 0, false, testP0, testGrads)},
		{"SGD momentum", &SGD{LR: 0.1, Momentum: 0.9}, refSGD(0.1, 0.9, 0, 0, false, testP0, testGrads)},
		{"SGD dampening wd", &SGD{LR: 0.1, Momentum: 0.9, Dampening: 0.3, WeightDecay: 0.05}, refSGD(0.1, 0.9, 0.3, 0.05, false, testP0, testGrads)},
		{"SGD nesterov", &SGD{LR: 0.1, Momentum: 0.8, Nesterov: true, WeightDecay: 0.01}, refSGD(0.1, 0.8, 0, 0.01, true, testP0, testGrads)},
		{"Adagrad defaults", &Adagrad{}, refAdagrad(1e-2, 0, 0, 0, 1e-10, testP0, testGrads)},
		{"Adagrad all", &Adagrad{LR: 0.5, LRDecay: 0.2, WeightDecay: 0.1, InitialAccumulatorValue: 0.3, Eps: 1e-4}, refAdagrad(0.5, 0.2, 0.1, 0.3, 1e-4, testP0, testGrads)},
		{"RMSprop defaults", &RMSprop{}, refRMSprop(1e-2, 0.99, 1e-8, 0, 0, false, testP0, testGrads)},
		{"RMSprop alpha wd", &RMSprop{LR: 0.05, Alpha: 0.9, Eps: 1e-3, WeightDecay: 0.2}, refRMSprop(0.05, 0.9, 1e-3, 0.2, 0, false, testP0, testGrads)},
		{"RMSprop momentum", &RMSprop{LR: 0.05, Momentum: 0.7}, refRMSprop(0.05, 0.99, 1e-8, 0, 0.7, false, testP0, testGrads)},
		{"RMSprop centered", &RMSprop{LR: 0.05, Alpha: 0.8, Centered: true}, refRMSprop(0.05, 0.8, 1e-8, 0, 0, true, testP0, testGrads)},
		{"RMSprop centered momentum", &RMSprop{LR: 0.05, Alpha: 0.8, Centered: true, Momentum: 0.5}, refRMSprop(0.05, 0.8, 1e-8, 0, 0.5, true, testP0, testGrads)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runSteps(t, tc.opt, testP0, testGrads)
			for k := range got {
				// Reference: PyTorch's documented update written out; 1e-12 covers rounding.
				if !closeTo(got[k], tc.want[k], 1e-12) {
					t.Errorf("step %d: got %v, want %v", k+1, got[k], tc.want[k])
				}
			}
		})
	}
}

func TestTorchOptimizersLiteral(t *testing.T) {
	tests := []struct {
		name  string
		opt   Optimizer
		grads [][]float64
		want  []float64 // p after each step, starting from p = 1, derived by hand
	}{
		// d = 1 + 0.01 = 1.01, b = 1.01, p = 1 − 0.101 = 0.899; then
		// d = 2 + 0.00899 = 2.00899, b = 0.9·1.01 + 0.9·2.00899 = 2.717091,
		// p = 0.899 − 0.2717091 = 0.6272909.
		{"SGD", &SGD{LR: 0.1, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01}, [][]float64{{1}, {2}}, []float64{0.899, 0.6272909}},
		// b = 1, d = 1 + 0.9 = 1.9, p = 0.81; then b = 0.9 + 2 = 2.9,
		// d = 2 + 2.61 = 4.61, p = 0.81 − 0.461 = 0.349.
		{"SGD nesterov", &SGD{LR: 0.1, Momentum: 0.9, Nesterov: true}, [][]float64{{1}, {2}}, []float64{0.81, 0.349}},
		// s = 3 + 1 = 4 (initial value 3), p = 1 − 0.1·1/2 = 0.95; then the rate
		// is 0.1/(1 + 1) = 0.05, s = 4 + 12 = 16 (g = √12), p = 0.95 − 0.05·√12/4.
		{"Adagrad", &Adagrad{LR: 0.1, LRDecay: 1, InitialAccumulatorValue: 3, Eps: 1e-300}, [][]float64{{1}, {math.Sqrt(12)}}, []float64{0.95, 0.95 - 0.05*math.Sqrt(12)/4}},
		// s = 0.5·0 + 0.5·4 = 2, p = 1 − 0.1·2/√2 = 1 − 0.1·√2.
		{"RMSprop", &RMSprop{LR: 0.1, Alpha: 0.5, Eps: 1e-300}, [][]float64{{2}}, []float64{1 - 0.1*math.Sqrt2}},
		// s = 2, a = 1, d = √(2 − 1) = 1, p = 1 − 0.1·2 = 0.8.
		{"RMSprop centered", &RMSprop{LR: 0.1, Alpha: 0.5, Eps: 1e-300, Centered: true}, [][]float64{{2}}, []float64{0.8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runSteps(t, tc.opt, []float64{1}, tc.grads)
			for k := range got {
				if math.Abs(got[k][0]-tc.want[k]) > 1e-13 { // hand derivation in the comment; rounding only
					t.Errorf("step %d: got %.17g, want %.17g", k+1, got[k][0], tc.want[k])
				}
			}
		})
	}
}

func TestInvalidSettings(t *testing.T) {
	tests := []struct {
		opt  Optimizer
		want string
	}{
		{&Adam{LR: -1}, "learning rate"},
		{&Adam{Betas: [2]float64{0.9, 1}}, "beta2"},
		{&Adam{Betas: [2]float64{math.NaN(), 0.9}}, "beta1"},
		{&Adam{Eps: -1e-8}, "eps"},
		{&AdamW{WeightDecay: math.Inf(1)}, "weight decay"},
		{&ClippedAdam{ClipNorm: -1}, "clip norm"},
		{&ClippedAdam{LRD: -0.5}, "decay"},
		{&SGD{Momentum: -0.1}, "momentum"},
		{&SGD{Nesterov: true}, "Nesterov"},
		{&SGD{Nesterov: true, Momentum: 0.9, Dampening: 0.1}, "Nesterov"},
		{&Adagrad{InitialAccumulatorValue: -1}, "initial accumulator"},
		{&RMSprop{Alpha: -0.5}, "alpha"},
		{&Clip{Optimizer: &Adam{}, Norm: -1}, "norm"},
		{&Clip{}, "no optimizer"},
	}
	for _, tc := range tests {
		p := param("x", 1)
		setGrad(p, []float64{1})
		err := tc.opt.Step([]Param{p})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T%+v: error %v, want one mentioning %q", tc.opt, tc.opt, err, tc.want)
		}
		if p.Tensor.Data()[0] != 1 {
			t.Errorf("%T: parameter changed by a refused step", tc.opt)
		}
	}
}
