// Command minibatch fits a model to 100 000 data points by SVI on random
// minibatches drawn by a subsampled plate, and compares the answer with the
// exact posterior.
//
// The model has one global latent, the mean of the data:
//
//	loc ~ Normal(0, 10),  x_i ~ Normal(loc, 1)  for i = 1..N,
//
// whose posterior is Normal and known exactly (the prior is conjugate). The
// guide is loc ~ Normal(m, s) with s > 0.
//
// Both model and guide open the plate as
//
//	c.Plate("data", N, body, vigo.SubsampleSize(B))
//
// which draws B random indices out of N each time the plate is opened and
// hands them to body; the log-densities inside are multiplied by N/B, so a
// minibatch gives an unbiased estimate of the full-data ELBO. The model
// selects the minibatch's points with x.IndexSelect(0, idx) (c.Subsample(x,
// 0) does the same).
//
// Why the guide opens the plate too, and first: the indices are recorded in
// the guide's trace like a random choice, and the model is replayed against
// that trace, so the model's plate reuses the guide's indices instead of
// drawing its own. The guide runs first, so it must be the one to draw
// them. Here the guide has nothing inside the plate and the model could
// draw its own, but as soon as the guide has per-point latent variables,
// model and guide must agree on which points are in the batch.
//
// Minibatch gradients are noisy, and the guide's scale suffers most: at the
// optimum, the noise of its gradient relative to the signal grows like
// √(N/B). The defaults therefore use batches of a tenth of the data and a
// learning rate that decays (ClippedAdam's LRD) so the noise averages out;
// smaller batches need more steps and a slower decay.
//
// The program prints the fitted posterior beside the exact one, and the mean
// time of a minibatch step beside that of a full-data step.
//
// It teaches: subsampled plates, minibatch selection with the plate's
// indices, and sharing the indices between guide and model.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/examples/internal/progress"
	"github.com/vigo-ppl/vigo/infer"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/plot"
	"github.com/vigo-ppl/vigo/tensor"
)

const (
	priorScale = 10.0 // standard deviation of loc's prior
	trueLoc    = 1.5  // the mean the data were drawn with
)

func sc(v float64) *tensor.Tensor { return tensor.Scalar(v) }

// args is what model and guide receive: the data and the minibatch size
// (0 means the full data set).
type args struct {
	x     *tensor.Tensor
	batch int
}

// plateOpts returns the plate's options for a.
func (a args) plateOpts() []vigo.PlateOption {
	if a.batch <= 0 || a.batch >= a.x.Len() {
		return nil
	}
	return []vigo.PlateOption{vigo.SubsampleSize(a.batch)}
}

// model: loc ~ Normal(0, 10); x_i ~ Normal(loc, 1) for the minibatch's i.
func model(p *vigo.Ctx, a args) {
	loc := p.Sample("loc", dist.Normal(sc(0), sc(priorScale)))
	p.Plate("data", a.x.Len(), func(idx *tensor.Tensor) {
		batch := a.x.IndexSelect(0, idx)
		p.Sample("obs", dist.Normal(loc, sc(1)), vigo.Obs(batch))
	}, a.plateOpts()...)
}

// guide: opens the plate first, so that the model reuses its indices, then
// loc ~ Normal(m, s).
func guide(p *vigo.Ctx, a args) {
	p.Plate("data", a.x.Len(), func(*tensor.Tensor) {}, a.plateOpts()...)
	m := p.Param("loc_mean", sc(0))
	s := p.Param("loc_scale", sc(0.1), vigo.Constrain(constraint.Positive))
	p.Sample("loc", dist.Normal(m, s))
}

// makeData draws n points from Normal(1.5, 1).
func makeData(n int) *tensor.Tensor {
	r := rand.New(rand.NewPCG(0, 5))
	return tensor.RandN(r, n).AddScalar(trueLoc)
}

