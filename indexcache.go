package vigo

import (
	"sync"

	"github.com/vigo-ppl/vigo/tensor"
)

// IndexCache keeps the index tensors 0..n-1 of plates that are not
// subsampled, so that a plate over a large data set does not rebuild its
// indices on every step. Index tensors are immutable, so one cache may be
// shared by contexts on many goroutines. The zero value is ready to use.
type IndexCache struct {
	m sync.Map // int → *tensor.Tensor
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
// from ic (nil: build them afresh).
func (c *Ctx) SetIndexCache(ic *IndexCache) { c.indexCache = ic }
