package optim

import (
	"math"

	"github.com/vigo-ppl/vigo/tensor"
)

// Adam is the Adam optimizer with PyTorch's semantics, keeping separate
// moment estimates for every parameter name. A zero field means PyTorch's
// default: LR 0 → 1e-3, Betas (0, 0) → (0.9, 0.999), Eps 0 → 1e-8. With
// gradient g, weight decay λ, step count t and learning rate η, each step is
//
//	g ← g + λ·p                       (if λ ≠ 0)
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	v̂ ← max(v̂, v)                     (AMSGrad only; v̂ replaces v below)
//	p ← p − η/(1−β1^t) · m / (√v/√(1−β2^t) + ε)
//
// The zero value is ready to use; an Adam must not be copied after its first
// step. It is not safe for concurrent use.
type Adam struct {
	LR          float64    // learning rate η (0 → 1e-3)
	Betas       [2]float64 // β1, β2 (both 0 → 0.9, 0.999; a single zero is kept)
	Eps         float64    // ε added to the denominator (0 → 1e-8)
	WeightDecay float64    // L2 penalty λ added to the gradient (default 0)
	AMSGrad     bool       // use the maximum of past second moments

	st store
}

// adamRule is one Adam (or AdamW) step with defaults resolved.
type adamRule struct {
	lr, b1, b2, eps, wd float64
	amsgrad, decoupled  bool

	pows betaPowers
}

// betaPowers remembers the bias corrections' powers β₁ᵗ and β₂ᵗ of the
// last step count t asked for: the parameters of one optimizer step
// usually share their count, and math.Pow costs more than their update.
type betaPowers struct {
	t          int64 // 0: none yet
	pow1, pow2 float64
}

// at returns b1ᵗ and b2ᵗ for step t ≥ 1; b1 and b2 are the rule's betas.
func (p *betaPowers) at(b1, b2 float64, t int64) (float64, float64) {
	if t != p.t {
		p.t, p.pow1, p.pow2 = t, math.Pow(b1, float64(t)), math.Pow(b2, float64(t))
	}
	return p.pow1, p.pow2
}

// check validates the hyperparameters shared by the Adam family.
func (r *adamRule) check(kind string) error {
	return firstErr(
		hyper(kind, "learning rate", r.lr, 0),
		checkBetas(kind, [2]float64{r.b1, r.b2}),
		hyper(kind, "eps", r.eps, 0),
		hyper(kind, "weight decay", r.wd, 0),
	)
}

func (r *adamRule) buffers() []string {
	if r.amsgrad {
		return []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
	}
	return []string{"exp_avg", "exp_avg_sq"}
}

func (r *adamRule) init(*slot, []float64) {}

func (r *adamRule) update(s *slot, src [][]float64, p, g, out []float64) {
	s.step++
	pow1, pow2 := r.pows.at(r.b1, r.b2, s.step)
	stepSize := r.lr / (1 - pow1)
	bc2Sqrt := math.Sqrt(1 - pow2)
	u := adamUpdate{r: r, m0: src[0], v0: src[1], m: s.bufs[0], v: s.bufs[1], p: p, g: g, out: out, stepSize: stepSize, bc2Sqrt: bc2Sqrt}
	if r.amsgrad {
		u.vmax0, u.vmax = src[2], s.bufs[2]
	}
	if len(g) <= rangeLen {
		u.run(0, len(g)) // nothing escapes for the common small parameter
		return
	}
	big := u // only this copy escapes, to the helper goroutines
	forRanges(len(g), big.run)
}

// adamUpdate is one Adam step of one parameter, run over ranges of it.
type adamUpdate struct {
	r                         *adamRule
	m0, v0, m, v, vmax0, vmax []float64
	p, g, out                 []float64
	stepSize, bc2Sqrt         float64
}

