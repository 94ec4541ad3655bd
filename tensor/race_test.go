//go:build race

package tensor

// underRace reports whether the race detector is on; sync.Pool then drops
// some of what it is given, so tests cannot count on finding it again.
const underRace = true
