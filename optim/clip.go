package optim

import (
	"fmt"
	"math"

	"github.com/vigo-ppl/vigo/internal/vecmath"
	"github.com/vigo-ppl/vigo/tensor"
)

// Clip clips each parameter's own gradient and then steps the wrapped
// optimizer, as Pyro's clip_args do. With Norm > 0, a gradient whose L2 norm
// n exceeds Norm is scaled by Norm/(n + 1e-6) (PyTorch's clip_grad_norm_ on
// that one tensor); then, with Value > 0, every element is clamped to
// [−Value, Value]. A zero Norm or Value turns that clipping off.
//
// Clipping works on copies: a refused step leaves the gradients as they were;
// after a successful step the tensors hold the clipped gradients, as after
// PyTorch's in-place clipping. Clip has no state of its own: State and
// LoadState are those of the wrapped optimizer.
type Clip struct {
	Optimizer Optimizer // the optimizer stepped with the clipped gradients
	Norm      float64   // maximum L2 norm of each parameter's gradient (0: no norm clipping)
	Value     float64   // maximum absolute value of each gradient element (0: no value clipping)
}

// Step clips the gradients and steps the wrapped optimizer; see [Optimizer].
func (c *Clip) Step(params []Param) error { return step(c, params) }

// Stage clips grads and stages the wrapped optimizer's step with them; see
// [Stager]. Its commit also stores the clipped gradients in the tensors.
func (c *Clip) Stage(params []Param, grads []*tensor.Tensor) (func(), error) {
	return c.stage(params, grads, true)
}

func (c *Clip) stageChecked(params []Param, grads []*tensor.Tensor) (func(), error) {
	return c.stage(params, grads, false)
}

// stage validates the clipping bounds and (when check is set) the
// parameters, then stages the wrapped optimizer's step with the clipped
// gradients. The wrapped optimizer does not validate the parameters again.
func (c *Clip) stage(params []Param, grads []*tensor.Tensor, check bool) (func(), error) {
	if c.Optimizer == nil {
		return nil, fmt.Errorf("optim: Clip: no optimizer to wrap")
	}
	if err := hyper("Clip", "norm", c.Norm, 0); err != nil {
		return nil, err
	}
	if err := hyper("Clip", "value", c.Value, 0); err != nil {
		return nil, err
	}
	if check {
		if err := checkParams("Clip", params, grads); err != nil {
			return nil, err
		}
	}
	return stageMapped(params, grads, c.clip, func(params []Param, clipped []*tensor.Tensor) (func(), error) {
		return stageCheckedOf(c.Optimizer, params, clipped)
	})
}

// clip returns the clipped copy of g, or g itself when nothing changes.
func (c *Clip) clip(g *tensor.Tensor) *tensor.Tensor {
	if g == nil || (c.Norm == 0 && c.Value == 0) {
		return g
	}
	if c.Norm > 0 {
		d := g.Data()
		if coef := c.Norm / (l2Norm(d) + 1e-6); coef < 1 {
			scaled := make([]float64, len(d))
			for i, v := range d {
				scaled[i] = v * coef
			}
			g = tensor.FromData(scaled, g.Shape()...)
		}
	}
	if c.Value > 0 {
		g = clampGrad(g, c.Value)
	}
	return g
}

// l2Norm returns the Euclidean norm of x: the plain square root of the sum
// of squares, rescaled only when that sum overflows or underflows.
func l2Norm(x []float64) float64 {
	ss := vecmath.Dot(x, x)
	if ss >= 0x1p-1000 && !math.IsInf(ss, 0) || math.IsNaN(ss) {
		return math.Sqrt(ss)
	}
	var scale float64
	for _, v := range x {
		if a := math.Abs(v); a > scale {
			scale = a
		}
	}
	if scale == 0 || math.IsInf(scale, 0) {
		return scale
	}
	ss = 0
	for _, v := range x {
		r := v / scale
		ss += r * r
	}
	return scale * math.Sqrt(ss)
}

// State returns the wrapped optimizer's state.
func (c *Clip) State() ([]byte, error) {
	if c.Optimizer == nil {
		return nil, fmt.Errorf("optim: Clip: no optimizer to wrap")
	}
	return stateOf(c.Optimizer)
}

// LoadState loads state into the wrapped optimizer.
func (c *Clip) LoadState(data []byte) error { return load(c, data) }

func (c *Clip) prepareLoad(data []byte) (func(), error) {
	if c.Optimizer == nil {
		return nil, fmt.Errorf("optim: Clip: no optimizer to wrap")
	}
	return prepareLoadOf(c.Optimizer, data)
}
