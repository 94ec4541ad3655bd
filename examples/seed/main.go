// Command seed fits the mean and standard deviation of Normal data in the
// two ways vigo offers, and compares both with the maximum-likelihood answer.
//
// The model has no latent variables: loc is a free parameter, scale a
// positive one, and each of the data points is Normal(loc, scale) inside a
// plate. The guide is empty, so the ELBO is exactly the log-likelihood and
// its maximum is the sample mean and the (1/N) sample standard deviation.
//
// The program fits the model twice:
//
//  1. with infer.NewSVI and &infer.TraceELBO{NumParticles: 10}, calling
//     svi.Step in a loop (through infer.Fit) and reading the constrained
//     values back from svi.Params();
//  2. with a hand-written training loop over the ELBO as a module:
//     infer.NewModule gives a differentiable loss, loss.Backward() fills the
//     gradients, the optimizer's Step(m.Parameters()) updates them and
//     m.ZeroGrad() clears them for the next step.
//
// It teaches: parameters with and without constraints, an observed plate,
// SVI, and the PyTorch-style training loop.
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

// model: loc and scale > 0 are parameters; each point ~ Normal(loc, scale).
func model(p *vigo.Ctx, data *tensor.Tensor) {
	loc := p.Param("loc", tensor.Scalar(0))
	scale := p.Param("scale", tensor.Scalar(1), vigo.Constrain(constraint.Positive))
	p.Plate("data", data.Len(), func(*tensor.Tensor) {
		p.Sample("obs", dist.Normal(loc, scale), vigo.Obs(data))
	})
}

// guide: no latent variables, so nothing to sample.
func guide(*vigo.Ctx, *tensor.Tensor) {}

type config struct {
	n         int     // number of data points
	steps     int     // optimisation steps of each fit
	lr        float64 // Adam learning rate
	particles int     // ELBO particles per step
	seed      uint64  // seed of the data and of the inference
	out       string  // path of the ELBO plot
}

// fit is one fitted (loc, scale) pair with its loss history.
type fit struct {
	loc, scale float64
	losses     []float64
}

type result struct {
	mean, std float64 // maximum-likelihood answer: sample mean and 1/N std
	svi       fit     // fitted with SVI
	module    fit     // fitted with the hand-written loop over the module
}

// makeData draws n points from Normal(3, 2).
func makeData(n int, seed uint64) *tensor.Tensor {
	r := rand.New(rand.NewPCG(seed, 1))
	return tensor.RandN(r, n).MulScalar(2).AddScalar(3)
}

func run(cfg config, w io.Writer) (result, error) {
	data := makeData(cfg.n, cfg.seed)
	var res result
	res.mean = data.Mean().Item()
	res.std = math.Sqrt(data.AddScalar(-res.mean).Square().Mean().Item())
	elbo := func() *infer.TraceELBO { return &infer.TraceELBO{NumParticles: cfg.particles} }

	// 1. SVI.
	fmt.Fprintln(w, "SVI:")
	svi := infer.NewSVI(model, guide, &optim.Adam{LR: cfg.lr}, elbo(), infer.WithSeed(cfg.seed))
	bar := progress.New(w, cfg.steps)
	fr, err := infer.Fit(svi, data, infer.FitConfig{Steps: cfg.steps, Callback: func(p infer.Progress) error {
		bar.Update(p.Step, p.Loss, p.Elapsed)
		return nil
	}})
	if err != nil {
		return result{}, fmt.Errorf("svi: %w", err)
	}
	res.svi = fit{svi.Params().Get("loc").Item(), svi.Params().Get("scale").Item(), fr.Losses}

	// 2. The ELBO as a module, stepped by hand.
	fmt.Fprintln(w, "module:")
	m := infer.NewModule(elbo(), model, guide, infer.WithSeed(cfg.seed))
	opt := &optim.Adam{LR: cfg.lr}
	bar = progress.New(w, cfg.steps)
	losses := make([]float64, 0, cfg.steps)
	start := time.Now()
	for step := 1; step <= cfg.steps; step++ {
		loss, err := m.Loss(data)
		if err != nil {
			return result{}, fmt.Errorf("module step %d: %w", step, err)
		}
		loss.Backward()
		if err := opt.Step(m.Parameters()); err != nil {
			return result{}, fmt.Errorf("module step %d: %w", step, err)
		}
		m.ZeroGrad()
		losses = append(losses, loss.Item())
		bar.Update(step, loss.Item(), time.Since(start))
	}
	res.module = fit{m.Params().Get("loc").Item(), m.Params().Get("scale").Item(), losses}

	if cfg.out != "" {
		if err := plot.SaveELBO(cfg.out, res.svi.losses, plot.ELBOConfig{Title: "seed: ELBO loss (SVI)"}); err != nil {
			return result{}, err
		}
	}
	return res, nil
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 100, "number of data points")
	flag.IntVar(&cfg.steps, "steps", 1000, "optimisation steps of each fit")
	flag.Float64Var(&cfg.lr, "lr", 0.02, "Adam learning rate")
	flag.IntVar(&cfg.particles, "particles", 10, "ELBO particles per step")
	flag.Uint64Var(&cfg.seed, "seed", 0, "random seed (data and inference)")
	flag.StringVar(&cfg.out, "out", "seed_elbo.png", "path of the ELBO plot (.png or .svg)")
	flag.Parse()

	r, err := run(cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
	fmt.Printf("%-22s %8s %8s\n", "", "loc", "scale")
	fmt.Printf("%-22s %8.4f %8.4f\n", "SVI", r.svi.loc, r.svi.scale)
	fmt.Printf("%-22s %8.4f %8.4f\n", "module training loop", r.module.loc, r.module.scale)
	fmt.Printf("%-22s %8.4f %8.4f\n", "maximum likelihood", r.mean, r.std)
	fmt.Println("ELBO plot:", cfg.out)
}
