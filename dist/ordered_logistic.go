package dist

import (
	"slices"

	"github.com/vigo-ppl/vigo/tensor"
)

// OrderedLogistic returns the ordinal distribution over 0, …, C-1 of a
// latent logistic variable with location predictor falling between the
// C-1 increasing cutpoints (the last dim of cutpoints): with
// q_k = sigmoid(cutpoint_k - predictor), P(0) = q_0,
// P(k) = q_k - q_{k-1} and P(C-1) = 1 - q_{C-2}. It is a categorical
// distribution whose batch shape is the broadcast of predictor's shape and
// cutpoints' shape less its last dim.
func OrderedLogistic(predictor, cutpoints *tensor.Tensor) *CategoricalDist {
	const name = "OrderedLogistic"
	invalid := func(format string, args ...any) *CategoricalDist {
		d := &CategoricalDist{}
		d.setup(d, name, nil, nil, false)
		d.fail(format, args...)
		return d
	}
	switch {
	case predictor == nil || cutpoints == nil:
		return invalid("predictor and cutpoints must not be nil")
	case cutpoints.Dim() == 0 || cutpoints.Shape()[cutpoints.Dim()-1] == 0:
		return invalid("cutpoints must have a last dim of at least one cutpoint, got shape %v", cutpoints.Shape())
	}
	cs := cutpoints.Shape()
	nc := cs[len(cs)-1]
	batch, ok := tensor.BroadcastShapes(predictor.Shape(), cs[:len(cs)-1])
	if !ok {
		return invalid("batch shapes do not broadcast: predictor %v, cutpoints %v", predictor.Shape(), cs)
	}
	for _, v := range predictor.Data() {
		if v != v {
			return invalid("predictor must be real, got shape %v containing NaN", predictor.Shape())
		}
	}
	cd := cutpoints.Data()
	for i := 0; i < len(cd); i += nc {
		for j := i; j < i+nc; j++ {
			if cd[j] != cd[j] || (j > i && !(cd[j] > cd[j-1])) {
				return invalid("cutpoints must be strictly increasing along the last dim, got shape %v containing %v", cs, cd[i:i+nc])
			}
		}
	}
	q := cutpoints.Sub(predictor.Unsqueeze(-1)).Sigmoid() // P(Y ≤ k), (…, C-1)
	q = q.Expand(slices.Concat(batch, []int{nc})...)
	last := len(batch)
	parts := []*tensor.Tensor{q.Narrow(last, 0, 1)}
	if nc > 1 {
		parts = append(parts, q.Narrow(last, 1, nc-1).Sub(q.Narrow(last, 0, nc-1)))
	}
	parts = append(parts, q.Narrow(last, nc-1, 1).Neg().AddScalar(1))
	return newCategoricalProbs(name, tensor.Cat(last, parts...).ClampMin(0))
}
