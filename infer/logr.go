package infer

import (
	"slices"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/tensor"
)

// frameTensors is a sum of tensors, each indexed by the set of vectorized
// plates it lives in (Pyro's MultiFrameTensor). It holds the detached
// log-ratio terms of the model sites for partial Rao-Blackwellization.
type frameTensors struct {
	frames [][]vigo.Frame
	values []*tensor.Tensor
}

// sameFrames reports whether a and b hold the same frames in any order (a
// stack never holds a frame twice).
func sameFrames(a, b []vigo.Frame) bool {
	if len(a) != len(b) {
		return false
	}
	for _, f := range a {
		if !slices.Contains(b, f) {
			return false
		}
	}
	return true
}

// vectorizedFrames returns the frames of a stack that have a tensor dim.
func vectorizedFrames(stack []vigo.Frame) []vigo.Frame {
	var out []vigo.Frame
	for _, f := range stack {
		if f.Dim != 0 {
			out = append(out, f)
		}
	}
	return out
}

// add adds t under the given frames, summing with a term already there.
func (m *frameTensors) add(frames []vigo.Frame, t *tensor.Tensor) {
	for i, fs := range m.frames {
		if sameFrames(fs, frames) {
			m.values[i] = m.values[i].Add(t)
			return
		}
	}
	m.frames = append(m.frames, frames)
	m.values = append(m.values, t)
}

// sumTo sums every term over the plates that are not in target, keeping the
// dims of target's plates, and adds the results (nil when there are none).
func (m *frameTensors) sumTo(target []vigo.Frame) *tensor.Tensor {
	var total *tensor.Tensor
	for i, t := range m.values {
		for _, f := range m.frames[i] {
			if slices.Contains(target, f) {
				continue
			}
			d := t.Dim() + f.Dim
			if d >= 0 && t.Shape()[d] != 1 {
				t = t.SumDims(true, f.Dim)
			}
		}
		for t.Dim() > 0 && t.Shape()[0] == 1 {
			t = t.Reshape(t.Shape()[1:]...)
		}
		if total == nil {
			total = t
		} else {
			total = total.Add(t)
		}
	}
	return total
}
