package tensor

import (
	"errors"
	"fmt"

	"github.com/vigo-ppl/vigo/internal/vecmath"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Linear algebra on the last two dims of a tensor. Every operation here treats
// a tensor of shape (…, m, n) as a batch of m×n matrices; binary operations
// broadcast their batch dims as elementwise operations do. Matrix products,
// triangular solves and factorizations go to gonum's BLAS and LAPACK, except
// products whose right operand fits in cache, which stream over it with
// vigo's vector kernels; large batches are split across cores.

// ErrNotPositiveDefinite is the error that [Tensor.CholeskyErr] wraps when a
// matrix has no Cholesky factor; [Tensor.Cholesky] panics with it.
var ErrNotPositiveDefinite = errors.New("tensor: Cholesky: matrix not positive definite")

// linalgParallelWork is the number of multiply-adds above which a batch of
// matrix kernels is split across cores; smaller batches run on one.
const linalgParallelWork = 1 << 18

// splitMat returns the batch dims and the two matrix dims of shape, panicking
// if shape has fewer than two dims.
func splitMat(opName string, shape []int) (batch []int, rows, cols int) {
	nd := len(shape)
	if nd < 2 {
		panic(fmt.Sprintf("tensor: %s: shape %v has fewer than 2 dims", opName, shape))
	}
	return shape[:nd-2], shape[nd-2], shape[nd-1]
}

// matShape returns batch followed by rows and cols in a new slice.
func matShape(batch []int, rows, cols int) []int {
	s := make([]int, len(batch), len(batch)+2)
	copy(s, batch)
	return append(s, rows, cols)
}

// pairBatches broadcasts the batch shapes a and b of two stacks of matrices.
// It returns the broadcast batch shape and, for each of its entries in
// row-major order, the index of the matrix to use from a and from b. A nil
// index slice means entry i uses matrix i. fullA and fullB, the operands'
// whole shapes, are for the panic message.
func pairBatches(opName string, a, b []int, fullA, fullB []int) (shape []int, ia, ib []int) {
	shape, ok := BroadcastShapes(a, b)
	if !ok {
		panic(fmt.Sprintf("tensor: %s: batch dims of shapes %v and %v do not broadcast", opName, fullA, fullB))
	}
	return shape, batchIndex(a, shape), batchIndex(b, shape)
}

// batchIndex lists, for every entry of the batch shape out, the index of the
// matching matrix in a stack whose batch shape in broadcasts to out. It
// returns nil when the mapping is the identity.
func batchIndex(in, out []int) []int {
	n := numel(out)
	if numel(in) == n {
		return nil
	}
	idx := make([]int, n)
	if numel(in) == 1 {
		return idx // every entry uses matrix 0
	}
	st := broadcastStrides(in, out)
	pos := make([]int, len(out))
	off := 0
	for i := range idx {
		idx[i] = off
		for d := len(out) - 1; d >= 0; d-- {
			pos[d]++
			off += st[d]
			if pos[d] < out[d] {
				break
			}
			off -= st[d] * out[d]
			pos[d] = 0
		}
	}
	return idx
}

// at returns entry i of a batch index made by batchIndex.
func at(idx []int, i int) int {
	if idx == nil {
		return i
	}
	return idx[i]
}

// forBatches runs fn over the batch entries [0, n), splitting them across
// cores when there are several and the total work (n times work, counted in
// multiply-adds) is large.
func forBatches(n, work int, fn func(lo, hi int)) {
	splitRange(n, n >= 2 && n*work >= linalgParallelWork, n, 1, fn)
}

// general views the matrix number i of a stack of rows×cols matrices in d.
func general(d []float64, i, rows, cols int) blas64.General {
	sz := rows * cols
	return blas64.General{Rows: rows, Cols: cols, Stride: max(1, cols), Data: d[i*sz : (i+1)*sz]}
}

// triangular views the n×n matrix number i in d as a triangular matrix.
func triangular(d []float64, i, n int, lower bool) blas64.Triangular {
	uplo := blas.Upper
	if lower {
		uplo = blas.Lower
	}
	return blas64.Triangular{Uplo: uplo, Diag: blas.NonUnit, N: n, Stride: max(1, n), Data: d[i*n*n : (i+1)*n*n]}
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// MatMul returns the matrix product of a and b with the semantics of
// torch.matmul: two vectors give their dot product (a scalar); a vector
// first argument is treated as a row and a vector second argument as a
// column, the added dim being removed from the result; otherwise a and b are
// stacks of matrices whose batch dims broadcast. It panics if either operand
// is a scalar or the inner dims differ.
func (a *Tensor) MatMul(b *Tensor) *Tensor {
	if a.Dim() == 0 || b.Dim() == 0 {
		panic(fmt.Sprintf("tensor: MatMul: shapes %v and %v: operands must have at least 1 dim", a.Shape(), b.Shape()))
	}
	if a.Dim() >= 2 && b.Dim() >= 2 {
		return matmul(a, b, a.Shape(), b.Shape(), false, false)
	}
	// A vector operand is read as a one-row (a) or one-column (b) matrix,
	// and the dim this adds is dropped from the result.
	as, bs := a.Shape(), b.Shape()
	if a.Dim() == 1 {
		as = []int{1, a.shape[0]}
	}
	if b.Dim() == 1 {
		bs = []int{b.shape[0], 1}
	}
	if as[len(as)-1] != bs[len(bs)-2] {
		panic(fmt.Sprintf("tensor: MatMul: shapes %v and %v are not aligned", a.Shape(), b.Shape()))
	}
	return matmul(a, b, as, bs, a.Dim() == 1, b.Dim() == 1)
}

// matmul returns a·b for stacks of matrices with broadcast batch dims, a
// and b read with the shapes as and bs (their own, or a vector's as one
// matrix row or column). dropRow and dropCol remove the result's row or
// column dim, which a vector operand added.
func matmul(a, b *Tensor, as, bs []int, dropRow, dropCol bool) *Tensor {
	const opName = "MatMul"
	ba, m, k := splitMat(opName, as)
	bb, k2, n := splitMat(opName, bs)
	if k != k2 {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v are not aligned", opName, a.Shape(), b.Shape()))
	}
	batch, ia, ib := pairBatches(opName, ba, bb, as, bs)
	nb := numel(batch)
	sa := stack{data: a.Data(), idx: ia, rows: m, cols: k}
	sb := stack{data: b.Data(), idx: ib, rows: k, cols: n}
	out := make([]float64, nb*m*n)
	gemmStacks(nb, 1, sa, sb, stack{data: out, rows: m, cols: n})
	shape := append(make([]int, 0, len(batch)+2), batch...)
	if !dropRow {
		shape = append(shape, m)
	}
	if !dropCol {
		shape = append(shape, n)
	}
	res := wrap(out, shape)
	return record(res, opName, func(_, g *Tensor, gin []*Tensor) {
		// C = A B gives dA = dC Bᵀ and dB = Aᵀ dC, each summed over the
		// batch entries that shared a matrix of A or B.
		sg := stack{data: g.Data(), rows: m, cols: n}
		var ga, gb *Tensor
		if a.requiresGrad {
			d := make([]float64, len(a.Data()))
			sbT := sb
			sbT.t = true
			gemmStacks(nb, 1, sg, sbT, stack{data: d, idx: ia, rows: m, cols: k})
			ga = wrap(d, a.Shape())
		}
		if b.requiresGrad {
			d := make([]float64, len(b.Data()))
			saT := sa
			saT.t = true
			gemmStacks(nb, 1, saT, sg, stack{data: d, idx: ib, rows: k, cols: n})
			gb = wrap(d, b.Shape())
		}
		gin[0], gin[1] = ga, gb
	}, a, b)
}

// stack describes one operand of a batched matrix kernel: matrices of
// rows×cols stored one after another in data (rows and cols as stored,
// before any transpose), the matrix each batch entry uses, and whether the
// kernel reads the transpose. data holds exactly its matrices.
type stack struct {
	data       []float64
	idx        []int // from batchIndex; nil: entry i uses matrix i
	rows, cols int
	t          bool
}

// single reports whether the stack holds one matrix, used by every entry.
// It is only meaningful for non-empty matrices, the only ones gemmStacks
// multiplies.
func (s stack) single() bool { return len(s.data) == s.rows*s.cols }

// mat returns the stored matrix used by batch entry i.
func (s stack) mat(i int) blas64.General { return general(s.data, at(s.idx, i), s.rows, s.cols) }

// opRows returns the number of rows of the matrix the kernel reads.
func (s stack) opRows() int {
	if s.t {
		return s.cols
	}
	return s.rows
}

// gemmStacks adds alpha·op(A)·op(B) into C for each of the nb entries of a
// broadcast batch. C must not be transposed. Several entries may add into
// the same matrix of C (when C is the gradient of a broadcast operand); such
// products run in order on one core. Two layouts become a single product: a
// batch of row-stacked A times one B, and a sum over the batch of A_iᵀ·B_i.
func gemmStacks(nb int, alpha float64, a, b, c stack) {
	m, n, k := c.rows, c.cols, b.opRows()
	if nb == 0 || m == 0 || n == 0 || k == 0 {
		return
	}
	switch {
	case nb > 1 && !a.t && a.idx == nil && c.idx == nil && b.single():
		// C_i = A_i op(B): stack the rows of every A_i into one matrix.
		af := blas64.General{Rows: nb * m, Cols: a.cols, Stride: a.cols, Data: a.data[:nb*m*a.cols]}
		cf := blas64.General{Rows: nb * m, Cols: n, Stride: n, Data: c.data[:nb*m*n]}
		mulAdd(alpha, af, false, b.mat(0), b.t, cf)
		return
	case nb > 1 && a.t && !b.t && a.idx == nil && b.idx == nil && c.single():
		// Σ_i A_iᵀ B_i = [A_1; …; A_nb]ᵀ [B_1; …; B_nb].
		af := blas64.General{Rows: nb * k, Cols: m, Stride: m, Data: a.data[:nb*k*m]}
		bf := blas64.General{Rows: nb * k, Cols: n, Stride: n, Data: b.data[:nb*k*n]}
		mulAdd(alpha, af, true, bf, false, c.mat(0))
		return
	}
	// One core when entries share output matrices or the work is small;
	// the closure for several is made only when they are used.
	if c.idx != nil || nb < 2 || nb*m*n*k < linalgParallelWork {
		mulAddEntries(alpha, a, b, c, 0, nb)
		return
	}
	forBatches(nb, m*n*k, func(lo, hi int) { mulAddEntries(alpha, a, b, c, lo, hi) })
}

// mulAddEntries adds alpha·op(A_i)·op(B_i) into C_i for batch entries
// lo ≤ i < hi.
func mulAddEntries(alpha float64, a, b, c stack, lo, hi int) {
	for i := lo; i < hi; i++ {
		mulAdd(alpha, a.mat(i), a.t, b.mat(i), b.t, c.mat(i))
	}
}

// mulAdd adds alpha·op(A)·op(B) into C. While op(B) fits in the L2 cache
// every row of C streams over it with the vector kernels, the rows split
// across cores when the product is large; larger products go to gonum's
// cache-blocked BLAS.
func mulAdd(alpha float64, a blas64.General, ta bool, b blas64.General, tb bool, c blas64.General) {
	m, n := c.Rows, c.Cols
	k := a.Cols
	if ta {
		k = a.Rows
	}
	if n*k > streamedGemm {
		if !vecmath.Vectorized() {
			blas64.Gemm(trans(ta), trans(tb), alpha, a, b, 1, c)
			return
		}
		mulAddBlocked(alpha, a, ta, b, tb, c, k)
		return
	}
	var bT []float64 // B's transpose, for a narrow C
	if !tb && n < narrowCols && (k >= minNarrowInner || n == 1 && k > 1) {
		bT = transposed(b, k, n)
	}
	if m < 2 || m*n*k < linalgParallelWork || k < minParallelInner {
		mulAddRange(alpha, a, ta, b, tb, bT, c, k, 0, m)
		return
	}
	forBatches(m, n*k, func(lo, hi int) { mulAddRange(alpha, a, ta, b, tb, bT, c, k, lo, hi) })
}

// mulAddRange adds rows lo..hi of alpha·op(A)·op(B) into C, through
// mulAddNarrow when bT, B's transpose, is given.
func mulAddRange(alpha float64, a blas64.General, ta bool, b blas64.General, tb bool, bT []float64, c blas64.General, k, lo, hi int) {
	if bT != nil {
		mulAddNarrow(alpha, a, ta, bT, c, k, lo, hi)
		return
	}
	mulAddRows(alpha, a, ta, b, tb, c, k, lo, hi)
}

// mulAddBlocked adds alpha·op(A)·op(B) into C when op(B) is too large to
// stream from the L2 cache and the vector kernels run (vecmath.Vectorized).
// With both operands laid out row-major (a transposed operand is transposed
// once, alpha folded into A), it takes B in panels of blockInner rows by
// blockCols columns, small enough to stay in the L1 cache while blocks of
// C gather the panel's rows with the vector kernels. Rows of C split
// across cores for large products.
func mulAddBlocked(alpha float64, a blas64.General, ta bool, b blas64.General, tb bool, c blas64.General, k int) {
	m := c.Rows
	ad, lda := a.Data, a.Stride
	if ta {
		ad, lda = transposed(a, a.Rows, a.Cols), k
	}
	if alpha != 1 {
		scaled := make([]float64, m*k)
		for i := range m {
			for p, v := range ad[i*lda : i*lda+k] {
				scaled[i*k+p] = alpha * v
			}
		}
		ad, lda = scaled, k
	}
	bd, ldb := b.Data, b.Stride
	if tb {
		bd, ldb = transposed(b, b.Rows, b.Cols), c.Cols
	}
	if m < 2 || m*c.Cols*k < linalgParallelWork {
		mulAddPanels(ad, lda, bd, ldb, c, k, 0, m)
		return
	}
	forBatches(m, c.Cols*k, func(lo, hi int) { mulAddPanels(ad, lda, bd, ldb, c, k, lo, hi) })
}

// blockInner and blockCols are the rows and columns of a panel of B in
// mulAddBlocked: 64 × 48 values, 24 KiB, within a typical L1 cache.
const (
	blockInner = 64
	blockCols  = 48
)

// mulAddPanels adds rows lo..hi of A·B into C, A (m×k, row stride lda) and
// B (k×n, row stride ldb) row-major, panel by panel of B: blocks of four
// rows by twelve columns of C through the register-blocked kernel, the
// remaining rows and columns through AxpyRows. Each element of C gains its
// terms in order of the inner index, as in mulAddRows.
func mulAddPanels(ad []float64, lda int, bd []float64, ldb int, c blas64.General, k, lo, hi int) {
	n, ldc := c.Cols, c.Stride
	for p0 := 0; p0 < k; p0 += blockInner {
		kk := min(blockInner, k-p0)
		for j0 := 0; j0 < n; j0 += blockCols {
			w := min(blockCols, n-j0)
			w12 := w - w%12
			panel := bd[p0*ldb+j0:]
			i := lo
			for ; i+4 <= hi && w12 > 0; i += 4 {
				for j := 0; j < w12; j += 12 {
					vecmath.Gemm4x12(c.Data[i*ldc+j0+j:], ldc, ad[i*lda+p0:], lda, panel[j:], ldb, kk)
				}
				for r := i; r < i+4 && w12 < w; r++ {
					vecmath.AxpyRows(c.Data[r*ldc+j0+w12:r*ldc+j0+w], ad[r*lda+p0:r*lda+p0+kk], panel[w12:], ldb)
				}
			}
			for ; i < hi; i++ {
				vecmath.AxpyRows(c.Data[i*ldc+j0:i*ldc+j0+w], ad[i*lda+p0:i*lda+p0+kk], panel, ldb)
			}
		}
	}
}

// narrowCols is the number of columns of C below which mulAdd forms each
// element of C as one dot product (mulAddNarrow) rather than adding rows of
// B into C, which would update each element k times in memory.
const narrowCols = 32

// minNarrowInner is the shortest inner dimension for which mulAddNarrow
// pays when C has several columns: with fewer terms per element the updates
// in memory are few, and a call per row costs more (measured: 100 000 × 1
// times 1 × 4 took 1.4× as long through mulAddNarrow; 10 000 × 10 times
// 10 × 3 took 0.6×). A matrix times a vector takes it from two terms on,
// its rows in blocks (10 000 × 5 times 5 × 1: 0.42×).
const minNarrowInner = 8

// transposed returns the n×k transpose of the k×n matrix b, row-major: b's
// own values when b is one contiguous column.
func transposed(b blas64.General, k, n int) []float64 {
	if n == 1 && b.Stride == 1 {
		return b.Data[:k]
	}
	bT := make([]float64, n*k)
	for p := range k {
		for j, v := range b.Data[p*b.Stride : p*b.Stride+n] {
			bT[j*k+p] = v
		}
	}
	return bT
}

// mulAddNarrow adds rows i0..i1 of alpha·op(A)·B into C, C having fewer
// than narrowCols columns (a matrix times a vector or a few), given bT,
// the n×k transpose of B. Each element of C gains one sum kept in
// registers: a dot product of a row of A with a row of bT, or, when op(A)
// is Aᵀ, a combination of A's rows (read in place) weighted by a row of bT.
func mulAddNarrow(alpha float64, a blas64.General, ta bool, bT []float64, c blas64.General, k, i0, i1 int) {
	n := c.Cols
	ad, cd := a.Data, c.Data
	// Row i of op(A) starts at ad[i*ai]; it is contiguous unless op(A) is
	// the transpose of a matrix of several columns.
	ai, contiguous := a.Stride, !ta || a.Stride == 1
	if ta {
		ai = 1
	}
	var buf [64]float64
	switch {
	case contiguous && n == 1: // C = op(A)·b: the dots of b with op(A)'s rows, 64 at a time
		for r0 := i0; r0 < i1; r0 += len(buf) {
			d := buf[:min(len(buf), i1-r0)]
			vecmath.DotRows(d, bT, ad[r0*ai:], ai)
			for r, s := range d {
				cd[(r0+r)*c.Stride] += alpha * s
			}
		}
	case contiguous: // row i of C: the dots of row i of op(A) with the rows of bT
		for i := i0; i < i1; i++ {
			d := buf[:n]
			vecmath.DotRows(d, ad[i*ai:i*ai+k], bT, k)
			for j, s := range d {
				cd[i*c.Stride+j] += alpha * s
			}
		}
	default: // column j of C: Aᵀ times row j of bT, 64 elements at a time
		for j := range n {
			for r0 := i0; r0 < i1; r0 += len(buf) {
				d := buf[:min(len(buf), i1-r0)]
				clear(d)
				vecmath.AxpyRows(d, bT[j*k:(j+1)*k], ad[r0:], a.Stride)
				for r, s := range d {
					cd[(r0+r)*c.Stride+j] += alpha * s
				}
			}
		}
	}
}

// minParallelInner is the shortest inner dimension for which mulAdd splits
// rows of C across cores. With fewer multiply-adds per element of C the
// product is bound by writing C, and cores sharing that (measured on a
// 100×1000 result with k = 10: 230 µs on one core, 300–400 µs on two) only
// add traffic between their caches.
const minParallelInner = 16

// streamedGemm is the size of op(B), in elements, up to which mulAdd streams
// over it row by row rather than calling BLAS (256 KiB, half a typical L2).
const streamedGemm = 1 << 15

// mulAddRows adds rows i0..i1 of alpha·op(A)·op(B) into C, where k is the
// inner dimension.
func mulAddRows(alpha float64, a blas64.General, ta bool, b blas64.General, tb bool, c blas64.General, k, i0, i1 int) {
	// element (i, p) of op(A) is ad[i*ai+p*ap]
	ai, ap := a.Stride, 1
	if ta {
		ai, ap = 1, a.Stride
	}
	ad, bd, cd := a.Data, b.Data, c.Data
	for i := i0; i < i1; i++ {
		crow := cd[i*c.Stride : i*c.Stride+c.Cols]
		if !tb && len(crow) >= 32 {
			// row i of C gathers the rows of B weighted by row i of op(A),
			// up to 64 rows of B per pass over it
			var coef [64]float64
			for p0 := 0; p0 < k; p0 += len(coef) {
				kk := min(len(coef), k-p0)
				for p := range kk {
					coef[p] = alpha * ad[i*ai+(p0+p)*ap]
				}
				vecmath.AxpyRows(crow, coef[:kk], bd[p0*b.Stride:], b.Stride)
			}
			continue
		}
		if !tb {
			for p := 0; p < k; p++ {
				av, brow := alpha*ad[i*ai+p*ap], bd[p*b.Stride:p*b.Stride+c.Cols]
				if len(crow) < 16 { // too short for the vector kernel
					for j, bv := range brow {
						crow[j] += av * bv
					}
					continue
				}
				vecmath.Axpy(av, brow, crow)
			}
			continue
		}
		// op(B) = Bᵀ: column j of op(B) is row j of B
		if ap == 1 && k >= 16 {
			var dots [64]float64
			arow := ad[i*ai : i*ai+k]
			for j0 := 0; j0 < len(crow); j0 += len(dots) {
				d := dots[:min(len(dots), len(crow)-j0)]
				vecmath.DotRows(d, arow, bd[j0*b.Stride:], b.Stride)
				for j, s := range d {
					crow[j0+j] += alpha * s
				}
			}
			continue
		}
		for j := range crow {
			brow := bd[j*b.Stride : j*b.Stride+k]
			var s float64
			for p, bv := range brow {
				s += ad[i*ai+p*ap] * bv
			}
			crow[j] += alpha * s
		}
	}
}

// MT returns a with its last two dims swapped (the matrix transpose of each
// matrix in the batch). It panics if a has fewer than two dims.
func (a *Tensor) MT() *Tensor {
	batch, r, c := splitMat("MT", a.Shape())
	nb := numel(batch)
	ad := a.Data()
	out := make([]float64, len(ad))
	sz := r * c
	for m := 0; m < nb; m++ {
		src, dst := ad[m*sz:(m+1)*sz], out[m*sz:(m+1)*sz]
		for i := 0; i < r; i++ {
			row := src[i*c : (i+1)*c]
			for j, v := range row {
				dst[j*r+i] = v
			}
		}
	}
	res := wrap(out, matShape(batch, c, r))
	return record(res, "MT", func(_, g *Tensor, gin []*Tensor) {
		gin[0] = g.MT()
	}, a)
}

// Tril returns the lower triangle of each matrix in a: entries (i, j) with
// j-i <= k are kept and the rest set to 0. k = 0 is the main diagonal, k < 0
// lies below it and k > 0 above it. It panics if a has fewer than two dims.
func (a *Tensor) Tril(k int) *Tensor { return triPart("Tril", a, k, true) }

// Triu returns the upper triangle of each matrix in a: entries (i, j) with
// j-i >= k are kept and the rest set to 0. It panics if a has fewer than two
// dims.
func (a *Tensor) Triu(k int) *Tensor { return triPart("Triu", a, k, false) }

// triPart implements Tril (lower) and Triu.
func triPart(opName string, a *Tensor, k int, lower bool) *Tensor {
	batch, r, c := splitMat(opName, a.Shape())
	out := make([]float64, len(a.Data()))
	copyTri(out, a.Data(), numel(batch), r, c, k, lower)
	res := wrap(out, a.Shape())
	return record(res, opName, func(_, g *Tensor, gin []*Tensor) {
		gin[0] = triPart(opName, g, k, lower)
	}, a)
}

// triColumns returns the columns [lo, hi) of row i of an r×c matrix kept by
// the lower (j <= i+k) or upper (j >= i+k) triangle of the k-th diagonal.
func triColumns(i, c, k int, lower bool) (lo, hi int) {
	if lower {
		return 0, min(c, max(0, i+k+1))
	}
	return min(c, max(0, i+k)), c
}

// copyTri copies into dst the entries of the nb r×c matrices in src that lie
// on or below (lower) or on or above the k-th diagonal; dst must be zero.
func copyTri(dst, src []float64, nb, r, c, k int, lower bool) {
	sz := r * c
	for m := 0; m < nb; m++ {
		for i := 0; i < r; i++ {
			lo, hi := triColumns(i, c, k, lower)
			off := m*sz + i*c
			copy(dst[off+lo:off+hi], src[off+lo:off+hi])
		}
	}
}

// keepTri sets to 0, in place, the entries of the nb r×c matrices in d that
// copyTri would not copy.
func keepTri(d []float64, nb, r, c, k int, lower bool) {
	sz := r * c
	for m := 0; m < nb; m++ {
		for i := 0; i < r; i++ {
			lo, hi := triColumns(i, c, k, lower)
			row := d[m*sz+i*c : m*sz+(i+1)*c]
			clear(row[:lo])
			clear(row[hi:])
		}
	}
}

// Diagonal returns the main diagonal of each matrix in a: shape (…, m, n)
// becomes (…, min(m, n)). It panics if a has fewer than two dims.
func (a *Tensor) Diagonal() *Tensor {
	batch, r, c := splitMat("Diagonal", a.Shape())
	p := min(r, c)
	nb := numel(batch)
	ad := a.Data()
	out := make([]float64, nb*p)
	for m := 0; m < nb; m++ {
		for i := 0; i < p; i++ {
			out[m*p+i] = ad[m*r*c+i*c+i]
		}
	}
	shape := append(cloneInts(batch), p)
	res := wrap(out, shape)
	return record(res, "Diagonal", func(_, g *Tensor, gin []*Tensor) {
		gin[0] = embedDiag("Diagonal", g, r, c)
	}, a)
}

// DiagEmbed returns, for each vector along the last dim of a, the square
// matrix with that vector on its main diagonal and 0 elsewhere: shape (…, n)
// becomes (…, n, n). It panics if a is a scalar.
func (a *Tensor) DiagEmbed() *Tensor {
	if a.Dim() == 0 {
		panic("tensor: DiagEmbed: shape [] has no last dim")
	}
	n := a.shape[a.Dim()-1]
	return embedDiag("DiagEmbed", a, n, n)
}

// embedDiag places each vector along the last dim of v (of length min(r, c))
// on the main diagonal of an r×c zero matrix.
func embedDiag(opName string, v *Tensor, r, c int) *Tensor {
	p := min(r, c)
	nd := v.Dim()
	if nd == 0 || v.shape[nd-1] != p {
		panic(fmt.Sprintf("tensor: %s: shape %v does not end in %d", opName, v.Shape(), p))
	}
	batch := v.shape[:nd-1]
	nb := numel(batch)
	vd := v.Data()
	out := make([]float64, nb*r*c)
	for m := 0; m < nb; m++ {
		for i := 0; i < p; i++ {
			out[m*r*c+i*c+i] = vd[m*p+i]
		}
	}
	res := wrap(out, matShape(batch, r, c))
	return record(res, opName, func(_, g *Tensor, gin []*Tensor) {
		gin[0] = g.Diagonal()
	}, v)
}

// Cholesky returns the lower-triangular Cholesky factor L, with positive
// diagonal and A = L Lᵀ, of each symmetric positive-definite matrix A in a.
// Only the lower triangle of A is read. Its gradient is symmetric, as befits
// a function of symmetric matrices. It panics with an error wrapping
// [ErrNotPositiveDefinite] if a matrix is not positive definite; use
// [Tensor.CholeskyErr] to get that error as a value.
func (a *Tensor) Cholesky() *Tensor {
	l, err := a.CholeskyErr()
	if err != nil {
		panic(err)
	}
	return l
}

// CholeskyErr is [Tensor.Cholesky] returning an error wrapping
// [ErrNotPositiveDefinite], instead of panicking, when a matrix of a is not
// positive definite (or holds NaN). It still panics if the matrices of a are
// not square.
func (a *Tensor) CholeskyErr() (*Tensor, error) {
	batch, n, c := splitMat("Cholesky", a.Shape())
	if n != c {
		panic(fmt.Sprintf("tensor: Cholesky: shape %v does not hold square matrices", a.Shape()))
	}
	nb := numel(batch)
	out := make([]float64, nb*n*n)
	copyTri(out, a.Data(), nb, n, n, 0, true)
	for m := 0; m < nb; m++ {
		sym := blas64.Symmetric{Uplo: blas.Lower, N: n, Stride: max(1, n), Data: out[m*n*n : (m+1)*n*n]}
		if _, ok := lapack64.Potrf(sym); !ok {
			if nb == 1 {
				return nil, fmt.Errorf("%w: shape %v", ErrNotPositiveDefinite, a.Shape())
			}
			return nil, fmt.Errorf("%w: shape %v, batch entry %d", ErrNotPositiveDefinite, a.Shape(), m)
		}
	}
	res := wrap(out, a.Shape())
	return record(res, "Cholesky", func(out, g *Tensor, gin []*Tensor) {
		gin[0] = choleskyBackward(out.Data(), g.Data(), nb, n, a.Shape())
	}, a), nil
}

// choleskyBackward returns the gradient with respect to A of a loss whose
// gradient with respect to L = cholesky(A) is gL.
//
// Differentiating A = L Lᵀ gives dA = dL Lᵀ + L dLᵀ, so
// L⁻¹ dA L⁻ᵀ = L⁻¹dL + (L⁻¹dL)ᵀ. As L⁻¹dL is lower triangular,
// L⁻¹dL = Φ(L⁻¹ dA L⁻ᵀ) where Φ keeps the lower triangle and halves the
// diagonal; hence dL = L Φ(L⁻¹ dA L⁻ᵀ). Φ is self-adjoint under the
// Frobenius inner product, so
// ⟨gL, dL⟩ = ⟨Φ(Lᵀ gL), L⁻¹ dA L⁻ᵀ⟩ = ⟨L⁻ᵀ Φ(Lᵀ gL) L⁻¹, dA⟩.
// Only the lower triangle of gL matters (dL is lower triangular), and since
// dA is symmetric the gradient is the symmetric part of L⁻ᵀ Φ(Lᵀ gL) L⁻¹.
func choleskyBackward(ld, gd []float64, nb, n int, shape []int) *Tensor {
	res := make([]float64, nb*n*n)
	if n == 0 {
		return wrap(res, shape)
	}
	copyTri(res, gd, nb, n, n, 0, true)
	forBatches(nb, 2*n*n*n, func(lo, hi int) {
		for m := lo; m < hi; m++ {
			l := triangular(ld, m, n, true)
			p := general(res, m, n, n)
			blas64.Trmm(blas.Left, blas.Trans, 1, l, p) // P = Lᵀ tril(gL)
			// Φ(P): keep the lower triangle, halve the diagonal.
			for i := 0; i < n; i++ {
				row := p.Data[i*n : (i+1)*n]
				row[i] *= 0.5
				clear(row[i+1:])
			}
			blas64.Trsm(blas.Left, blas.Trans, 1, l, p)    // L⁻ᵀ Φ(P)
			blas64.Trsm(blas.Right, blas.NoTrans, 1, l, p) // L⁻ᵀ Φ(P) L⁻¹
			for i := 0; i < n; i++ {
				for j := 0; j < i; j++ {
					s := 0.5 * (p.Data[i*n+j] + p.Data[j*n+i])
					p.Data[i*n+j], p.Data[j*n+i] = s, s
				}
			}
		}
	})
	return wrap(res, shape)
}

// SolveTriangular returns X solving A X = B for each triangular matrix A in
// a, which is lower triangular if lower is set and upper triangular
// otherwise; entries of A outside that triangle are not read. b has shape
// (…, n, k), its batch dims broadcasting with those of a, or is a vector of
// length n, in which case the result is one too. A singular A gives
// infinities or NaNs. It panics if the matrices of a are not square or b's
// rows do not match.
func (a *Tensor) SolveTriangular(b *Tensor, lower bool) *Tensor {
	if b.Dim() == 1 {
		n := b.shape[0]
		x := solveTri(a, b.Reshape(n, 1), lower, b.Shape())
		return x.Reshape(x.Shape()[:x.Dim()-1]...)
	}
	return solveTri(a, b, lower, b.Shape())
}

// solveTri is SolveTriangular for b with at least two dims; shapeB is the
// caller's shape of b, for messages.
func solveTri(a, b *Tensor, lower bool, shapeB []int) *Tensor {
	const opName = "SolveTriangular"
	ba, n, c := splitMat(opName, a.Shape())
	bb, br, k := splitMat(opName, b.Shape())
	if n != c || br != n {
		panic(fmt.Sprintf("tensor: %s: shapes %v and %v: need square (…, n, n) and (…, n, k) or (n)", opName, a.Shape(), shapeB))
	}
	batch, ia, ib := pairBatches(opName, ba, bb, a.Shape(), shapeB)
	nb := numel(batch)
	ad, bd := a.Data(), b.Data()
	out := make([]float64, nb*n*k)
	if n > 0 && k > 0 {
		forBatches(nb, n*n*k, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				x := general(out, i, n, k)
				copy(x.Data, general(bd, at(ib, i), n, k).Data)
				blas64.Trsm(blas.Left, blas.NoTrans, 1, triangular(ad, at(ia, i), n, lower), x)
			}
		})
	}
	res := wrap(out, matShape(batch, n, k))
	return record(res, opName, func(out, g *Tensor, gin []*Tensor) {
		// X = A⁻¹B gives dB = A⁻ᵀ dX and dA = -dB Xᵀ restricted to the
		// triangle of A that is read.
		gbFull := make([]float64, len(g.Data()))
		copy(gbFull, g.Data())
		if n > 0 && k > 0 {
			forBatches(nb, n*n*k, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					blas64.Trsm(blas.Left, blas.Trans, 1, triangular(ad, at(ia, i), n, lower), general(gbFull, i, n, k))
				}
			})
		}
		var ga, gb *Tensor
		if a.requiresGrad {
			d := make([]float64, len(ad))
			sg := stack{data: gbFull, rows: n, cols: k}
			sx := stack{data: out.Data(), rows: n, cols: k, t: true}
			gemmStacks(nb, -1, sg, sx, stack{data: d, idx: ia, rows: n, cols: n})
			keepTri(d, numel(ba), n, n, 0, lower)
			ga = wrap(d, a.Shape())
		}
		if b.requiresGrad {
			gb = wrap(gbFull, matShape(batch, n, k)).SumTo(b.Shape())
		}
		gin[0], gin[1] = ga, gb
	}, a, b)
}
