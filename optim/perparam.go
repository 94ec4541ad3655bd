package optim

import (
	"encoding/json"
	"fmt"

	"github.com/vigo-ppl/vigo/tensor"
)

// PerParamOptimizer gives every parameter its own optimizer, made by a
// function of the parameter's name the first time the parameter is seen:
// the vigo counterpart of Pyro's callable optim_args. Make one with
// [PerParam].
//
// A step is all-or-nothing across parameters when every per-parameter
// optimizer is a [Stager] (all of this package's are); one that is not is
// stepped after all the others have been staged, and if it fails, the
// optimizers of this package stepped nothing, but other such optimizers may
// already have stepped.
//
// A PerParamOptimizer is not safe for concurrent use.
type PerParamOptimizer struct {
	make func(name string) Optimizer
	opts map[string]Optimizer
}

// PerParam returns an optimizer that calls newOpt(name) once for each
// parameter name, at the parameter's first step, and steps that parameter
// with the optimizer it returned. newOpt should return a new optimizer on
// every call and depend only on name (it may be called again for a name if
// the step that first saw the name is refused, or when state is loaded).
//
// For example, a larger learning rate for one parameter:
//
//	optim.PerParam(func(name string) optim.Optimizer {
//		if name == "scale" {
//			return &optim.Adam{LR: 0.1}
//		}
//		return &optim.Adam{LR: 0.01}
//	})
func PerParam(newOpt func(name string) Optimizer) *PerParamOptimizer {
	return &PerParamOptimizer{make: newOpt}
}

// optimizer returns the optimizer for name, making (but not keeping) a new
// one if name has none yet.
func (pp *PerParamOptimizer) optimizer(name string) (opt Optimizer, made bool, err error) {
	if opt, ok := pp.opts[name]; ok {
		return opt, false, nil
	}
	opt, err = pp.newFor(name)
	return opt, err == nil, err
}

// newFor makes a new optimizer for name.
func (pp *PerParamOptimizer) newFor(name string) (Optimizer, error) {
	if pp.make == nil {
		return nil, fmt.Errorf("optim: PerParam: no function to make optimizers")
	}
	opt := pp.make(name)
	if opt == nil {
		return nil, fmt.Errorf("optim: PerParam: no optimizer made for parameter %q", name)
	}
	return opt, nil
}

// Step steps each parameter with its own optimizer; see [Optimizer].
func (pp *PerParamOptimizer) Step(params []Param) error { return step(pp, params) }

// Stage stages each parameter's step with its own optimizer; see [Stager].
// Parameters are passed to their optimizers even without a gradient, so
// that an optimizer such as [ClippedAdam] sees every step.
func (pp *PerParamOptimizer) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	if err := checkParams("PerParam", params, grads); err != nil {
		return nil, err
	}
	opts := make([]Optimizer, len(params))
	made := map[string]Optimizer{}
	var commits []func()
	var eager []int
	for i, p := range params {
		opt, isNew, err := pp.optimizer(p.Name)
		if err != nil {
			return nil, err
		}
		opts[i] = opt
		if isNew {
			made[p.Name] = opt
		}
		if _, ok := opt.(Stager); !ok {
			eager = append(eager, i)
			continue
		}
		// The parameter was validated above, so its optimizer does not
		// validate it again.
		commit, err := stageCheckedOf(opt, params[i:i+1], grads[i:i+1])
		if err != nil {
			return nil, err
		}
		commits = append(commits, commit)
	}
	for _, i := range eager {
		commit, err := stageOf(opts[i], params[i:i+1], grads[i:i+1])
		if err != nil {
			return nil, err
		}
		commits = append(commits, commit)
	}
	return func() {
		if pp.opts == nil {
			pp.opts = make(map[string]Optimizer)
		}
		for name, opt := range made {
			pp.opts[name] = opt
		}
		for _, c := range commits {
			c()
		}
	}, nil
}

// Advance advances every per-parameter optimizer that has an Advance
// method (a [Scheduler], say) by one epoch. As in Pyro, a parameter first
// seen later starts its schedule then.
func (pp *PerParamOptimizer) Advance() {
	for _, name := range sortedKeys(pp.opts) {
		if a, ok := pp.opts[name].(interface{ Advance() }); ok {
			a.Advance()
		}
	}
}

// Optimizer returns the optimizer made for the named parameter, or nil if
// the parameter has not been seen.
func (pp *PerParamOptimizer) Optimizer(name string) Optimizer { return pp.opts[name] }

type perParamJSON struct {
	Format    string                     `json:"format"`
	Optimizer string                     `json:"optimizer"`
	Params    map[string]json.RawMessage `json:"params"`
}

// State serializes the state of every per-parameter optimizer, keyed by
// parameter name.
func (pp *PerParamOptimizer) State() ([]byte, error) {
	st := perParamJSON{Format: stateFormat, Optimizer: "PerParam", Params: make(map[string]json.RawMessage, len(pp.opts))}
	for _, name := range sortedKeys(pp.opts) {
		b, err := stateOf(pp.opts[name])
		if err != nil {
			return nil, fmt.Errorf("optim: PerParam: parameter %q: %w", name, err)
		}
		st.Params[name] = b
	}
	return json.Marshal(&st)
}

// LoadState replaces the state: every per-parameter optimizer is made anew
// and loaded with the parameter's saved state, so that the result is the
// same as loading into a fresh PerParamOptimizer. A damaged state is an
// error and changes nothing.
func (pp *PerParamOptimizer) LoadState(data []byte) error { return load(pp, data) }

func (pp *PerParamOptimizer) prepareLoad(data []byte) (func(), error) {
	var st perParamJSON
	if err := decodeStrict(data, &st); err != nil {
		return nil, fmt.Errorf("optim: PerParam: LoadState: %v", err)
	}
	if st.Format != stateFormat {
		return nil, fmt.Errorf("optim: PerParam: LoadState: format %q, want %q", st.Format, stateFormat)
	}
	if st.Optimizer != "PerParam" {
		return nil, fmt.Errorf("optim: PerParam: LoadState: state of a %q optimizer", st.Optimizer)
	}
	if st.Params == nil {
		return nil, fmt.Errorf("optim: PerParam: LoadState: no parameter states")
	}
	opts := make(map[string]Optimizer, len(st.Params))
	applies := make([]func(), 0, len(st.Params))
	for _, name := range sortedKeys(st.Params) {
		opt, err := pp.newFor(name)
		if err != nil {
			return nil, err
		}
		apply, err := prepareLoadOf(opt, st.Params[name])
		if err != nil {
			return nil, fmt.Errorf("optim: PerParam: parameter %q: %w", name, err)
		}
		opts[name] = opt
		applies = append(applies, apply)
	}
	return func() {
		for _, a := range applies {
			a()
		}
		pp.opts = opts
	}, nil
}
