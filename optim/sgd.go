package optim

import (
	"fmt"
	"math"

	"github.com/vigo-ppl/vigo/tensor"
)

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and weight decay, with PyTorch's semantics. With
// gradient g, weight decay λ, momentum μ, dampening τ and learning rate η:
//
//	d ← g + λ·p
//	b ← d on the first step, else μ·b + (1−τ)·d     (if μ ≠ 0)
//	d ← d + μ·b if Nesterov, else b                  (if μ ≠ 0)
//	p ← p − η·d
//
// A zero field means PyTorch's default: LR 0 → 1e-3, and no momentum,
// dampening or weight decay. Nesterov needs Momentum > 0 and Dampening 0.
//
// The zero value is ready to use; an SGD must not be copied after its first
// step. It is not safe for concurrent use.
type SGD struct {
	LR          float64 // learning rate η (0 → 1e-3)
	Momentum    float64 // momentum factor μ (default 0)
	Dampening   float64 // dampening τ for momentum (default 0)
	Nesterov    bool    // use Nesterov momentum
	WeightDecay float64 // L2 penalty λ (default 0)

	st store
}

type sgdRule struct {
	lr, momentum, dampening, wd float64
	nesterov                    bool
}

func (r *sgdRule) buffers() []string {
	if r.momentum != 0 {
		return []string{"momentum_buffer"}
	}
	return []string{}
}

func (r *sgdRule) init(*slot, []float64) {}

func (r *sgdRule) update(s *slot, src [][]float64, p, g, out []float64) {
	s.step++
	var b0, b []float64
	if r.momentum != 0 {
		b0, b = src[0], s.bufs[0]
	}
	for i, d := range g {
		if r.wd != 0 {
			d += r.wd * p[i]
		}
		if r.momentum != 0 {
			bi := d
			if s.step > 1 {
				bi = r.momentum*b0[i] + (1-r.dampening)*d
			}
			b[i] = bi
			if r.nesterov {
				d += r.momentum * bi
			} else {
				d = bi
			}
		}
		out[i] = p[i] + -r.lr*d
	}
}

func (o *SGD) rule() (rule, error) {
	const kind = "SGD"
	r := &sgdRule{lr: o.LearningRate(), momentum: o.Momentum, dampening: o.Dampening, wd: o.WeightDecay, nesterov: o.Nesterov}
	if err := firstErr(
		hyper(kind, "learning rate", r.lr, 0),
		hyper(kind, "momentum", r.momentum, 0),
		hyper(kind, "dampening", r.dampening, math.Inf(-1)),
		hyper(kind, "weight decay", r.wd, 0),
	); err != nil {
		return r, err
	}
	if r.nesterov && (r.momentum <= 0 || r.dampening != 0) {
		return r, fmt.Errorf("optim: SGD: Nesterov momentum needs Momentum > 0 and Dampening 0 (have %v and %v)", r.momentum, r.dampening)
	}
	return r, nil
}

// Step updates every parameter that has a gradient; see [Optimizer].
func (o *SGD) Step(params []Param) error { return step(o, params) }

// Stage computes a step without applying it; see [Stager].
func (o *SGD) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := o.rule()
	return o.st.stage("SGD", r, err, params, grads, true)
}

func (o *SGD) stageChecked(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := o.rule()
	return o.st.stage("SGD", r, err, params, grads, false)
}

// LearningRate returns the learning rate in effect.
func (o *SGD) LearningRate() float64 { return rate(o.LR, o.st.lrZero, 1e-3) }

// SetLearningRate sets the learning rate (0 means zero, not the default).
func (o *SGD) SetLearningRate(lr float64) { o.LR, o.st.lrZero = lr, lr == 0 }

// State serializes the learning rate and every parameter's step count and
// momentum buffer.
func (o *SGD) State() ([]byte, error) {
	r, err := o.rule()
	return o.st.state("SGD", r, err, o.LearningRate())
}

// LoadState replaces the optimizer's state (learning rate included) by one
// saved by State; a damaged state is an error and changes nothing.
func (o *SGD) LoadState(data []byte) error { return load(o, data) }

func (o *SGD) prepareLoad(data []byte) (func(), error) {
	r, err := o.rule()
	return o.st.prepareLoad("SGD", r, err, data, o.SetLearningRate)
}
