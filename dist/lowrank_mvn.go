package dist

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// LowRankMultivariateNormalDist is the multivariate normal distribution
// whose covariance has the low-rank-plus-diagonal form Σ = W Wᵀ + diag(d),
// with W the CovFactor (D×R) and d the positive CovDiag. Its log-density
// and entropy use the Woodbury identity and the matrix determinant lemma
// through the R×R capacitance matrix I + Wᵀ diag(d)⁻¹ W, so nothing of
// size D×D is formed.
type LowRankMultivariateNormalDist struct {
	base
	loc       *tensor.Tensor // (…, D)
	covFactor *tensor.Tensor // (…, D, R)
	covDiag   *tensor.Tensor // (…, D)
	capTril   *tensor.Tensor // Cholesky factor of the capacitance matrix (…, R, R)
	dim, rank int
}

// LowRankMultivariateNormal returns the multivariate normal distribution
// with mean loc (…, D) and covariance covFactor·covFactorᵀ + diag(covDiag),
// where covFactor is (…, D, R) and covDiag (…, D) is positive. The batch
// shape is the broadcast of the three parameters' batch parts.
func LowRankMultivariateNormal(loc, covFactor, covDiag *tensor.Tensor) *LowRankMultivariateNormalDist {
	d := &LowRankMultivariateNormalDist{loc: loc, covFactor: covFactor, covDiag: covDiag}
	d.setup(d, "LowRankMultivariateNormal", nil, nil, true)
	switch {
	case loc == nil || covFactor == nil || covDiag == nil:
		d.fail("loc, cov_factor and cov_diag must not be nil")
	case loc.Dim() < 1:
		d.fail("loc must have at least one dim, got shape %v", loc.Shape())
	case covFactor.Dim() < 2:
		d.fail("cov_factor must have at least two dims, got shape %v", covFactor.Shape())
	case covDiag.Dim() < 1:
		d.fail("cov_diag must have at least one dim, got shape %v", covDiag.Shape())
	}
	if d.err != nil {
		return d
	}
	ls, ws, ds := loc.Shape(), covFactor.Shape(), covDiag.Shape()
	dim := ls[len(ls)-1]
	if ws[len(ws)-2] != dim || ds[len(ds)-1] != dim {
		d.fail("shapes do not agree on the event size: loc %v, cov_factor %v (…, D, R), cov_diag %v", ls, ws, ds)
		return d
	}
	batch, ok := tensor.BroadcastShapes(ls[:len(ls)-1], ws[:len(ws)-2], ds[:len(ds)-1])
	if !ok {
		d.fail("batch shapes do not broadcast: loc %v, cov_factor %v, cov_diag %v", ls, ws, ds)
		return d
	}
	d.batch, d.event, d.dim, d.rank = batch, []int{dim}, dim, ws[len(ws)-1]
	d.checkReal("loc", loc)
	d.checkParam("cov_factor", covFactor, "finite", tensor.Finite)
	d.checkParam("cov_diag", covDiag, "positive", tensor.Positive)
	if d.err != nil {
		d.capTril = tensor.Full(math.NaN(), d.rank, d.rank)
		return d
	}
	// K = I + Wᵀ D⁻¹ W, positive definite for every W when d > 0.
	wtDinv := covFactor.MT().Div(covDiag.Unsqueeze(-2))
	k := wtDinv.MatMul(covFactor).Add(tensor.Eye(d.rank))
	var err error
	if d.capTril, err = k.CholeskyErr(); err != nil {
		d.fail("capacitance matrix I + Wᵀ diag(cov_diag)⁻¹ W is not positive definite (cov_factor %v, cov_diag %v)", ws, ds)
		d.capTril = tensor.Full(math.NaN(), k.Shape()...)
	}
	return d
}

// Loc returns the mean vector parameter.
func (d *LowRankMultivariateNormalDist) Loc() *tensor.Tensor { return d.loc }

// CovFactor returns W, the low-rank factor of the covariance.
func (d *LowRankMultivariateNormalDist) CovFactor() *tensor.Tensor { return d.covFactor }

// CovDiag returns d, the diagonal part of the covariance.
func (d *LowRankMultivariateNormalDist) CovDiag() *tensor.Tensor { return d.covDiag }

// matShape returns BatchShape + (D, D).
func (d *LowRankMultivariateNormalDist) matShape() []int {
	return append(slices.Clone(d.batch), d.dim, d.dim)
}

