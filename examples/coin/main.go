// Command coin fits Pyro's classic coin-fairness model and compares the
// answer with the exact posterior.
//
// A coin of unknown fairness f has prior Beta(10, 10); it shows six heads
// and four tails. The guide is a Beta(α, β) with positive parameters fitted
// by SVI with Adam. The exact posterior is Beta(16, 14), so the fitted mean
// should be near 16/30 and the standard deviation near 0.0896. The program
// draws a progress bar with the running ELBO loss, prints the inferred
// fairness beside the exact answer and writes a PNG of the loss curve.
//
// It teaches: a latent variable with a constrained-parameter guide,
// vectorized observations in a plate, and reading fitted parameters.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/examples/internal/progress"
	"github.com/vigo-ppl/vigo/infer"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/plot"
	"github.com/vigo-ppl/vigo/tensor"
)

// model: f ~ Beta(10, 10); each toss ~ Bernoulli(f).
func model(p *vigo.Ctx, data *tensor.Tensor) {
	f := p.Sample("latent_fairness", dist.Beta(tensor.Scalar(10), tensor.Scalar(10)))
	p.Plate("data", data.Len(), func(*tensor.Tensor) {
		p.Sample("obs", dist.BernoulliProbs(f), vigo.Obs(data))
	})
}

// guide: f ~ Beta(α, β) with α, β > 0 learned.
func guide(p *vigo.Ctx, data *tensor.Tensor) {
	a := p.Param("alpha_q", tensor.Scalar(15), vigo.Constrain(constraint.Positive))
	b := p.Param("beta_q", tensor.Scalar(15), vigo.Constrain(constraint.Positive))
	p.Sample("latent_fairness", dist.Beta(a, b))
}

type config struct {
	steps     int
	lr        float64
	particles int
	seed      uint64
	out       string
}

type result struct {
	mean, std float64
	losses    []float64
}

func run(cfg config, w io.Writer) (result, error) {
	data := tensor.Vector(1, 1, 1, 1, 1, 1, 0, 0, 0, 0) // six heads, four tails
	svi := infer.NewSVI(model, guide, &optim.Adam{LR: cfg.lr, Betas: [2]float64{0.9, 0.999}},
		&infer.TraceELBO{NumParticles: cfg.particles, VectorizeParticles: cfg.particles > 1}, infer.WithSeed(cfg.seed))
	bar := progress.New(w, cfg.steps)
	res, err := infer.Fit(svi, data, infer.FitConfig{Steps: cfg.steps, Callback: func(p infer.Progress) error {
		bar.Update(p.Step, p.Loss, p.Elapsed)
		return nil
	}})
	if err != nil {
		return result{}, err
	}
	a := svi.Params().Get("alpha_q").Item()
	b := svi.Params().Get("beta_q").Item()
	mean := a / (a + b)
	std := math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))) // standard deviation of Beta(a, b)
	return result{mean: mean, std: std, losses: res.Losses}, nil
}

func main() {
	var cfg config
	flag.IntVar(&cfg.steps, "steps", 2000, "number of SVI steps")
	flag.Float64Var(&cfg.lr, "lr", 0.005, "Adam learning rate")
	flag.IntVar(&cfg.particles, "particles", 8, "ELBO particles per step (vectorized)")
	flag.Uint64Var(&cfg.seed, "seed", 0, "random seed")
	flag.StringVar(&cfg.out, "out", "coin_elbo.png", "path of the ELBO plot (.png or .svg)")
	flag.Parse()

	r, err := run(cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "coin:", err)
		os.Exit(1)
	}
	exactMean := 16.0 / 30
	exactStd := math.Sqrt(16 * 14 / (30.0 * 30 * 31))
	fmt.Printf("inferred fairness: %.4f ± %.4f\n", r.mean, r.std)
	fmt.Printf("exact posterior:   %.4f ± %.4f  (Beta(16, 14))\n", exactMean, exactStd)
	if err := plot.SaveELBO(cfg.out, r.losses, plot.ELBOConfig{Title: "coin: ELBO loss", Smooth: 50}); err != nil {
		fmt.Fprintln(os.Stderr, "coin:", err)
		os.Exit(1)
	}
	fmt.Println("ELBO plot:", cfg.out)
}
