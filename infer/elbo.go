package infer

import (
	"log"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/internal/parallel"
	"github.com/vigo-ppl/vigo/tensor"
)

// NoPlateNesting is the MaxPlateNesting value declaring that the model has
// no vectorized plates (Pyro's max_plate_nesting=0); the zero value of the
// field means "unset".
const NoPlateNesting = -1

// Toggle is an option that is on unless turned off: its zero value means
// the default.
type Toggle int

const (
	// Default leaves the option at its default.
	Default Toggle = iota
	// On turns the option on.
	On
	// Off turns the option off.
	Off
)

// TraceELBO is Pyro's Trace_ELBO: the evidence lower bound estimated from
// traces of the guide and of the model replayed against it, with a
// surrogate whose gradient is an unbiased estimate of the ELBO's gradient
// (reparameterized sites through their pathwise gradient, others through
// score-function terms Rao-Blackwellized over vectorized plates).
//
// The zero value is Pyro's default: one particle, max_plate_nesting
// unknown, validation on.
type TraceELBO struct {
	// NumParticles is the number of samples averaged per estimate (0 means 1).
	NumParticles int
	// MaxPlateNesting bounds the number of vectorized plates; 0 means unset
	// (guessed once when VectorizeParticles needs it, else unbounded), and
	// NoPlateNesting means exactly zero.
	MaxPlateNesting int
	// VectorizeParticles evaluates all particles at once in a plate at
	// dim -MaxPlateNesting-1 instead of one run per particle.
	VectorizeParticles bool
	// StrictEnumerationWarning is accepted for Pyro compatibility; as in
	// Pyro, Trace_ELBO warns about enumerated guide sites whatever its value.
	StrictEnumerationWarning Toggle
	// RetainGraph is accepted for Pyro compatibility: vigo's graphs are
	// never freed by a backward pass, so it changes nothing.
	RetainGraph bool
	// TailAdaptiveBeta is the exponent of TraceTailAdaptiveELBO (0 means -1).
	TailAdaptiveBeta float64
	// Compiled selects the return conventions of Pyro's JitTrace_ELBO: one
	// backward pass on the particle-averaged surrogate, whether or not the
	// traces hold parameters. The estimator is the same; vigo has no
	// separate compilation step, so IgnoreCompileWarnings has no warnings
	// to silence.
	Compiled              bool
	IgnoreCompileWarnings bool
	// DisableValidation turns off the checks of spec §8 (model/guide
	// agreement, site shapes, NaN warnings).
	DisableValidation bool
	// Warn receives warnings; nil logs each distinct warning once.
	// vigo.StrictWarnings turns warnings into errors.
	Warn vigo.WarnFunc

	mu      sync.Mutex
	guessed int // guessed max_plate_nesting + 1; 0 = not yet guessed
	logged  map[string]bool
	logWarn vigo.WarnFunc
	indices vigo.IndexCache
}

func (e *TraceELBO) numParticles() int { return max(e.NumParticles, 1) }

func (e *TraceELBO) validate() bool { return !e.DisableValidation }

// warnFunc returns the sink for warnings: Warn, or a logger that reports
// each distinct warning once.
func (e *TraceELBO) warnFunc() vigo.WarnFunc {
	if e.Warn != nil {
		return e.Warn
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.logWarn == nil {
		e.logWarn = e.logOnce
	}
	return e.logWarn
}

func (e *TraceELBO) logOnce(w *vigo.Warning) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.logged == nil {
		e.logged = map[string]bool{}
	}
	if !e.logged[w.Msg] {
		e.logged[w.Msg] = true
		log.Printf("vigo: warning: %s", w.Msg)
	}
	return nil
}

func (e *TraceELBO) warn(site, msg string) error {
	return e.warnFunc()(&vigo.Warning{Site: site, Msg: msg})
}

