package main

import (
	"io"
	"math"
	"testing"
)

// TestCoin runs the example with its default settings and checks the
// answer against the exact posterior Beta(16, 14).
func TestCoin(t *testing.T) {
	r, err := run(config{steps: 2000, lr: 0.005, particles: 8, seed: 0}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	exactMean := 16.0 / 30
	exactStd := math.Sqrt(16 * 14 / (30.0 * 30 * 31))
	if !(math.Abs(r.mean-exactMean) <= 0.02) {
		t.Errorf("mean %.4f, want within 0.02 of %.4f", r.mean, exactMean)
	}
	if !(math.Abs(r.std-exactStd) <= 0.2*exactStd) {
		t.Errorf("std %.4f, want within 20%% of %.4f", r.std, exactStd)
	}
	if len(r.losses) != 2000 {
		t.Errorf("%d losses, want 2000", len(r.losses))
	}
}
