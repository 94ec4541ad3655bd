package optim

import (
	"math"

	"github.com/vigo-ppl/vigo/tensor"
)

// RMSprop is the RMSprop optimizer with PyTorch's semantics. With gradient
// g, weight decay λ, smoothing α, momentum μ and learning rate η:
//
//	g ← g + λ·p
//	s ← α·s + (1−α)·g²
//	a ← α·a + (1−α)·g,  d = √(s − a²) + ε     (Centered)
//	d = √s + ε                                 (otherwise)
//	b ← μ·b + g/d,  p ← p − η·b                (if μ > 0)
//	p ← p − η·g/d                              (otherwise)
//
// A zero field means PyTorch's default: LR 0 → 1e-2, Alpha 0 → 0.99, Eps 0
// → 1e-8, and no momentum or weight decay.
//
// The zero value is ready to use; an RMSprop must not be copied after its
// first step. It is not safe for concurrent use.
type RMSprop struct {
	LR          float64 // learning rate η (0 → 1e-2)
	Alpha       float64 // smoothing constant α (0 → 0.99)
	Eps         float64 // ε added to the denominator (0 → 1e-8)
	WeightDecay float64 // L2 penalty λ (default 0)
	Momentum    float64 // momentum factor μ (default 0)
	Centered    bool    // normalize by an estimate of the gradient's variance

	st store
}

type rmspropRule struct {
	lr, alpha, eps, wd, momentum float64
	centered                     bool
}

func (r *rmspropRule) buffers() []string {
	names := []string{"square_avg"}
	if r.momentum > 0 {
		names = append(names, "momentum_buffer")
	}
	if r.centered {
		names = append(names, "grad_avg")
	}
	return names
}

func (r *rmspropRule) init(*slot, []float64) {}

func (r *rmspropRule) update(s *slot, src [][]float64, p, g, out []float64) {
	s.step++
	sq0, sq := src[0], s.bufs[0]
	var buf0, buf, ga0, ga []float64
	k := 1
	if r.momentum > 0 {
		buf0, buf = src[k], s.bufs[k]
		k++
	}
	if r.centered {
		ga0, ga = src[k], s.bufs[k]
	}
	for i, gi := range g {
		if r.wd != 0 {
			gi += r.wd * p[i]
		}
		sqi := r.alpha*sq0[i] + (1-r.alpha)*gi*gi
		sq[i] = sqi
		var avg float64
		if r.centered {
			gai := r.alpha*ga0[i] + (1-r.alpha)*gi
			ga[i] = gai
			avg = math.Sqrt(sqi-gai*gai) + r.eps
		} else {
			avg = math.Sqrt(sqi) + r.eps
		}
		if r.momentum > 0 {
			bi := r.momentum*buf0[i] + gi/avg
			buf[i] = bi
			out[i] = p[i] + -r.lr*bi
		} else {
			out[i] = p[i] + -r.lr*gi/avg
		}
	}
}

func (o *RMSprop) rule() (rule, error) {
	const kind = "RMSprop"
	r := &rmspropRule{lr: o.LearningRate(), alpha: orDefault(o.Alpha, 0.99), eps: orDefault(o.Eps, 1e-8),
		wd: o.WeightDecay, momentum: o.Momentum, centered: o.Centered}
	return r, firstErr(
		hyper(kind, "learning rate", r.lr, 0),
		hyper(kind, "alpha", r.alpha, 0),
		hyper(kind, "eps", r.eps, 0),
		hyper(kind, "weight decay", r.wd, 0),
		hyper(kind, "momentum", r.momentum, 0),
	)
}

// Step updates every parameter that has a gradient; see [Optimizer].
func (o *RMSprop) Step(params []Param) error { return step(o, params) }

// Stage computes a step without applying it; see [Stager].
func (o *RMSprop) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := o.rule()
	return o.st.stage("RMSprop", r, err, params, grads, true)
}

func (o *RMSprop) stageChecked(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := o.rule()
	return o.st.stage("RMSprop", r, err, params, grads, false)
}

// LearningRate returns the learning rate in effect.
func (o *RMSprop) LearningRate() float64 { return rate(o.LR, o.st.lrZero, 1e-2) }

// SetLearningRate sets the learning rate (0 means zero, not the default).
func (o *RMSprop) SetLearningRate(lr float64) { o.LR, o.st.lrZero = lr, lr == 0 }

// State serializes the learning rate and every parameter's step count and
// running averages.
func (o *RMSprop) State() ([]byte, error) {
	r, err := o.rule()
	return o.st.state("RMSprop", r, err, o.LearningRate())
}

// LoadState replaces the optimizer's state (learning rate included) by one
// saved by State; a damaged state is an error and changes nothing.
func (o *RMSprop) LoadState(data []byte) error { return load(o, data) }

func (o *RMSprop) prepareLoad(data []byte) (func(), error) {
	r, err := o.rule()
	return o.st.prepareLoad("RMSprop", r, err, data, o.SetLearningRate)
}
