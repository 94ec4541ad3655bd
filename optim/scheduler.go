package optim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/vigo-ppl/vigo/tensor"
)

// Scheduler changes the learning rate of the optimizer it wraps once per
// epoch, as PyTorch's learning-rate schedulers do. Step steps the wrapped
// optimizer; [Scheduler.Advance], called by the user at the end of each
// epoch (PyTorch's scheduler.step()), moves to the next epoch and sets the
// new rate. Make one with [NewStepLR], [NewExponentialLR] or
// [NewCosineAnnealingLR].
//
// The rate is computed from the optimizer's current rate by PyTorch's
// recursive (chainable) formulas, so a rate changed by hand between epochs
// carries on from the new value. The rate is shared by every parameter of the
// wrapped optimizer; to start each parameter's schedule when the parameter is
// first seen, as Pyro's one-scheduler-per-parameter does, wrap schedulers in
// [PerParam] and call [PerParamOptimizer.Advance].
//
// A Scheduler is not safe for concurrent use.
type Scheduler struct {
	opt   Optimizer // an LRSetter, or nil when not made by a constructor
	name  string
	next  func(epoch int, lr, base float64) float64 // the rate for epoch ≥ 1 from the previous one
	base  float64                                   // the rate when the scheduler was made
	epoch int
}

func newScheduler(name string, opt Optimizer, next func(int, float64, float64) float64) (*Scheduler, error) {
	lrs, ok := opt.(LRSetter)
	if !ok {
		return nil, fmt.Errorf("optim: %s: optimizer %T has no settable learning rate", name, opt)
	}
	return &Scheduler{opt: opt, name: name, next: next, base: lrs.LearningRate()}, nil
}

// NewStepLR returns a scheduler that multiplies the learning rate by gamma
// every stepSize epochs (PyTorch's StepLR): at epoch e the rate is
// η₀·gamma^⌊e/stepSize⌋ when nothing else changes it.
func NewStepLR(opt Optimizer, stepSize int, gamma float64) (*Scheduler, error) {
	if stepSize <= 0 {
		return nil, fmt.Errorf("optim: StepLR: invalid step size %d (want > 0)", stepSize)
	}
	if err := hyper("StepLR", "gamma", gamma, 0); err != nil {
		return nil, err
	}
	return newScheduler("StepLR", opt, func(epoch int, lr, _ float64) float64 {
		if epoch%stepSize != 0 {
			return lr
		}
		return lr * gamma
	})
}

// NewExponentialLR returns a scheduler that multiplies the learning rate by
// gamma every epoch (PyTorch's ExponentialLR): η₀·gamma^e at epoch e.
func NewExponentialLR(opt Optimizer, gamma float64) (*Scheduler, error) {
	if err := hyper("ExponentialLR", "gamma", gamma, 0); err != nil {
		return nil, err
	}
	return newScheduler("ExponentialLR", opt, func(_ int, lr, _ float64) float64 { return lr * gamma })
}

// NewCosineAnnealingLR returns a scheduler that anneals the learning rate
// from its initial value η₀ to etaMin along a cosine of period 2·tMax
// (PyTorch's CosineAnnealingLR): at epoch e the rate is
// etaMin + (η₀ − etaMin)·(1 + cos(π·e/tMax))/2 when nothing else changes it.
func NewCosineAnnealingLR(opt Optimizer, tMax int, etaMin float64) (*Scheduler, error) {
	if tMax <= 0 {
		return nil, fmt.Errorf("optim: CosineAnnealingLR: invalid period %d (want > 0)", tMax)
	}
	if err := hyper("CosineAnnealingLR", "minimum rate", etaMin, 0); err != nil {
		return nil, err
	}
	T := float64(tMax)
	return newScheduler("CosineAnnealingLR", opt, func(epoch int, lr, base float64) float64 {
		if (epoch-1-tMax)%(2*tMax) == 0 {
			return lr + (base-etaMin)*(1-math.Cos(math.Pi/T))/2
		}
		e := float64(epoch)
		return (1+math.Cos(math.Pi*e/T))/(1+math.Cos(math.Pi*(e-1)/T))*(lr-etaMin) + etaMin
	})
}

// Step steps the wrapped optimizer; see [Optimizer].
func (s *Scheduler) Step(params []Param) error { return step(s, params) }

