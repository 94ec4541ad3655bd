package infer

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// manySites returns a model and a guide with n scalar latent sites each.
func manySites(n int) (model, guide vigo.Program) {
	names := make([]string, n)
	for i := range names {
		names[i] = "z" + strconv.Itoa(i)
	}
	model = func(c *vigo.Ctx) {
		for _, name := range names {
			c.Sample(name, dist.Normal(s(0), s(1)))
		}
	}
	guide = func(c *vigo.Ctx) {
		for _, name := range names {
			c.Sample(name, dist.Normal(s(0.5), s(1)))
		}
	}
	return model, guide
}

// BenchmarkCheckModelGuideMatch measures the model–guide agreement check on
// traces of 2000 latent sites.
func BenchmarkCheckModelGuideMatch(b *testing.B) {
	model, guide := manySites(2000)
	c := vigo.NewCtx(vigo.NewParamStore(), rand.New(rand.NewPCG(1, 2)))
	var mt, gt *vigo.Trace
	if err := c.Run(func(c *vigo.Ctx) {
		var err error
		if gt, err = handler.Trace(guide).Get(c); err != nil {
			panic(err)
		}
		if mt, err = handler.Trace(handler.Replay(model, gt)).Get(c); err != nil {
			panic(err)
		}
	}); err != nil {
		b.Fatal(err)
	}
	warn := func(site, msg string) error { b.Fatal(msg); return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := checkModelGuideMatch(mt, gt, unbounded, warn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTraceELBOLossManySites measures one ELBO estimate of a program
// with 2000 latent sites.
func BenchmarkTraceELBOLossManySites(b *testing.B) {
	model, guide := manySites(2000)
	e := &TraceELBO{}
	store := vigo.NewParamStore()
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Loss(store, rng, model, guide); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSVIStepLocalLatents times SVI steps of a hierarchical model with
// one local latent variable per observation and a mean-field Normal guide:
// mu ~ Normal(0, 10); z_i ~ Normal(mu, 1); x_i ~ Normal(z_i, 0.5).
func BenchmarkSVIStepLocalLatents(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			x := make([]float64, n)
			for i := range x {
				x[i] = 1 + r.NormFloat64()*1.2
			}
			data := tensor.FromData(x, n)
			model := func(c *vigo.Ctx, x *tensor.Tensor) {
				mu := c.Sample("mu", dist.Normal(s(0), s(10)))
				c.Plate("data", n, func(*tensor.Tensor) {
					z := c.Sample("z", dist.Normal(mu, s(1)))
					c.Sample("x", dist.Normal(z, s(0.5)), vigo.Obs(x))
				})
			}
			guide := func(c *vigo.Ctx, _ *tensor.Tensor) {
				ml := c.Param("ml", s(0))
				ms := c.Param("ms", s(1), vigo.Constrain(constraint.Positive))
				zl := c.Param("zl", tensor.Zeros(n))
				zs := c.Param("zs", tensor.Ones(n), vigo.Constrain(constraint.Positive))
				c.Sample("mu", dist.Normal(ml, ms))
				c.Plate("data", n, func(*tensor.Tensor) {
					c.Sample("z", dist.Normal(zl, zs))
				})
			}
			benchSteps(b, model, guide, data, 5)
		})
	}
}

// BenchmarkSVIStepLinearRegression times SVI steps of Bayesian linear
// regression, y ~ Normal(X·w + b, sigma) over n rows of d features, with a
// mean-field guide on w, b and log sigma.
func BenchmarkSVIStepLinearRegression(b *testing.B) {
	const n, d = 10000, 20
	r := rand.New(rand.NewPCG(7, 8))
	xs, ys := make([]float64, n*d), make([]float64, n)
	for i := range ys {
		for j := range d {
			xs[i*d+j] = r.NormFloat64()
			ys[i] += xs[i*d+j] * float64(j%5-2)
		}
		ys[i] += 0.5 * r.NormFloat64()
	}
	x, y := tensor.FromData(xs, n, d), tensor.FromData(ys, n)
	model := func(c *vigo.Ctx, _ struct{}) {
		w := c.Sample("w", dist.Normal(tensor.Zeros(d), tensor.Ones(d)).ToEvent(1))
		bias := c.Sample("b", dist.Normal(s(0), s(10)))
		sigma := c.Sample("sigma", dist.HalfNormal(s(2)))
		c.Plate("data", n, func(*tensor.Tensor) {
			c.Sample("y", dist.Normal(x.MatMul(w).Add(bias), sigma), vigo.Obs(y))
		})
	}
	guide := func(c *vigo.Ctx, _ struct{}) {
		regressionGuide(c, d)
		c.Sample("sigma", dist.LogNormal(c.Param("sl", s(0)), c.Param("ss", s(0.1), vigo.Constrain(constraint.Positive))))
	}
	benchSteps(b, model, guide, struct{}{}, 9)
}

// BenchmarkSVIStepMarginalizedMixture times SVI steps of a Gaussian mixture
// with its assignments summed out: n points, k components, the likelihood
// log Σ_k π_k N(x | μ_k, σ_k) added as a factor through LogSumExp, with
// point-mass guides on the component parameters.
func BenchmarkSVIStepMarginalizedMixture(b *testing.B) {
	const n, k = 10000, 3
	r := rand.New(rand.NewPCG(11, 12))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(r.IntN(k)*4-4) + r.NormFloat64()
	}
	x := tensor.FromData(xs, n, 1)
	model := func(c *vigo.Ctx, _ struct{}) {
		mu := c.Param("mu", tensor.Vector(-1, 0, 1))
		sigma := c.Param("sigma", tensor.Ones(k), vigo.Constrain(constraint.Positive))
		logits := c.Param("logits", tensor.Zeros(k))
		c.Plate("data", n, func(*tensor.Tensor) {
			lp, err := dist.Normal(mu, sigma).LogProb(x) // (n, k)
			if err != nil {
				panic(err)
			}
			c.Factor("obs", lp.Add(logits.LogSoftmax(0)).LogSumExpDims(false, -1))
		})
	}
	guide := func(*vigo.Ctx, struct{}) {}
	benchSteps(b, model, guide, struct{}{}, 13)
}

