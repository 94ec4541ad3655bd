// Package parallel runs the independent pieces of one computation (the
// particles of an ELBO estimate, the chunks of a large kernel) on all of
// the machine's cores.
//
// Starting a goroutine on an idle core can take tens of microseconds on a
// virtual machine, longer than a whole small step, so For hands its work to
// helper goroutines that stay awake for a short while after each piece of
// work, as OpenMP runtimes do: in a training loop the next step finds them
// ready. Helpers that find nothing to do go to sleep and cost nothing.
package parallel
