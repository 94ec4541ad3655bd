package optim

import (
	"fmt"
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/tensor"
)

// Param is a parameter handed to an optimizer: its name in the parameter
// store and its unconstrained leaf tensor ([tensor.Tensor.Grad] holds the
// gradient; [tensor.Tensor.SetData] updates it in place).
type Param struct {
	Name   string
	Tensor *tensor.Tensor
}

// Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Step updates every param that has a gradient (a nil Grad is skipped,
	// as PyTorch does). It is all-or-nothing: if any new value would be NaN
	// or ±Inf it returns an error naming that parameter and changes no
	// parameter and no optimizer state.
	Step(params []Param) error
}

// Stager is an [Optimizer] that can work out a step before applying it.
// Wrappers ([PerParamOptimizer], [Clip], [Scheduler]) use it to keep a step
// that spans several optimizers all-or-nothing, and to hand an optimizer
// gradients (clipped ones, say) other than those stored in the tensors.
// Every optimizer in this package is a Stager.
type Stager interface {
	Optimizer
	// Stage computes the step Step would take if grads[i] were the gradient
	// of params[i] (nil: no gradient), without changing anything. On
	// success, calling commit once applies the step; commit cannot fail.
	// Nothing may happen to the optimizer or the parameters between Stage
	// and commit. A Stage whose commit is never called has no effect.
	Stage(params []Param, grads []*tensor.Tensor) (commit func(), err error)
}

// Stateful is an optimizer whose state can be saved and restored, for
// instance to resume training. See the package documentation for the
// format. Every optimizer in this package is Stateful.
type Stateful interface {
	// State serializes the optimizer's state.
	State() ([]byte, error)
	// LoadState replaces the optimizer's state by a serialized one. A state
	// that cannot be read, or that does not fit the optimizer, is an error
	// and leaves the optimizer unchanged.
	LoadState(data []byte) error
}

// LRSetter is an optimizer whose learning rate can be read and changed, as
// learning-rate schedulers need.
type LRSetter interface {
	// LearningRate returns the learning rate in effect (defaults applied).
	LearningRate() float64
	// SetLearningRate sets the learning rate; 0 means a rate of zero, not
	// the default.
	SetLearningRate(lr float64)
}

// NonFiniteError reports a step that was refused because it would have
// made a parameter, or the optimizer's state for it, NaN or infinite.
type NonFiniteError struct {
	Optimizer string  // the optimizer that refused, e.g. "Adam"
	Param     string  // the parameter's name
	Buffer    string  // "" for the parameter's value, else the state buffer, e.g. "exp_avg_sq"
	Index     int     // flat row-major index of the first offending element
	Value     float64 // the value it would have taken
}

// Error describes the refused step, naming the parameter.
func (e *NonFiniteError) Error() string {
	what := "value"
	if e.Buffer != "" {
		what = "state " + e.Buffer
	}
	return fmt.Sprintf("optim: %s: step refused: parameter %q would get %s %v at index %d", e.Optimizer, e.Param, what, e.Value, e.Index)
}

// gradsOf collects the gradients stored in the parameters' tensors.
func gradsOf(params []Param) []*tensor.Tensor {
	grads := make([]*tensor.Tensor, len(params))
	for i, p := range params {
		if p.Tensor != nil {
			grads[i] = p.Tensor.Grad()
		}
	}
	return grads
}

// step runs a Stager's two phases on the gradients stored in params.
func step(s Stager, params []Param) error {
	commit, err := s.Stage(params, gradsOf(params))
	if err != nil {
		return err
	}
	commit()
	return nil
}

// checkParams validates the arguments of a Stage call: every param has a
// tensor, names and tensors are not repeated, and each gradient matches its
// parameter's shape.
func checkParams(kind string, params []Param, grads []*tensor.Tensor) error {
	if len(grads) != len(params) {
		return fmt.Errorf("optim: %s: %d gradients for %d parameters", kind, len(grads), len(params))
	}
	var seen paramsSeen
	if len(params) > pairwiseParams {
		seen.names = make(map[string]bool, len(params))
		seen.tensors = make(map[*tensor.Tensor]string, len(params))
	}
	for i, p := range params {
		if p.Tensor == nil {
			return fmt.Errorf("optim: %s: parameter %q has a nil tensor", kind, p.Name)
		}
		dup, other, shared := seen.check(params, i)
		if dup {
			return fmt.Errorf("optim: %s: parameter %q given twice", kind, p.Name)
		}
		if shared {
			return fmt.Errorf("optim: %s: parameters %q and %q share one tensor", kind, other, p.Name)
		}
		if g := grads[i]; g != nil && !slices.Equal(g.Shape(), p.Tensor.Shape()) {
			return fmt.Errorf("optim: %s: parameter %q has shape %v but its gradient has shape %v", kind, p.Name, p.Tensor.Shape(), g.Shape())
		}
	}
	return nil
}

