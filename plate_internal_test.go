package vigo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestShuffledPrefixPaths checks that the dense and the sparse partial
// shuffles give the same indices from the same draws, and that these are
// distinct positions in range; and that each position is drawn about
// equally often (k/n of the time, within 5 standard errors).
func TestShuffledPrefixPaths(t *testing.T) {
	for _, c := range [][2]int{{10, 1}, {10, 9}, {1000, 100}, {100000, 10000}, {7, 7}} {
		n, k := c[0], c[1]
		dense := shuffledPrefix(rand.New(rand.NewPCG(uint64(n), 1)), n, k)
		sparse := sparseShuffledPrefix(rand.New(rand.NewPCG(uint64(n), 1)), n, k)
		if !slices.Equal(dense, sparse) {
			t.Fatalf("n=%d k=%d: dense and sparse shuffles differ", n, k)
		}
		seen := map[float64]bool{}
		for _, v := range dense {
			if v < 0 || v >= float64(n) || v != float64(int(v)) || seen[v] {
				t.Fatalf("n=%d k=%d: index %v repeated or out of range", n, k, v)
			}
			seen[v] = true
		}
	}
	const n, k, draws = 20, 5, 20000
	rng := rand.New(rand.NewPCG(3, 4))
	count := make([]float64, n)
	for range draws {
		for _, v := range shuffledPrefix(rng, n, k) {
			count[int(v)]++
		}
	}
	p := float64(k) / n
	mean, sd := draws*p, math.Sqrt(draws*p*(1-p))
	for i, c := range count {
		if !(c > mean-5*sd && c < mean+5*sd) {
			t.Errorf("position %d drawn %v times in %d, want %v ± %v", i, c, draws, mean, 5*sd)
		}
	}
}
