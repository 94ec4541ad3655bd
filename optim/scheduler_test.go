package optim

import (
	"math"
	"strings"
	"testing"
)

func TestSchedulerRates(t *testing.T) {
	must := func(s *Scheduler, err error) *Scheduler {
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name  string
		s     *Scheduler
		want  func(e float64) float64 // PyTorch's documented closed form
		tol   float64
		check []float64 // a few rates derived by hand, for epochs 0, 1, 2, ...
	}{
		// η₀·γ^⌊e/3⌋; rounding only (exact halvings).
		{"StepLR", must(NewStepLR(&SGD{LR: 1}, 3, 0.5)), func(e float64) float64 { return math.Pow(0.5, math.Floor(e/3)) }, 1e-15,
			[]float64{1, 1, 1, 0.5, 0.5, 0.5, 0.25}},
		// η₀·γ^e; repeated multiplication drifts by about e ulps.
		{"ExponentialLR", must(NewExponentialLR(&Adam{LR: 0.1}, 0.9)), func(e float64) float64 { return 0.1 * math.Pow(0.9, e) }, 1e-13,
			[]float64{0.1, 0.09, 0.081, 0.0729}},
		// η_min + (η₀ − η_min)(1 + cos(πe/T))/2, over several periods; the
		// recursive form drifts by rounding only.
		{"CosineAnnealingLR", must(NewCosineAnnealingLR(&RMSprop{LR: 0.1}, 4, 0.02)), func(e float64) float64 {
			return 0.02 + (0.1-0.02)*(1+math.Cos(math.Pi*e/4))/2
		}, 1e-13,
			// cos(π/4) = √2/2: 0.02 + 0.04·(1 + √2/2) = 0.0882842712474619; cos(π/2) = 0: 0.06.
			[]float64{0.1, 0.0882842712474619, 0.06, 0.0317157287525381, 0.02, 0.0317157287525381, 0.06}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for e := 0; e <= 20; e++ {
				if tc.s.Epoch() != e {
					t.Fatalf("Epoch() = %d, want %d", tc.s.Epoch(), e)
				}
				got, want := tc.s.LearningRate(), tc.want(float64(e))
				if !(math.Abs(got-want) <= tc.tol*math.Max(1e-2, want)) {
					t.Errorf("epoch %d: rate %.17g, want %.17g", e, got, want)
				}
				if e < len(tc.check) && math.Abs(got-tc.check[e]) > 1e-15 { // literals above, to 16 digits
					t.Errorf("epoch %d: rate %.17g, want %.17g", e, got, tc.check[e])
				}
				tc.s.Advance()
			}
		})
	}
}

func TestSchedulerDrivesSteps(t *testing.T) {
	s, err := NewExponentialLR(&SGD{LR: 1}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	p := param("w", 0)
	for _, want := range []float64{-1, -1.5, -1.75} {
		setGrad(p, []float64{1})
		mustStep(t, s, p)
		s.Advance()
		if p.Tensor.Data()[0] != want {
			t.Errorf("p = %v, want %v", p.Tensor.Data()[0], want)
		}
	}
}

func TestSchedulerZeroRate(t *testing.T) {
	// Cosine annealing to η_min = 0 reaches a rate of exactly 0 at epoch T,
	// which must mean zero (no step), not the default rate 1e-3.
	s, err := NewCosineAnnealingLR(&Adam{}, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.LearningRate() != 1e-3 {
		t.Fatalf("initial rate %v, want the default 1e-3", s.LearningRate())
	}
	s.Advance()
	s.Advance()
	if s.LearningRate() != 0 {
		t.Fatalf("rate at epoch T = %v, want 0", s.LearningRate())
	}
	p := param("w", 1)
	setGrad(p, []float64{1})
	mustStep(t, s, p)
	if p.Tensor.Data()[0] != 1 {
		t.Errorf("a zero rate moved p to %v", p.Tensor.Data()[0])
	}
	s.Advance() // epoch T+1 = 3: the special case of the recursion, back to (1−cos(π/2))/2·η₀
	if got := s.LearningRate(); !(math.Abs(got-0.5e-3) <= 1e-18) {
		t.Errorf("rate at epoch T+1 = %v, want 5e-4", got)
	}
}

func TestSchedulerClippedAdamRates(t *testing.T) {
	// A scheduler applies its formula to every parameter's own rate of a
	// ClippedAdam, as each of Pyro's per-parameter schedulers does.
	ca := &ClippedAdam{LR: 1, LRD: 0.5}
	s, err := NewExponentialLR(ca, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	p := param("w", 1)
	setGrad(p, []float64{1})
	mustStep(t, s, p) // rate 1 → 0.5
	s.Advance()       // 0.5 → 0.05
	mustStep(t, s, p) // 0.05 → 0.025
	if got := ca.st.slots["w"].lr; !(math.Abs(got-0.025) <= 1e-17) {
		t.Errorf("parameter rate %v, want 0.025", got)
	}
	if ca.LearningRate() != 0.1 {
		t.Errorf("initial rate for new parameters %v, want 0.1", ca.LearningRate())
	}
}

func TestSchedulerErrors(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{second(NewStepLR(&SGD{}, 0, 0.1)), "step size"},
		{second(NewStepLR(&SGD{}, 1, math.NaN())), "gamma"},
		{second(NewExponentialLR(&SGD{}, -1)), "gamma"},
		{second(NewCosineAnnealingLR(&SGD{}, 0, 0)), "period"},
		{second(NewCosineAnnealingLR(&SGD{}, 3, -1)), "minimum rate"},
		{second(NewExponentialLR(plainSGD{}, 0.5)), "no settable learning rate"},
		{second(NewExponentialLR(&Clip{Optimizer: &Adam{}}, 0.5)), "no settable learning rate"},
		{(&Scheduler{}).Step(nil), "constructor"},
	}
	for _, tc := range tests {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestChainedSchedulers(t *testing.T) {
	// Chained schedulers multiply their effects (PyTorch's chainable form):
	// StepLR(2, 0.1) then ExponentialLR(0.5) on a rate of 1 give
	// 1 → 0.5 (epoch 1) → 1·0.1·0.25 = 0.025 (epoch 2).
	inner, err := NewStepLR(&SGD{LR: 1}, 2, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := NewExponentialLR(inner, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []float64{0.5, 0.025} {
		inner.Advance()
		outer.Advance()
		if got := outer.LearningRate(); math.Abs(got-want) > 1e-17 { // hand derivation above
			t.Errorf("rate %v, want %v", got, want)
		}
	}
	// Through a chain, a ClippedAdam's per-parameter rates follow too.
	ca := &ClippedAdam{LR: 1}
	in2, _ := NewExponentialLR(ca, 0.5)
	out2, _ := NewExponentialLR(in2, 0.5)
	p := param("w", 1)
	setGrad(p, []float64{1})
	mustStep(t, out2, p)
	out2.Advance()
	if got := ca.st.slots["w"].lr; got != 0.5 {
		t.Errorf("parameter rate %v, want 0.5", got)
	}
	out2.SetLearningRate(0.125)
	if got := ca.st.slots["w"].lr; got != 0.125 || ca.LearningRate() != 0.125 {
		t.Errorf("after SetLearningRate: parameter rate %v, initial %v; want 0.125", got, ca.LearningRate())
	}
}
