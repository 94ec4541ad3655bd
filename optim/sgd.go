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
	for _, e := range []error{
		hyper(kind, "learning rate", r.lr, 0),
		hyper(kind, "momentum", r.momentum, 0),
		hyper(kind, "dampening", r.dampening, math.Inf(-1)),
		hyper(kind, "weight decay", r.wd, 0),
	} {
		if e != nil {
			return r, e
		}
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
	return o.st.stage("SGD", r, err, params, grads)
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

// Adagrad is the Adagrad optimizer with PyTorch's semantics. With gradient
// g, weight decay λ, step count t, learning rate η and rate decay δ:
//
//	g ← g + λ·p
//	η_t = η / (1 + (t−1)·δ)
//	s ← s + g²                    (s starts at InitialAccumulatorValue)
//	p ← p − η_t · g / (√s + ε)
//
// A zero field means PyTorch's default: LR 0 → 1e-2, Eps 0 → 1e-10, and no
// rate decay, weight decay or initial accumulator.
//
// The zero value is ready to use; an Adagrad must not be copied after its
// first step. It is not safe for concurrent use.
type Adagrad struct {
	LR                      float64 // learning rate η (0 → 1e-2)
	LRDecay                 float64 // rate decay δ (default 0)
	WeightDecay             float64 // L2 penalty λ (default 0)
	InitialAccumulatorValue float64 // starting value of the sum of squares (default 0)
	Eps                     float64 // ε added to the denominator (0 → 1e-10)

	st store
}

type adagradRule struct {
	lr, lrDecay, wd, initAcc, eps float64
}

func (r *adagradRule) buffers() []string { return []string{"sum"} }

func (r *adagradRule) init(s *slot, _ []float64) {
	for i := range s.bufs[0] {
		s.bufs[0][i] = r.initAcc
	}
}

func (r *adagradRule) update(s *slot, src [][]float64, p, g, out []float64) {
	s.step++
	clr := r.lr / (1 + float64(s.step-1)*r.lrDecay)
	sum0, sum := src[0], s.bufs[0]
	for i, gi := range g {
		if r.wd != 0 {
			gi += r.wd * p[i]
		}
		si := sum0[i] + gi*gi
		sum[i] = si
		out[i] = p[i] + -clr*gi/(math.Sqrt(si)+r.eps)
	}
}

func (o *Adagrad) rule() (rule, error) {
	const kind = "Adagrad"
	r := &adagradRule{lr: o.LearningRate(), lrDecay: o.LRDecay, wd: o.WeightDecay, initAcc: o.InitialAccumulatorValue, eps: orDefault(o.Eps, 1e-10)}
	for _, e := range []error{
		hyper(kind, "learning rate", r.lr, 0),
		hyper(kind, "learning-rate decay", r.lrDecay, 0),
		hyper(kind, "weight decay", r.wd, 0),
		hyper(kind, "initial accumulator value", r.initAcc, 0),
		hyper(kind, "eps", r.eps, 0),
	} {
		if e != nil {
			return r, e
		}
	}
	return r, nil
}

// Step updates every parameter that has a gradient; see [Optimizer].
func (o *Adagrad) Step(params []Param) error { return step(o, params) }

// Stage computes a step without applying it; see [Stager].
func (o *Adagrad) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := o.rule()
	return o.st.stage("Adagrad", r, err, params, grads)
}

// LearningRate returns the learning rate in effect.
func (o *Adagrad) LearningRate() float64 { return rate(o.LR, o.st.lrZero, 1e-2) }

// SetLearningRate sets the learning rate (0 means zero, not the default).
func (o *Adagrad) SetLearningRate(lr float64) { o.LR, o.st.lrZero = lr, lr == 0 }

// State serializes the learning rate and every parameter's step count and
// sum of squared gradients.
func (o *Adagrad) State() ([]byte, error) {
	r, err := o.rule()
	return o.st.state("Adagrad", r, err, o.LearningRate())
}

// LoadState replaces the optimizer's state (learning rate included) by one
// saved by State; a damaged state is an error and changes nothing.
func (o *Adagrad) LoadState(data []byte) error { return load(o, data) }

func (o *Adagrad) prepareLoad(data []byte) (func(), error) {
	r, err := o.rule()
	return o.st.prepareLoad("Adagrad", r, err, data, o.SetLearningRate)
}

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
	for _, e := range []error{
		hyper(kind, "learning rate", r.lr, 0),
		hyper(kind, "alpha", r.alpha, 0),
		hyper(kind, "eps", r.eps, 0),
		hyper(kind, "weight decay", r.wd, 0),
		hyper(kind, "momentum", r.momentum, 0),
	} {
		if e != nil {
			return r, e
		}
	}
	return r, nil
}

// Step updates every parameter that has a gradient; see [Optimizer].
func (o *RMSprop) Step(params []Param) error { return step(o, params) }

// Stage computes a step without applying it; see [Stager].
func (o *RMSprop) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := o.rule()
	return o.st.stage("RMSprop", r, err, params, grads)
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
