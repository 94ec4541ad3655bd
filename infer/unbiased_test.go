package infer

import (
	"fmt"
	"math"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// gradSamples returns k independent estimates of the loss gradient with
// respect to the named parameters (flattened and concatenated in order),
// each from one DifferentiableLoss call of e with its own seed.
func gradSamples(t *testing.T, e *TraceELBO, store *vigo.ParamStore, model, guide vigo.Program, names []string, k int, seed uint64) [][]float64 {
	t.Helper()
	if _, err := e.Loss(store, pcg(seed), model, guide); err != nil { // creates the params
		t.Fatal(err)
	}
	leaves := make([]*tensor.Tensor, len(names))
	for i, n := range names {
		if leaves[i] = store.Unconstrained(n); leaves[i] == nil {
			t.Fatalf("no param %q", n)
		}
	}
	out := make([][]float64, k)
	for r := range out {
		dl, err := e.DifferentiableLoss(store, pcg(seed+uint64(r)+1), model, guide)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range tensor.Gradients(dl, leaves...) {
			if g == nil {
				g = tensor.ZerosLike(leaves[i])
			}
			out[r] = append(out[r], g.Data()...)
		}
	}
	return out
}

// meanSE returns the componentwise mean of the samples and its standard
// error, sd/√k with the unbiased sample standard deviation.
func meanSE(samples [][]float64) (mean, se []float64) {
	k := float64(len(samples))
	n := len(samples[0])
	mean, se = make([]float64, n), make([]float64, n)
	for _, s := range samples {
		for j, v := range s {
			mean[j] += v / k
		}
	}
	for _, s := range samples {
		for j, v := range s {
			se[j] += (v - mean[j]) * (v - mean[j]) / (k - 1)
		}
	}
	for j := range se {
		se[j] = math.Sqrt(se[j] / k)
	}
	return mean, se
}

// variance returns the unbiased sample variance of component j.
func variance(samples [][]float64, j int) float64 {
	m := 0.0
	for _, s := range samples {
		m += s[j]
	}
	m /= float64(len(samples))
	v := 0.0
	for _, s := range samples {
		v += (s[j] - m) * (s[j] - m)
	}
	return v / float64(len(samples)-1)
}

type gradCase struct {
	name         string
	model, guide vigo.Program
	names        []string // params, in the order of exact
	exact        []float64
	k, particles int
	// maxSE bounds the standard error of every component, so that a bias
	// of 5·maxSE or more cannot pass: the test has power.
	maxSE float64
}

// localCase is spec §4.5: guide z_i ~ N(loc_i, s) in a plate of two, model
// z_i ~ N(0,1), x_i ~ N(z_i, 1) observed. Per element
// ELBO_i = −loc_i²/2 − (x_i−loc_i)²/2 − s² + log s + const, so
// ∂loss/∂loc_i = 2 loc_i − x_i and ∂loss/∂s = Σ_i (2s − 1/s).
func localCase(loc0, loc1, scale float64, rsample bool) gradCase {
	x := tensor.Vector(-0.5, 2.0)
	model := func(c *vigo.Ctx) {
		c.Plate("data", 2, func(*tensor.Tensor) {
			z := c.Sample("z", dist.Normal(s(0), s(1)))
			c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x))
		})
	}
	guide := func(c *vigo.Ctx) {
		loc := c.Param("loc", tensor.Vector(loc0, loc1))
		sc := c.Param("scale", tensor.Vector(scale)) // shape [1], unconstrained: the gradient is ∂/∂s
		c.Plate("data", 2, func(*tensor.Tensor) {
			c.Sample("z", dist.Normal(loc, sc).WithRSample(rsample))
		})
	}
	return gradCase{
		name:  fmt.Sprintf("plate of 2 loc=(%v,%v) s=%v rsample=%v", loc0, loc1, scale, rsample),
		model: model, guide: guide, names: []string{"loc", "scale"},
		exact: []float64{2*loc0 + 0.5, 2*loc1 - 2.0, 2 * (2*scale - 1/scale)},
	}
}

