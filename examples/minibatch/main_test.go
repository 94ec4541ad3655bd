package main

import (
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/handler"
)

// TestMinibatch fits with batches of 1000 out of 10 000 points: the same
// ratio N/B as the defaults (10 000 out of 100 000) and so the same
// gradient noise relative to the posterior's width (the scale gradient's
// noise at the optimum grows like √(N/B)), at a tenth of the cost. The
// exact posterior is conjugate. Over seeds 0..9 the fitted mean was within
// 0.33 posterior sd of the exact one (spread 0.16 sd) and the fitted sd
// within 0.976 to 1.083 times the exact one (spread 0.04); the bounds below
// are 5 spreads wide. A fit without the N/B scaling would be off by a factor
// √10 in the sd.
func TestMinibatch(t *testing.T) {
	out := filepath.Join(t.TempDir(), "minibatch_elbo.png")
	cfg := config{n: 10000, batch: 1000, steps: 2000, lr: 0.05, lrd: 0.997, fullSteps: 5, seed: 0, out: out}
	r, err := run(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fitted %.5f ± %.5f, exact %.5f ± %.5f; %v per minibatch step, %v per full step",
		r.mean, r.sd, r.exactMean, r.exactSD, r.stepTime, r.fullStepTime)
	if d := (r.mean - r.exactMean) / r.exactSD; math.Abs(d) > 0.8 {
		t.Errorf("fitted mean %.5f is %.2f posterior sds from the exact %.5f", r.mean, d, r.exactMean)
	}
	if q := r.sd / r.exactSD; math.Abs(q-1) > 0.25 {
		t.Errorf("fitted sd %.5f is %.3f times the exact %.5f, want within 25%%", r.sd, q, r.exactSD)
	}
	if r.stepTime <= 0 || r.fullStepTime <= 0 {
		t.Errorf("step times %v and %v, want both measured", r.stepTime, r.fullStepTime)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Errorf("ELBO plot not written: %v", err)
	}
}

// TestSharedIndices checks what the header promises: the guide draws the
// minibatch, and the model replayed against the guide's trace sees the same
// indices, a set of B distinct indices in [0, N).
func TestSharedIndices(t *testing.T) {
	a := args{x: makeData(1000), batch: 10}
	ctx := vigo.NewCtx(vigo.NewParamStore(), rand.New(rand.NewPCG(1, 2)))
	gtr, err := handler.Trace(vigo.Bind(guide, a)).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mtr, err := handler.Trace(handler.Replay(vigo.Bind(model, a), gtr)).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g, m := gtr.Site("data").Value.Data(), mtr.Site("data").Value.Data()
	if !slices.Equal(g, m) {
		t.Fatalf("model indices %v, guide indices %v: want the same", m, g)
	}
	seen := map[float64]bool{}
	for _, i := range g {
		if i < 0 || i >= 1000 || i != math.Trunc(i) || seen[i] {
			t.Fatalf("indices %v: want 10 distinct integers in [0, 1000)", g)
		}
		seen[i] = true
	}
	if len(g) != 10 {
		t.Fatalf("%d indices, want 10", len(g))
	}
	// The observed site holds exactly the selected points.
	obs := mtr.Site("obs").Value.Data()
	for k, i := range g {
		if obs[k] != a.x.Data()[int(i)] {
			t.Fatalf("obs[%d] = %v, want x[%v] = %v", k, obs[k], i, a.x.Data()[int(i)])
		}
	}
}