// run updates elements [lo, hi).
func (u *adamUpdate) run(lo, hi int) {
	r, m0, v0, m, v, p, g, out := u.r, u.m0, u.v0, u.m, u.v, u.p, u.g, u.out
	stepSize, bc2Sqrt := u.stepSize, u.bc2Sqrt
	if !r.decoupled && r.wd == 0 && !r.amsgrad { // plain Adam: no branch per element
		b1, b2, eps := r.b1, r.b2, r.eps
		for i := lo; i < hi; i++ {
			gi := g[i]
			mi := b1*m0[i] + (1-b1)*gi
			vi := b2*v0[i] + (1-b2)*gi*gi
			m[i], v[i] = mi, vi
			out[i] = p[i] + -stepSize*mi/(math.Sqrt(vi)/bc2Sqrt+eps)
		}
		return
	}
	for i := lo; i < hi; i++ {
		gi, pi := g[i], p[i]
		if r.decoupled {
			pi *= 1 - r.lr*r.wd
		} else if r.wd != 0 {
			gi += r.wd * pi
		}
		mi := r.b1*m0[i] + (1-r.b1)*gi
		vi := r.b2*v0[i] + (1-r.b2)*gi*gi
		m[i], v[i] = mi, vi
		if r.amsgrad {
			vi = math.Max(u.vmax0[i], vi)
			u.vmax[i] = vi
		}
		denom := math.Sqrt(vi)/bc2Sqrt + r.eps
		out[i] = pi + -stepSize*mi/denom
	}
}

func (a *Adam) rule() (rule, error) {
	b := betasOrDefault(a.Betas)
	r := &adamRule{lr: a.LearningRate(), b1: b[0], b2: b[1], eps: orDefault(a.Eps, 1e-8), wd: a.WeightDecay, amsgrad: a.AMSGrad}
	return r, r.check("Adam")
}

// Step updates every parameter that has a gradient; see [Optimizer].
func (a *Adam) Step(params []Param) error { return step(a, params) }

// Stage computes a step without applying it; see [Stager].
func (a *Adam) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := a.rule()
	return a.st.stage("Adam", r, err, params, grads, true)
}

func (a *Adam) stageChecked(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := a.rule()
	return a.st.stage("Adam", r, err, params, grads, false)
}

// LearningRate returns the learning rate in effect.
func (a *Adam) LearningRate() float64 { return rate(a.LR, a.st.lrZero, 1e-3) }

// SetLearningRate sets the learning rate (0 means zero, not the default).
func (a *Adam) SetLearningRate(lr float64) { a.LR, a.st.lrZero = lr, lr == 0 }

// State serializes the learning rate and every parameter's step count and
// moment estimates.
func (a *Adam) State() ([]byte, error) {
	r, err := a.rule()
	return a.st.state("Adam", r, err, a.LearningRate())
}

// LoadState replaces the optimizer's state (learning rate included) by one
// saved by State; a damaged state is an error and changes nothing.
func (a *Adam) LoadState(data []byte) error { return load(a, data) }

func (a *Adam) prepareLoad(data []byte) (func(), error) {
	r, err := a.rule()
	return a.st.prepareLoad("Adam", r, err, data, a.SetLearningRate)
}

// AdamW is Adam with decoupled weight decay, as PyTorch's AdamW: before the
// Adam update (run without an L2 term), each step shrinks the parameter,
// p ← p·(1 − η·λ). A zero field means PyTorch's default: LR 0 → 1e-3,
// Betas (0, 0) → (0.9, 0.999), Eps 0 → 1e-8, WeightDecay 0 → 1e-2 (use
// [Adam] for no decay at all).
//
// The zero value is ready to use; an AdamW must not be copied after its first
// step. It is not safe for concurrent use.
type AdamW struct {
	LR          float64    // learning rate η (0 → 1e-3)
	Betas       [2]float64 // β1, β2 (both 0 → 0.9, 0.999)
	Eps         float64    // ε added to the denominator (0 → 1e-8)
	WeightDecay float64    // decoupled decay λ (0 → 1e-2)
	AMSGrad     bool       // use the maximum of past second moments

	st store
}

func (a *AdamW) rule() (rule, error) {
	b := betasOrDefault(a.Betas)
	r := &adamRule{lr: a.LearningRate(), b1: b[0], b2: b[1], eps: orDefault(a.Eps, 1e-8),
		wd: orDefault(a.WeightDecay, 1e-2), amsgrad: a.AMSGrad, decoupled: true}
	return r, r.check("AdamW")
}

// Step updates every parameter that has a gradient; see [Optimizer].
func (a *AdamW) Step(params []Param) error { return step(a, params) }

// Stage computes a step without applying it; see [Stager].
func (a *AdamW) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := a.rule()
	return a.st.stage("AdamW", r, err, params, grads, true)
}

