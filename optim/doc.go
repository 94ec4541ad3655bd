// Package optim provides the gradient-based optimizers that fit vigo's
// parameters: [Adam], [AdamW], [ClippedAdam], [SGD], [Adagrad] and
// [RMSprop], with PyTorch's update rules, plus per-parameter settings
// ([PerParam]), gradient clipping ([Clip]), learning-rate schedules
// ([NewStepLR], [NewExponentialLR], [NewCosineAnnealingLR]) and saving and
// restoring optimizer state.
//
// # Optimizers
//
// An [Optimizer] is handed the parameters a step touched, each a [Param]
// naming a leaf tensor whose Grad holds the gradient. Step updates every
// parameter with a gradient in place and skips those without one, as
// PyTorch does.
//
// Each optimizer keeps its state (step counts, moment estimates, ...)
// separately for every parameter name, created the first time the name is
// seen. This is the behaviour of Pyro's optimizers, which make one PyTorch
// optimizer per parameter: a parameter that appears late starts from fresh
// state, and no parameter's update depends on the others or on their order.
//
// # Zero values mean defaults
//
// The optimizers are structs whose zero value holds PyTorch's defaults, so
// &optim.Adam{LR: 0.01} is Adam with betas (0.9, 0.999) and eps 1e-8. A field
// left at zero takes its default; each type lists its defaults. Fields whose
// default is zero (weight decay, momentum, ...) are simply zero. The two
// Betas of the Adam family take their default only when both are zero.
// A learning rate of exactly zero can be set with SetLearningRate (which
// schedulers use).
//
// # All-or-nothing steps
//
// A step either happens completely or not at all. If any new parameter value,
// or any value of the optimizer's state, would be NaN or infinite, Step
// returns a [*NonFiniteError] naming the parameter and changes no parameter,
// no gradient and no optimizer state. Invalid settings (a negative learning
// rate, a beta outside [0, 1), ...) and bad arguments (a name given twice, a
// gradient of the wrong shape) are errors from Step that likewise change
// nothing. The wrappers [PerParamOptimizer], [Clip] and [Scheduler] keep this
// promise across the optimizers they wrap through the [Stager] interface,
// which every optimizer here implements; an optimizer from elsewhere that is
// not a Stager is stepped directly, and the promise then holds only as far as
// that optimizer keeps it.
//
// # Saved state
//
// Every optimizer is [Stateful]: State returns its state as JSON and
// LoadState replaces its state by a saved one. Saving, loading into a freshly
// made optimizer with the same settings and continuing gives bit-for-bit the
// same parameters as continuing the original. A state that cannot be read or
// does not fit the optimizer (another optimizer's state, a missing buffer, a
// wrong length, a non-finite value, unknown fields) is an error, and the
// optimizer is left unchanged.
//
// Every float64 is written as a string of the 16 hexadecimal digits of its
// IEEE 754 bits (math.Float64bits), so values round-trip exactly. The state
// of Adam, AdamW, ClippedAdam, SGD, Adagrad and RMSprop looks like this one,
// of an Adam{} after one step of a parameter "loc" with gradient (1, −1):
//
//	{
//	  "format": "vigo-optim-state/1",
//	  "optimizer": "Adam",             // the type's name
//	  "lr": "3f50624dd2f1a9fc",        // the learning rate in effect (0.001)
//	  "params": {
//	    "loc": {
//	      "shape": [2],
//	      "step": 1,                   // steps taken by this parameter
//	      "lr": "...",                 // ClippedAdam only: this parameter's decayed rate
//	      "buffers": {                 // one list of shape's size per buffer
//	        "exp_avg":    ["3fb9999999999998", "bfb9999999999998"],
//	        "exp_avg_sq": ["3f50624dd2f1aa00", "3f50624dd2f1aa00"]
//	      }
//	    }
//	  }
//	}
//
// with the buffers named as in PyTorch: exp_avg, exp_avg_sq and, with
// AMSGrad, max_exp_avg_sq (Adam, AdamW, ClippedAdam); momentum_buffer when
// Momentum is not zero (SGD); sum (Adagrad); square_avg, then
// momentum_buffer when Momentum > 0 and grad_avg when Centered (RMSprop).
// Settings other than the learning rate are not saved: they come from the
// optimizer the state is loaded into. The learning rate is saved and
// restored because schedulers change it.
//
// A [Scheduler]'s state is {"format", "optimizer": "StepLR" (or
// "ExponentialLR", "CosineAnnealingLR"), "epoch", "base_lr", "wrapped": the
// wrapped optimizer's state}. A [PerParamOptimizer]'s is {"format",
// "optimizer": "PerParam", "params": {name: that parameter's optimizer's
// state}}. [Clip] has no state of its own and saves its optimizer's.
package optim
