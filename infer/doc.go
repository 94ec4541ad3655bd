// Package infer fits guides to models by stochastic variational inference.
//
// [TraceELBO] is Pyro's Trace_ELBO estimator: each particle runs the guide
// under a trace, replays the model against it, and turns the two traces into
// the ELBO and a surrogate whose gradient is an unbiased estimate of the
// ELBO's gradient. Reparameterized guide sites contribute their pathwise
// gradient; the others contribute score-function terms, each multiplied by
// the detached log p/q ratio of only the model sites that share its
// vectorized plates (partial Rao-Blackwellization).
//
// [SVI] steps an optim.Optimizer on that gradient:
//
//	svi := infer.NewSVI(model, guide, &optim.Adam{LR: 0.01}, &infer.TraceELBO{NumParticles: 10})
//	for step := 0; step < 1000; step++ {
//		loss, err := svi.Step(data)
//		...
//	}
//
// [Module] exposes the same loss as a differentiable tensor and its
// parameters for a hand-written training loop.
//
// Particles that are not vectorized run concurrently, each with its own
// random stream derived from one draw of the caller's source, and their
// gradients are combined in particle order: a run is bit-for-bit
// reproducible whatever GOMAXPROCS is.
package infer
