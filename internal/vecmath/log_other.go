//go:build !amd64 || purego

package vecmath

// logAVX2 is never called without AVX2; it exists so that Log compiles
// everywhere.
func logAVX2(dst, x *float64, n int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}

// log1pAVX2 is never called without AVX2; it exists so that Log1p compiles
// everywhere.
func log1pAVX2(dst, x *float64, n int) {
	panic("vecmath: AVX2 kernel called on a machine without it")
}
