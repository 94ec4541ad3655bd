package vigo

import (
	"math/rand/v2"
	"sync"

	"github.com/vigo-ppl/vigo/tensor"
)

// IndexCache keeps the index tensors 0..n-1 of plates that are not
// subsampled, and the permutations that subsampled plates draw their
// minibatches from, so that a plate over a large data set does not rebuild
// either on every step. Index tensors are immutable and a permutation is
// used by one draw at a time, so one cache may be shared by contexts on
// many goroutines. The zero value is ready to use.
type IndexCache struct {
	m     sync.Map // int → *tensor.Tensor
	perms sync.Map // int → *permScratch, for subsampling plates of that size
}

// permScratch is the identity permutation of 0..n-1 that subsample draws
// swap in place and then restore; mu is held while a draw uses it.
type permScratch struct {
	mu   sync.Mutex
	perm []int32
}

// shuffledPrefix is the package's shuffledPrefix (the same indices from
// the same draws) on the cache's permutation for n, which the draw then
// restores: no array of n to fill on every draw. A draw that finds the
// permutation in use on another goroutine makes its own.
func (ic *IndexCache) shuffledPrefix(rng *rand.Rand, n, k int) []float64 {
	if ic == nil {
		return shuffledPrefix(rng, n, k)
	}
	v, ok := ic.perms.Load(n)
	if !ok {
		v, _ = ic.perms.LoadOrStore(n, &permScratch{})
	}
	s := v.(*permScratch)
	if !s.mu.TryLock() {
		return shuffledPrefix(rng, n, k)
	}
	defer s.mu.Unlock()
	if s.perm == nil {
		s.perm = identityPerm(n)
	}
	d := swapPrefix(rng, s.perm, k)
	// The swaps moved only the first k positions and, beyond them, the
	// positions of the values drawn (a position j ≥ k first gives up its
	// own value j, which stays in the prefix): resetting both restores
	// the identity.
	for i := range k {
		s.perm[i] = int32(i)
	}
	for _, v := range d {
		s.perm[int(v)] = int32(v)
	}
	return d
}

// Arange returns the tensor 0, 1, ..., n-1.
func (ic *IndexCache) Arange(n int) *tensor.Tensor {
	if ic == nil {
		return tensor.Arange(0, float64(n), 1)
	}
	if t, ok := ic.m.Load(n); ok {
		return t.(*tensor.Tensor)
	}
	t, _ := ic.m.LoadOrStore(n, tensor.Arange(0, float64(n), 1))
	return t.(*tensor.Tensor)
}

// SetIndexCache makes plates in this context take their full index tensors
// and their subsample permutations from ic (nil: build them afresh).
func (c *Ctx) SetIndexCache(ic *IndexCache) { c.indexCache = ic }