// Stage stages the wrapped optimizer's step; see [Stager].
func (s *Scheduler) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	if s.opt == nil {
		return nil, errNoScheduler
	}
	return stageOf(s.opt, params, grads)
}

func (s *Scheduler) stageChecked(params []Param, grads []*tensor.Tensor) (func(), error) {
	if s.opt == nil {
		return nil, errNoScheduler
	}
	return stageCheckedOf(s.opt, params, grads)
}

// Advance ends the current epoch and sets the learning rate for the next.
func (s *Scheduler) Advance() {
	if s.opt == nil {
		return
	}
	s.epoch++
	epoch, base := s.epoch, s.base
	mapRates(s.opt, func(lr float64) float64 { return s.next(epoch, lr, base) })
}

// Epoch returns the number of times Advance has been called.
func (s *Scheduler) Epoch() int { return s.epoch }

// LearningRate returns the wrapped optimizer's learning rate.
func (s *Scheduler) LearningRate() float64 {
	if s.opt == nil {
		return 0
	}
	return s.opt.(LRSetter).LearningRate()
}

// SetLearningRate sets the wrapped optimizer's learning rate.
func (s *Scheduler) SetLearningRate(lr float64) {
	if s.opt != nil {
		s.opt.(LRSetter).SetLearningRate(lr)
	}
}

func (s *Scheduler) mapRates(f func(float64) float64) {
	if s.opt != nil {
		mapRates(s.opt, f)
	}
}

// rateMapper is an optimizer holding several learning rates (one per
// parameter, say) that a scheduler must update each by its formula.
type rateMapper interface {
	mapRates(f func(float64) float64)
}

// mapRates replaces opt's learning rate η by f(η).
func mapRates(opt Optimizer, f func(float64) float64) {
	if m, ok := opt.(rateMapper); ok {
		m.mapRates(f)
		return
	}
	l := opt.(LRSetter)
	l.SetLearningRate(f(l.LearningRate()))
}

var errNoScheduler = errors.New("optim: Scheduler: not made by a constructor such as NewStepLR")

type schedulerJSON struct {
	Format    string          `json:"format"`
	Optimizer string          `json:"optimizer"`
	Epoch     *int            `json:"epoch"`
	BaseLR    string          `json:"base_lr"`
	Wrapped   json.RawMessage `json:"wrapped"`
}

// State serializes the epoch, the initial learning rate and the wrapped
// optimizer's state.
func (s *Scheduler) State() ([]byte, error) {
	if s.opt == nil {
		return nil, errNoScheduler
	}
	inner, err := stateOf(s.opt)
	if err != nil {
		return nil, fmt.Errorf("optim: %s: %w", s.name, err)
	}
	epoch := s.epoch
	return json.Marshal(&schedulerJSON{Format: stateFormat, Optimizer: s.name, Epoch: &epoch, BaseLR: hexFloat(s.base), Wrapped: inner})
}

// LoadState replaces the scheduler's and the wrapped optimizer's state by
// one saved by State; a damaged state is an error and changes nothing.
func (s *Scheduler) LoadState(data []byte) error { return load(s, data) }

func (s *Scheduler) prepareLoad(data []byte) (func(), error) {
	if s.opt == nil {
		return nil, errNoScheduler
	}
	var st schedulerJSON
	if err := decodeStrict(data, &st); err != nil {
		return nil, fmt.Errorf("optim: %s: LoadState: %v", s.name, err)
	}
	if st.Format != stateFormat {
		return nil, fmt.Errorf("optim: %s: LoadState: format %q, want %q", s.name, st.Format, stateFormat)
	}
	if st.Optimizer != s.name {
		return nil, fmt.Errorf("optim: %s: LoadState: state of a %q scheduler", s.name, st.Optimizer)
	}
	if st.Epoch == nil || *st.Epoch < 0 {
		return nil, fmt.Errorf("optim: %s: LoadState: missing or negative epoch", s.name)
	}
	base, err := parseHexFloat(st.BaseLR)
	if err != nil || base < 0 {
		return nil, fmt.Errorf("optim: %s: LoadState: initial learning rate: bad value %q", s.name, st.BaseLR)
	}
	apply, err := prepareLoadOf(s.opt, st.Wrapped)
	if err != nil {
		return nil, err
	}
	return func() {
		apply()
		s.epoch, s.base = *st.Epoch, base
	}, nil
}