// exactPosterior returns the mean and standard deviation of loc's
// posterior: with prior precision 1/10² and unit-variance observations the
// precision is 1/100 + N and the mean Σx / precision.
func exactPosterior(x *tensor.Tensor) (mean, sd float64) {
	prec := 1/(priorScale*priorScale) + float64(x.Len())
	return x.Sum().Item() / prec, 1 / math.Sqrt(prec)
}

type config struct {
	n         int // data points
	batch     int // minibatch size
	steps     int
	lr        float64
	lrd       float64
	fullSteps int // full-data steps timed for comparison
	seed      uint64
	out       string
}

type result struct {
	mean, sd           float64 // fitted guide
	exactMean, exactSD float64 // exact posterior
	stepTime           time.Duration
	fullStepTime       time.Duration // 0 when not measured
	losses             []float64
}

func run(cfg config, w io.Writer) (result, error) {
	x := makeData(cfg.n)
	var res result
	res.exactMean, res.exactSD = exactPosterior(x)

	a := args{x: x, batch: cfg.batch}
	svi := infer.NewSVI(model, guide, &optim.ClippedAdam{LR: cfg.lr, LRD: cfg.lrd},
		&infer.TraceELBO{}, infer.WithSeed(cfg.seed))
	bar := progress.New(w, cfg.steps)
	fr, err := infer.Fit(svi, a, infer.FitConfig{Steps: cfg.steps, Callback: func(p infer.Progress) error {
		bar.Update(p.Step, p.Loss, p.Elapsed)
		return nil
	}})
	if err != nil {
		return result{}, err
	}
	res.losses = fr.Losses
	res.stepTime = fr.Elapsed / time.Duration(len(fr.Losses))
	res.mean = svi.Params().Get("loc_mean").Item()
	res.sd = svi.Params().Get("loc_scale").Item()

	// For comparison: the time of a step on all N points, from a fresh SVI.
	if cfg.fullSteps > 0 {
		full := infer.NewSVI(model, guide, &optim.Adam{LR: cfg.lr}, &infer.TraceELBO{}, infer.WithSeed(cfg.seed))
		fa := args{x: x}
		start := time.Now()
		for range cfg.fullSteps {
			if _, err := full.Step(fa); err != nil {
				return result{}, err
			}
		}
		res.fullStepTime = time.Since(start) / time.Duration(cfg.fullSteps)
	}

	if cfg.out != "" {
		title := fmt.Sprintf("minibatch: ELBO loss (batches of %d of %d)", cfg.batch, cfg.n)
		if err := plot.SaveELBO(cfg.out, res.losses, plot.ELBOConfig{Title: title, Smooth: 100}); err != nil {
			return result{}, err
		}
	}
	return res, nil
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 100000, "number of data points")
	flag.IntVar(&cfg.batch, "batch", 10000, "minibatch size")
	flag.IntVar(&cfg.steps, "steps", 3000, "number of SVI steps")
	flag.Float64Var(&cfg.lr, "lr", 0.05, "initial ClippedAdam learning rate")
	flag.Float64Var(&cfg.lrd, "lrd", 0.998, "learning-rate decay per step")
	flag.IntVar(&cfg.fullSteps, "full-steps", 20, "full-data steps timed for comparison (0: none)")
	flag.Uint64Var(&cfg.seed, "seed", 0, "random seed of the inference")
	flag.StringVar(&cfg.out, "out", "minibatch_elbo.png", "path of the ELBO plot (.png or .svg)")
	flag.Parse()

	r, err := run(cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "minibatch:", err)
		os.Exit(1)
	}
	fmt.Printf("posterior of loc, fitted: %.5f ± %.5f\n", r.mean, r.sd)
	fmt.Printf("exact posterior:          %.5f ± %.5f\n", r.exactMean, r.exactSD)
	fmt.Printf("time per step: %v with batches of %d", r.stepTime, cfg.batch)
	if r.fullStepTime > 0 {
		fmt.Printf(", %v with all %d points", r.fullStepTime, cfg.n)
	}
	fmt.Println()
	fmt.Println("ELBO plot:", cfg.out)
}
