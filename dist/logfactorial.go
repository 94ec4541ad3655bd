package dist

import (
	"sync"

	"github.com/vigo-ppl/vigo/tensor"
)

// logFactorialTableLen is how many counts have log k! in a table: counts
// below it, the bulk of count data, skip the log-gamma function.
const logFactorialTableLen = 1024

// logFactorials returns the table of log k! for k below
// logFactorialTableLen, built on first use with the same log-gamma function
// that larger counts use, so a count gets the same value either way.
var logFactorials = sync.OnceValue(func() []float64 {
	t := make([]float64, logFactorialTableLen)
	for k := range t {
		t[k] = tensor.LgammaFloat(float64(k) + 1)
	}
	return t
})

// logFactorial returns log Γ(x+1): log x! for a count x.
func logFactorial(x float64) float64 {
	if x >= 0 && x < logFactorialTableLen {
		if i := int(x); float64(i) == x {
			return logFactorials()[i]
		}
	}
	return tensor.LgammaFloat(x + 1)
}