// BenchmarkSVIStepHierarchical times SVI steps of a hierarchical model
// over 100 000 observations in 100 groups: group effects theta ~ Normal(mu,
// sigma), y ~ Normal(theta[group], 1) through IndexSelect, mean-field guide.
func BenchmarkSVIStepHierarchical(b *testing.B) {
	const n, g = 100000, 100
	r := rand.New(rand.NewPCG(1, 2))
	idx, ys := make([]float64, n), make([]float64, n)
	for i := range idx {
		idx[i] = float64(r.IntN(g))
		ys[i] = idx[i]/10 + r.NormFloat64()
	}
	gi, y := tensor.FromData(idx, n), tensor.FromData(ys, n)
	model := func(c *vigo.Ctx, _ struct{}) {
		mu := c.Sample("mu", dist.Normal(s(0), s(10)))
		sigma := c.Sample("sigma", dist.HalfNormal(s(5)))
		var theta *tensor.Tensor
		c.Plate("groups", g, func(*tensor.Tensor) {
			theta = c.Sample("theta", dist.Normal(mu, sigma))
		})
		c.Plate("data", n, func(*tensor.Tensor) {
			c.Sample("y", dist.Normal(theta.IndexSelect(0, gi), s(1)), vigo.Obs(y))
		})
	}
	guide := func(c *vigo.Ctx, _ struct{}) {
		pos := vigo.Constrain(constraint.Positive)
		c.Sample("mu", dist.Normal(c.Param("ml", s(0)), c.Param("ms", s(1), pos)))
		c.Sample("sigma", dist.LogNormal(c.Param("sl", s(0)), c.Param("ss", s(1), pos)))
		c.Plate("groups", g, func(*tensor.Tensor) {
			c.Sample("theta", dist.Normal(c.Param("tl", tensor.Zeros(g)), c.Param("ts", tensor.Ones(g), pos)))
		})
	}
	benchSteps(b, model, guide, struct{}{}, 3)
}

// BenchmarkSVIStepPoissonRegression times SVI steps of a Poisson
// regression, y ~ Poisson(exp(X·w + b)) over 10 000 rows of 5 features,
// with a mean-field guide.
func BenchmarkSVIStepPoissonRegression(b *testing.B) {
	const n, d = 10000, 5
	r := rand.New(rand.NewPCG(1, 2))
	xs, ys := make([]float64, n*d), make([]float64, n)
	for i := range ys {
		eta := 0.3
		for j := range d {
			xs[i*d+j] = r.NormFloat64() * 0.3
			eta += xs[i*d+j] * 0.5
		}
		ys[i] = float64(int(math.Exp(eta) + r.Float64()))
	}
	x, y := tensor.FromData(xs, n, d), tensor.FromData(ys, n)
	model := func(c *vigo.Ctx, _ struct{}) {
		w := c.Sample("w", dist.Normal(tensor.Zeros(d), tensor.Ones(d)).ToEvent(1))
		bias := c.Sample("b", dist.Normal(s(0), s(1)))
		c.Plate("data", n, func(*tensor.Tensor) {
			c.Sample("y", dist.Poisson(x.MatMul(w).Add(bias).Exp()), vigo.Obs(y))
		})
	}
	guide := func(c *vigo.Ctx, _ struct{}) { regressionGuide(c, d) }
	benchSteps(b, model, guide, struct{}{}, 3)
}

// benchSteps times SVI steps of model and guide on args with Adam (lr
// 0.01) and a single-particle Trace_ELBO, as the SVIStep benchmarks do.
func benchSteps[A any](b *testing.B, model, guide func(*vigo.Ctx, A), args A, seed uint64) {
	svi := NewSVI(model, guide, &optim.Adam{LR: 0.01}, &TraceELBO{}, WithSeed(seed))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svi.Step(args); err != nil {
			b.Fatal(err)
		}
	}
}

// regressionGuide is the mean-field Normal guide of the regression
// benchmarks' weights w (d of them) and bias b.
func regressionGuide(c *vigo.Ctx, d int) {
	pos := vigo.Constrain(constraint.Positive)
	c.Sample("w", dist.Normal(c.Param("wl", tensor.Zeros(d)), c.Param("ws", tensor.Full(0.1, d), pos)).ToEvent(1))
	c.Sample("b", dist.Normal(c.Param("bl", s(0)), c.Param("bs", s(0.1), pos)))
}
