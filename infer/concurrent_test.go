package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// concModel has a global continuous latent (reparameterized in the guide),
// a per-datum discrete latent (score-function gradients) and a subsampled
// plate, so that a step uses the random source in several ways.
func concModel(c *vigo.Ctx, data *tensor.Tensor) {
	loc := c.Sample("loc", dist.Normal(tensor.Scalar(0), tensor.Scalar(10)))
	c.Plate("data", data.Len(), func(idx *tensor.Tensor) {
		z := c.Sample("z", dist.BernoulliProbs(tensor.Scalar(0.3)))
		c.Sample("obs", dist.Normal(loc.Add(z), tensor.Scalar(1)), vigo.Obs(data.IndexSelect(0, idx)))
	}, vigo.SubsampleSize(6))
}

func concGuide(c *vigo.Ctx, data *tensor.Tensor) {
	l := c.Param("loc_mean", tensor.Scalar(0))
	s := c.Param("loc_scale", tensor.Scalar(1), vigo.Constrain(constraint.Positive))
	c.Sample("loc", dist.Normal(l, s))
	c.Plate("data", data.Len(), func(*tensor.Tensor) {
		// Read inside the plate, the parameter is cut to the minibatch.
		logits := c.Param("z_logits", tensor.Zeros(data.Len()), vigo.EventDim(0))
		c.Sample("z", dist.BernoulliLogits(logits))
	}, vigo.SubsampleSize(6))
}

// concRun is the record of one SVI run: its losses and final parameters.
type concRun struct {
	losses []float64
	params vigo.ParamState
}

// concFit runs steps SVI steps with seed from a fresh store and optimizer.
func concFit(data *tensor.Tensor, elbo *TraceELBO, seed uint64, steps int) (concRun, error) {
	svi := NewSVI(concModel, concGuide, &optim.Adam{LR: 0.02}, elbo, WithSeed(seed))
	var r concRun
	for i := 0; i < steps; i++ {
		l, err := svi.Step(data)
		if err != nil {
			return r, fmt.Errorf("seed %d, step %d: %w", seed, i, err)
		}
		r.losses = append(r.losses, l)
	}
	r.params = svi.Params().State()
	return r, nil
}

// concSame reports the first difference between two runs, compared bit for bit.
func concSame(a, b concRun) string {
	if len(a.losses) != len(b.losses) {
		return fmt.Sprintf("%d losses vs %d", len(a.losses), len(b.losses))
	}
	for i := range a.losses {
		if math.Float64bits(a.losses[i]) != math.Float64bits(b.losses[i]) {
			return fmt.Sprintf("step %d: loss %.17g vs %.17g", i, a.losses[i], b.losses[i])
		}
	}
	for _, n := range a.params.Names {
		x, y := a.params.Values[n], b.params.Values[n]
		if y == nil || x.Len() != y.Len() {
			return fmt.Sprintf("parameter %q missing or resized", n)
		}
		for i, v := range x.Data() {
			if math.Float64bits(v) != math.Float64bits(y.Data()[i]) {
				return fmt.Sprintf("parameter %q[%d]: %.17g vs %.17g", n, i, v, y.Data()[i])
			}
		}
	}
	return ""
}

// TestConcurrentRunsDeterministic runs 16 independent SVI fits at once, on
// goroutines of one process (each with its own store and seed, all reading
// the same data tensor), and checks that each run's losses and final
// parameters equal bit for bit those of the same run done alone. Run it
// with -race: the runs, and the particles within each run, must not share
// mutable state. In the "shared ELBO" variant all runs use one TraceELBO
// value, whose guessed plate nesting, warning log and index cache are
// shared.
func TestConcurrentRunsDeterministic(t *testing.T) {
	const runs, steps = 16, 25
	data := tensor.RandN(rand.New(rand.NewPCG(1, 2)), 40).AddScalar(1.5)
	for _, tc := range []struct {
		name   string
		elbo   func() *TraceELBO
		shared bool
	}{
		{"one particle", func() *TraceELBO { return &TraceELBO{} }, false},
		{"concurrent particles", func() *TraceELBO { return &TraceELBO{NumParticles: 4} }, false},
		{"vectorized particles", func() *TraceELBO { return &TraceELBO{NumParticles: 4, VectorizeParticles: true} }, false},
		{"shared ELBO", func() *TraceELBO { return &TraceELBO{NumParticles: 3, VectorizeParticles: true} }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alone := make([]concRun, runs)
			for i := range alone {
				r, err := concFit(data, tc.elbo(), uint64(100+i), steps)
				if err != nil {
					t.Fatal(err)
				}
				alone[i] = r
			}
			if concSame(alone[0], alone[1]) == "" {
				t.Fatal("runs with different seeds agree: the comparison could not fail")
			}
			shared := tc.elbo()
			together := make([]concRun, runs)
			errs := make([]error, runs)
			var wg sync.WaitGroup
			for i := range together {
				wg.Add(1)
				go func() {
					defer wg.Done()
					elbo := shared
					if !tc.shared {
						elbo = tc.elbo()
					}
					together[i], errs[i] = concFit(data, elbo, uint64(100+i), steps)
				}()
			}
			wg.Wait()
			for i := range together {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				if d := concSame(alone[i], together[i]); d != "" {
					t.Errorf("run %d: concurrent differs from alone: %s", i, d)
				}
			}
		})
	}
}

// TestConcurrentParticlesGOMAXPROCS checks that a run whose particles are
// evaluated concurrently (NumParticles > 1, not vectorized) gives the same
// losses and parameters bit for bit with GOMAXPROCS 1, 2 and 8: particles
// draw from their own streams and their gradients are added in particle
// order, whatever the scheduling.
func TestConcurrentParticlesGOMAXPROCS(t *testing.T) {
	data := tensor.RandN(rand.New(rand.NewPCG(3, 4)), 40).AddScalar(-0.5)
	old := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(old)
	var ref concRun
	for i, procs := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(procs)
		r, err := concFit(data, &TraceELBO{NumParticles: 8}, 9, 20)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			ref = r
			continue
		}
		if d := concSame(ref, r); d != "" {
			t.Errorf("GOMAXPROCS %d differs from GOMAXPROCS 1: %s", procs, d)
		}
	}
}
