package vecmath

// Axpy adds alpha·x[i] to y[i] for every i < len(x); y must be at least as
// long as x.
func Axpy(alpha float64, x, y []float64) {
	n := len(x)
	y = y[:n]
	i := 0
	if haveAVX2FMA && n >= 16 {
		i = n &^ 15
		axpyAVX2(alpha, &x[0], &y[0], i)
	}
	for ; i < n; i++ {
		y[i] += alpha * x[i]
	}
}

// Sum returns Σ x[i] with four independent accumulators, so long sums are
// not bound by the latency of one chain of additions.
func Sum(x []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Dot returns Σ x[i]·y[i] over i < len(x); y must be at least as long as x.
// Partial sums are kept in independent accumulators, so long products are
// not bound by the latency of one chain of additions.
func Dot(x, y []float64) float64 {
	n := len(x)
	y = y[:n]
	i := 0
	var s float64
	if haveAVX2FMA && n >= 16 {
		i = n &^ 15
		s = dotAVX2(&x[0], &y[0], i)
	}
	var s0, s1, s2, s3 float64
	for ; i+4 <= n; i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < n; i++ {
		s0 += x[i] * y[i]
	}
	return s + ((s0 + s1) + (s2 + s3))
}

// AxpyRows adds Σ_p a[p]·b[p·stride+j] to dst[j] for every j < len(dst) and
// p < len(a): a row vector times the len(a)×len(dst) matrix whose rows start
// stride apart in b. It is the inner loop of a matrix product: each element
// of dst is read and written once, however many rows b has. Where the
// vector kernels run, the columns of dst in blocks of 32 and 16 gain their
// terms in order of p, as by len(a) successive Axpy calls; the last columns
// (fewer than 16) sum the rows in four interleaved partial sums, so that a
// long column does not wait on one chain of additions.
func AxpyRows(dst, a, b []float64, stride int) {
	n, k := len(dst), len(a)
	if k == 0 || n == 0 {
		return
	}
	_ = b[(k-1)*stride+n-1] // bounds, once
	j := 0
	if haveAVX2FMA {
		if n >= 32 {
			j = n &^ 31
			axpyRowsAVX2(&dst[0], &a[0], &b[0], k, stride, j)
		}
		// The last columns in blocks of 16, then 4.
		for ; j+16 <= n; j += 16 {
			axpyRows16AVX2(&dst[j], &a[0], &b[j], k, stride)
		}
		for ; j+4 <= n; j += 4 {
			axpyRows4AVX2(&dst[j], &a[0], &b[j], k, stride)
		}
		if j == n {
			return // no scalar tail: skip its loop over the rows
		}
		if n >= 4 {
			// The last one to three columns: the four-column kernel on
			// a copy of the last four, of which only those columns are
			// kept (each column's sum is independent of the others), in
			// place of a scalar loop whose sums depend through memory
			// from row to row.
			var last [4]float64
			copy(last[:], dst[n-4:])
			axpyRows4AVX2(&last[0], &a[0], &b[n-4], k, stride)
			copy(dst[j:], last[4-(n-j):])
			return
		}
	}
	for p, ap := range a {
		row := b[p*stride+j : p*stride+n]
		tail := dst[j:n]
		for i, bv := range row {
			tail[i] += ap * bv
		}
	}
}

// DotRows stores Σ_p a[p]·b[j·stride+p] in dst[j] for every j < len(dst) and
// p < len(a): the dot products of a with len(dst) rows that start stride
// apart in b. Rows are taken four at a time, so a is read once per four.
func DotRows(dst, a, b []float64, stride int) {
	n := len(a)
	j := 0
	if haveAVX2FMA && n > 0 && n < 16 && len(dst) >= 4 {
		// short rows: four rows per step, each in one register
		j = len(dst) &^ 3
		_ = b[(j-1)*stride+n-1] // bounds, once
		dotRowsShortAVX2(&dst[0], &a[0], &b[0], stride, n, j)
	}
	if haveAVX2FMA && n >= 16 {
		v := n &^ 7
		for ; j+4 <= len(dst); j += 4 {
			var d [4]float64
			dot4AVX2(&a[0], &b[j*stride], stride, v, &d)
			for r := range d {
				row := b[(j+r)*stride : (j+r)*stride+n]
				for p := v; p < n; p++ {
					d[r] += a[p] * row[p]
				}
				dst[j+r] = d[r]
			}
		}
	}
	for ; j < len(dst); j++ {
		dst[j] = Dot(a, b[j*stride:j*stride+n])
	}
}

// Vectorized reports whether the AVX2+FMA kernels run on this machine; where
// they do not, the portable loops do the same work more slowly.
func Vectorized() bool { return haveAVX2FMA }

// Gemm4x12 adds Σ_{p<k} a[r·lda+p]·b[p·ldb+j] to c[r·ldc+j] for r < 4 and
// j < 12, k = len of each row of a used: a block of a matrix product
// C += A·B with row-major operands, each element's terms added in order of
// p. It returns false, doing nothing, where the AVX2 kernels do not run.
func Gemm4x12(c []float64, ldc int, a []float64, lda int, b []float64, ldb, k int) bool {
	if !haveAVX2FMA || k == 0 {
		return haveAVX2FMA
	}
	_ = c[3*ldc+11]
	_ = a[3*lda+k-1]
	_ = b[(k-1)*ldb+11]
	gemm4x12AVX2(&c[0], ldc, &a[0], lda, &b[0], ldb, k)
	return true
}
