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
