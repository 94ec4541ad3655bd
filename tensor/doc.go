// Package tensor provides eager N-dimensional float64 tensors with
// NumPy/PyTorch broadcasting and reverse-mode automatic differentiation.
//
// # Tensors
//
// A [Tensor] stores its values contiguously in row-major order. Tensors are
// made by constructors such as [New], [Scalar], [Zeros] or [RandN] (which
// draws from an explicit *rand.Rand: there is no global random source), and
// by operations, which always return new tensors.
//
// # Gradients
//
// A leaf made with [Param] or [Tensor.SetRequiresGrad] requires a gradient.
// Every operation on such a tensor records its inputs and its backward rule;
// [Tensor.Backward] on a scalar result walks that record and adds the
// gradient into each leaf's [Tensor.Grad]. There is no global tape: graphs
// built on different goroutines are independent, and backward passes that
// reach the same leaf accumulate under the leaf's own lock.
//
// [Gradients] and [ScaledGradients] return gradients without touching the
// leaves (PyTorch's torch.autograd.grad, with grad_outputs for the latter).
//
// Evaluation without gradients ("no-grad mode") is simply computation on
// tensors that do not require grad: [Tensor.Detach] gives such a view of any
// tensor, and operations on it record nothing.
//
// # Fused operations
//
// Other packages add operations of their own with a hand-written backward
// pass: [Make] gives a new tensor and its values to fill, and [FusedInto]
// (or the simpler [Fused]) records it as one node of the graph. The
// distributions' log-densities are built this way, and
// [LinearCombination] sums many terms as a single node. A backward rule that
// returns a buffer it has just made and keeps no reference to marks it with
// [Handoff]: the backward pass then owns it and adds the input's other
// gradient terms into it in place. Gradients a rule does not hand off may be
// shared and are never written. Once the operation a gradient the pass owns
// flows into has used it, its storage is dead, and large buffers go to a
// pool from which later tensors of the same size are made (cleared): a
// training loop's large arrays stay in the cache from one step to the next.
//
// # Value checks
//
// [Tensor.AllIn] tests a tensor's values against a [ValueSet] (finite,
// positive, 0 or 1, nonnegative integers, …) and caches the answer on the
// tensor, whose values do not change: distributions validate data passed
// every step only once.
//
// # Errors
//
// Shape mismatches and other programmer errors panic with a message that
// starts with "tensor:" and names the shapes involved, as gonum does.
package tensor
