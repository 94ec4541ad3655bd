package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinFor is how long an idle helper keeps looking for work before it
// sleeps; it covers the gap between the parallel phases of consecutive
// steps.
const spinFor = 200 * time.Microsecond

// job is one call of For: items are claimed one at a time through next,
// and finished is closed when the last item is done.
type job struct {
	fn       func(i int)
	n        int64
	next     atomic.Int64
	done     atomic.Int64
	finished chan struct{}
	panicked atomic.Pointer[any] // the first panic of an item, re-raised by For
}

// run claims and runs items until none is left.
func (j *job) run() {
	for {
		i := j.next.Add(1) - 1
		if i >= j.n {
			return
		}
		j.item(int(i))
	}
}

// item runs item i, recording a panic instead of letting it kill a helper.
func (j *job) item(i int) {
	defer func() {
		if r := recover(); r != nil {
			p := r // a copy, so that only a panic allocates
			j.panicked.CompareAndSwap(nil, &p)
		}
		if j.done.Add(1) == j.n {
			close(j.finished)
		}
	}()
	j.fn(i)
}

// helpers is the set of helper goroutines, started on first use; jobs are
// offered to them through queue.
type helpers struct {
	once   sync.Once
	n      int // number of helpers
	queue  chan *job
	queued atomic.Int64 // jobs in queue, counted before they are sent
}

// pool is the process's helper set. It holds no state a caller can observe:
// For behaves the same whether a helper or the caller runs an item.
var pool helpers

func (h *helpers) start() {
	h.once.Do(func() {
		h.n = runtime.NumCPU() - 1
		h.queue = make(chan *job, 4*max(h.n, 1))
		for range h.n {
			go h.loop()
		}
	})
}

// loop serves jobs. After each it stays awake for spinFor: it watches the
// queued count, a plain atomic load, and only every spinBatch looks yields
// its core and reads the clock, so that waiting costs neither the
// scheduler's lock nor the channel's; then it blocks for the next job.
func (h *helpers) loop() {
	for {
		var j *job
		deadline := time.Now().Add(spinFor)
	wait:
		for {
			for range spinBatch {
				if h.queued.Load() > 0 {
					select {
					case j = <-h.queue:
						break wait
					default:
					}
				}
			}
			if time.Now().After(deadline) {
				j = <-h.queue
				break
			}
			runtime.Gosched()
		}
		h.queued.Add(-1)
		j.run()
	}
}

// spinBatch is how many times an idle helper checks for work between yields.
const spinBatch = 256

// For calls fn(i) for every i in [0, n), on the calling goroutine and on up
// to GOMAXPROCS−1 helpers (at most one per further CPU), and returns when
// all calls have returned. Items
// may run in any order and concurrently; fn must be safe for that. A panic
// in fn is re-raised in the caller once every item has finished.
func For(n int, fn func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	pool.start()
	j := &job{fn: fn, n: int64(n), finished: make(chan struct{})}
	for range min(workers-1, pool.n) {
		pool.queued.Add(1)
		select {
		case pool.queue <- j:
		default: // helpers are busy with other callers: do more here
			pool.queued.Add(-1)
		}
	}
	j.run()
	// Helpers may still be finishing their last items: wait awake for a
	// while, as a sleeping caller is slow to wake, then sleep.
	deadline := time.Now().Add(spinFor)
	for i := 1; j.done.Load() < j.n; i++ {
		if i%spinBatch != 0 {
			continue
		}
		if time.Now().After(deadline) {
			<-j.finished
			break
		}
		runtime.Gosched()
	}
	if p := j.panicked.Load(); p != nil {
		panic(*p)
	}
}

// Chunks calls fn(c, lo, hi) for the chunks [lo, hi) of size elements (the
// last one shorter) that cover [0, n), c numbering them from 0: through For
// when there are several, directly when one chunk covers n, so small work
// makes no closure and wakes no helper. An empty range is one empty chunk.
func Chunks(n, size int, fn func(c, lo, hi int)) {
	if n <= size {
		fn(0, 0, n)
		return
	}
	For((n+size-1)/size, func(c int) { fn(c, c*size, min(n, (c+1)*size)) })
}
