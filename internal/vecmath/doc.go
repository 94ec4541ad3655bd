// Package vecmath holds vigo's vectorized float64 kernels: the loops that
// dominate a step on large data, written once in portable Go and, on amd64
// machines with AVX2 and FMA, once more in assembly that handles four values
// per instruction. Both versions evaluate the same formulas, so they agree to
// a few units in the last place; which one runs is decided once per process
// from the CPU's feature bits.
package vecmath
