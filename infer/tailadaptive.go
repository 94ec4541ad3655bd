package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/tensor"
)

// TraceTailAdaptiveELBO is Pyro's TraceTailAdaptive_ELBO: a surrogate loss
// whose gradient follows an adaptive f-divergence that weights particles by
// the rank of their log p/q ratio raised to TailAdaptiveBeta. It needs
// VectorizeParticles and a fully reparameterized guide, and it has no loss
// value: Loss is an error and LossAndGrads returns +Inf.
//
// Like Pyro, vigo weights particle k by (a[k]+1)^β where a sorts the ratios
// ascending — the index of the k-th smallest particle rather than particle
// k's own rank (they agree for two particles) — and the applied gradient
// carries an extra 1/NumParticles factor. Both are kept so that fits match
// Pyro's step for step.
type TraceTailAdaptiveELBO struct {
	TraceELBO
}

func (e *TraceTailAdaptiveELBO) check() error {
	if !e.VectorizeParticles {
		return vigo.Errorf(vigo.NotImplementedError, "", "TraceTailAdaptive_ELBO only implemented for vectorize_particles==True")
	}
	if e.numParticles() == 1 {
		return e.warn("", "For num_particles==1 TraceTailAdaptive_ELBO uses the same loss function as Trace_ELBO. Increase num_particles to get an adaptive f-divergence.")
	}
	return nil
}

func (e *TraceTailAdaptiveELBO) beta() float64 {
	if e.TailAdaptiveBeta == 0 {
		return -1
	}
	return e.TailAdaptiveBeta
}

// Loss is not defined for this estimator and always returns an error.
func (e *TraceTailAdaptiveELBO) Loss(*vigo.ParamStore, *rand.Rand, vigo.Program, vigo.Program) (float64, error) {
	return 0, vigo.Errorf(vigo.NotImplementedError, "", "Loss method for TraceTailAdaptive_ELBO not implemented")
}

// LossAndGrads adds the gradient of the tail-adaptive surrogate into the
// parameters' gradients and returns +Inf.
func (e *TraceTailAdaptiveELBO) LossAndGrads(store *vigo.ParamStore, rng *rand.Rand, model, guide vigo.Program) (float64, error) {
	if err := e.check(); err != nil {
		return 0, err
	}
	return e.lossAndGrads(newEnv(store, rng), model, guide, e.particle)
}

// DifferentiableLoss returns a tensor of value +Inf whose gradient is the
// tail-adaptive surrogate's.
func (e *TraceTailAdaptiveELBO) DifferentiableLoss(store *vigo.ParamStore, rng *rand.Rand, model, guide vigo.Program) (*tensor.Tensor, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	return e.differentiableLoss(newEnv(store, rng), model, guide, e.particle)
}

// particle returns ELBO -Inf (so the loss is +Inf) and the surrogate
// Σ d_k γ_k / Σ γ_k with d = log p − log q per particle.
func (e *TraceTailAdaptiveELBO) particle(mt, gt *vigo.Trace) (float64, *tensor.Tensor, error) {
	n := e.numParticles()
	perParticle := func(t *vigo.Trace, guide bool) (*tensor.Tensor, error) {
		var total *tensor.Tensor
		for _, s := range t.Sites() {
			if s.Type != vigo.SampleSite {
				continue
			}
			if guide && e.validate() {
				if err := s.EnsureScoreParts(); err != nil {
					return nil, err
				}
				p := s.ScoreParts
				if !s.Fn.HasRSample() || p.ScoreFunction != nil || p.EntropyTerm == nil {
					return nil, vigo.Errorf(vigo.NotImplementedError, s.Name, "All distributions in the guide must be fully reparameterized.")
				}
			}
			if err := s.EnsureLogProb(); err != nil {
				return nil, err
			}
			lp := s.LogProb
			if lp.Len()%n != 0 {
				return nil, vigo.Errorf(vigo.ValueError, s.Name, "at site %q, log-prob of shape %v has no particle dim of size %d", s.Name, lp.Shape(), n)
			}
			v := lp.Reshape(n, -1).SumDims(false, -1)
			if total == nil {
				total = v
			} else {
				total = total.Add(v)
			}
		}
		if total == nil {
			total = tensor.Zeros(n)
		}
		return total, nil
	}
	logP, err := perParticle(mt, false)
	if err != nil {
		return 0, nil, err
	}
	logQ, err := perParticle(gt, true)
	if err != nil {
		return 0, nil, err
	}
	d := logP.Sub(logQ)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	dv := d.Data()
	sort.SliceStable(order, func(i, j int) bool { return dv[order[i]] < dv[order[j]] })
	gamma := make([]float64, n)
	for k, a := range order {
		gamma[k] = math.Pow(float64(a+1), e.beta())
	}
	g := tensor.New(gamma, n)
	sum := 0.0
	for _, v := range gamma {
		sum += v
	}
	if sum == 0 {
		return 0, nil, fmt.Errorf("infer: tail-adaptive weights sum to zero")
	}
	return math.Inf(-1), d.MulSum(g).MulScalar(1 / sum), nil
}
