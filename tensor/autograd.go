package tensor

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// op records how a tensor was made: its inputs and a function that maps the
// gradient of the output to the gradients of the inputs. It lives inside the
// Tensor (backward is nil for leaves). Up to three inputs are stored in
// place, so recording an operation allocates at most its closure; an
// operation on more inputs keeps them all in rest. The layout keeps a Tensor
// within 128 bytes.
type op struct {
	name     string
	in       [3]*Tensor
	rest     *[]*Tensor
	backward backwardFunc
}

// inputs returns the operation's inputs in order.
func (o *op) inputs() []*Tensor {
	if o.rest != nil {
		return *o.rest
	}
	n := 0
	for n < len(o.in) && o.in[n] != nil {
		n++
	}
	return o.in[:n]
}

// backwardFunc maps the gradient of out to the gradients of its inputs: it
// stores in gin[i], which is nil on entry, the gradient of input i with that
// input's shape, or leaves it nil when no gradient flows there. Most
// operations read their inputs from out.node.in and capture nothing, so
// recording them allocates nothing beyond the output.
type backwardFunc func(out, grad *Tensor, gin []*Tensor)

// leafGrad holds the accumulated gradient of a leaf. The mutex lets backward
// passes on several goroutines reach the same leaf safely.
type leafGrad struct {
	mu   sync.Mutex
	grad *Tensor
	zero *Tensor // the zero gradient ZeroGrad installs, made once and shared
}

// RequiresGrad reports whether gradients flow to or through t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// IsLeaf reports whether t was created directly rather than by an operation
// on tensors that require gradients.
func (t *Tensor) IsLeaf() bool { return t.node.backward == nil }

// SetRequiresGrad marks a leaf tensor as one whose gradient Backward should
// accumulate, and returns t. It panics on a tensor made by an operation.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if !t.IsLeaf() {
		panic("tensor: SetRequiresGrad on a non-leaf tensor; use Detach first")
	}
	t.requiresGrad = on
	if on && t.leaf == nil {
		t.leaf = &leafGrad{}
	}
	return t
}

// Param returns a fresh leaf tensor holding a copy of data that requires grad.
func Param(data []float64, shape ...int) *Tensor {
	return New(data, shape...).SetRequiresGrad(true)
}

// Grad returns the gradient accumulated in a leaf by Backward, or nil if none
// has been accumulated. The caller must not modify it.
func (t *Tensor) Grad() *Tensor {
	if t.leaf == nil {
		return nil
	}
	t.leaf.mu.Lock()
	defer t.leaf.mu.Unlock()
	return t.leaf.grad
}

// ZeroGrad replaces an accumulated gradient by zeros of the same shape; a leaf
// without a gradient keeps none (PyTorch's zero_grad(set_to_none=False)).
func (t *Tensor) ZeroGrad() {
	if t.leaf == nil {
		return
	}
	t.leaf.mu.Lock()
	defer t.leaf.mu.Unlock()
	if t.leaf.grad != nil {
		// Gradients are replaced, never written in place, so one zero
		// tensor can serve every step.
		if t.leaf.zero == nil {
			t.leaf.zero = Zeros(t.shape...)
		}
		t.leaf.grad = t.leaf.zero
	}
}

// ClearGrad forgets the accumulated gradient of a leaf.
func (t *Tensor) ClearGrad() {
	if t.leaf == nil {
		return
	}
	t.leaf.mu.Lock()
	t.leaf.grad = nil
	t.leaf.mu.Unlock()
}

// SetGrad replaces the accumulated gradient of a leaf; optimizers and gradient
// clipping use it. It panics if shapes differ.
func (t *Tensor) SetGrad(g *Tensor) {
	if t.leaf == nil {
		panic("tensor: SetGrad on a tensor that does not require grad")
	}
	if g != nil && !slices.Equal(g.shape, t.shape) {
		panic(fmt.Sprintf("tensor: SetGrad: gradient shape %v for tensor shape %v", g.shape, t.shape))
	}
	t.leaf.mu.Lock()
	t.leaf.grad = g
	t.leaf.mu.Unlock()
}

// Detach returns a tensor sharing t's values that does not require grad and
// records no history.
func (t *Tensor) Detach() *Tensor {
	if !t.requiresGrad {
		return t
	}
	return &Tensor{data: t.data, shape: t.shape}
}

