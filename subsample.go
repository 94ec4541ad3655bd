package vigo

import (
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// subsampleDist is the distribution of a plate's subsample site: a uniformly
// random minibatch of indices, whose log-density is the constant 0.
type subsampleDist struct {
	size, subsampleSize int
	cache               *IndexCache
}

func newSubsampleDist(size, subsampleSize int, cache *IndexCache) *subsampleDist {
	return &subsampleDist{size: size, subsampleSize: subsampleSize, cache: cache}
}

func (d *subsampleDist) BatchShape() []int { return []int{} }
func (d *subsampleDist) EventShape() []int {
	n := d.subsampleSize
	if n < 0 || n > d.size {
		n = d.size
	}
	return []int{n}
}
func (d *subsampleDist) HasRSample() bool { return false }
func (d *subsampleDist) Sample(rng *rand.Rand, _ ...int) *tensor.Tensor {
	return subsampleIndices(rng, d.size, d.subsampleSize, d.cache)
}
func (d *subsampleDist) RSample(rng *rand.Rand, s ...int) *tensor.Tensor { return d.Sample(rng, s...) }
func (d *subsampleDist) LogProb(*tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.Scalar(0), nil
}
func (d *subsampleDist) ScoreParts(v *tensor.Tensor) (dist.ScoreParts, error) {
	lp, _ := d.LogProb(v)
	return dist.ScoreParts{LogProb: lp, ScoreFunction: lp}, nil
}
func (d *subsampleDist) Mean() *tensor.Tensor                  { return tensor.Scalar(0) }
func (d *subsampleDist) Variance() *tensor.Tensor              { return tensor.Scalar(0) }
func (d *subsampleDist) Support() constraint.Constraint        { return constraint.NonnegativeInteger }
func (d *subsampleDist) Validate() error                       { return nil }
func (d *subsampleDist) Expand(...int) dist.Distribution       { return d }
func (d *subsampleDist) ToEvent(int) dist.Distribution         { return d }
func (d *subsampleDist) Mask(*tensor.Tensor) dist.Distribution { return d }
func (d *subsampleDist) WithRSample(bool) dist.Distribution    { return d }
