package optim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refAdam is Adam (or AdamW) written out element by element from the formulas
// of PyTorch's documentation (vigo spec §7.3), independently of the package.
func refAdam(lr, b1, b2, eps, wd float64, amsgrad, decoupled bool, p0 []float64, grads [][]float64) [][]float64 {
	p := append([]float64(nil), p0...)
	m := make([]float64, len(p))
	v := make([]float64, len(p))
	vmax := make([]float64, len(p))
	var out [][]float64
	for k, g := range grads {
		t := float64(k + 1)
		for i := range p {
			gi := g[i]
			if decoupled {
				p[i] *= 1 - lr*wd
			} else {
				gi += wd * p[i]
			}
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			vmax[i] = math.Max(vmax[i], v[i])
			second := v[i]
			if amsgrad {
				second = vmax[i]
			}
			p[i] -= (lr / (1 - math.Pow(b1, t))) * m[i] / (math.Sqrt(second)/math.Sqrt(1-math.Pow(b2, t)) + eps)
		}
		out = append(out, append([]float64(nil), p...))
	}
	return out
}

// refClippedAdam is ClippedAdam written out from vigo spec §7.4.
func refClippedAdam(lr, lrd, b1, b2, eps, wd, clip float64, p0 []float64, grads [][]float64) [][]float64 {
	p := append([]float64(nil), p0...)
	m := make([]float64, len(p))
	v := make([]float64, len(p))
	var out [][]float64
	for k, g := range grads {
		t := float64(k + 1)
		lr *= lrd
		for i := range p {
			gi := math.Max(-clip, math.Min(clip, g[i]))
			gi += wd * p[i]
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			p[i] -= lr * math.Sqrt(1-math.Pow(b2, t)) / (1 - math.Pow(b1, t)) * m[i] / (math.Sqrt(v[i]) + eps)
		}
		out = append(out, append([]float64(nil), p...))
	}
	return out
}

var (
	testP0    = []float64{0.5, -1.25}
	testGrads = [][]float64{{3, -2}, {0.1, 0.2}, {-0.05, 0.01}} // large then small: AMSGrad differs
)

func TestAdamMatchesFormulas(t *testing.T) {
	tests := []struct {
		name string
		opt  Optimizer
		want [][]float64
	}{
		{"defaults", &Adam{}, refAdam(1e-3, 0.9, 0.999, 1e-8, 0, false, false, testP0, testGrads)},
		{"lr", &Adam{LR: 0.1}, refAdam(0.1, 0.9, 0.999, 1e-8, 0, false, false, testP0, testGrads)},
		{"betas eps", &Adam{LR: 0.05, Betas: [2]float64{0.8, 0.99}, Eps: 1e-3}, refAdam(0.05, 0.8, 0.99, 1e-3, 0, false, false, testP0, testGrads)},
		{"beta1 zero kept", &Adam{LR: 0.05, Betas: [2]float64{0, 0.99}}, refAdam(0.05, 0, 0.99, 1e-8, 0, false, false, testP0, testGrads)},
		{"weight decay", &Adam{LR: 0.1, WeightDecay: 0.3}, refAdam(0.1, 0.9, 0.999, 1e-8, 0.3, false, false, testP0, testGrads)},
		{"amsgrad", &Adam{LR: 0.1, AMSGrad: true}, refAdam(0.1, 0.9, 0.999, 1e-8, 0, true, false, testP0, testGrads)},
		{"AdamW defaults", &AdamW{}, refAdam(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, true, testP0, testGrads)},
		{"AdamW", &AdamW{LR: 0.1, WeightDecay: 0.5, AMSGrad: true}, refAdam(0.1, 0.9, 0.999, 1e-8, 0.5, true, true, testP0, testGrads)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runSteps(t, tc.opt, testP0, testGrads)
			for k := range got {
				// Reference: the same formulas evaluated in a different order; 1e-12 covers rounding.
				if !closeTo(got[k], tc.want[k], 1e-12) {
					t.Errorf("step %d: got %v, want %v", k+1, got[k], tc.want[k])
				}
			}
		})
	}
	// The AMSGrad case must differ from plain Adam, or it tests nothing.
	plain := refAdam(0.1, 0.9, 0.999, 1e-8, 0, false, false, testP0, testGrads)
	ams := refAdam(0.1, 0.9, 0.999, 1e-8, 0, true, false, testP0, testGrads)
	if closeTo(plain[2], ams[2], 1e-9) {
		t.Fatal("test gradients do not exercise AMSGrad")
	}
}