// Backward computes the gradient of the scalar t with respect to every leaf it
// depends on and adds it to that leaf's Grad. It panics if t has more than one
// element. Backward keeps no global state: graphs may be built and
// back-propagated on several goroutines at once.
func (t *Tensor) Backward() { t.BackwardWith(Scalar(1)) }

// BackwardWith propagates seed, the gradient of some scalar with respect to t,
// back to the leaves. seed must have t's shape (a one-element seed is accepted
// for a one-element t).
func (t *Tensor) BackwardWith(seed *Tensor) {
	if t.Len() != 1 && !slices.Equal(seed.shape, t.shape) {
		panic(fmt.Sprintf("tensor: Backward: seed shape %v for tensor shape %v", seed.Shape(), t.Shape()))
	}
	if t.Len() == 1 && seed.Len() != 1 {
		panic(fmt.Sprintf("tensor: Backward: seed shape %v for tensor shape %v", seed.Shape(), t.Shape()))
	}
	if !t.requiresGrad {
		return
	}
	backprop(t, seed, func(leaf, g *Tensor, _ bool) { leaf.accumulate(g) })
}

// Gradients returns the gradient of the scalar y with respect to each of xs
// without touching any leaf's Grad (PyTorch's torch.autograd.grad). An entry
// is nil when y does not depend on that tensor. Callers that combine several
// graphs' gradients in a fixed order use it for bit-reproducible sums.
func Gradients(y *Tensor, xs ...*Tensor) []*Tensor {
	return gradients("Gradients", y, 1, xs)
}

// ScaledGradients returns the gradients of k·y, like [Gradients] (PyTorch's
// grad_outputs): the pass runs from y and scales each gradient as it
// reaches its leaf, in place where the pass made that gradient itself, so
// neither the graph's inner gradients nor most leaves' need a scaled copy.
func ScaledGradients(y *Tensor, k float64, xs ...*Tensor) []*Tensor {
	return gradients("ScaledGradients", y, k, xs)
}

func gradients(fn string, y *Tensor, k float64, xs []*Tensor) []*Tensor {
	if y.Len() != 1 {
		panic(fmt.Sprintf("tensor: %s of tensor with shape %v, want one element", fn, y.Shape()))
	}
	out := make([]*Tensor, len(xs))
	if !y.requiresGrad {
		return out
	}
	scale := func(g *Tensor, owned bool) *Tensor {
		switch {
		case k == 1:
			return g
		case owned:
			for i := range g.data {
				g.data[i] *= k
			}
			g.forgetFacts()
			return g
		}
		return g.MulScalar(k)
	}
	if len(xs) <= 16 { // a scan beats building a map
		backprop(y, Scalar(1), func(leaf, g *Tensor, owned bool) {
			var sg *Tensor // scaled once, however often xs names the leaf
			for i, x := range xs {
				if x == leaf {
					if sg == nil {
						sg = scale(g, owned)
					}
					out[i] = sg
				}
			}
		})
		return out
	}
	want := make(map[*Tensor][]int, len(xs))
	for i, x := range xs {
		want[x] = append(want[x], i)
	}
	backprop(y, Scalar(1), func(leaf, g *Tensor, owned bool) {
		if is := want[leaf]; len(is) > 0 {
			g = scale(g, owned)
			for _, i := range is {
				out[i] = g
			}
		}
	})
	return out
}