// globalLocalCase has a global latent outside every plate above local
// latents: model g ~ N(0,1), z_i ~ N(g,1), x_i ~ N(z_i,1); guide
// g ~ N(m, sg), z_i ~ N(loc_i, sz). Taking expectations,
// ELBO = −(m²+sg²)/2 − Σ_i [(loc_i−m)² + sz² + sg²]/2 − Σ_i [(x_i−loc_i)² + sz²]/2 + log sg + n log sz + const:
// ∂loss/∂m = m + Σ_i (m − loc_i), ∂loss/∂sg = (1+n) sg − 1/sg,
// ∂loss/∂loc_i = 2 loc_i − m − x_i, ∂loss/∂sz = n (2 sz − 1/sz).
func globalLocalCase(rsample bool) gradCase {
	xs := []float64{-0.5, 2.0, 0.7}
	m, sg, sz := 0.4, 0.8, 0.6
	locs := []float64{0.1, 1.2, -0.3}
	n := float64(len(xs))
	model := func(c *vigo.Ctx) {
		g := c.Sample("g", dist.Normal(s(0), s(1)))
		c.Plate("data", 3, func(*tensor.Tensor) {
			z := c.Sample("z", dist.Normal(g, s(1)))
			c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(tensor.Vector(xs...)))
		})
	}
	guide := func(c *vigo.Ctx) {
		mp := c.Param("m", s(m))
		sgp := c.Param("sg", s(sg))
		loc := c.Param("loc", tensor.Vector(locs...))
		szp := c.Param("sz", s(sz))
		c.Sample("g", dist.Normal(mp, sgp).WithRSample(rsample))
		c.Plate("data", 3, func(*tensor.Tensor) {
			c.Sample("z", dist.Normal(loc, szp).WithRSample(rsample))
		})
	}
	dm := m
	for _, l := range locs {
		dm += m - l
	}
	exact := []float64{dm, (1+n)*sg - 1/sg}
	for i, l := range locs {
		exact = append(exact, 2*l-m-xs[i])
	}
	exact = append(exact, n*(2*sz-1/sz))
	return gradCase{name: fmt.Sprintf("global and local rsample=%v", rsample), model: model, guide: guide,
		names: []string{"m", "sg", "loc", "sz"}, exact: exact}
}

// subsampledCase is localCase with four data points in a plate that
// subsamples two per call: the estimator scales the minibatch by 4/2, so
// averaged over minibatches it is the full-data gradient
// ∂loss/∂loc_i = 2 loc_i − x_i (i = 0..3), ∂loss/∂s = 4 (2s − 1/s).
func subsampledCase(rsample bool) gradCase {
	xs := []float64{-0.5, 2.0, 0.7, -1.1}
	locs := []float64{0.3, -0.2, 0.1, 0.4}
	scale := 0.7
	x := tensor.Vector(xs...)
	model := func(c *vigo.Ctx) {
		c.Plate("data", 4, func(idx *tensor.Tensor) {
			z := c.Sample("z", dist.Normal(s(0), s(1)))
			c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x.IndexSelect(0, idx)))
		}, vigo.SubsampleSize(2))
	}
	guide := func(c *vigo.Ctx) {
		sc := c.Param("scale", tensor.Vector(scale))
		c.Plate("data", 4, func(*tensor.Tensor) {
			loc := c.Param("loc", tensor.Vector(locs...), vigo.EventDim(0))
			c.Sample("z", dist.Normal(loc, sc).WithRSample(rsample))
		}, vigo.SubsampleSize(2))
	}
	var exact []float64
	for i, l := range locs {
		exact = append(exact, 2*l-xs[i])
	}
	exact = append(exact, 4*(2*scale-1/scale))
	return gradCase{name: fmt.Sprintf("subsampled plate rsample=%v", rsample), model: model, guide: guide,
		names: []string{"loc", "scale"}, exact: exact}
}

