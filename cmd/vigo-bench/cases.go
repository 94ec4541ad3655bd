package main

import (
	"math/rand/v2"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/infer"
	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// benchCase is one of the seven reference cases: a way to build a fresh
// SVI step function, and the number of timed steps per repeat.
type benchCase struct {
	name  string
	steps int
	// newStep returns a function taking one SVI step.
	newStep func() func() (float64, error)
}

func sc(v float64) *tensor.Tensor { return tensor.Scalar(v) }

// data holds the benchmark data sets: the same distributions as the
// reference cases, drawn from vigo's own random numbers.
type data struct {
	data100  *tensor.Tensor
	x, xT, y *tensor.Tensor
	schoolY  *tensor.Tensor
	schoolS  *tensor.Tensor
	mix      *tensor.Tensor
	big      *tensor.Tensor
}

func newData() *data {
	r := rand.New(rand.NewPCG(0, 0))
	d := &data{}
	d.data100 = tensor.RandN(r, 100).AddScalar(3)
	d.x = tensor.RandN(r, 1000, 10)
	wTrue := tensor.RandN(r, 10)
	p := d.x.MatMul(wTrue).Sigmoid().Data()
	y := make([]float64, len(p))
	for i, pi := range p {
		if r.Float64() < pi {
			y[i] = 1
		}
	}
	d.y = tensor.FromData(y, len(y))
	d.xT = d.x.MT()
	d.schoolY = tensor.Vector(28, 8, -3, 7, -1, 1, 18, 12)
	d.schoolS = tensor.Vector(15, 10, 16, 11, 9, 11, 10, 18)
	d.mix = tensor.Cat(0, tensor.RandN(r, 50).AddScalar(-1), tensor.RandN(r, 50).AddScalar(1))
	d.big = tensor.RandN(r, 100000).AddScalar(1)
	return d
}

func seedModel(p *vigo.Ctx, data *tensor.Tensor) {
	loc := p.Param("loc", sc(0))
	scale := p.Param("scale", sc(1), vigo.Constrain(constraint.Positive))
	p.Plate("data", data.Len(), func(*tensor.Tensor) {
		p.Sample("obs", dist.Normal(loc, scale), vigo.Obs(data))
	})
}

func seedGuide(*vigo.Ctx, *tensor.Tensor) {}

type logregData struct{ xT, y *tensor.Tensor }

func logregModel(p *vigo.Ctx, d logregData) {
	nd := d.xT.Shape()[0]
	w := p.Sample("w", dist.Normal(tensor.Zeros(nd), tensor.Ones(nd)).ToEvent(1))
	b := p.Sample("b", dist.Normal(sc(0), sc(10)))
	p.Plate("data", d.y.Len(), func(*tensor.Tensor) {
		logits := w.MatMul(d.xT) // (..., 1, n) for batched w, (n) otherwise
		if w.Dim() > 1 {
			logits = logits.Squeeze(-2)
		}
		p.Sample("y", dist.BernoulliLogits(logits.Add(b)), vigo.Obs(d.y))
	})
}

func logregGuide(p *vigo.Ctx, d logregData) {
	nd := d.xT.Shape()[0]
	wl := p.Param("wl", tensor.Zeros(nd))
	ws := p.Param("ws", tensor.Ones(nd), vigo.Constrain(constraint.Positive))
	bl := p.Param("bl", sc(0))
	bs := p.Param("bs", sc(1), vigo.Constrain(constraint.Positive))
	p.Sample("w", dist.Normal(wl, ws).ToEvent(1))
	p.Sample("b", dist.Normal(bl, bs))
}

type schoolsData struct{ y, sigma *tensor.Tensor }

func schoolsModel(p *vigo.Ctx, d schoolsData) {
	mu := p.Sample("mu", dist.Normal(sc(0), sc(5)))
	tau := p.Sample("tau", dist.HalfCauchy(sc(5)))
	p.Plate("schools", d.y.Len(), func(*tensor.Tensor) {
		eta := p.Sample("eta", dist.Normal(sc(0), sc(1)))
		p.Sample("obs", dist.Normal(mu.Add(tau.Mul(eta)), d.sigma), vigo.Obs(d.y))
	})
}

func schoolsGuide(p *vigo.Ctx, d schoolsData) {
	n := d.y.Len()
	ml := p.Param("ml", sc(0))
	ms := p.Param("ms", sc(1), vigo.Constrain(constraint.Positive))
	tl := p.Param("tl", sc(0))
	ts := p.Param("ts", sc(1), vigo.Constrain(constraint.Positive))
	el := p.Param("el", tensor.Zeros(n))
	es := p.Param("es", tensor.Ones(n), vigo.Constrain(constraint.Positive))
	p.Sample("mu", dist.Normal(ml, ms))
	p.Sample("tau", dist.LogNormal(tl, ts))
	p.Plate("schools", n, func(*tensor.Tensor) {
		p.Sample("eta", dist.Normal(el, es))
	})
}

func mixtureModel(p *vigo.Ctx, data *tensor.Tensor) {
	locs := p.Param("locs", tensor.Vector(-1, 1))
	p.Plate("data", data.Len(), func(*tensor.Tensor) {
		z := p.Sample("z", dist.BernoulliProbs(sc(0.5)))
		p.Sample("obs", dist.Normal(locs.IndexSelect(0, z), sc(1)), vigo.Obs(data))
	})
}

func mixtureGuide(p *vigo.Ctx, data *tensor.Tensor) {
	prob := p.Param("p", tensor.Full(0.5, data.Len()), vigo.Constrain(constraint.UnitInterval))
	p.Plate("data", data.Len(), func(*tensor.Tensor) {
		p.Sample("z", dist.BernoulliProbs(prob))
	})
}

func bigModel(p *vigo.Ctx, data *tensor.Tensor) {
	loc := p.Sample("loc", dist.Normal(sc(0), sc(10)))
	p.Plate("data", data.Len(), func(*tensor.Tensor) {
		p.Sample("obs", dist.Normal(loc, sc(1)), vigo.Obs(data))
	})
}

func bigGuide(p *vigo.Ctx, data *tensor.Tensor) {
	l := p.Param("gl", sc(0))
	s := p.Param("gs", sc(1), vigo.Constrain(constraint.Positive))
	p.Sample("loc", dist.Normal(l, s))
}

// stepper builds an SVI with Adam(lr 0.01) and returns its step function.
func stepper[A any](model, guide func(*vigo.Ctx, A), elbo *infer.TraceELBO, args A) func() func() (float64, error) {
	return func() func() (float64, error) {
		svi := infer.NewSVI(model, guide, &optim.Adam{LR: 0.01}, elbo, infer.WithSeed(0))
		return func() (float64, error) { return svi.Step(args) }
	}
}

// cases returns the seven reference cases in the reference order.
func cases(d *data) []benchCase {
	lr := logregData{xT: d.xT, y: d.y}
	sd := schoolsData{y: d.schoolY, sigma: d.schoolS}
	return []benchCase{
		{"seed_p10", 300, stepper(seedModel, seedGuide, &infer.TraceELBO{NumParticles: 10}, d.data100)},
		{"seed_p10_vec", 300, stepper(seedModel, seedGuide, &infer.TraceELBO{NumParticles: 10, VectorizeParticles: true, MaxPlateNesting: 1}, d.data100)},
		{"logreg_n1000_d10", 300, stepper(logregModel, logregGuide, &infer.TraceELBO{}, lr)},
		{"eight_schools", 300, stepper(schoolsModel, schoolsGuide, &infer.TraceELBO{}, sd)},
		{"mixture_scorefn_n100", 300, stepper(mixtureModel, mixtureGuide, &infer.TraceELBO{}, d.mix)},
		{"normal_n100000", 50, stepper(bigModel, bigGuide, &infer.TraceELBO{}, d.big)},
		{"logreg_p100_vec", 50, stepper(logregModel, logregGuide, &infer.TraceELBO{NumParticles: 100, VectorizeParticles: true, MaxPlateNesting: 1}, lr)},
	}
}