// pairwiseParams is the number of parameters up to which checkParams
// compares every pair instead of building maps: for a model's handful of
// parameters, checked every step, that is cheaper than filling two maps.
const pairwiseParams = 16

// paramsSeen records the names and tensors of the parameters checkParams
// has passed, in maps when there are many; with nil maps it compares with
// the parameters before instead.
type paramsSeen struct {
	names   map[string]bool
	tensors map[*tensor.Tensor]string
}

// check reports whether params[i] repeats an earlier parameter's name, and
// the name of an earlier parameter with the same tensor, if any.
func (s *paramsSeen) check(params []Param, i int) (dup bool, other string, shared bool) {
	p := params[i]
	if s.names == nil {
		for _, q := range params[:i] {
			dup = dup || q.Name == p.Name
			if !shared && q.Tensor == p.Tensor {
				other, shared = q.Name, true
			}
		}
		return dup, other, shared
	}
	dup = s.names[p.Name]
	other, shared = s.tensors[p.Tensor]
	s.names[p.Name] = true
	if !shared {
		s.tensors[p.Tensor] = p.Name
	}
	return dup, other, shared
}

// preChecked is implemented by the optimizers of this package whose Stage
// begins by validating its arguments with checkParams: stageChecked is Stage
// without that check, for a wrapper that has already validated the same
// params with gradients of the same shapes.
type preChecked interface {
	stageChecked(params []Param, grads []*tensor.Tensor) (func(), error)
}

// stageCheckedOf stages a step of any optimizer for params and grads that
// checkParams has accepted, without validating them again.
func stageCheckedOf(opt Optimizer, params []Param, grads []*tensor.Tensor) (func(), error) {
	if c, ok := opt.(preChecked); ok {
		return c.stageChecked(params, grads)
	}
	return stageOf(opt, params, grads)
}

// stageMapped stages a step with gradients mapped by f (nil gradients stay
// nil): f returns its argument when the gradient does not change, else a
// new tensor of the same shape. The commit applies the step and then
// stores each changed gradient in its tensor.
func stageMapped(params []Param, grads []*tensor.Tensor, f func(*tensor.Tensor) *tensor.Tensor,
	stage func([]Param, []*tensor.Tensor) (func(), error)) (func(), error) {
	mapped := make([]*tensor.Tensor, len(grads))
	for i, g := range grads {
		if g != nil {
			mapped[i] = f(g)
		}
	}
	commit, err := stage(params, mapped)
	if err != nil {
		return nil, err
	}
	return func() {
		commit()
		for i, p := range params {
			if mapped[i] != grads[i] && p.Tensor.RequiresGrad() {
				p.Tensor.SetGrad(mapped[i])
			}
		}
	}, nil
}

// stageOf stages a step of any optimizer. An optimizer that is not a
// [Stager] is stepped at once (with grads installed in the tensors and the
// old gradients restored if it fails); its commit does nothing.
func stageOf(opt Optimizer, params []Param, grads []*tensor.Tensor) (func(), error) {
	if s, ok := opt.(Stager); ok {
		return s.Stage(params, grads)
	}
	old := gradsOf(params)
	restore := func() {
		for i, p := range params {
			if grads[i] != old[i] && p.Tensor.RequiresGrad() {
				p.Tensor.SetGrad(old[i])
			}
		}
	}
	for i, p := range params {
		if grads[i] != old[i] {
			if !p.Tensor.RequiresGrad() {
				return nil, fmt.Errorf("optim: parameter %q does not require grad but was given a gradient", p.Name)
			}
			p.Tensor.SetGrad(grads[i])
		}
	}
	if err := opt.Step(params); err != nil {
		restore()
		return nil, err
	}
	return func() {}, nil
}

// hyper validates one hyperparameter: it must be finite and at least lo.
func hyper(kind, name string, v, lo float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo {
		return fmt.Errorf("optim: %s: invalid %s %v (want a finite value >= %v)", kind, name, v, lo)
	}
	return nil
}

// firstErr returns the first non-nil error of errs, or nil.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkBetas validates a pair of Adam coefficients, each in [0, 1).
func checkBetas(kind string, b [2]float64) error {
	for i, v := range b {
		if math.IsNaN(v) || v < 0 || v >= 1 {
			return fmt.Errorf("optim: %s: invalid beta%d %v (want 0 <= beta < 1)", kind, i+1, v)
		}
	}
	return nil
}

// orDefault returns v, or def when v is zero.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// rate is a learning rate field's effective value: LR, or def when LR is
// zero, unless a zero was set explicitly through SetLearningRate.
func rate(lr float64, zeroSet bool, def float64) float64 {
	if lr == 0 && zeroSet {
		return 0
	}
	return orDefault(lr, def)
}

// betasOrDefault returns b, or PyTorch's (0.9, 0.999) when both are zero.
func betasOrDefault(b [2]float64) [2]float64 {
	if b == [2]float64{} {
		return [2]float64{0.9, 0.999}
	}
	return b
}
