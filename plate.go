package vigo

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/tensor"
)

// UnknownSize is the size of a plate declared without one (Pyro's
// plate(name) with size=None): its scale is 1 and it creates no subsample site.
const UnknownSize = -1

// PlateOption configures a plate.
type PlateOption func(*Plate)

// SubsampleSize makes the plate draw a random minibatch of n indices each
// time it is created; log-densities inside are scaled by size/n.
func SubsampleSize(n int) PlateOption { return func(p *Plate) { p.subsampleSize = n } }

// SubsampleIndices gives the plate an explicit minibatch of indices.
func SubsampleIndices(idx *tensor.Tensor) PlateOption { return func(p *Plate) { p.userIndices = idx } }

// Dim places a vectorized plate at the given negative tensor dim instead of
// the rightmost free one.
func Dim(d int) PlateOption { return func(p *Plate) { p.requestedDim = d } }

// Plate is a context of conditionally independent choices (Pyro's
// pyro.plate): vectorized, where one tensor dim indexes the copies, or
// sequential, where a loop visits them. Make one with Ctx.NewPlate; Ctx.Plate
// and Ctx.PlateRange cover the common one-shot uses.
type Plate struct {
	ctx           *Ctx
	name          string
	size          int
	subsampleSize int
	userIndices   *tensor.Tensor
	indices       *tensor.Tensor
	requestedDim  int // 0 = automatic
	vectorized    bool
	sequential    bool
	counter       int
	frameDim      int // dim written into frames: the allocated dim, or 0 when sequential
}

// NewPlate declares a plate of size elements. Declaring it samples its
// minibatch: a subsample site named after the plate goes through the handler
// stack, so a guide's minibatch is replayed into the model.
func (c *Ctx) NewPlate(name string, size int, opts ...PlateOption) *Plate {
	p := &Plate{ctx: c, name: name, size: size, subsampleSize: -2}
	for _, o := range opts {
		o(p)
	}
	if size == 0 {
		raise(ValueError, name, "size cannot be zero (plate %q)", name)
	}
	if p.requestedDim > 0 {
		raise(ValueError, name, "Expected dim < 0 to index from the right, actual %d", p.requestedDim)
	}
	if size < 0 {
		p.size, p.subsampleSize = UnknownSize, UnknownSize
		return p
	}
	want := p.subsampleSize
	msg := &Message{Type: SampleSite, Name: name, Fn: newSubsampleDist(size, want, c.indexCache), Value: p.userIndices, Scale: 1, EventDim: -1}
	c.Apply(msg)
	p.indices = msg.Value
	n := p.indices.Len()
	if want == -2 {
		p.subsampleSize = n
	} else if want != n {
		raise(ValueError, name, "subsample_size does not match len(subsample), %d vs %d. Did you accidentally use different subsample_size in the model and guide?", want, n)
	}
	return p
}

// Plate runs body inside a vectorized plate and passes it the plate's index
// tensor (the minibatch indices).
func (c *Ctx) Plate(name string, size int, body func(idx *tensor.Tensor), opts ...PlateOption) {
	c.NewPlate(name, size, opts...).Do(body)
}

// PlateRange returns a sequential plate as an iterator over its (minibatch)
// indices, for use as `for i := range c.PlateRange("data", n) { ... }`.
func (c *Ctx) PlateRange(name string, size int, opts ...PlateOption) iter.Seq[int] {
	return c.NewPlate(name, size, opts...).Range()
}

// PlateStack runs body inside nested vectorized plates named prefix_0,
// prefix_1, ... whose sizes are sizes, with the last size at rightmostDim.
func (c *Ctx) PlateStack(prefix string, sizes []int, rightmostDim int, body func()) {
	var nest func(i int)
	nest = func(i int) {
		if i == len(sizes) {
			body()
			return
		}
		c.Plate(fmt.Sprintf("%s_%d", prefix, i), sizes[i], func(*tensor.Tensor) { nest(i + 1) },
			Dim(rightmostDim-len(sizes)+1+i))
	}
	nest(0)
}

// Name returns the plate's name.
func (p *Plate) Name() string { return p.name }

// Size returns the plate's full size (UnknownSize if not given).
func (p *Plate) Size() int { return p.size }

// SubsampleSize returns the number of indices in the current minibatch.
func (p *Plate) SubsampleSize() int { return p.subsampleSize }

