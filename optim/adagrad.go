package optim

import (
	"math"

	"github.com/vigo-ppl/vigo/tensor"
)

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
	return r, firstErr(
		hyper(kind, "learning rate", r.lr, 0),
		hyper(kind, "learning-rate decay", r.lrDecay, 0),
		hyper(kind, "weight decay", r.wd, 0),
		hyper(kind, "initial accumulator value", r.initAcc, 0),
		hyper(kind, "eps", r.eps, 0),
	)
}

// Step updates every parameter that has a gradient; see [Optimizer].
func (o *Adagrad) Step(params []Param) error { return step(o, params) }

// Stage computes a step without applying it; see [Stager].
func (o *Adagrad) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := o.rule()
	return o.st.stage("Adagrad", r, err, params, grads, true)
}

func (o *Adagrad) stageChecked(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := o.rule()
	return o.st.stage("Adagrad", r, err, params, grads, false)
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
