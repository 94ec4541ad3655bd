package vigo

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
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

// TestCachedShuffledPrefix checks the draws on an IndexCache's permutation:
// the same indices as shuffledPrefix from the same seed, draw after draw
// (so each draw leaves the permutation as it found it), also when several
// goroutines draw at once (those that find it in use make their own).
func TestCachedShuffledPrefix(t *testing.T) {
	var ic IndexCache
	const n, k = 1000, 100
	for seed := range uint64(5) {
		got := ic.shuffledPrefix(rand.New(rand.NewPCG(seed, 9)), n, k)
		want := shuffledPrefix(rand.New(rand.NewPCG(seed, 9)), n, k)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: cached draw differs from a fresh one", seed)
		}
	}
	v, _ := ic.perms.Load(n)
	if perm := v.(*permScratch).perm; !slices.Equal(perm, identityPerm(n)) {
		t.Fatal("the cached permutation was not restored")
	}
	// Most of a small plate, where swaps land inside the prefix too.
	for seed := range uint64(50) {
		const n, k = 10, 8
		got := ic.shuffledPrefix(rand.New(rand.NewPCG(seed, 3)), n, k)
		if want := shuffledPrefix(rand.New(rand.NewPCG(seed, 3)), n, k); !slices.Equal(got, want) {
			t.Fatalf("n=%d, k=%d, seed %d: cached draw differs from a fresh one", n, k, seed)
		}
		v, _ := ic.perms.Load(n)
		if perm := v.(*permScratch).perm; !slices.Equal(perm, identityPerm(n)) {
			t.Fatalf("n=%d, k=%d, seed %d: the cached permutation was not restored: %v", n, k, seed, perm)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range uint64(8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range uint64(50) {
				got := ic.shuffledPrefix(rand.New(rand.NewPCG(g, r)), n, k)
				if want := shuffledPrefix(rand.New(rand.NewPCG(g, r)), n, k); !slices.Equal(got, want) {
					errs <- "concurrent draw differs from a fresh one"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
