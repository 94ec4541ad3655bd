package dist

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// MultivariateNormalDist is the multivariate normal distribution over
// vectors of length D with mean Loc and covariance Σ = L Lᵀ, L being the
// lower-triangular ScaleTril. It is built from L, from Σ or from the
// precision Σ⁻¹; its event shape is (D) and its batch shape the broadcast
// of loc's shape less its last dim with the matrix's less its last two.
type MultivariateNormalDist struct {
	base
	loc       *tensor.Tensor // (…, D)
	scaleTril *tensor.Tensor // (…, D, D)
	cov, prec *tensor.Tensor // the matrix given instead of scaleTril, or nil
	dim       int
}

// MultivariateNormalTril returns the multivariate normal distribution with
// mean loc (…, D) and covariance scaleTril·scaleTrilᵀ; scaleTril (…, D, D)
// must be lower triangular with a positive diagonal.
func MultivariateNormalTril(loc, scaleTril *tensor.Tensor) *MultivariateNormalDist {
	d := &MultivariateNormalDist{loc: loc, scaleTril: scaleTril}
	if !d.init(loc, scaleTril, "scale_tril") {
		return d
	}
	if !lowerCholeskyOK(scaleTril) {
		d.fail("scale_tril must be lower triangular with a positive diagonal, got shape %v", scaleTril.Shape())
	}
	return d
}

// MultivariateNormalCov returns the multivariate normal distribution with
// mean loc (…, D) and covariance matrix cov (…, D, D), which must be
// symmetric positive definite. ScaleTril is its Cholesky factor, through
// which gradients reach cov.
func MultivariateNormalCov(loc, cov *tensor.Tensor) *MultivariateNormalDist {
	d := &MultivariateNormalDist{loc: loc, cov: cov}
	if !d.init(loc, cov, "covariance_matrix") {
		return d
	}
	var err error
	if !symmetricOK(cov) {
		d.fail("covariance_matrix must be symmetric, got shape %v", cov.Shape())
	} else if d.scaleTril, err = cov.CholeskyErr(); err != nil {
		d.fail("covariance_matrix must be positive definite, got shape %v", cov.Shape())
	}
	if d.err != nil {
		d.scaleTril = tensor.Full(math.NaN(), cov.Shape()...)
	}
	return d
}

// MultivariateNormalPrecision returns the multivariate normal distribution
// with mean loc (…, D) and precision (inverse covariance) matrix prec
// (…, D, D), which must be symmetric positive definite.
func MultivariateNormalPrecision(loc, prec *tensor.Tensor) *MultivariateNormalDist {
	d := &MultivariateNormalDist{loc: loc, prec: prec}
	if !d.init(loc, prec, "precision_matrix") {
		return d
	}
	var err error
	if !symmetricOK(prec) {
		d.fail("precision_matrix must be symmetric, got shape %v", prec.Shape())
	} else if d.scaleTril, err = precisionToScaleTril(prec); err != nil {
		d.fail("precision_matrix must be positive definite, got shape %v", prec.Shape())
	}
	if d.err != nil {
		d.scaleTril = tensor.Full(math.NaN(), prec.Shape()...)
	}
	return d
}

// init checks the shapes of loc and the matrix m (named arg) and sets up
// the batch and event shapes. It reports whether the shapes are usable.
func (d *MultivariateNormalDist) init(loc, m *tensor.Tensor, arg string) bool {
	d.setup(d, "MultivariateNormal", nil, nil, true)
	batch, dim, ok := d.vectorMatrixShapes(loc, m, arg)
	if !ok {
		return false
	}
	d.batch, d.event, d.dim = batch, []int{dim}, dim
	d.checkReal("loc", loc)
	return d.err == nil
}

// vectorMatrixShapes checks that loc is (…, D) and m is (…, D, D) with
// broadcasting batch dims, recording an error otherwise, and returns the
// batch shape and D.
func (b *base) vectorMatrixShapes(loc, m *tensor.Tensor, arg string) ([]int, int, bool) {
	switch {
	case loc == nil:
		b.fail("loc is nil")
	case m == nil:
		b.fail("%s is nil", arg)
	case loc.Dim() < 1:
		b.fail("loc must have at least one dim, got shape %v", loc.Shape())
	case m.Dim() < 2:
		b.fail("%s must have at least two dims, got shape %v", arg, m.Shape())
	default:
		ls, ms := loc.Shape(), m.Shape()
		dim := ls[len(ls)-1]
		if ms[len(ms)-1] != dim || ms[len(ms)-2] != dim {
			b.fail("%s shape %v must end in (%d, %d) to match loc shape %v", arg, ms, dim, dim, ls)
			return nil, 0, false
		}
		batch, ok := tensor.BroadcastShapes(ls[:len(ls)-1], ms[:len(ms)-2])
		if !ok {
			b.fail("batch shapes do not broadcast: loc %v, %s %v", ls, arg, ms)
			return nil, 0, false
		}
		return batch, dim, true
	}
	return nil, 0, false
}

