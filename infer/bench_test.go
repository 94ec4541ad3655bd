package infer

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
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
