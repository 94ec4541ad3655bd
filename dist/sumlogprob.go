package dist

import "github.com/vigo-ppl/vigo/tensor"

// SumLogProber is implemented by distributions that can sum their
// log-density over a value in one fused pass, without materializing the
// elementwise log-density. Inference uses it for large observed sites.
type SumLogProber interface {
	// SumLogProb returns LogProb(value).Sum() as a differentiable scalar,
	// and the shape LogProb(value) would have.
	SumLogProb(value *tensor.Tensor) (*tensor.Tensor, []int, error)
}