// Indices returns the current minibatch indices (nil for a plate of unknown size).
func (p *Plate) Indices() *tensor.Tensor { return p.indices }

// Dim returns the tensor dim the plate occupies while active (0 when sequential or inactive).
func (p *Plate) Dim() int { return p.frameDim }

// Do runs body with the plate active as a vectorized plate.
func (p *Plate) Do(body func(idx *tensor.Tensor)) {
	if p.sequential {
		raise(ValueError, p.name, "cannot use plate %s as both vectorized and non-vectorized independence context", p.name)
	}
	p.vectorized = true
	c := p.ctx
	dim := c.allocateDim(p.name, p.requestedDim)
	p.requestedDim = dim // re-entering the same plate asks for the same dim
	p.frameDim = dim
	defer func() {
		c.freeDim(dim)
		p.frameDim = 0
	}()
	c.With(p, func() { body(p.indices) })
}

// Range returns an iterator that runs each loop body inside the plate as a
// sequential plate, yielding the minibatch indices in order.
func (p *Plate) Range() iter.Seq[int] {
	return func(yield func(int) bool) {
		if p.vectorized {
			raise(ValueError, p.name, "cannot use plate %s as both vectorized and non-vectorized independence context", p.name)
		}
		p.sequential = true
		n := p.subsampleSize
		if p.indices == nil {
			raise(ValueError, p.name, "plate %q of unknown size cannot be iterated", p.name)
		}
		idx := p.indices.Data()
		for k := 0; k < n; k++ {
			p.counter++
			cont := true
			p.ctx.With(p, func() { cont = yield(int(idx[k])) })
			if !cont {
				return
			}
		}
	}
}

func (c *Ctx) allocateDim(name string, dim int) int {
	for _, a := range c.active {
		if a.name == name {
			raise(ValueError, name, "duplicate plate %q", name)
		}
	}
	if dim == 0 {
		dim = -1
		for c.dimOwner(dim) != "" {
			dim--
		}
	} else if other := c.dimOwner(dim); other != "" {
		raise(ValueError, name, "at plates %q and %q, collide at dim=%d\n\nTry moving the dim of one plate to the left, e.g. dim=%d", name, other, dim, dim-1)
	}
	c.active = append(c.active, activePlate{name: name, dim: dim})
	return dim
}

// dimOwner returns the name of the active plate at dim, or "".
func (c *Ctx) dimOwner(dim int) string {
	for _, a := range c.active {
		if a.dim == dim {
			return a.name
		}
	}
	return ""
}

// freeDim releases a plate's dim.
func (c *Ctx) freeDim(dim int) {
	for i, a := range c.active {
		if a.dim == dim {
			c.active = append(c.active[:i], c.active[i+1:]...)
			return
		}
	}
}

// frame returns the plate's frame for the current iteration.
func (p *Plate) frame() Frame {
	return Frame{Name: p.name, Dim: p.frameDim, Size: p.subsampleSize, Counter: p.counter}
}

// Process adds the plate's frame and scale to every message inside it and
// broadcasts sample sites to the plate's size.
func (p *Plate) Process(msg *Message) {
	stack := make([]Frame, len(msg.Stack)+1)
	stack[0] = p.frame()
	copy(stack[1:], msg.Stack)
	msg.Stack = stack
	if p.size > 0 && p.subsampleSize != p.size {
		msg.Scale *= float64(p.size) / float64(p.subsampleSize)
	}
	if msg.Type == SampleSite && !msg.Done && msg.Fn != nil {
		if _, isSub := msg.Fn.(*subsampleDist); !isSub {
			broadcastSite(msg)
		}
	}
}

// Postprocess selects the minibatch rows of parameters and subsampled data
// inside a vectorized, subsampled plate.
func (p *Plate) Postprocess(msg *Message) {
	if p.frameDim == 0 || (msg.Type != ParamSite && msg.Type != SubsampleSite) || msg.EventDim < 0 || msg.Value == nil {
		return
	}
	d := p.frameDim - msg.EventDim
	v := msg.Value
	if v.Dim() < -d {
		return
	}
	got := v.Shape()[v.Dim()+d]
	if got == 1 {
		return
	}
	if got != p.size {
		what := "pyro.param"
		if msg.Type == SubsampleSite {
			what = "pyro.subsample"
		}
		raise(ValueError, msg.Name, "Inside pyro.plate(%s, %d, dim=%d) invalid shape of %s(%s, ..., event_dim=%d): %v",
			p.name, p.size, p.frameDim, what, msg.Name, msg.EventDim, v.Shape())
	}
	if p.subsampleSize < p.size {
		msg.Value = v.IndexSelect(d, p.indices)
	}
}

