package tensor

import (
	"math/bits"
	"sync"
	"unsafe"
)

// minPooled is the size, in values, from which the storage of a gradient
// that a backward pass has finished with is kept for reuse: below it a
// fresh allocation costs less than the pool.
const minPooled = 1 << 9

// pooledClasses bounds the pooled sizes to 2^pooledClasses values.
const pooledClasses = 31

// bufferPools keeps, in class c, buffers of 2^c to 2^(c+1)−1 values taken
// from dead gradients. A step's large arrays are then the previous step's,
// still in the cache, instead of fresh memory the allocator must zero and
// the operating system may have to map in again. It is a cache with no
// observable state: zeroed clears a buffer before handing it out.
var bufferPools [pooledClasses]sync.Pool

// recycle gives the storage of t, a gradient that no one refers to any
// more, to the pool.
func recycle(t *Tensor) {
	n := len(t.data)
	if n < minPooled || n >= 1<<pooledClasses {
		return
	}
	bufferPools[classOf(n)].Put(t)
}

// pooledBuffer returns a recycled buffer of n values with arbitrary
// contents, or nil when the pool has none of that size.
func pooledBuffer(n int) []float64 {
	if n < minPooled || n >= 1<<pooledClasses {
		return nil
	}
	t, _ := bufferPools[classOf(n)].Get().(*Tensor)
	if t == nil || len(t.data) < n {
		return nil // a buffer of another size in the same class goes to the collector
	}
	d := t.data[:n:n]
	t.data = nil
	return d
}

// zeroed returns n values set to 0: a recycled buffer, cleared, when the
// pool has one of that size, else fresh memory.
func zeroed(n int) []float64 {
	if d := pooledBuffer(n); d != nil {
		clear(d)
		return d
	}
	return make([]float64, n)
}

// overlaps reports whether a and b store any value in the same memory.
func overlaps(a, b *Tensor) bool {
	if len(a.data) == 0 || len(b.data) == 0 {
		return false
	}
	const size = unsafe.Sizeof(float64(0))
	a0, b0 := uintptr(unsafe.Pointer(&a.data[0])), uintptr(unsafe.Pointer(&b.data[0]))
	return a0 < b0+uintptr(len(b.data))*size && b0 < a0+uintptr(len(a.data))*size
}

// classOf returns the pool class of a buffer of n values.
func classOf(n int) int { return bits.Len(uint(n)) - 1 }
