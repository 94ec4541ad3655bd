// Package dist provides probability distributions for vigo: batched
// families with log-densities that are differentiable in their parameters,
// random draws from an explicit *rand.Rand, reparameterized (pathwise)
// sampling where it exists, and the wrappers a probabilistic program needs
// (ToEvent, Mask, Expand).
//
// # Shapes
//
// As in PyTorch, a distribution has a batch shape (independent, not
// necessarily identical distributions) and an event shape (the shape of one
// draw). A sample of sample shape s has shape s + BatchShape + EventShape,
// and LogProb of a value returns a tensor of shape
// broadcast(BatchShape, value's shape less its event dims).
//
// Parameters are stored as given, without broadcasting them to the batch
// shape: dist.Normal(tensor.Scalar(0), tensor.Scalar(1)).Expand(1000) keeps
// two scalars, and its LogProb broadcasts them against the value in a single
// fused kernel.
//
// # Errors
//
// A distribution built from invalid parameters (a negative scale, a NaN, shapes
// that do not broadcast) is still returned; Validate reports the problem and
// LogProb returns it as an error. A value outside the support, or of a shape
// that does not broadcast, is an error from LogProb. [WithValidation] turns
// the parameter and support checks off, as Pyro's validation switch does.
//
// # Score parts
//
// ScoreParts splits the log-density into the terms the ELBO's surrogate
// needs: a reparameterized distribution gives an entropy term, others a
// score-function term. A nil tensor in [ScoreParts] means the term is
// identically zero, which is different from a tensor of zeros.
package dist
