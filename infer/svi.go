package infer

import (
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/optim"
)

// Estimator is a loss that SVI can optimize: TraceELBO and
// TraceTailAdaptiveELBO implement it.
type Estimator interface {
	// Loss estimates the loss without computing gradients.
	Loss(store *vigo.ParamStore, rng *rand.Rand, model, guide vigo.Program) (float64, error)
	// LossAndGrads estimates the loss and adds its gradient into the
	// parameters' gradients.
	LossAndGrads(store *vigo.ParamStore, rng *rand.Rand, model, guide vigo.Program) (float64, error)
}

// Option configures SVI and Module.
type Option func(*config)

type config struct {
	store *vigo.ParamStore
	rng   *rand.Rand
	src   *rand.PCG // the source behind rng when it can be checkpointed
}

// WithStore makes SVI or Module use store instead of a fresh parameter store.
func WithStore(store *vigo.ParamStore) Option { return func(c *config) { c.store = store } }

// WithSeed seeds the random source, a PCG (the default seed is 0).
func WithSeed(seed uint64) Option {
	return WithSource(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
}

// WithSource makes SVI or Module draw from the PCG source src, whose state
// checkpoints save and restore.
func WithSource(src *rand.PCG) Option {
	return func(c *config) { c.src, c.rng = src, rand.New(src) }
}

// WithRand makes SVI or Module draw from rng. Checkpoints cannot save an
// arbitrary source; use WithSeed or WithSource to checkpoint.
func WithRand(rng *rand.Rand) Option { return func(c *config) { c.rng, c.src = rng, nil } }

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.store == nil {
		c.store = vigo.NewParamStore()
	}
	if c.rng == nil {
		WithSeed(0)(&c)
	}
	return c
}

// SVI is stochastic variational inference: each Step estimates the loss and
// its gradient with an Estimator and updates every parameter the step read
// with an optimizer (Pyro's pyro.infer.SVI). Per-parameter optimizer
// settings come from optim.PerParam.
type SVI[A any] struct {
	model, guide func(*vigo.Ctx, A)
	optim        optim.Optimizer
	loss         Estimator
	config
}

// NewSVI returns SVI fitting guide to model with the optimizer and loss.
func NewSVI[A any](model, guide func(*vigo.Ctx, A), opt optim.Optimizer, loss Estimator, opts ...Option) *SVI[A] {
	return &SVI[A]{model: model, guide: guide, optim: opt, loss: loss, config: newConfig(opts)}
}

// Params returns the parameter store SVI optimizes.
func (s *SVI[A]) Params() *vigo.ParamStore { return s.store }

// Rand returns SVI's random source.
func (s *SVI[A]) Rand() *rand.Rand { return s.rng }

// Optimizer returns the optimizer SVI steps with.
func (s *SVI[A]) Optimizer() optim.Optimizer { return s.optim }

// Step takes one gradient step on the loss for args and returns the loss
// estimate. On error no parameter, gradient or optimizer state changes, and
// parameters first created during the failed step are removed.
func (s *SVI[A]) Step(args A) (float64, error) {
	before := s.store.Len()
	capture := &paramCapture{seen: map[string]bool{}}
	model := vigo.Wrap(capture, vigo.Bind(s.model, args))
	guide := vigo.Wrap(capture, vigo.Bind(s.guide, args))
	loss, err := s.loss.LossAndGrads(s.store, s.rng, model, guide)
	params := capture.params(s.store)
	if err != nil {
		zeroGrads(params)
		removeNew(s.store, before)
		return 0, err
	}
	if err := s.optim.Step(params); err != nil {
		zeroGrads(params)
		removeNew(s.store, before)
		return 0, err
	}
	zeroGrads(params)
	return loss, nil
}

// EvaluateLoss estimates the loss for args without taking a step.
func (s *SVI[A]) EvaluateLoss(args A) (float64, error) {
	before := s.store.Len()
	loss, err := s.loss.Loss(s.store, s.rng, vigo.Bind(s.model, args), vigo.Bind(s.guide, args))
	if err != nil {
		removeNew(s.store, before)
	}
	return loss, err
}

// paramCapture records the names of the param sites it sees, from any
// number of goroutines (Pyro's param-only trace around an SVI step).
type paramCapture struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (p *paramCapture) Process(*vigo.Message) {}

// KeepsNoMessages reports that the capture keeps names, not messages.
func (p *paramCapture) KeepsNoMessages() bool { return true }

func (p *paramCapture) Postprocess(msg *vigo.Message) {
	if msg.Type != vigo.ParamSite {
		return
	}
	p.mu.Lock()
	p.seen[msg.Name] = true
	p.mu.Unlock()
}

// params returns the captured parameters sorted by name.
func (p *paramCapture) params(store *vigo.ParamStore) []optim.Param {
	p.mu.Lock()
	defer p.mu.Unlock()
	names := make([]string, 0, len(p.seen))
	for n := range p.seen {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]optim.Param, 0, len(names))
	for _, n := range names {
		if leaf := store.Unconstrained(n); leaf != nil {
			out = append(out, optim.Param{Name: n, Tensor: leaf})
		}
	}
	return out
}

// zeroGrads replaces existing gradients by zeros (Pyro's zero_grads).
func zeroGrads(params []optim.Param) {
	for _, p := range params {
		p.Tensor.ZeroGrad()
	}
}

// removeNew deletes the parameters created after the store held before of
// them: names are kept in creation order, so they are the tail. Only a
// failed step pays for listing the names.
func removeNew(store *vigo.ParamStore, before int) {
	names := store.Names()
	for _, n := range names[min(before, len(names)):] {
		store.Delete(n)
	}
}