func (a *AdamW) stageChecked(params []Param, grads []*tensor.Tensor) (func(), error) {
	r, err := a.rule()
	return a.st.stage("AdamW", r, err, params, grads, false)
}

// LearningRate returns the learning rate in effect.
func (a *AdamW) LearningRate() float64 { return rate(a.LR, a.st.lrZero, 1e-3) }

// SetLearningRate sets the learning rate (0 means zero, not the default).
func (a *AdamW) SetLearningRate(lr float64) { a.LR, a.st.lrZero = lr, lr == 0 }

// State serializes the learning rate and every parameter's step count and
// moment estimates.
func (a *AdamW) State() ([]byte, error) {
	r, err := a.rule()
	return a.st.state("AdamW", r, err, a.LearningRate())
}

// LoadState replaces the optimizer's state (learning rate included) by one
// saved by State; a damaged state is an error and changes nothing.
func (a *AdamW) LoadState(data []byte) error { return load(a, data) }

func (a *AdamW) prepareLoad(data []byte) (func(), error) {
	r, err := a.rule()
	return a.st.prepareLoad("AdamW", r, err, data, a.SetLearningRate)
}

// ClippedAdam is Adam with elementwise gradient clamping and learning-rate
// decay, as Pyro's ClippedAdam. Each parameter keeps its own learning rate
// η_p, which starts at LR. On every step in which a parameter is passed
// (with or without a gradient) η_p ← η_p·LRD is applied first, so even the
// first step uses LR·LRD. Then, if the parameter has a gradient:
//
//	g ← clamp(g, −ClipNorm, ClipNorm)      (elementwise, despite the name)
//	g ← g + λ·p                            (if λ ≠ 0)
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	p ← p − η_p·√(1−β2^t)/(1−β1^t) · m / (√v + ε)
//
// Note that ε is added to √v before the bias correction, unlike [Adam]. As
// in Pyro, the clamped gradient is left in the tensor after a successful
// step. A zero field means the default: LR 0 → 1e-3, Betas (0, 0) → (0.9,
// 0.999), Eps 0 → 1e-8, ClipNorm 0 → 10, LRD 0 → 1 (no decay).
//
// The zero value is ready to use; a ClippedAdam must not be copied after its
// first step. It is not safe for concurrent use.
type ClippedAdam struct {
	LR          float64    // initial learning rate (0 → 1e-3)
	Betas       [2]float64 // β1, β2 (both 0 → 0.9, 0.999)
	Eps         float64    // ε added to √v (0 → 1e-8)
	WeightDecay float64    // L2 penalty λ added to the gradient (default 0)
	ClipNorm    float64    // gradient elements are clamped to ±ClipNorm (0 → 10)
	LRD         float64    // learning-rate decay factor per step (0 → 1)

	st store
}

type clippedAdamRule struct {
	lr, lrd, b1, b2, eps, wd, clip float64
	pows                           betaPowers
}

func (r *clippedAdamRule) buffers() []string     { return []string{"exp_avg", "exp_avg_sq"} }
func (r *clippedAdamRule) init(*slot, []float64) {}
func (r *clippedAdamRule) initRate() float64     { return r.lr }
func (r *clippedAdamRule) updateNoGrad(s *slot)  { s.lr *= r.lrd }
func (r *clippedAdamRule) update(s *slot, src [][]float64, p, g, out []float64) {
	s.lr *= r.lrd
	s.step++
	pow1, pow2 := r.pows.at(r.b1, r.b2, s.step)
	stepSize := s.lr * math.Sqrt(1-pow2) / (1 - pow1)
	m0, v0, m, v := src[0], src[1], s.bufs[0], s.bufs[1]
	if len(g) <= rangeLen {
		clippedAdamRange(r, m0, v0, m, v, p, g, out, stepSize, 0, len(g))
		return
	}
	forRanges(len(g), func(lo, hi int) { clippedAdamRange(r, m0, v0, m, v, p, g, out, stepSize, lo, hi) })
}

// clippedAdamRange is ClippedAdam's update of elements [lo, hi).
func clippedAdamRange(r *clippedAdamRule, m0, v0, m, v, p, g, out []float64, stepSize float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		gi := g[i]
		if r.wd != 0 {
			gi += r.wd * p[i]
		}
		mi := r.b1*m0[i] + (1-r.b1)*gi
		vi := r.b2*v0[i] + (1-r.b2)*gi*gi
		m[i], v[i] = mi, vi
		out[i] = p[i] + -stepSize*mi/(math.Sqrt(vi)+r.eps)
	}
}