// lowerCholeskyOK reports whether every matrix of l is lower triangular
// with a positive diagonal (and no NaN).
func lowerCholeskyOK(l *tensor.Tensor) bool {
	s := l.Shape()
	n := s[len(s)-1]
	ld := l.Data()
	for m := 0; m < len(ld); m += n * n {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				v := ld[m+i*n+j]
				switch {
				case j > i && v != 0, j == i && !(v > 0), j < i && v != v:
					return false
				}
			}
		}
	}
	return true
}

// symmetricOK reports whether every matrix of a is symmetric to within the
// tolerance of constraint.PositiveDefinite (absolute 1e-6, relative 1e-5).
func symmetricOK(a *tensor.Tensor) bool {
	s := a.Shape()
	n := s[len(s)-1]
	ad := a.Data()
	for m := 0; m < len(ad); m += n * n {
		for i := 0; i < n; i++ {
			for j := 0; j < i; j++ {
				x, y := ad[m+i*n+j], ad[m+j*n+i]
				if !(math.Abs(x-y) <= 1e-6+1e-5*math.Max(math.Abs(x), math.Abs(y))) {
					return false
				}
			}
		}
	}
	return true
}

// precisionToScaleTril returns the lower Cholesky factor of P⁻¹ for each
// precision matrix P of p without forming the inverse. With J the
// reversal permutation, the Cholesky factor of J P J gives an upper
// triangular U = J chol(J P J) J with P = U Uᵀ; then P⁻¹ = U⁻ᵀ U⁻¹ and
// U⁻ᵀ is lower triangular with a positive diagonal.
func precisionToScaleTril(p *tensor.Tensor) (*tensor.Tensor, error) {
	nd := p.Dim()
	n := p.Shape()[nd-1]
	rev := make([]float64, n)
	for i := range rev {
		rev[i] = float64(n - 1 - i)
	}
	r := tensor.FromData(rev, n)
	lf, err := p.IndexSelect(nd-2, r).IndexSelect(nd-1, r).CholeskyErr()
	if err != nil {
		return nil, err
	}
	u := lf.IndexSelect(nd-2, r).IndexSelect(nd-1, r)
	return u.MT().SolveTriangular(tensor.Eye(n), true), nil
}

// Loc returns the mean vector parameter.
func (d *MultivariateNormalDist) Loc() *tensor.Tensor { return d.loc }

// ScaleTril returns the lower Cholesky factor L of the covariance, of the
// shape given (or of the covariance or precision given).
func (d *MultivariateNormalDist) ScaleTril() *tensor.Tensor { return d.scaleTril }

// CovarianceMatrix returns Σ, of shape BatchShape + (D, D): the matrix
// given, or L Lᵀ.
func (d *MultivariateNormalDist) CovarianceMatrix() *tensor.Tensor {
	c := d.cov
	if c == nil {
		c = d.scaleTril.MatMul(d.scaleTril.MT())
	}
	return c.Expand(d.matShape()...)
}

// PrecisionMatrix returns Σ⁻¹, of shape BatchShape + (D, D): the matrix
// given, or L⁻ᵀ L⁻¹.
func (d *MultivariateNormalDist) PrecisionMatrix() *tensor.Tensor {
	p := d.prec
	if p == nil {
		li := d.scaleTril.SolveTriangular(tensor.Eye(d.dim), true)
		p = li.MT().MatMul(li)
	}
	return p.Expand(d.matShape()...)
}

// matShape returns BatchShape + (D, D).
func (d *MultivariateNormalDist) matShape() []int {
	return append(slices.Clone(d.batch), d.dim, d.dim)
}

// Expand returns a copy with batch shape batchShape.
func (d *MultivariateNormalDist) Expand(batchShape ...int) Distribution {
	c := *d
	c.expandTo(&c, batchShape)
	return &c
}

