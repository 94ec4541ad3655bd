package dist

import (
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// Distribution is a batch of probability distributions, each over events of
// EventShape, as PyTorch's torch.distributions.Distribution. A sample of
// sample shape s has shape s + BatchShape + EventShape.
type Distribution interface {
	// BatchShape and EventShape describe one draw. The caller must not modify them.
	BatchShape() []int
	EventShape() []int

	// HasRSample reports whether RSample gives a pathwise (reparameterized)
	// gradient; WithRSample may override it per instance.
	HasRSample() bool
	// Sample draws values of shape sampleShape + BatchShape + EventShape
	// from rng, carrying no gradient.
	Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor
	// RSample draws like Sample but differentiably in the parameters. It
	// panics for a distribution that has no reparameterized sampler.
	RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor

	// LogProb returns the log-density of value, of shape
	// broadcast(BatchShape, value's batch part). It is differentiable in the
	// parameters and in value. With validation on (the default) a value
	// outside Support is an error.
	LogProb(value *tensor.Tensor) (*tensor.Tensor, error)
	// ScoreParts splits LogProb into the terms the ELBO's surrogate uses
	// (spec §3.2): reparameterized distributions give an entropy term,
	// others a score-function term.
	ScoreParts(value *tensor.Tensor) (ScoreParts, error)

	// Mean and Variance are the moments of each distribution in the batch
	// (NaN or +Inf where undefined, as PyTorch).
	Mean() *tensor.Tensor
	Variance() *tensor.Tensor
	// Support is the set of values with positive density.
	Support() constraint.Constraint
	// Validate reports an invalid parameter found at construction (nil when
	// valid or when validation is off), naming the distribution, the
	// argument and its shape.
	Validate() error

	// Expand returns the distribution broadcast to a larger batch shape.
	Expand(batchShape ...int) Distribution
	// ToEvent reinterprets the n rightmost batch dims as event dims
	// (PyTorch's Independent / Pyro's to_event).
	ToEvent(n int) Distribution
	// Mask returns the distribution whose log-density is zeroed where mask
	// (a 0/1 tensor broadcastable to BatchShape) is 0.
	Mask(mask *tensor.Tensor) Distribution
	// WithRSample returns a copy whose HasRSample reports on.
	WithRSample(on bool) Distribution
}

// ScoreParts holds the three terms of a site's log-density that the ELBO's
// surrogate needs. A nil tensor means "identically zero" (spec §3.4): the
// term does not exist, which is different from a tensor of zeros.
type ScoreParts struct {
	LogProb       *tensor.Tensor
	ScoreFunction *tensor.Tensor
	EntropyTerm   *tensor.Tensor
}
