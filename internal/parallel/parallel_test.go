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