func TestAdamLiteral(t *testing.T) {
	// Adam{LR: 0.1}, p = 1, g = 2. After one step m = 0.2, v = 0.004,
	// 1−β1 = 0.1, 1−β2 = 0.001, so the step is (0.1/0.1)·0.2/(√4 + 1e-8)
	// = 0.1/(1 + 5e-9) = 0.0999999995 (to 1e-17): p = 0.9000000005.
	got := runSteps(t, &Adam{LR: 0.1}, []float64{1}, [][]float64{{2}})
	if want := 0.9000000005; math.Abs(got[0][0]-want) > 1e-12 { // hand derivation above, exact to 1e-17
		t.Errorf("Adam step: got %.17g, want %.17g", got[0][0], want)
	}
	// Zero gradient on a fresh parameter: m = v = 0, the update is 0/(0+ε) = 0.
	got = runSteps(t, &Adam{LR: 0.1}, []float64{1}, [][]float64{{0}})
	if got[0][0] != 1 {
		t.Errorf("Adam step with zero gradient moved p to %v", got[0][0])
	}
}

func TestClippedAdamMatchesFormulas(t *testing.T) {
	tests := []struct {
		name string
		opt  *ClippedAdam
		want [][]float64
	}{
		{"defaults", &ClippedAdam{}, refClippedAdam(1e-3, 1, 0.9, 0.999, 1e-8, 0, 10, testP0, testGrads)},
		{"clip lrd wd", &ClippedAdam{LR: 0.1, LRD: 0.9, ClipNorm: 1, WeightDecay: 0.1}, refClippedAdam(0.1, 0.9, 0.9, 0.999, 1e-8, 0.1, 1, testP0, testGrads)},
		{"betas eps", &ClippedAdam{LR: 0.2, Betas: [2]float64{0.5, 0.9}, Eps: 1e-2, ClipNorm: 2.5}, refClippedAdam(0.2, 1, 0.5, 0.9, 1e-2, 0, 2.5, testP0, testGrads)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runSteps(t, tc.opt, testP0, testGrads)
			for k := range got {
				// Reference: spec §7.4 written out; 1e-12 covers rounding.
				if !closeTo(got[k], tc.want[k], 1e-12) {
					t.Errorf("step %d: got %v, want %v", k+1, got[k], tc.want[k])
				}
			}
		})
	}
}

func TestClippedAdamLiteral(t *testing.T) {
	// ClippedAdam{LR: 0.1, LRD: 0.5, ClipNorm: 1}, p = 1, g = 3. The rate
	// decays first (0.05) and g is clamped to 1, so m = 0.1, v = 0.001 and
	// the step is 0.05·√0.001/0.1 · 0.1/(√0.001 + 1e-8) = 0.05/(1 + x) with
	// x = 1e-8/√0.001 = 3.16227766016838e-7, i.e. 0.05 − 1.58113883008419e-8
	// + 5e-15: p = 0.950000015811383.
	opt := &ClippedAdam{LR: 0.1, LRD: 0.5, ClipNorm: 1}
	p := param("x", 1)
	setGrad(p, []float64{3})
	mustStep(t, opt, p)
	if want := 0.950000015811383; math.Abs(p.Tensor.Data()[0]-want) > 1e-12 { // hand derivation above, to 1e-15
		t.Errorf("ClippedAdam step: got %.17g, want %.17g", p.Tensor.Data()[0], want)
	}
	// As Pyro's in-place clamp, the clamped gradient stays in the tensor.
	if g := p.Tensor.Grad().Data()[0]; g != 1 {
		t.Errorf("gradient after step = %v, want the clamped 1", g)
	}
}

