package optim

import "github.com/vigo-ppl/vigo/internal/parallel"

// rangeLen is the number of elements of a parameter updated as one piece
// of work; larger parameters are updated on several cores.
const rangeLen = 1 << 14

// forRanges calls fn on consecutive ranges [lo, hi) covering [0, n), on
// several cores when n spans several ranges. Updates are elementwise, so
// the result does not depend on how the ranges are run.
func forRanges(n int, fn func(lo, hi int)) {
	parallel.Chunks(n, rangeLen, func(_, lo, hi int) { fn(lo, hi) })
}
