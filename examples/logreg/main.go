// Command logreg fits a Bayesian logistic regression by SVI with a
// mean-field Normal guide.
//
// The data set is built in code and is the same on every run: 500 points
// with three standard-normal features and labels drawn from
// Bernoulli(sigmoid(x·w + b)) for the known weights w = (1.5, -2, 0.5) and
// bias b = -0.5. The model puts Normal(0, 2) priors on the weights (one
// vector-valued site, made a single event with ToEvent(1)) and on the bias,
// and observes the labels in a plate. The guide is mean-field: an
// independent Normal for every coefficient, with a free location and a
// scale kept positive by constraint.Positive. The program prints the
// posterior mean ± standard deviation of each coefficient beside its true
// value, and the training accuracy of the posterior-mean classifier.
//
// It teaches: a vector latent with ToEvent, a mean-field guide with
// positive scales, ClippedAdam with learning-rate decay so the noisy
// estimates settle, and reading a posterior summary from the parameters.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
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

const (
	numData    = 500  // points in the data set
	trueB      = -0.5 // the bias that generated the labels
	priorScale = 2.0  // standard deviation of the Normal priors
)

// trueW returns the weights that generated the labels.
func trueW() []float64 { return []float64{1.5, -2, 0.5} }

// data is a design matrix x (n × d) and 0/1 labels y (n).
type data struct{ x, y *tensor.Tensor }

// makeData draws the fixed synthetic data set.
func makeData() data {
	r := rand.New(rand.NewPCG(0, 7))
	w := trueW()
	x := tensor.RandN(r, numData, len(w))
	p := x.MatMul(tensor.Vector(w...)).AddScalar(trueB).Sigmoid().Data()
	y := make([]float64, len(p))
	for i, pi := range p {
		if r.Float64() < pi {
			y[i] = 1
		}
	}
	return data{x: x, y: tensor.FromData(y, len(y))}
}

// model: w ~ Normal(0, 2) (a 3-vector), b ~ Normal(0, 2),
// y_i ~ Bernoulli(sigmoid(x_i·w + b)).
func model(p *vigo.Ctx, d data) {
	nf := d.x.Shape()[1]
	w := p.Sample("w", dist.Normal(tensor.Zeros(nf), tensor.Full(priorScale, nf)).ToEvent(1))
	b := p.Sample("b", dist.Normal(tensor.Scalar(0), tensor.Scalar(priorScale)))
	p.Plate("data", d.y.Len(), func(*tensor.Tensor) {
		logits := d.x.MatMul(w).Add(b)
		p.Sample("y", dist.BernoulliLogits(logits), vigo.Obs(d.y))
	})
}

// guide: w ~ Normal(w_loc, w_scale) independently per coefficient,
// b ~ Normal(b_loc, b_scale), with the scales positive.
func guide(p *vigo.Ctx, d data) {
	nf := d.x.Shape()[1]
	wLoc := p.Param("w_loc", tensor.Zeros(nf))
	wScale := p.Param("w_scale", tensor.Full(0.1, nf), vigo.Constrain(constraint.Positive))
	bLoc := p.Param("b_loc", tensor.Scalar(0))
	bScale := p.Param("b_scale", tensor.Scalar(0.1), vigo.Constrain(constraint.Positive))
	p.Sample("w", dist.Normal(wLoc, wScale).ToEvent(1))
	p.Sample("b", dist.Normal(bLoc, bScale))
}

type config struct {
	steps     int
	lr        float64
	lrd       float64
	particles int
	seed      uint64
	out       string
}

type result struct {
	wMean, wSD []float64
	bMean, bSD float64
	accuracy   float64 // training accuracy of the posterior-mean classifier
	losses     []float64
}

func run(cfg config, w io.Writer) (result, error) {
	d := makeData()
	svi := infer.NewSVI(model, guide, &optim.ClippedAdam{LR: cfg.lr, LRD: cfg.lrd},
		&infer.TraceELBO{NumParticles: cfg.particles}, infer.WithSeed(cfg.seed))
	bar := progress.New(w, cfg.steps)
	fr, err := infer.Fit(svi, d, infer.FitConfig{Steps: cfg.steps, Callback: func(p infer.Progress) error {
		bar.Update(p.Step, p.Loss, p.Elapsed)
		return nil
	}})
	if err != nil {
		return result{}, err
	}
	ps := svi.Params()
	res := result{
		wMean:  ps.Get("w_loc").Data(),
		wSD:    ps.Get("w_scale").Data(),
		bMean:  ps.Get("b_loc").Item(),
		bSD:    ps.Get("b_scale").Item(),
		losses: fr.Losses,
	}
	logits := d.x.MatMul(ps.Get("w_loc")).AddScalar(res.bMean).Data()
	correct := 0
	for i, l := range logits {
		if (l > 0) == (d.y.Data()[i] == 1) {
			correct++
		}
	}
	res.accuracy = float64(correct) / float64(len(logits))
	if cfg.out != "" {
		if err := plot.SaveELBO(cfg.out, res.losses, plot.ELBOConfig{Title: "logreg: ELBO loss", Smooth: 50}); err != nil {
			return result{}, err
		}
	}
	return res, nil
}

func main() {
	var cfg config
	flag.IntVar(&cfg.steps, "steps", 3000, "number of SVI steps")
	flag.Float64Var(&cfg.lr, "lr", 0.05, "initial ClippedAdam learning rate")
	flag.Float64Var(&cfg.lrd, "lrd", 0.998, "learning-rate decay per step")
	flag.IntVar(&cfg.particles, "particles", 1, "ELBO particles per step")
	flag.Uint64Var(&cfg.seed, "seed", 0, "random seed of the inference")
	flag.StringVar(&cfg.out, "out", "logreg_elbo.png", "path of the ELBO plot (.png or .svg)")
	flag.Parse()

	r, err := run(cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "logreg:", err)
		os.Exit(1)
	}
	fmt.Printf("%-6s %18s %8s\n", "coef", "posterior", "true")
	for i := range r.wMean {
		fmt.Printf("w[%d]   %8.3f ± %.3f %8.3f\n", i, r.wMean[i], r.wSD[i], trueW()[i])
	}
	fmt.Printf("b      %8.3f ± %.3f %8.3f\n", r.bMean, r.bSD, trueB)
	fmt.Printf("training accuracy: %.3f\n", r.accuracy)
	fmt.Println("ELBO plot:", cfg.out)
}
