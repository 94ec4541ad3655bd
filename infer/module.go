package infer

import (
	"math/rand/v2"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// DifferentiableEstimator is a loss returned as a tensor whose gradient is
// the estimator's: TraceELBO implements it.
type DifferentiableEstimator interface {
	DifferentiableLoss(store *vigo.ParamStore, rng *rand.Rand, model, guide vigo.Program) (*tensor.Tensor, error)
}

// Module is the ELBO as a module with parameters, for a hand-written
// training loop (Pyro's ELBOModule): Loss returns a differentiable loss,
// Parameters the leaves to hand to any optim.Optimizer.
type Module[A any] struct {
	model, guide func(*vigo.Ctx, A)
	loss         DifferentiableEstimator
	config
}

// NewModule returns the module for loss applied to model and guide.
func NewModule[A any](loss DifferentiableEstimator, model, guide func(*vigo.Ctx, A), opts ...Option) *Module[A] {
	return &Module[A]{model: model, guide: guide, loss: loss, config: newConfig(opts)}
}

// Loss returns the differentiable loss for args: its value is the loss, its
// gradient the surrogate's. Call Backward on it, then step an optimizer
// with Parameters.
func (m *Module[A]) Loss(args A) (*tensor.Tensor, error) {
	return m.loss.DifferentiableLoss(m.store, m.rng, vigo.Bind(m.model, args), vigo.Bind(m.guide, args))
}

// Parameters returns every parameter in the module's store, in creation order.
func (m *Module[A]) Parameters() []optim.Param {
	var out []optim.Param
	for _, n := range m.store.Names() {
		out = append(out, optim.Param{Name: n, Tensor: m.store.Unconstrained(n)})
	}
	return out
}

// ZeroGrad zeroes the gradients of every parameter.
func (m *Module[A]) ZeroGrad() { zeroGrads(m.Parameters()) }

// Params returns the module's parameter store.
func (m *Module[A]) Params() *vigo.ParamStore { return m.store }
