package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestForRunsEveryItemOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 10, 1000} {
		counts := make([]atomic.Int32, n)
		For(n, func(i int) { counts[i].Add(1) })
		for i := range counts {
			if c := counts[i].Load(); c != 1 {
				t.Fatalf("n=%d: item %d ran %d times", n, i, c)
			}
		}
	}
}

func TestForNestedAndConcurrent(t *testing.T) {
	// Several callers at once, each nesting a second level: every item of
	// every level runs once and nothing deadlocks.
	var total atomic.Int64
	done := make(chan struct{})
	for range 4 {
		go func() {
			For(8, func(int) {
				For(16, func(int) { total.Add(1) })
			})
			done <- struct{}{}
		}()
	}
	for range 4 {
		<-done
	}
	if got := total.Load(); got != 4*8*16 {
		t.Fatalf("ran %d inner items, want %d", got, 4*8*16)
	}
}

func TestForPanics(t *testing.T) {
	defer func() {
		if r := recover(); r != "item 7" {
			t.Fatalf("recovered %v, want the item's panic", r)
		}
	}()
	var ran atomic.Int32
	For(20, func(i int) {
		ran.Add(1)
		if i == 7 {
			panic("item 7")
		}
	})
	t.Fatal("For returned normally")
}

func TestForSingleProc(t *testing.T) {
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	order := []int{}
	For(5, func(i int) { order = append(order, i) }) // sequential: no race
	for i, v := range order {
		if v != i {
			t.Fatalf("with one proc items ran in order %v", order)
		}
	}
}

// TestChunksCoverRange checks that Chunks visits every index once, in
// chunks of the given size numbered in order, one empty chunk for n = 0.
func TestChunksCoverRange(t *testing.T) {
	const size = 4
	for _, n := range []int{0, 1, 3, 4, 5, 8, 9, 41} {
		counts := make([]atomic.Int32, n)
		var chunks atomic.Int32
		Chunks(n, size, func(c, lo, hi int) {
			chunks.Add(1)
			if lo != c*size || hi != min(n, lo+size) {
				t.Errorf("n=%d: chunk %d is [%d, %d)", n, c, lo, hi)
			}
			for i := lo; i < hi; i++ {
				counts[i].Add(1)
			}
		})
		if want := max(1, (n+size-1)/size); int(chunks.Load()) != want {
			t.Errorf("n=%d: %d chunks, want %d", n, chunks.Load(), want)
		}
		for i := range counts {
			if c := counts[i].Load(); c != 1 {
				t.Errorf("n=%d: index %d visited %d times", n, i, c)
			}
		}
	}
}
