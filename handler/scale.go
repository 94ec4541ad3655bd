package handler

import (
	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// Scale runs p with every site's log-density multiplied by s, which must be
// positive (Pyro's poutine.scale).
func Scale(p vigo.Program, s float64) vigo.Program {
	if !(s > 0) {
		return failing(vigo.Errorf(vigo.ValueError, "", "Expected scale > 0 but got %v", s))
	}
	return vigo.Wrap(&scaleMessenger{scale: s}, p)
}

// ScaleTensor runs p with every site's log-density multiplied elementwise by
// s, whose entries must all be positive.
func ScaleTensor(p vigo.Program, s *tensor.Tensor) vigo.Program {
	if s.Le(tensor.Scalar(0)).Any() || !s.AllFinite() {
		return failing(vigo.Errorf(vigo.ValueError, "", "Expected scale > 0 but got %v. Consider using poutine.mask() instead of poutine.scale().", s))
	}
	return vigo.Wrap(&scaleMessenger{scale: 1, tensor: s}, p)
}

type scaleMessenger struct {
	scale  float64
	tensor *tensor.Tensor
}

func (m *scaleMessenger) Process(msg *vigo.Message) {
	msg.Scale *= m.scale
	if m.tensor != nil {
		if msg.ScaleTensor == nil {
			msg.ScaleTensor = m.tensor
		} else {
			msg.ScaleTensor = msg.ScaleTensor.Mul(m.tensor)
		}
	}
}

func (m *scaleMessenger) Postprocess(*vigo.Message) {}

// KeepsNoMessages reports that scaling keeps no message.
func (m *scaleMessenger) KeepsNoMessages() bool { return true }

// Mask runs p with every site's log-density kept only where mask is 1
// (Pyro's poutine.mask). mask must hold only 0s and 1s; it combines with
// masks already present by logical and.
func Mask(p vigo.Program, mask *tensor.Tensor) vigo.Program {
	if !constraint.Boolean.Check(mask).All() {
		return failing(vigo.Errorf(vigo.ValueError, "", "Expected mask to be a boolean (0/1) tensor but got %v", mask))
	}
	return vigo.Wrap(vigo.MaskMessenger(mask), p)
}

// MaskBool runs p with every site kept (true) or masked out (false).
func MaskBool(p vigo.Program, keep bool) vigo.Program {
	v := 0.0
	if keep {
		v = 1
	}
	return Mask(p, tensor.Scalar(v))
}