// broadcastSite expands a sample site's distribution so that its batch shape
// covers every enclosing vectorized plate (spec §1.5).
func broadcastSite(msg *Message) {
	batch := msg.Fn.BatchShape()
	rank := len(batch)
	for _, f := range msg.Stack {
		if f.Dim != 0 && f.Size != UnknownSize {
			rank = max(rank, -f.Dim)
		}
	}
	// target is batch left-padded to rank, with -1 marking free dims.
	target := make([]int, rank)
	pad := rank - len(batch)
	for i := range pad {
		target[i] = -1
	}
	for i, s := range batch {
		target[pad+i] = s
		if s == 1 {
			target[pad+i] = -1
		}
	}
	for _, f := range msg.Stack {
		if f.Dim == 0 || f.Size == UnknownSize {
			continue
		}
		pos := rank + f.Dim
		if target[pos] != -1 && target[pos] != f.Size {
			raise(ValueError, msg.Name, "Shape mismatch inside plate('%s') at site %s dim %d, %d vs %d", f.Name, msg.Name, f.Dim, f.Size, target[pos])
		}
		target[pos] = f.Size
	}
	for i := range target {
		if target[i] == -1 {
			target[i] = 1
		}
	}
	if !slices.Equal(target, batch) {
		msg.Fn = msg.Fn.Expand(target...)
	}
}

// denseSubsample is the ratio of a plate's size to its subsample size up to
// which subsampleIndices permutes an explicit array of positions (4 bytes a
// position) rather than recording moved positions in a map (tens of
// nanoseconds a draw).
const denseSubsample = 64

// subsampleIndices draws the first k entries of a random permutation of
// 0..n-1 (a uniformly random ordered sample without replacement), or all
// of 0..n-1 in order when k is unset or at least n. It runs a partial
// Fisher–Yates shuffle over an explicit array: the cache's, restored after
// each draw, or a fresh one when k is a large enough share of n; else over
// a sparse view of the array. A minibatch costs O(k) however large the data
// set, and all three give the same indices from the same draws.
func subsampleIndices(rng *rand.Rand, n, k int, cache *IndexCache) *tensor.Tensor {
	if k < 0 || k >= n {
		return cache.Arange(n)
	}
	switch {
	case cache != nil && n <= maxCachedPerm:
		return tensor.FromData(cache.shuffledPrefix(rng, n, k), k)
	case n <= denseSubsample*k && n <= math.MaxInt32:
		return tensor.FromData(shuffledPrefix(rng, n, k), k)
	}
	return tensor.FromData(sparseShuffledPrefix(rng, n, k), k)
}

// maxCachedPerm is the largest plate whose permutation an IndexCache keeps
// for subsample draws (4 bytes a position, 16 MiB at most).
const maxCachedPerm = 1 << 22

// shuffledPrefix returns the first k entries of a partial Fisher–Yates
// shuffle of 0..n-1, swapping in an explicit array of positions.
func shuffledPrefix(rng *rand.Rand, n, k int) []float64 {
	return swapPrefix(rng, identityPerm(n), k)
}

// swapPrefix makes the k swaps of a partial Fisher–Yates shuffle in perm
// and returns the k entries they bring to the front.
func swapPrefix(rng *rand.Rand, perm []int32, k int) []float64 {
	d := make([]float64, k)
	n := len(perm)
	for i := range k {
		j := i + rng.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
		d[i] = float64(perm[i])
	}
	return d
}

// identityPerm returns the positions 0..n-1.
func identityPerm(n int) []int32 {
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	return perm
}

// sparseShuffledPrefix is shuffledPrefix with the array kept as a map of
// the positions whose value has moved: the same swaps from the same draws,
// in O(k) memory.
func sparseShuffledPrefix(rng *rand.Rand, n, k int) []float64 {
	moved := make(map[int]int, 2*k) // position → value, where it differs from the position
	at := func(i int) int {
		if v, ok := moved[i]; ok {
			return v
		}
		return i
	}
	d := make([]float64, k)
	for i := range k {
		j := i + rng.IntN(n-i)
		vi, vj := at(i), at(j)
		moved[j] = vi
		d[i] = float64(vj)
	}
	return d
}
