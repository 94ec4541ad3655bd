//go:build amd64 && !purego

package vecmath

// logAVX2 stores ln x[i] in dst[i] for n elements, n a multiple of 4.
//
//go:noescape
func logAVX2(dst, x *float64, n int)

// log1pAVX2 stores ln(1+x[i]) in dst[i] for n elements, n a multiple of 4.
//
//go:noescape
func log1pAVX2(dst, x *float64, n int)
