package infer_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/infer"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// model: loc ~ N(0, 10); each observation ~ N(loc, 1).
func model(c *vigo.Ctx, data *tensor.Tensor) {
	loc := c.Sample("loc", dist.Normal(tensor.Scalar(0), tensor.Scalar(10)))
	c.Plate("data", data.Len(), func(*tensor.Tensor) {
		c.Sample("obs", dist.Normal(loc, tensor.Scalar(1)), vigo.Obs(data))
	})
}

// guide: loc ~ N(m, s) with m and s > 0 learned.
func guide(c *vigo.Ctx, data *tensor.Tensor) {
	m := c.Param("m", tensor.Scalar(0))
	s := c.Param("s", tensor.Scalar(1), vigo.Constrain(constraint.Positive))
	c.Sample("loc", dist.Normal(m, s))
}

// SVI fits the guide; the exact posterior of this conjugate model is
// N(Σx/(n+0.01), 1/(n+0.01)).
func ExampleSVI() {
	data := tensor.Vector(2.1, 1.7, 2.4, 1.9, 2.2)
	opt := &optim.ClippedAdam{LR: 0.05, LRD: 0.999} // the learning rate decays to 0.0025
	svi := infer.NewSVI(model, guide, opt, &infer.TraceELBO{NumParticles: 8, VectorizeParticles: true}, infer.WithSeed(1))
	for step := 0; step < 3000; step++ {
		if _, err := svi.Step(data); err != nil {
			fmt.Println(err)
			return
		}
	}
	m := svi.Params().Get("m").Item()
	s := svi.Params().Get("s").Item()
	exactMean, exactSD := 10.3/5.01, 1/math.Sqrt(5.01)
	// within a tenth of a posterior standard deviation, and 5% of it
	fmt.Println("mean close:", math.Abs(m-exactMean) < 0.1*exactSD)
	fmt.Println("sd close:", math.Abs(s-exactSD) < 0.05*exactSD)
	// Output:
	// mean close: true
	// sd close: true
}

// Fit runs the loop with a callback and early stopping, keeping the loss history.
func ExampleFit() {
	data := tensor.Vector(2.1, 1.7, 2.4, 1.9, 2.2)
	svi := infer.NewSVI(model, guide, &optim.Adam{LR: 0.05}, &infer.TraceELBO{NumParticles: 16, VectorizeParticles: true}, infer.WithSeed(2))
	res, err := infer.Fit(svi, data, infer.FitConfig{Steps: 5000, Tolerance: 1e-3, Patience: 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("converged:", res.Converged, "before the step limit:", len(res.Losses) < 5000)
	// Output: converged: true before the step limit: true
}

// A Module exposes the ELBO as a differentiable loss for a hand-written
// training loop with any optimizer.
func ExampleModule() {
	data := tensor.Vector(2.1, 1.7, 2.4, 1.9, 2.2)
	m := infer.NewModule(&infer.TraceELBO{NumParticles: 8, VectorizeParticles: true}, model, guide, infer.WithSeed(3))
	opt := &optim.Adam{LR: 0.02}
	for step := 0; step < 3000; step++ {
		loss, err := m.Loss(data)
		if err != nil {
			fmt.Println(err)
			return
		}
		loss.Backward()
		if err := opt.Step(m.Parameters()); err != nil {
			fmt.Println(err)
			return
		}
		m.ZeroGrad()
	}
	fmt.Printf("posterior mean %.1f\n", m.Params().Get("m").Item())
	// Output: posterior mean 2.1
}

// The three estimates of Trace_ELBO agree for one random stream: the loss,
// the differentiable loss (value = loss) and the loss whose gradient is
// accumulated into the parameters.
func ExampleTraceELBO() {
	data := tensor.Vector(2.1, 1.7, 2.4)
	elbo := &infer.TraceELBO{NumParticles: 4}
	store := vigo.NewParamStore()
	m, g := vigo.Bind(model, data), vigo.Bind(guide, data)
	l1, _ := elbo.Loss(store, rand.New(rand.NewPCG(7, 7)), m, g)
	l2, _ := elbo.DifferentiableLoss(store, rand.New(rand.NewPCG(7, 7)), m, g)
	l3, _ := elbo.LossAndGrads(store, rand.New(rand.NewPCG(7, 7)), m, g)
	fmt.Println(l1 == l2.Item(), l1 == l3, store.Unconstrained("m").Grad() != nil)
	// Output: true true true
}
