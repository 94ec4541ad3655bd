package vecmath

// AllFinite reports whether no element of d is NaN or ±Inf. v−v is 0 for
// finite v and NaN otherwise; four independent sums keep the scan
// branch-free and off the latency of one chain of additions.
func AllFinite(d []float64) bool {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(d); i += 4 {
		s0 += d[i] - d[i]
		s1 += d[i+1] - d[i+1]
		s2 += d[i+2] - d[i+2]
		s3 += d[i+3] - d[i+3]
	}
	for ; i < len(d); i++ {
		s0 += d[i] - d[i]
	}
	return s0+s1+s2+s3 == 0
}