// Sample draws values without gradient.
func (d *MultivariateNormalDist) Sample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	return d.RSample(rng, sampleShape...).Detach()
}

// RSample draws loc + L ε with ε a vector of standard normal draws.
func (d *MultivariateNormalDist) RSample(rng *rand.Rand, sampleShape ...int) *tensor.Tensor {
	eps := tensor.RandN(rng, d.shapeOf(sampleShape)...)
	return d.loc.Add(matVec(d.scaleTril, eps))
}

// matVec returns m·x for the matrices m (…, r, c) and the vectors x
// (…, c), batch dims broadcasting; a single matrix multiplies every vector
// of x in one product.
func matVec(m, x *tensor.Tensor) *tensor.Tensor {
	if m.Dim() == 2 {
		return x.MatMul(m.MT())
	}
	y := m.MatMul(x.Unsqueeze(-1))
	return y.Reshape(y.Shape()[:y.Dim()-1]...)
}

// mahalanobisSq returns |L⁻¹x|² for the lower-triangular matrices L
// (…, D, D) and the vectors x (…, D), their batch dims broadcasting. When
// L's batch shape is a trailing part of the result's (the usual case: many
// values, few matrices) all vectors that share a matrix are solved in one
// triangular solve.
func mahalanobisSq(l, x *tensor.Tensor) *tensor.Tensor {
	ls, xs := l.Shape(), x.Shape()
	n := xs[len(xs)-1]
	lb, xb := ls[:len(ls)-2], xs[:len(xs)-1]
	rb, _ := tensor.BroadcastShapes(lb, xb)
	nl, nr := numel(lb), numel(rb)
	if nr == 0 {
		return tensor.Zeros(rb...)
	}
	if slices.Equal(rb[len(rb)-len(lb):], lb) {
		s := nr / nl
		x = x.Expand(append(slices.Clone(rb), n)...)
		xm := x.Reshape(s, nl, n).Permute(1, 2, 0) // (nl, D, s)
		y := l.Reshape(nl, n, n).SolveTriangular(xm, true)
		return y.Square().SumDims(false, 1).MT().Reshape(rb...)
	}
	y := l.SolveTriangular(x.Unsqueeze(-1), true)
	return y.Square().SumDims(false, -2, -1)
}

// halfLogDet returns Σ log diag L = ½ log det(L Lᵀ), of L's batch shape.
func halfLogDet(l *tensor.Tensor) *tensor.Tensor {
	return l.Diagonal().Log().SumDims(false, -1)
}

// LogProb returns -½(x-μ)ᵀΣ⁻¹(x-μ) - ½ log det Σ - (D/2) log 2π, through a
// triangular solve with L and log det Σ = 2 Σ log diag L. A value with a
// NaN is an error when validation is on.
func (d *MultivariateNormalDist) LogProb(value *tensor.Tensor) (*tensor.Tensor, error) {
	shape, err := d.checkLogProb(value)
	if err != nil {
		return nil, err
	}
	if err := d.checkRealValues(value, "real vectors"); err != nil {
		return nil, err
	}
	m := mahalanobisSq(d.scaleTril, value.Sub(d.loc))
	lp := m.MulScalar(-0.5).Sub(halfLogDet(d.scaleTril)).AddScalar(-float64(d.dim) * logSqrt2Pi)
	return lp.Expand(shape...), nil
}

// Mean returns loc, of shape BatchShape + (D).
func (d *MultivariateNormalDist) Mean() *tensor.Tensor { return d.loc.Expand(d.shapeOf(nil)...) }

// Variance returns the diagonal of Σ, the row sums of L², of shape
// BatchShape + (D).
func (d *MultivariateNormalDist) Variance() *tensor.Tensor {
	return d.scaleTril.Square().SumDims(false, -1).Expand(d.shapeOf(nil)...)
}

// Entropy returns (D/2)(1 + log 2π) + ½ log det Σ.
func (d *MultivariateNormalDist) Entropy() *tensor.Tensor {
	return halfLogDet(d.scaleTril).AddScalar(float64(d.dim) * (0.5 + logSqrt2Pi)).Expand(d.batch...)
}

// Support is the set of real vectors.
func (d *MultivariateNormalDist) Support() constraint.Constraint { return constraint.RealVector }
