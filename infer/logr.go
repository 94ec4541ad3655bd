package infer

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/tensor"
)

// frameTensors is a sum of tensors, each indexed by the set of vectorized
// plates it lives in (Pyro's MultiFrameTensor). It holds the detached
// log-ratio terms of the model sites for partial Rao-Blackwellization.
type frameTensors struct {
	keys   []string
	frames [][]vigo.Frame
	values []*tensor.Tensor
}

func frameKey(frames []vigo.Frame) string {
	parts := make([]string, len(frames))
	for i, f := range frames {
		parts[i] = f.Name + "\x00" + strconv.Itoa(f.Dim) + "\x00" + strconv.Itoa(f.Size) + "\x00" + strconv.Itoa(f.Counter)
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x01")
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
	k := frameKey(frames)
	for i, key := range m.keys {
		if key == k {
			m.values[i] = m.values[i].Add(t)
			return
		}
	}
	m.keys = append(m.keys, k)
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