func TestClippedAdamDecaysWithoutGradient(t *testing.T) {
	// A step in which the parameter has no gradient still decays its rate
	// (Pyro decays the group's rate before looking at gradients).
	opt := &ClippedAdam{LR: 1, LRD: 0.5}
	p := param("x", 2)
	mustStep(t, opt, p) // no gradient: rate 1 → 0.5, p unchanged
	if p.Tensor.Data()[0] != 2 {
		t.Fatalf("p changed without a gradient: %v", p.Tensor.Data()[0])
	}
	setGrad(p, []float64{4})
	mustStep(t, opt, p) // rate 0.25, first moment step
	want := refClippedAdam(0.5, 0.5, 0.9, 0.999, 1e-8, 0, 10, []float64{2}, [][]float64{{4}})
	if !closeTo(values(p), want[0], 1e-12) { // spec §7.4 formula, rounding only
		t.Errorf("got %v, want %v", values(p), want[0])
	}
	if lr := opt.st.slots["x"].lr; lr != 0.25 {
		t.Errorf("parameter rate = %v, want 0.25", lr)
	}
	// A plain Adam skips a parameter without a gradient entirely.
	a := &Adam{}
	mustStep(t, a, param("y", 1))
	if len(a.st.slots) != 0 {
		t.Errorf("Adam made state for a parameter without a gradient")
	}
}

func TestAdamPerParameterState(t *testing.T) {
	// A parameter first seen at step 3 starts with fresh moments and t = 1,
	// exactly as if it were alone (one optimizer per parameter).
	opt := &Adam{LR: 0.1}
	a := param("a", 1, 2)
	for range 2 {
		setGrad(a, []float64{0.5, -0.5})
		mustStep(t, opt, a)
	}
	b := param("b", testP0...)
	setGrad(a, []float64{0.5, -0.5})
	setGrad(b, testGrads[0])
	mustStep(t, opt, a, b)
	want := refAdam(0.1, 0.9, 0.999, 1e-8, 0, false, false, testP0, testGrads[:1])
	if !sameBits(values(b), runSteps(t, &Adam{LR: 0.1}, testP0, testGrads[:1])[0]) || !closeTo(values(b), want[0], 1e-12) {
		t.Errorf("late parameter: got %v, want %v", values(b), want[0])
	}
}

// TestAdamLargeParameter checks Adam, AdamW and ClippedAdam on a parameter
// updated in several ranges on several cores against the element-by-element
// formulas, for plain Adam and the variants with their own loop.
func TestAdamLargeParameter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 2*rangeLen + 17
	p0 := make([]float64, n)
	for i := range p0 {
		p0[i] = rng.NormFloat64()
	}
	grads := make([][]float64, 3)
	for k := range grads {
		grads[k] = make([]float64, n)
		for i := range grads[k] {
			grads[k][i] = rng.NormFloat64() * float64(3-k)
		}
	}
	tests := []struct {
		name string
		opt  Optimizer
		want [][]float64
	}{
		{"plain", &Adam{LR: 0.1}, refAdam(0.1, 0.9, 0.999, 1e-8, 0, false, false, p0, grads)},
		{"weight decay, amsgrad", &Adam{LR: 0.1, WeightDecay: 0.3, AMSGrad: true}, refAdam(0.1, 0.9, 0.999, 1e-8, 0.3, true, false, p0, grads)},
		{"AdamW", &AdamW{LR: 0.1, WeightDecay: 0.5}, refAdam(0.1, 0.9, 0.999, 1e-8, 0.5, false, true, p0, grads)},
		{"ClippedAdam", &ClippedAdam{LR: 0.1, LRD: 0.99, ClipNorm: 2}, refClippedAdam(0.1, 0.99, 0.9, 0.999, 1e-8, 0, 2, p0, grads)},
	}
	for _, tc := range tests {
		got := runSteps(t, tc.opt, p0, grads)
		for k := range got {
			if !closeTo(got[k], tc.want[k], 1e-12) {
				t.Fatalf("%s: step %d differs from the formulas", tc.name, k+1)
			}
		}
	}
}