// maxPlateNesting returns the nesting bound in force, including the particle
// plate, or unbounded when unknown.
func (e *TraceELBO) maxPlateNesting() int {
	extra := 0
	if e.VectorizeParticles && e.numParticles() > 1 {
		extra = 1
	}
	switch {
	case e.MaxPlateNesting == NoPlateNesting:
		return extra
	case e.MaxPlateNesting > 0:
		return e.MaxPlateNesting + extra
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.guessed > 0 {
		return e.guessed - 1
	}
	return unbounded
}

// particle is the result of one (model, guide) trace pair.
type particle struct {
	model, guide *vigo.Trace
	elbo         float64        // E: model minus guide log-density
	surrogate    *tensor.Tensor // S; nil when identically zero

	// For LossAndGrads: the parameter leaves the traces read and the
	// gradients of -S/N with respect to them, added to the leaves in
	// particle order once every particle has succeeded.
	leaves, grads []*tensor.Tensor
}

// hasParams reports whether either trace holds a param site.
func (p *particle) hasParams() bool {
	for _, t := range []*vigo.Trace{p.model, p.guide} {
		for _, s := range t.Sites() {
			if s.Type == vigo.ParamSite {
				return true
			}
		}
	}
	return false
}

// env is what one estimate needs besides the programs.
type env struct {
	store  *vigo.ParamStore
	seed   uint64
	noGrad bool
}

func newEnv(store *vigo.ParamStore, rng *rand.Rand) env {
	if store == nil {
		store = vigo.NewParamStore()
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	return env{store: store, seed: rng.Uint64()}
}

// ctx returns the context of particle k, with its own random stream derived
// from the estimate's seed.
func (e *TraceELBO) ctx(en env, k int) *vigo.Ctx {
	c := vigo.NewCtx(en.store, rand.New(rand.NewPCG(en.seed, uint64(k)+1)))
	c.SetWarn(e.warnFunc())
	c.SetNoGrad(en.noGrad)
	c.SetIndexCache(&e.indices)
	return c
}

// traces runs the guide, then the model replayed against it, and computes
// their log-densities (spec §4.1).
func (e *TraceELBO) traces(c *vigo.Ctx, model, guide vigo.Program, mpn int) (*vigo.Trace, *vigo.Trace, error) {
	gt, err := handler.Trace(guide).Get(c)
	if err != nil {
		return nil, nil, err
	}
	mt, err := handler.Trace(handler.Replay(model, gt)).Get(c)
	if err != nil {
		return nil, nil, err
	}
	if e.validate() {
		if err := checkModelGuideMatch(mt, gt, mpn, e.warn); err != nil {
			return nil, nil, err
		}
	}
	mt.DropSubsample() // the traces are this step's own
	gt.DropSubsample()
	w := e.warnFunc()
	// The score-function terms of non-reparameterized guide sites read the
	// model's elementwise log-densities; computing them now saves summing
	// in one pass and evaluating them again later.
	scoreFunction := hasScoreFunction(gt)
	modelLogProbs := mt.ComputeLogProbSums
	if scoreFunction {
		modelLogProbs = mt.ComputeLogProb
	}
	if err := modelLogProbs(e.validate(), w); err != nil {
		return nil, nil, err
	}
	// Without score functions the surrogate reads only the guide's sums,
	// which reparameterized sites can form in one pass.
	guideParts := gt.ComputeEntropySums
	if scoreFunction {
		guideParts = gt.ComputeScoreParts
	}
	if err := guideParts(e.validate(), w); err != nil {
		return nil, nil, err
	}
	if e.validate() {
		if err := checkSiteShapes(mpn, mt, gt); err != nil {
			return nil, nil, err
		}
		if err := checkIfEnumerated(gt, e.warn); err != nil {
			return nil, nil, err
		}
	}
	return mt, gt, nil
}

// hasScoreFunction reports whether any latent site of the guide trace has a
// distribution without reparameterized sampling, whose ELBO term then needs
// a score function.
func hasScoreFunction(gt *vigo.Trace) bool {
	for _, s := range gt.Sites() {
		if s.IsLatent() && !s.Fn.HasRSample() {
			return true
		}
	}
	return false
}

// checkSiteShapes runs checkSiteShape on every sample site of the traces,
// in order, adding the shapes of the offending trace to the error.
func checkSiteShapes(mpn int, ts ...*vigo.Trace) error {
	for _, t := range ts {
		for _, s := range t.Sites() {
			if s.Type != vigo.SampleSite {
				continue
			}
			if err := checkSiteShape(s, mpn); err != nil {
				return withShapes(err, t)
			}
		}
	}
	return nil
}

func withShapes(err error, t *vigo.Trace) error {
	if ve, ok := vigo.AsError(err); ok {
		return &vigo.Error{Kind: ve.Kind, Site: ve.Site, Err: ve, Msg: ve.Msg + "\n" + t.FormatShapes()}
	}
	return err
}

// particleFunc turns a trace pair into the particle's ELBO and surrogate.
type particleFunc func(mt, gt *vigo.Trace) (float64, *tensor.Tensor, error)

// particles evaluates every particle, concurrently when they are not
// vectorized, and returns them in particle order. The first error in
// particle order wins.
//
// finish, when not nil, runs on each particle right after it is evaluated,
// on the same goroutine (LossAndGrads back-propagates there).
func (e *TraceELBO) particles(en env, model, guide vigo.Program, eval particleFunc, finish func(*particle)) ([]*particle, error) {
	n := e.numParticles()
	if e.VectorizeParticles {
		mpn, err := e.ensureNesting(en, model, guide)
		if err != nil {
			return nil, err
		}
		c := e.ctx(en, 0)
		var p *particle
		err = c.Run(func(c *vigo.Ctx) {
			m, g := model, guide
			if n > 1 {
				m = particlePlate(c, model, n, mpn)
				g = particlePlate(c, guide, n, mpn)
			}
			var perr error
			p, perr = e.one(c, m, g, mpn, eval)
			if perr != nil {
				panic(asVigoError(perr))
			}
			if finish != nil {
				finish(p)
			}
		})
		if err != nil {
			return nil, err
		}
		return []*particle{p}, nil
	}
	mpn := e.maxPlateNesting()
	out := make([]*particle, n)
	errs := make([]error, n)
	run := func(k int) {
		out[k], errs[k] = e.one(e.ctx(en, k), model, guide, mpn, eval)
		if errs[k] == nil && finish != nil {
			finish(out[k])
		}
	}
	// Particles run on all cores; the assignment does not affect the results
	// because every particle has its own random stream and its own slot.
	parallel.For(n, run)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func asVigoError(err error) *vigo.Error {
	if ve, ok := vigo.AsError(err); ok {
		return ve
	}
	return &vigo.Error{Kind: vigo.ValueError, Msg: err.Error(), Err: err}
}

// particlePlate wraps p in the plate that vectorizes particles. The plate is
// declared here, outside any trace, so its subsample site is in no trace.
func particlePlate(c *vigo.Ctx, p vigo.Program, n, mpn int) vigo.Program {
	pl := c.NewPlate("num_particles_vectorized", n, vigo.Dim(-mpn))
	return func(c *vigo.Ctx) { pl.Do(func(*tensor.Tensor) { p(c) }) }
}

// one evaluates a single trace pair, recovering primitive errors.
func (e *TraceELBO) one(c *vigo.Ctx, model, guide vigo.Program, mpn int, eval particleFunc) (*particle, error) {
	var p *particle
	err := vigo.Recover(func() {
		mt, gt, err := e.traces(c, model, guide, mpn)
		if err != nil {
			panic(asVigoError(err))
		}
		elbo, sur, err := eval(mt, gt)
		if err != nil {
			panic(asVigoError(err))
		}
		p = &particle{model: mt, guide: gt, elbo: elbo, surrogate: sur}
	})
	return p, err
}

// ensureNesting guesses max_plate_nesting once, when it is unset, by tracing
// guide and model under a block (spec §5.3).
func (e *TraceELBO) ensureNesting(en env, model, guide vigo.Program) (int, error) {
	if mpn := e.maxPlateNesting(); mpn != unbounded {
		return mpn, nil
	}
	c := e.ctx(en, -1)
	var guess int
	err := c.Run(func(c *vigo.Ctx) {
		handler.Block(func(c *vigo.Ctx) {
			gt, err := handler.Trace(guide).Get(c)
			if err != nil {
				panic(asVigoError(err))
			}
			mt, err := handler.Trace(handler.Replay(model, gt)).Get(c)
			if err != nil {
				panic(asVigoError(err))
			}
			gt.DropSubsample()
			mt.DropSubsample()
			if e.validate() {
				w := e.warnFunc()
				if err := gt.ComputeLogProb(true, w); err != nil {
					panic(asVigoError(err))
				}
				if err := mt.ComputeLogProb(true, w); err != nil {
					panic(asVigoError(err))
				}
				if err := checkSiteShapes(unbounded, gt, mt); err != nil {
					panic(asVigoError(err))
				}
			}
			for _, t := range []*vigo.Trace{gt, mt} {
				for _, s := range t.Sites() {
					if s.Type != vigo.SampleSite {
						continue
					}
					for _, f := range vectorizedFrames(s.Stack) {
						guess = max(guess, -f.Dim)
					}
				}
			}
		}, handler.BlockConfig{})(c)
	})
	if err != nil {
		return 0, err
	}
	if e.VectorizeParticles && e.numParticles() > 1 {
		guess++
	}
	e.mu.Lock()
	if e.guessed == 0 {
		e.guessed = guess + 1
	}
	g := e.guessed - 1
	e.mu.Unlock()
	return g, nil
}

// elboParticle computes a particle's ELBO and surrogate (spec §4.3).
func elboParticle(mt, gt *vigo.Trace) (float64, *tensor.Tensor, error) {
	var elbo float64
	// The surrogate is Σ coefs[i]·terms[i], recorded as one node.
	var terms []*tensor.Tensor
	var coefs []float64
	addS := func(t *tensor.Tensor, c float64) {
		if t.Dim() > 0 && t.Len() == 1 { // a sum kept with a unit dim
			t = t.Reshape()
		}
		terms, coefs = append(terms, t), append(coefs, c)
	}
	for _, s := range mt.Sites() {
		if s.Type != vigo.SampleSite {
			continue
		}
		elbo += s.LogProbSum.Item()
		addS(s.LogProbSum, 1)
	}
	var logr *frameTensors
	// The log-ratio summed to a set of vectorized plates is the same for
	// every guide site in those plates; it is computed once per set.
	var sumFrames [][]vigo.Frame
	var sums []*tensor.Tensor
	logrTo := func(stack []vigo.Frame) *tensor.Tensor {
		frames := vectorizedFrames(stack)
		for i, fs := range sumFrames {
			if sameFrames(fs, frames) {
				return sums[i]
			}
		}
		r := logr.sumTo(frames)
		sumFrames, sums = append(sumFrames, frames), append(sums, r)
		return r
	}
	for _, g := range gt.Sites() {
		if g.Type != vigo.SampleSite {
			continue
		}
		elbo -= g.LogProbSum.Item()
		if g.ScoreParts == nil { // summed alone: the entropy term is the log-density
			addS(g.LogProbSum, -1)
			continue
		}
		if et := g.ScoreParts.EntropyTerm; et != nil {
			if et == g.LogProb { // the usual case: its sum is at hand
				addS(g.LogProbSum, -1)
			} else {
				addS(et.Sum(), -1)
			}
		}
		if g.ScoreParts.ScoreFunction != nil {
			if logr == nil {
				var err error
				if logr, err = buildLogR(mt, gt); err != nil {
					return 0, nil, err
				}
			}
			if r := logrTo(g.Stack); r != nil {
				addS(r.MulSum(g.ScoreParts.ScoreFunction), 1)
			}
		}
	}
	switch {
	case len(terms) == 0:
		return elbo, nil, nil
	case len(terms) == 1 && coefs[0] == 1:
		return elbo, terms[0], nil
	}
	return elbo, tensor.LinearCombination(coefs, terms...), nil
}

// buildLogR collects every model site's detached log-ratio term under its
// vectorized plates.
func buildLogR(mt, gt *vigo.Trace) (*frameTensors, error) {
	logr := &frameTensors{}
	for _, m := range mt.Sites() {
		if m.Type != vigo.SampleSite {
			continue
		}
		if err := m.EnsureLogProb(); err != nil {
			return nil, err
		}
		term := m.LogProb.Detach()
		if !m.IsObserved {
			g := gt.Site(m.Name)
			if g == nil {
				return nil, vigo.Errorf(vigo.KeyError, m.Name, "model site %q has no guide site, which the score-function gradient of the guide's non-reparameterized sites needs", m.Name)
			}
			term = term.Sub(g.LogProb.Detach())
		}
		frames := vectorizedFrames(m.Stack)
		for _, f := range frames {
			if f.Dim >= 0 || f.Dim < -term.Dim() {
				return nil, vigo.Errorf(vigo.ValueError, m.Name, "at site %q, log-prob of shape %v has no dim %d for plate %q", m.Name, term.Shape(), f.Dim, f.Name)
			}
		}
		logr.add(frames, term)
	}
	return logr, nil
}

// nanHook returns the scalar sur unchanged in value, with a backward pass
// that reports "Encountered NaN: backward loss" when the gradient arriving at
// it holds NaN, and passes the gradient on.
func (e *TraceELBO) nanHook(sur *tensor.Tensor) *tensor.Tensor {
	warn := e.warnFunc()
	return tensor.FusedInto("WarnIfNaN", tensor.Scalar(sur.Item()), []*tensor.Tensor{sur}, func(_, g *tensor.Tensor, gin []*tensor.Tensor) {
		if slices.ContainsFunc(g.Data(), math.IsNaN) {
			if err := warn(&vigo.Warning{Msg: "Encountered NaN: backward loss"}); err != nil {
				panic(err)
			}
		}
		gin[0] = g
	})
}

// warnIfNaN raises the "Encountered NaN: loss" warning.
func (e *TraceELBO) warnIfNaN(loss float64) error {
	if math.IsNaN(loss) && e.validate() {
		return e.warn("", "Encountered NaN: loss")
	}
	return nil
}

// Loss returns the ELBO loss (the negative ELBO averaged over particles) of
// the guide for the model. Parameters are read detached, so no gradient
// graph is built.
func (e *TraceELBO) Loss(store *vigo.ParamStore, rng *rand.Rand, model, guide vigo.Program) (float64, error) {
	en := newEnv(store, rng)
	en.noGrad = true
	return e.loss(en, model, guide, elboParticle)
}

func (e *TraceELBO) loss(en env, model, guide vigo.Program, eval particleFunc) (float64, error) {
	ps, err := e.particles(en, model, guide, eval, nil)
	if err != nil {
		return 0, err
	}
	n := float64(e.numParticles())
	loss := 0.0
	for _, p := range ps {
		loss -= p.elbo / n
	}
	return loss, e.warnIfNaN(loss)
}

// DifferentiableLoss returns a scalar tensor whose value is the ELBO loss
// and whose gradient is that of the surrogate loss. With validation on, a
// backward pass through it whose incoming gradient holds NaN reports the
// warning "Encountered NaN: backward loss"; should Warn turn that warning
// into an error (StrictWarnings), the backward pass panics with the error.
func (e *TraceELBO) DifferentiableLoss(store *vigo.ParamStore, rng *rand.Rand, model, guide vigo.Program) (*tensor.Tensor, error) {
	return e.differentiableLoss(newEnv(store, rng), model, guide, elboParticle)
}

func (e *TraceELBO) differentiableLoss(en env, model, guide vigo.Program, eval particleFunc) (*tensor.Tensor, error) {
	ps, err := e.particles(en, model, guide, eval, nil)
	if err != nil {
		return nil, err
	}
	n := float64(e.numParticles())
	loss := 0.0
	var sur *tensor.Tensor
	for _, p := range ps {
		loss -= p.elbo / n
		if p.surrogate != nil {
			t := p.surrogate.MulScalar(-1 / n)
			if sur == nil {
				sur = t
			} else {
				sur = sur.Add(t)
			}
		}
	}
	if sur == nil {
		return tensor.Scalar(loss), e.warnIfNaN(loss)
	}
	if err := e.warnIfNaN(sur.Item()); err != nil {
		return nil, err
	}
	if e.validate() {
		sur = e.nanHook(sur)
	}
	// (S − item(S)) is exactly zero, so adding the loss afterwards gives a
	// value bit-identical to Loss; S + (loss − item(S)) would round.
	return sur.AddScalar(-sur.Item()).AddScalar(loss), nil
}

// LossAndGrads returns the ELBO loss and adds the gradient of the surrogate
// loss into the gradients of the parameters the traces read, one particle
// at a time in particle order (so results do not depend on scheduling). A
// particle whose traces read no parameter contributes no gradient. On error
// no gradient is changed.
func (e *TraceELBO) LossAndGrads(store *vigo.ParamStore, rng *rand.Rand, model, guide vigo.Program) (float64, error) {
	return e.lossAndGrads(newEnv(store, rng), model, guide, elboParticle)
}

func (e *TraceELBO) lossAndGrads(en env, model, guide vigo.Program, eval particleFunc) (float64, error) {
	n := float64(e.numParticles())
	backward := func(p *particle) {
		if p.surrogate == nil || !p.surrogate.RequiresGrad() || (!e.Compiled && !p.hasParams()) {
			return
		}
		p.leaves = paramLeaves(en.store, p)
		// The loss is −S/N: the pass runs from S and the factor is
		// applied at the parameters, so large elementwise gradients inside
		// the graph (a likelihood's stored derivatives) are not rescaled on
		// the way, and a parameter's gradient that the pass made itself is
		// scaled in place.
		p.grads = tensor.ScaledGradients(p.surrogate, -1/n, p.leaves...)
	}
	ps, err := e.particles(en, model, guide, eval, backward)
	if err != nil {
		return 0, err
	}
	loss := 0.0
	for _, p := range ps {
		loss -= p.elbo / n
	}
	if err := e.warnIfNaN(loss); err != nil {
		return 0, err
	}
	for _, p := range ps {
		for j, g := range p.grads {
			if g != nil {
				p.leaves[j].AccumulateGrad(g)
			}
		}
	}
	return loss, nil
}

// paramLeaves returns the distinct unconstrained leaves of the param sites
// in a particle's traces, in trace order.
func paramLeaves(store *vigo.ParamStore, p *particle) []*tensor.Tensor {
	seen := map[string]bool{}
	var out []*tensor.Tensor
	for _, t := range []*vigo.Trace{p.guide, p.model} {
		for _, s := range t.Sites() {
			if s.Type != vigo.ParamSite || seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if leaf := store.Unconstrained(s.Name); leaf != nil {
				out = append(out, leaf)
			}
		}
	}
	return out
}
