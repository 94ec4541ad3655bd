package dist

import (
	"fmt"
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/tensor"
)

// KL returns the Kullback-Leibler divergence KL(p ‖ q) = E_p[log p - log q]
// in closed form, of shape broadcast(p's batch shape, q's batch shape). It
// dispatches on the pair of concrete types; the pairs with a closed form are
//
//   - Normal–Normal, Gamma–Gamma, Beta–Beta, Exponential–Exponential,
//     Bernoulli–Bernoulli, Categorical–Categorical, Dirichlet–Dirichlet;
//   - any pair of MultivariateNormal, LowRankMultivariateNormal (through
//     its dense Cholesky factor) and, against one of those,
//     Normal(loc, scale).ToEvent(1) (a diagonal covariance);
//   - Delta–anything, also under ToEvent: KL(δ_v ‖ q) = -log q(v), as
//     PyTorch's and Pyro's;
//   - Independent–Independent with the same number of reinterpreted dims:
//     the KL of the bases summed over those dims;
//   - Masked–Masked: the KL of the bases, zero where either mask is 0 (as
//     Pyro's, for mean-field ELBOs).
//
// Any other pair, invalid parameters, different event shapes or batch
// shapes that do not broadcast give an error.
func KL(p, q Distribution) (*tensor.Tensor, error) {
	if p == nil || q == nil {
		return nil, fmt.Errorf("dist: KL: nil distribution")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if !slices.Equal(p.EventShape(), q.EventShape()) {
		return nil, fmt.Errorf("dist: KL(%s ‖ %s): event shapes %v and %v differ", typeName(p), typeName(q), p.EventShape(), q.EventShape())
	}
	shape, ok := tensor.BroadcastShapes(p.BatchShape(), q.BatchShape())
	if !ok {
		return nil, fmt.Errorf("dist: KL(%s ‖ %s): batch shapes %v and %v do not broadcast", typeName(p), typeName(q), p.BatchShape(), q.BatchShape())
	}
	kl, err := klPair(p, q)
	if err != nil {
		return nil, err
	}
	return kl.Expand(shape...), nil
}

// typeName names a distribution in KL's error messages.
func typeName(d Distribution) string {
	if b, ok := d.(baser); ok {
		return b.baseOf().name
	}
	return fmt.Sprintf("%T", d)
}

// klPair computes the closed form for the pair's concrete types, of a shape
// that broadcasts to the pair's batch shape.
func klPair(p, q Distribution) (*tensor.Tensor, error) {
	if v, ok := pointMass(p); ok {
		lq, err := q.LogProb(v)
		if err != nil {
			return nil, fmt.Errorf("dist: KL(%s ‖ %s): %w", typeName(p), typeName(q), err)
		}
		return lq.Neg(), nil
	}
	if pm, ok := p.(*MaskedDist); ok {
		if qm, ok := q.(*MaskedDist); ok {
			return klMasked(pm, qm)
		}
	}
	if isMVN(p) || isMVN(q) {
		if mp, lp, ok := gaussianOf(p); ok {
			if mq, lq, ok := gaussianOf(q); ok {
				return klGaussian(mp, lp, mq, lq), nil
			}
		}
	}
	switch pp := p.(type) {
	case *IndependentDist:
		if qq, ok := q.(*IndependentDist); ok {
			if pp.n != qq.n {
				return nil, fmt.Errorf("dist: KL(Independent ‖ Independent): reinterpreted batch dims differ (%d and %d)", pp.n, qq.n)
			}
			inner, err := KL(pp.inner, qq.inner)
			if err != nil {
				return nil, err
			}
			return sumRightmost(inner, pp.n), nil
		}
	case *NormalDist:
		if qq, ok := q.(*NormalDist); ok {
			return klNormal(pp, qq), nil
		}
	case *GammaDist:
		if qq, ok := q.(*GammaDist); ok {
			return klGamma(pp, qq), nil
		}
	case *BetaDist:
		if qq, ok := q.(*BetaDist); ok {
			return klBeta(pp, qq), nil
		}
	case *ExponentialDist:
		if qq, ok := q.(*ExponentialDist); ok {
			ratio := qq.Rate().Div(pp.Rate())
			return ratio.Sub(ratio.Log()).AddScalar(-1), nil
		}
	case *BernoulliDist:
		if qq, ok := q.(*BernoulliDist); ok {
			return klBernoulli(pp, qq), nil
		}
	case *CategoricalDist:
		if qq, ok := q.(*CategoricalDist); ok {
			return klCategorical(pp, qq)
		}
	case *DirichletDist:
		if qq, ok := q.(*DirichletDist); ok {
			return klDirichlet(pp, qq), nil
		}
	}
	return nil, fmt.Errorf("dist: KL(%s ‖ %s): no closed form registered for this pair", typeName(p), typeName(q))
}

// klNormal is log(σq/σp) + (σp² + (μp-μq)²)/(2σq²) - ½.
func klNormal(p, q *NormalDist) *tensor.Tensor {
	vr := p.Scale().Div(q.Scale()).Square()
	t := p.Loc().Sub(q.Loc()).Div(q.Scale()).Square()
	return vr.Add(t).AddScalar(-1).Sub(vr.Log()).MulScalar(0.5)
}

// klGamma is the closed form for shapes αp, αq and rates βp, βq:
// αq log(βp/βq) + log Γ(αq) - log Γ(αp) + (αp-αq) ψ(αp) + (βq-βp) αp/βp.
func klGamma(p, q *GammaDist) *tensor.Tensor {
	ap, bp, aq, bq := p.Concentration(), p.Rate(), q.Concentration(), q.Rate()
	t1 := aq.Mul(bp.Div(bq).Log())
	t2 := aq.Lgamma().Sub(ap.Lgamma())
	t3 := ap.Sub(aq).Mul(ap.Digamma())
	t4 := bq.Sub(bp).Mul(ap.Div(bp))
	return t1.Add(t2).Add(t3).Add(t4)
}

// klBeta is log B(aq, bq) - log B(ap, bp) + (ap-aq) ψ(ap) + (bp-bq) ψ(bp)
// + (aq+bq-ap-bp) ψ(ap+bp).
func klBeta(p, q *BetaDist) *tensor.Tensor {
	ap, bp, aq, bq := p.Concentration1(), p.Concentration0(), q.Concentration1(), q.Concentration0()
	sp, sq := ap.Add(bp), aq.Add(bq)
	t1 := logBeta(aq, bq).Sub(logBeta(ap, bp))
	t2 := ap.Sub(aq).Mul(ap.Digamma())
	t3 := bp.Sub(bq).Mul(bp.Digamma())
	t4 := sq.Sub(sp).Mul(sp.Digamma())
	return t1.Add(t2).Add(t3).Add(t4)
}

// klBernoulli is p log(p/q) + (1-p) log((1-p)/(1-q)), each term 0 where
// its weight is 0; log-probabilities come from log-sigmoid for logits.
func klBernoulli(p, q *BernoulliDist) *tensor.Tensor {
	pp := p.Probs()
	lp1, lp0 := p.logProbs()
	lq1, lq0 := q.logProbs()
	t1 := weighted(pp, lp1.Sub(lq1))
	t0 := weighted(pp.Neg().AddScalar(1), lp0.Sub(lq0))
	return t1.Add(t0)
}

// weighted returns w·x elementwise with 0 where w is 0, whatever x (so an
// impossible outcome adds nothing, even against a log-ratio of ±Inf or NaN).
func weighted(w, x *tensor.Tensor) *tensor.Tensor {
	return tensor.Binary("KLTerm", w, x, func(a, b float64) float64 {
		if a == 0 {
			return 0
		}
		return a * b
	}, func(a, b, _ float64) float64 {
		if a == 0 && (math.IsInf(b, 0) || b != b) {
			return 0
		}
		return b
	}, func(a, _, _ float64) float64 { return a })
}

// klCategorical is Σ p (log p - log q) over the categories; a category with
// p > 0 and q = 0 makes it +Inf.
func klCategorical(p, q *CategoricalDist) (*tensor.Tensor, error) {
	if p.k != q.k {
		return nil, fmt.Errorf("dist: KL(Categorical ‖ Categorical): %d and %d categories", p.k, q.k)
	}
	pp := p.Probs()
	lp, lq := exactLogProbs(p), exactLogProbs(q)
	return weighted(pp, lp.Sub(lq)).SumDims(false, -1), nil
}

// exactLogProbs returns the normalized log-probabilities without the
// clamping of Logits, so that a category of probability 0 has -Inf.
func exactLogProbs(d *CategoricalDist) *tensor.Tensor {
	if d.raw != nil {
		return d.logits()
	}
	return maskSafeLog(d.probs)
}

// klDirichlet is the closed form for concentrations αp, αq with sums sp, sq:
// log Γ(sp) - log Γ(sq) - Σ(log Γ(αp) - log Γ(αq)) + Σ(αp-αq)(ψ(αp) - ψ(sp)).
func klDirichlet(p, q *DirichletDist) *tensor.Tensor {
	ap, aq := p.Concentration(), q.Concentration()
	sp, sq := ap.SumDims(false, -1), aq.SumDims(false, -1)
	t1 := sp.Lgamma().Sub(sq.Lgamma())
	t2 := ap.Lgamma().Sub(aq.Lgamma()).SumDims(false, -1)
	t3 := ap.Sub(aq).Mul(ap.Digamma().Sub(sp.Digamma().Unsqueeze(-1))).SumDims(false, -1)
	return t1.Sub(t2).Add(t3)
}

// pointMass returns the location of a Delta distribution, also under
// Independent wrappers, which leave it a point mass.
func pointMass(d Distribution) (*tensor.Tensor, bool) {
	switch m := d.(type) {
	case *DeltaDist:
		return m.V(), true
	case *IndependentDist:
		return pointMass(m.inner)
	}
	return nil, false
}

// klMasked is the KL of the bases, zeroed where either mask is 0; a
// constant false mask makes it 0 without evaluating the bases.
func klMasked(p, q *MaskedDist) (*tensor.Tensor, error) {
	if (p.mask == nil && !p.keep) || (q.mask == nil && !q.keep) {
		return tensor.Scalar(0), nil
	}
	kl, err := KL(p.inner, q.inner)
	if err != nil {
		return nil, err
	}
	for _, m := range []*tensor.Tensor{p.mask, q.mask} {
		if m != nil {
			kl = applyMask(kl, m)
		}
	}
	return kl, nil
}

// isMVN reports whether d is a multivariate normal of either
// parameterization.
func isMVN(d Distribution) bool {
	switch d.(type) {
	case *MultivariateNormalDist, *LowRankMultivariateNormalDist:
		return true
	}
	return false
}

// gaussianOf returns the mean and lower Cholesky factor of the covariance
// of a multivariate normal distribution of either parameterization, or of
// a diagonal one written as Normal(loc, scale).ToEvent(1).
func gaussianOf(d Distribution) (loc, scaleTril *tensor.Tensor, ok bool) {
	switch g := d.(type) {
	case *MultivariateNormalDist:
		return g.loc, g.scaleTril, true
	case *LowRankMultivariateNormalDist:
		w := g.covFactor
		cov := w.MatMul(w.MT()).Add(g.covDiag.DiagEmbed())
		return g.loc, cov.Cholesky(), true
	case *IndependentDist:
		if n, ok := g.inner.(*NormalDist); ok && g.n == 1 {
			bs := n.BatchShape()
			return n.loc.Expand(bs...), n.scale.Expand(bs...).DiagEmbed(), true
		}
	}
	return nil, nil, false
}

// klGaussian is the closed form for N(μp, Lp Lpᵀ) and N(μq, Lq Lqᵀ):
// Σ log diag Lq - Σ log diag Lp + ½(|Lq⁻¹ Lp|²_F + |Lq⁻¹(μq-μp)|² - D).
func klGaussian(mp, lp, mq, lq *tensor.Tensor) *tensor.Tensor {
	n := lp.Shape()[lp.Dim()-1]
	half := halfLogDet(lq).Sub(halfLogDet(lp))
	t2 := lq.SolveTriangular(lp, true).Square().SumDims(false, -2, -1)
	t3 := mahalanobisSq(lq, mq.Sub(mp))
	return half.Add(t2.Add(t3).AddScalar(-float64(n)).MulScalar(0.5))
}