// backprop walks the graph below root in reverse topological order, passing
// each leaf's total gradient to sink exactly once, with whether the pass
// owns it (no other tensor or gradient shares it).
func backprop(t, seed *Tensor, sink func(leaf, g *Tensor, owned bool)) {
	if !slices.Equal(seed.shape, t.shape) {
		seed = seed.Reshape(t.Shape()...)
	}
	w := walkPool.Get().(*graphWalk)
	defer w.release()
	w.topoOrder(t)
	order, pos := w.order, &w.pos
	grads := append(w.grads[:0], make([]*Tensor, len(order))...)
	w.grads = grads
	// owned marks pending gradients that belong to this pass alone: sums
	// it made of two others, and gradients a backward function handed
	// off (Handoff). Further terms are added into them in place. Every
	// other gradient may be shared and is never written.
	owned := append(w.owned[:0], make([]bool, len(order))...)
	w.owned = owned
	grads[len(order)-1] = seed // the root comes last
	for i := len(order) - 1; i >= 0; i-- {
		n, g := order[i], grads[i]
		if g == nil {
			continue
		}
		grads[i] = nil
		if n.IsLeaf() {
			sink(n, g, owned[i])
			continue
		}
		inputs := n.node.inputs()
		gin := w.gin[:len(inputs)]
		n.node.backward(n, g, gin)
		// An owned g is dead once the node has used it, and its storage
		// goes back to the pool, unless an input's gradient is g itself or
		// a view of it: when one input alone has such a gradient, that
		// gradient inherits g (this pass is its only holder).
		sole, shared := -1, false
		if owned[i] {
			sole, shared = sharerOf(g, inputs, gin)
		}
		gDead := owned[i] && !shared
		for j, in := range inputs {
			gj := gin[j]
			if gj == nil || !in.requiresGrad {
				continue
			}
			if !slices.Equal(gj.shape, in.shape) {
				panic(fmt.Sprintf("tensor: backward of %s produced gradient shape %v for input shape %v", n.node.name, gj.Shape(), in.Shape()))
			}
			fresh := gj.handoff && !slices.Contains(gin[j+1:], gj)
			if gj.handoff {
				gj.handoff = false // written only on a handed-off tensor, never on a shared one
			}
			if j == sole {
				fresh = !gj.requiresGrad
			}
			if gj.requiresGrad { // a recorded gradient may refer to g
				gDead = false
			}
			k, _ := pos.get(in)
			switch prev := grads[k]; {
			case prev == nil:
				grads[k], owned[k] = gj, fresh
			case owned[k]:
				addInto(prev, gj)
				if fresh {
					recycle(gj)
				}
			case fresh:
				addInto(gj, prev)
				grads[k], owned[k] = gj, true
			default:
				grads[k], owned[k] = addSame(prev, gj), true
			}
		}
		if gDead {
			recycle(g)
		}
		clear(gin)
	}
}

// sharerOf reports whether any gradient in gin, for the inputs that take
// one, is g or shares storage with it, and the position of that gradient
// when it is the only one (else -1). Handed-off gradients never share, so
// only the sole sharer can be fresh.
func sharerOf(g *Tensor, inputs, gin []*Tensor) (sole int, shared bool) {
	sole = -1
	for j, gj := range gin {
		if gj != nil && inputs[j].requiresGrad && (gj == g || overlaps(gj, g)) {
			if shared {
				return -1, true
			}
			sole, shared = j, true
		}
	}
	return sole, shared
}

// AccumulateGrad adds g to the leaf's gradient under its lock, as Backward
// does. Like SetGrad it may keep g itself as the gradient, so g must not be
// changed afterwards (through SetData). It panics if t does not require
// grad or shapes differ.
func (t *Tensor) AccumulateGrad(g *Tensor) {
	if t.leaf == nil {
		panic("tensor: AccumulateGrad on a tensor that does not require grad")
	}
	if !slices.Equal(g.shape, t.shape) && !(g.Len() == 1 && t.Len() == 1) {
		panic(fmt.Sprintf("tensor: AccumulateGrad: gradient shape %v for tensor shape %v", g.Shape(), t.Shape()))
	}
	t.accumulate(g)
}

// accumulate adds g into the leaf's gradient under its lock.
func (t *Tensor) accumulate(g *Tensor) {
	if t.leaf == nil {
		return
	}
	t.leaf.mu.Lock()
	defer t.leaf.mu.Unlock()
	if (t.leaf.grad == nil || t.leaf.grad == t.leaf.zero) && slices.Equal(g.shape, t.shape) && !hasNegZero(g.data) {
		// Gradients are never written in place, so the leaf can hold g
		// itself: it equals 0 + g when g holds no −0.
		t.leaf.grad = g
		return
	}
	if t.leaf.grad == nil {
		t.leaf.grad = New(g.Data(), t.Shape()...)
		return
	}
	// The gradient holds t's shape and g as many elements (AccumulateGrad
	// and backprop check), so the sum keeps t's shape.
	t.leaf.grad = addSame(t.leaf.grad, g)
}

// hasNegZero reports whether d holds −0.
func hasNegZero(d []float64) bool {
	for _, v := range d {
		if v == 0 && math.Signbit(v) {
			return true
		}
	}
	return false
}

// graphWalk is the working memory of one backward pass: the tensors in
// topological order, each tensor's position, the DFS stack and the pending
// gradients. Passes reuse it through walkPool, so a step's backward pass
// does not rebuild its map and slices from nothing.
type graphWalk struct {
	order []*Tensor
	pos   ptrTable // -1 while on the stack, then the position in order
	stack []walkFrame
	grads []*Tensor // by position in order
	owned []bool    // by position: the pending gradient is this pass's own
	gin   []*Tensor // one node's input gradients, sized for the widest node
}