// CovarianceMatrix returns the dense Σ = W Wᵀ + diag(d), of shape
// BatchShape + (D, D).
func (d *LowRankMultivariateNormalDist) CovarianceMatrix() *tensor.Tensor {
	w := d.covFactor
	return w.MatMul(w.MT()).Add(d.covDiag.DiagEmbed()).Expand(d.matShape()...)
}

// ScaleTril returns the lower Cholesky factor of the dense covariance, of
// shape BatchShape + (D, D).
func (d *LowRankMultivariateNormalDist) ScaleTril() *tensor.Tensor {
	return d.CovarianceMatrix().Cholesky()
}

// PrecisionMatrix returns Σ⁻¹ by the Woodbury identity,
// diag(d)⁻¹ - A ᵀA with A = C⁻¹ Wᵀ diag(d)⁻¹ and C the Cholesky factor of
// the capacitance matrix, of shape BatchShape + (D, D).
func (d *LowRankMultivariateNormalDist) PrecisionMatrix() *tensor.Tensor {
	wtDinv := d.covFactor.MT().Div(d.covDiag.Unsqueeze(-2))
	a := d.capTril.SolveTriangular(wtDinv, true)
	return d.covDiag.Reciprocal().DiagEmbed().Sub(a.MT().MatMul(a)).Expand(d.matShape()...)
}

// Expand returns a copy with batch shape batchShape.
func (d *LowRankMultivariateNormalDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *LowRankMultivariateNormalDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws loc + W ε_W + √d ⊙ ε_D, with ε_W (length R) drawn before
// ε_D (length D), both standard normal.
func (d *LowRankMultivariateNormalDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	shape := d.shapeOf(sampleShape)
	ws := slices.Clone(shape)
	ws[len(ws)-1] = d.rank
	epsW := tensor.RandN(rng, ws...)
	epsD := tensor.RandN(rng, shape...)
	return d.loc.Add(matVec(d.covFactor, epsW)).Add(d.covDiag.Sqrt().Mul(epsD))
}

// logDet returns log det Σ = 2 Σ log diag C + Σ log d (the matrix
// determinant lemma), of the parameters' broadcast batch shape.
func (d *LowRankMultivariateNormalDist) logDet() *tensor.Tensor {
	return halfLogDet(d.capTril).MulScalar(2).Add(d.covDiag.Log().SumDims(false, -1))
}

// LogProb returns -½(x-μ)ᵀΣ⁻¹(x-μ) - ½ log det Σ - (D/2) log 2π, with the
// quadratic form by the Woodbury identity,
// xᵀΣ⁻¹x = xᵀD⁻¹x - |C⁻¹ Wᵀ D⁻¹ x|², and the log-determinant by the
// matrix determinant lemma. A value with a NaN is an error when validation
// is on.
func (d *LowRankMultivariateNormalDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkRealValues(value, "real vectors"); err != nil {
		return nil, err
	}
	diff := value.Sub(d.loc)
	dd := diff.Div(d.covDiag)
	t1 := dd.Mul(diff).SumDims(false, -1)
	y := matVec(d.covFactor.MT(), dd) // Wᵀ D⁻¹ (x-μ), (…, R)
	m := t1.Sub(mahalanobisSq(d.capTril, y))
	lp := m.Add(d.logDet()).MulScalar(-0.5).AddScalar(-float64(d.dim) * logSqrt2Pi)
	return lp.Expand(shape...), nil
}

// Mean returns loc, of shape BatchShape + (D).
func (d *LowRankMultivariateNormalDist) Mean() *tensor.Tensor {
	return d.loc.Expand(d.shapeOf(nil)...)
}

// Variance returns the diagonal of Σ, the row sums of W² plus d, of shape
// BatchShape + (D).
func (d *LowRankMultivariateNormalDist) Variance() *tensor.Tensor {
	return d.covFactor.Square().SumDims(false, -1).Add(d.covDiag).Expand(d.shapeOf(nil)...)
}

// Entropy returns (D/2)(1 + log 2π) + ½ log det Σ.
func (d *LowRankMultivariateNormalDist) Entropy() *tensor.Tensor {
	return d.logDet().MulScalar(0.5).AddScalar(float64(d.dim) * (0.5 + logSqrt2Pi)).Expand(d.batch...)
}

// Support is the set of real vectors.
func (d *LowRankMultivariateNormalDist) Support() constraint.Constraint {
	return constraint.RealVector
}