func (a *ClippedAdam) rule() (*clippedAdamRule, error) {
	b := betasOrDefault(a.Betas)
	r := &clippedAdamRule{lr: a.LearningRate(), lrd: orDefault(a.LRD, 1), b1: b[0], b2: b[1],
		eps: orDefault(a.Eps, 1e-8), wd: a.WeightDecay, clip: orDefault(a.ClipNorm, 10)}
	const kind = "ClippedAdam"
	shared := adamRule{lr: r.lr, b1: r.b1, b2: r.b2, eps: r.eps, wd: r.wd}
	return r, firstErr(
		shared.check(kind),
		hyper(kind, "clip norm", r.clip, 0),
		hyper(kind, "learning-rate decay", r.lrd, 0),
	)
}

// Step updates every parameter passed to it; see [Optimizer] and the type's
// documentation.
func (a *ClippedAdam) Step(params []Param) error { return step(a, params) }

// Stage computes a step without applying it; see [Stager]. Its commit also
// stores the clamped gradients in the tensors.
func (a *ClippedAdam) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	return a.stage(params, grads, true)
}

func (a *ClippedAdam) stageChecked(params []Param, grads []*tensor.Tensor) (func(), error) {
	return a.stage(params, grads, false)
}

// stage clamps the gradients and stages the step with them; the parameters
// are validated (when check is set) as the inner step begins, clamping
// keeping each gradient's shape.
func (a *ClippedAdam) stage(params []Param, grads []*tensor.Tensor, check bool) (func(), error) {
	r, err := a.rule()
	if err != nil {
		return nil, err
	}
	return stageMapped(params, grads,
		func(g *tensor.Tensor) *tensor.Tensor { return clampGrad(g, r.clip) },
		func(params []Param, clamped []*tensor.Tensor) (func(), error) {
			return a.st.stage("ClippedAdam", r, nil, params, clamped, check)
		})
}

// clampGrad returns g with every element clamped to [−c, c] (NaN stays
// NaN); g itself when no element changes.
func clampGrad(g *tensor.Tensor, c float64) *tensor.Tensor {
	gd := g.Data()
	var d []float64
	for i, v := range gd {
		if v > c || v < -c {
			if d == nil {
				d = append([]float64(nil), gd...)
			}
			d[i] = math.Max(-c, math.Min(v, c))
		}
	}
	if d == nil {
		return g
	}
	return tensor.FromData(d, g.Shape()...)
}

// LearningRate returns the initial learning rate given to parameters seen
// for the first time (each parameter then decays its own by LRD).
func (a *ClippedAdam) LearningRate() float64 { return rate(a.LR, a.st.lrZero, 1e-3) }

// SetLearningRate sets the learning rate of every parameter, and the initial
// rate of those not yet seen, to lr (0 means zero, not the default).
func (a *ClippedAdam) SetLearningRate(lr float64) {
	a.mapRates(func(float64) float64 { return lr })
}

// mapRates replaces the initial learning rate and every parameter's own
// rate η by f(η), as a PyTorch scheduler does to each parameter group.
func (a *ClippedAdam) mapRates(f func(float64) float64) {
	lr := f(a.LearningRate())
	a.LR, a.st.lrZero = lr, lr == 0
	for _, s := range a.st.slots {
		s.lr = f(s.lr)
	}
}

// State serializes the initial learning rate and every parameter's own
// learning rate, step count and moment estimates.
func (a *ClippedAdam) State() ([]byte, error) {
	r, err := a.rule()
	return a.st.state("ClippedAdam", r, err, a.LearningRate())
}

// LoadState replaces the optimizer's state (learning rates included) by one
// saved by State; a damaged state is an error and changes nothing.
func (a *ClippedAdam) LoadState(data []byte) error { return load(a, data) }

func (a *ClippedAdam) prepareLoad(data []byte) (func(), error) {
	r, err := a.rule()
	return a.st.prepareLoad("ClippedAdam", r, err, data, func(lr float64) { a.LR, a.st.lrZero = lr, lr == 0 })
}