// TestGradientUnbiased checks that the mean of many Trace_ELBO gradient
// estimates lies within 5 standard errors of the exact ELBO gradient
// (closed forms above, spec §4.5), for reparameterized and score-function
// guides, a latent outside plates and a subsampled plate.
func TestGradientUnbiased(t *testing.T) {
	with := func(g gradCase, k, particles int, maxSE float64) gradCase {
		g.k, g.particles, g.maxSE = k, particles, maxSE
		return g
	}
	cases := []gradCase{
		// The spec's expectation at loc = 0, s = 1: [0.5, −2.0] and 2.0.
		with(localCase(0, 0, 1, true), 50, 2000, 0.02),
		with(localCase(0, 0, 1, false), 100, 4000, 0.03),
		with(localCase(0.3, -0.2, 0.7, true), 50, 2000, 0.02),
		with(localCase(0.3, -0.2, 0.7, false), 100, 4000, 0.03),
		with(globalLocalCase(true), 50, 2000, 0.03),
		with(globalLocalCase(false), 100, 4000, 0.04),
		// Each call draws one minibatch for all its particles, so the
		// spread between calls includes the minibatch's.
		with(subsampledCase(true), 1000, 50, 0.1),
		with(subsampledCase(false), 1000, 200, 0.1),
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &TraceELBO{NumParticles: tc.particles, VectorizeParticles: true, Warn: vigo.StrictWarnings}
			samples := gradSamples(t, e, vigo.NewParamStore(), tc.model, tc.guide, tc.names, tc.k, uint64(100*i))
			mean, se := meanSE(samples)
			if len(mean) != len(tc.exact) {
				t.Fatalf("%d gradient components, want %d", len(mean), len(tc.exact))
			}
			t.Logf("mean %.4f\nexact %.4f\nSE %.3g", mean, tc.exact, se)
			for j := range mean {
				// 5 Monte Carlo standard errors around the closed form.
				if d := math.Abs(mean[j] - tc.exact[j]); d > 5*se[j] {
					t.Errorf("component %d: mean %.5f, exact %.5f, |diff| %.2g > 5·SE %.2g", j, mean[j], tc.exact[j], d, 5*se[j])
				}
				if se[j] > tc.maxSE {
					t.Errorf("component %d: SE %.3g above %.3g: the test would miss a bias", j, se[j], tc.maxSE)
				}
			}
		})
	}
}

// TestPartialRaoBlackwellization checks spec §4.3: the score-function
// gradient of a local latent uses only the log-ratio terms of its own plate
// element. Moving the other 99 observations far away makes their
// log-likelihoods huge and very variable; the variance of ∂loss/∂loc_0 must
// not grow, while that of the global latent's ∂loss/∂m, which sees every
// term, must explode (the control that shows the test can fail).
func TestPartialRaoBlackwellization(t *testing.T) {
	const n = 100
	run := func(shift float64, seed uint64) [][]float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = 0.01 * float64(i%7)
			if i > 0 {
				xs[i] += shift
			}
		}
		x := tensor.Vector(xs...)
		model := func(c *vigo.Ctx) {
			g := c.Sample("g", dist.Normal(s(0), s(1)))
			c.Plate("data", n, func(*tensor.Tensor) {
				z := c.Sample("z", dist.Normal(g, s(1)))
				c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(x))
			})
		}
		guide := func(c *vigo.Ctx) {
			m := c.Param("m", s(0))
			loc := c.Param("loc", tensor.Zeros(n))
			c.Sample("g", dist.Normal(m, s(1)).WithRSample(false))
			c.Plate("data", n, func(*tensor.Tensor) {
				c.Sample("z", dist.Normal(loc, s(1)).WithRSample(false))
			})
		}
		e := &TraceELBO{Warn: vigo.StrictWarnings}
		return gradSamples(t, e, vigo.NewParamStore(), model, guide, []string{"m", "loc"}, 400, seed)
	}
	near, far := run(0, 1), run(1000, 5000)
	// Components: 0 is ∂/∂m, 1 is ∂/∂loc_0.
	vNear, vFar := variance(near, 1), variance(far, 1)
	// With 399 degrees of freedom each, the ratio of two sample variances of
	// equal-variance samples lies in [0.6, 1.6] with probability far above
	// 1 − 1e-6 (F distribution, ±5σ of log ratio, σ = √(2/399) ≈ 0.071).
	if r := vFar / vNear; r > 1.6 || r < 0.6 {
		t.Errorf("Var ∂/∂loc_0: near %.4g, far %.4g (ratio %.3g): the far data leak into z_0's score term", vNear, vFar, r)
	}
	gNear, gFar := variance(near, 0), variance(far, 0)
	t.Logf("Var ∂/∂loc_0: near %.4g, far %.4g; Var ∂/∂m: near %.4g, far %.4g", vNear, vFar, gNear, gFar)
	if gFar < 1e4*gNear {
		t.Errorf("Var ∂/∂m: near %.4g, far %.4g: the global latent should see the far terms", gNear, gFar)
	}
}
