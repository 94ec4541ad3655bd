//go:build !race

package tensor

// underRace reports whether the race detector is on.
const underRace = false
