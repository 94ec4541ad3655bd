package vecmath

import (
	"math"
	"testing"
)

func TestAllFinite(t *testing.T) {
	for n := range 9 {
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(i) - 3.5
		}
		if !AllFinite(d) {
			t.Fatalf("n=%d: finite values reported non-finite", n)
		}
		for i := range d {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				e := append([]float64(nil), d...)
				e[i] = bad
				if AllFinite(e) {
					t.Fatalf("n=%d: %v at %d not found", n, bad, i)
				}
			}
		}
	}
}
