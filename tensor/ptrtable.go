package tensor

import (
	"math/bits"
	"unsafe"
)

// ptrTable maps tensors to small integers for one backward pass: an
// open-addressing hash table with linear probing, keyed by the tensor's
// address. Go's collector does not move heap objects, and a table lives
// only while the pass holds its tensors, so an address names one tensor for
// the table's whole life. It replaces a Go map on the hottest path of small
// models, where hashing, write barriers and the map's bookkeeping cost more
// than the graph's own arithmetic.
type ptrTable struct {
	keys  []*Tensor
	vals  []int32
	shift uint // 64 − log2(len(keys))
	n     int
}

// ptrTableMinSize is the smallest table: room for a small model's graph.
const ptrTableMinSize = 128

// slot returns the home slot of t.
func (m *ptrTable) slot(t *Tensor) int {
	// Fibonacci hashing of the address; the low bits are alignment.
	return int((uint64(uintptr(unsafe.Pointer(t))) * 0x9E3779B97F4A7C15) >> m.shift)
}

// get returns the value stored for t and whether there is one.
func (m *ptrTable) get(t *Tensor) (int32, bool) {
	if m.keys == nil {
		return 0, false
	}
	mask := len(m.keys) - 1
	for i := m.slot(t); ; i = (i + 1) & mask {
		switch m.keys[i] {
		case t:
			return m.vals[i], true
		case nil:
			return 0, false
		}
	}
}

// set stores v for t, growing the table to keep it at most half full.
func (m *ptrTable) set(t *Tensor, v int32) {
	if 2*(m.n+1) > len(m.keys) {
		m.grow()
	}
	mask := len(m.keys) - 1
	for i := m.slot(t); ; i = (i + 1) & mask {
		switch m.keys[i] {
		case t:
			m.vals[i] = v
			return
		case nil:
			m.keys[i], m.vals[i] = t, v
			m.n++
			return
		}
	}
}

// grow doubles the table (or makes the first one) and reinserts the keys.
func (m *ptrTable) grow() {
	oldK, oldV := m.keys, m.vals
	size := max(ptrTableMinSize, 2*len(oldK))
	m.keys, m.vals = make([]*Tensor, size), make([]int32, size)
	m.shift = uint(64 - bits.TrailingZeros(uint(size)))
	m.n = 0
	for i, k := range oldK {
		if k != nil {
			m.set(k, oldV[i])
		}
	}
}

// reset empties the table, keeping its storage unless it grew very large.
func (m *ptrTable) reset() {
	if len(m.keys) > 1<<16 {
		*m = ptrTable{}
		return
	}
	clear(m.keys)
	m.n = 0
}
