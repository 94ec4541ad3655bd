//go:build race

package infer

// underRace reports whether the race detector is on; the slow statistical
// fits then run a reduced set.
const underRace = true