type walkFrame struct {
	t    *Tensor
	next int
}

// walkPool recycles graphWalks between backward passes. It is a cache with
// no observable state: every walk is cleared before it goes back.
var walkPool = sync.Pool{New: func() any { return new(graphWalk) }}

// release clears w of every tensor it refers to and returns it to the pool.
func (w *graphWalk) release() {
	clear(w.order)
	clear(w.grads)
	clear(w.gin)
	w.pos.reset()
	w.order, w.stack, w.grads, w.owned = w.order[:0], w.stack[:0], w.grads[:0], w.owned[:0]
	walkPool.Put(w)
}

// topoOrder lists in w.order the tensors that root depends on through
// gradient-carrying paths, each after all of its inputs, and records each
// tensor's position in w.pos.
func (w *graphWalk) topoOrder(root *Tensor) {
	order, pos := w.order[:0], &w.pos
	stack := append(w.stack[:0], walkFrame{t: root})
	pos.set(root, -1)
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if inputs := top.t.node.inputs(); !top.t.IsLeaf() && top.next < len(inputs) {
			in := inputs[top.next]
			top.next++
			if in.requiresGrad {
				if _, seen := pos.get(in); !seen {
					pos.set(in, -1)
					stack = append(stack, walkFrame{t: in})
				}
			}
			continue
		}
		pos.set(top.t, int32(len(order)))
		order = append(order, top.t)
		if k := len(top.t.node.inputs()); k > len(w.gin) {
			w.gin = make([]*Tensor, k)
		}
		stack = stack[:len(stack)-1]
	}
	w.order, w.stack = order, stack
}

// record attaches op to out when any input requires grad, and returns out.
func record(out *Tensor, name string, backward backwardFunc, inputs ...*Tensor) *Tensor {
	for _, in := range inputs {
		if in.requiresGrad {
			out.requiresGrad = true
			out.node.name, out.node.backward = name, backward
			if len(inputs) <= len(out.node.in) {
				copy(out.node.in[:], inputs)
			} else {
				rest := append([]*Tensor(nil), inputs...)
				out.node.rest = &rest
			}
			return out
		}
	}
	return out
}

// addSame adds two tensors of identical shape into a new tensor.
func addSame(a, b *Tensor) *Tensor {
	ad, bd := a.Data(), b.Data()
	out := newOut(a.shape)
	d := out.data
	for i := range d {
		d[i] = ad[i] + bd[i]
	}
	return out
}

// addInto adds b into a, a gradient of b's shape that the backward pass
// owns.
func addInto(a, b *Tensor) {
	ad, bd := a.data, b.Data()[:len(a.data)]
	for i := range ad {
		ad[i] += bd[i]
	}
	a.forgetFacts()
}

// Handoff marks g as a gradient that a backward function has just made for
// one input and keeps no reference to, nor shares data with: the backward
// pass then owns it and may add the input's other gradient terms into it
// in place instead of into a new tensor. It returns g. Backward functions
// of fused kernels use it on the fresh buffers they return.
func Handoff(g *Tensor) *Tensor {
	g.handoff = true
	return g
}

// Fused returns out as the result of a custom operation on inputs: when any
// input requires grad, backward maps the gradient of out (same shape as
// out) to one gradient per input, each of that input's shape or nil. Other
// packages use it for fused kernels with hand-written backward passes. out
// must be freshly made by the caller and not yet part of any graph.
func Fused(name string, out *Tensor, inputs []*Tensor, backward func(grad *Tensor) []*Tensor) *Tensor {
	return FusedInto(name, out, inputs, func(_, g *Tensor, gin []*Tensor) { copy(gin, backward(g)) })
}

// FusedInto is [Fused] for a backward pass that stores the gradient of
// input i in gin[i] (nil on entry; leave it nil where none flows) instead
// of returning a new slice; out is the tensor FusedInto returned. Kernels
// recorded on every step use it to save the slice and a wrapper closure.
func FusedInto(name string, out *Tensor, inputs []*Tensor, backward func(out, grad *Tensor, gin []*Tensor)) *Tensor {
	if !out.IsLeaf() || out.leaf != nil {
		panic("tensor: Fused: out already belongs to a graph")
	}
	return record(out, name, backward, inputs...)
}
