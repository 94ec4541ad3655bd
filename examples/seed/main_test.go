package main

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestSeed runs both fits with the default settings and checks them
// against the maximum-likelihood answer, which is exact here: the guide is
// empty, so the ELBO is the log-likelihood itself and its gradient carries
// no Monte Carlo noise. Adam with a constant learning rate then settles on
// the optimum to far better than 1e-3; that tolerance is still 200 times
// smaller than the standard error of the sample mean (2/√100 = 0.2), so a
// fit that stopped short or followed a wrong gradient fails.
func TestSeed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "seed_elbo.png")
	r, err := run(config{n: 100, steps: 1000, lr: 0.02, particles: 10, seed: 0, out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		fit  fit
	}{{"svi", r.svi}, {"module", r.module}} {
		if !(math.Abs(f.fit.loc-r.mean) <= 1e-3) {
			t.Errorf("%s: loc %.6f, want within 1e-3 of the sample mean %.6f", f.name, f.fit.loc, r.mean)
		}
		if !(math.Abs(f.fit.scale-r.std) <= 1e-3) {
			t.Errorf("%s: scale %.6f, want within 1e-3 of the sample std %.6f", f.name, f.fit.scale, r.std)
		}
		if len(f.fit.losses) != 1000 {
			t.Errorf("%s: %d losses, want 1000", f.name, len(f.fit.losses))
		}
	}
	// Both loops run the same estimator and optimizer on a deterministic
	// loss, so their loss curves agree up to rounding in the summation order.
	for i := range r.svi.losses {
		if d := math.Abs(r.svi.losses[i] - r.module.losses[i]); d > 1e-9*math.Abs(r.svi.losses[i]) {
			t.Fatalf("step %d: SVI loss %v, module loss %v", i+1, r.svi.losses[i], r.module.losses[i])
		}
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Errorf("ELBO plot not written: %v", err)
	}
}
