package tensor

import (
	"fmt"
	"runtime"

	"github.com/vigo-ppl/vigo/internal/parallel"
)

// BroadcastShapes returns the shape that NumPy/PyTorch broadcasting gives the
// shapes, and false if they are incompatible. When one of the shapes already
// is the result (equal shapes, or scalars against a batch) it is returned
// itself, without a copy; like a tensor's Shape, the result must not be
// modified.
func BroadcastShapes(shapes ...[]int) ([]int, bool) {
	var long []int
	for _, s := range shapes {
		if len(s) > len(long) {
			long = s
		}
	}
	if broadcastsTo(shapes, long) {
		if long == nil {
			long = []int{}
		}
		return long, true
	}
	n := len(long)
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := n - len(s)
		for i, v := range s {
			o := out[off+i]
			switch {
			case o == v || v == 1:
			case o == 1:
				out[off+i] = v
			default:
				return nil, false
			}
		}
	}
	return out, true
}

// broadcastsTo reports whether every shape broadcasts to target unchanged.
func broadcastsTo(shapes [][]int, target []int) bool {
	for _, s := range shapes {
		off := len(target) - len(s)
		for i, v := range s {
			if v != 1 && v != target[off+i] {
				return false
			}
		}
	}
	return true
}

// mustBroadcast is BroadcastShapes that panics naming the operation and shapes.
func mustBroadcast(opName string, a, b []int) []int {
	s, ok := BroadcastShapes(a, b)
	if !ok {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v do not broadcast", opName, a, b))
	}
	return s
}

func numel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// contiguousStrides returns row-major strides of shape.
func contiguousStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// broadcastStrides returns the strides of a tensor of shape in as seen through
// the larger shape out: 0 along broadcast dims.
func broadcastStrides(in, out []int) []int {
	st := make([]int, len(out))
	cs := contiguousStrides(in)
	off := len(out) - len(in)
	for i := range in {
		if in[i] != 1 {
			st[off+i] = cs[i]
		}
	}
	return st
}

// iter2 walks an output shape together with the matching offsets of two
// broadcast inputs, one innermost row at a time. Adjacent dims that are
// contiguous for every operand are merged first, so same-shape and
// trailing-broadcast cases become few long rows.
type iter2 struct {
	shape  []int // coalesced output shape
	sa, sb []int // coalesced input strides
}

func newIter2(out, a, b []int) iter2 {
	sa := broadcastStrides(a, out)
	sb := broadcastStrides(b, out)
	shape := cloneInts(out)
	// drop size-1 dims
	k := 0
	for i := range shape {
		if shape[i] != 1 {
			shape[k], sa[k], sb[k] = shape[i], sa[i], sb[i]
			k++
		}
	}
	shape, sa, sb = shape[:k], sa[:k], sb[:k]
	if len(shape) == 0 {
		return iter2{shape: []int{1}, sa: []int{0}, sb: []int{0}}
	}
	// merge dim i into i+1 when both operands are contiguous across them
	ms, ma, mb := []int{shape[0]}, []int{sa[0]}, []int{sb[0]}
	for i := 1; i < len(shape); i++ {
		j := len(ms) - 1
		if ma[j] == sa[i]*shape[i] && mb[j] == sb[i]*shape[i] {
			ms[j] *= shape[i]
			ma[j], mb[j] = sa[i], sb[i]
			continue
		}
		ms, ma, mb = append(ms, shape[i]), append(ma, sa[i]), append(mb, sb[i])
	}
	return iter2{shape: ms, sa: ma, sb: mb}
}

// shortRow is the row length below which a two-dimensional walk runs a
// block of rows at a time instead of calling a function per row.
const shortRow = 16

// shortRows reports whether it walks a two-dimensional output of at least
// rowBlock elements whose rows are shorter than shortRow; then the number
// of rows and their length. (Smaller outputs take few calls anyway.)
func (it iter2) shortRows() (rows, k int, ok bool) {
	if len(it.shape) != 2 || it.shape[1] >= shortRow || it.shape[0]*it.shape[1] < rowBlock {
		return 0, 0, false
	}
	return it.shape[0], it.shape[1], true
}

// gatherBuf returns a buffer for gather of an operand with strides
// (s0, s1) over blocks of n elements of rows of k: nil when the operand
// is read in place.
func gatherBuf(s0, s1, k, n int) []float64 {
	if s0 == k && s1 == 1 {
		return nil
	}
	return make([]float64, n)
}

// rowBlock is the number of elements a short-row walk handles at a time.
const rowBlock = 512

// gather lays out, in buf, the values an operand with strides (s0, s1)
// gives rows r0 ≤ r < r0+nr of a short-row walk with rows of k, and
// returns them; an operand already laid out like the output (strides
// (k, 1)) is returned in place.
func gather(buf, d []float64, s0, s1, k, r0, nr int) []float64 {
	if s0 == k && s1 == 1 {
		return d[r0*k : (r0+nr)*k]
	}
	buf = buf[:nr*k]
	for r := range nr {
		base, row := (r0+r)*s0, buf[r*k:(r+1)*k]
		for j := range row {
			row[j] = d[base+j*s1]
		}
	}
	return buf
}

// rows calls fn for every innermost row: the output offset, the input
// offsets, the row length and the input strides along the row.
func (it iter2) rows(fn func(o, ia, ib, n, da, db int)) {
	nd := len(it.shape)
	inner := it.shape[nd-1]
	da, db := it.sa[nd-1], it.sb[nd-1]
	outer := 1
	for _, s := range it.shape[:nd-1] {
		outer *= s
	}
	if outer == 1 {
		fn(0, 0, 0, inner, da, db)
		return
	}
	idx := make([]int, nd-1)
	ia, ib := 0, 0
	for r := 0; r < outer; r++ {
		fn(r*inner, ia, ib, inner, da, db)
		for d := nd - 2; d >= 0; d-- {
			idx[d]++
			ia += it.sa[d]
			ib += it.sb[d]
			if idx[d] < it.shape[d] {
				break
			}
			ia -= it.sa[d] * it.shape[d]
			ib -= it.sb[d] * it.shape[d]
			idx[d] = 0
		}
	}
}

// parallelThreshold is the element count above which elementwise kernels
// split their work across cores; smaller kernels never do.
const parallelThreshold = 1 << 16

// parallelFor splits [0, n) into contiguous chunks and runs fn on each,
// concurrently when n is large and more than one CPU is available. Chunks
// start at multiples of vectorLanes, so the vector kernels (which leave an
// odd tail to their scalar twins) cover the same elements however many
// cores share the work: results do not depend on the number of cores.
func parallelFor(n int, fn func(lo, hi int)) {
	splitRange(n, n >= parallelThreshold, n/(parallelThreshold/2), vectorLanes, fn)
}

// vectorLanes is the number of elements the vector kernels take at once.
const vectorLanes = 4

// splitRange runs fn over [0, n). When split is set and more than one CPU is
// available, it cuts [0, n) into at most maxChunks contiguous chunks, one
// per CPU, each but the last a multiple of align, and runs them
// concurrently; otherwise it calls fn(0, n) once. maxChunks must be at
// least 1 when split is set.
func splitRange(n int, split bool, maxChunks, align int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if !split || workers < 2 {
		fn(0, n)
		return
	}
	workers = min(workers, maxChunks)
	chunk := (n + workers - 1) / workers
	chunk = (chunk + align - 1) / align * align
	parallel.For((n+chunk-1)/chunk, func(c int) { fn(c*chunk, min(n, (c+1)*chunk)) })
}
