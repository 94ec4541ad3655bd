package tensor

import (
	"fmt"
	"slices"
)

// LinearCombination returns Σ coefs[i]·terms[i] for tensors of one shape,
// adding the terms in order. It records a single node where a chain of
// MulScalar and Add would record two per term, and its values equal the
// chain's: each product is rounded before it is added. Inference sums a
// program's many log-density terms with it. It panics if terms is empty,
// if coefs and terms differ in length, or if a shape differs from the
// first term's.
func LinearCombination(coefs []float64, terms ...*Tensor) *Tensor {
	if len(terms) == 0 || len(coefs) != len(terms) {
		panic(fmt.Sprintf("tensor: LinearCombination: %d coefficients for %d terms", len(coefs), len(terms)))
	}
	shape := terms[0].Shape()
	out := newOut(shape)
	od := out.data
	for i, t := range terms {
		if !slices.Equal(t.shape, terms[0].shape) {
			panic(fmt.Sprintf("tensor: LinearCombination: term %d has shape %v, term 0 has %v", i, t.Shape(), shape))
		}
		c, td := coefs[i], t.Data()
		if i == 0 {
			for j, v := range td {
				od[j] = float64(c * v)
			}
			continue
		}
		for j, v := range td {
			od[j] += float64(c * v) // rounded before the sum, as MulScalar then Add
		}
	}
	cs := slices.Clone(coefs)
	return record(out, "LinearCombination", func(_, g *Tensor, gin []*Tensor) {
		var neg *Tensor // −g, shared by every term with coefficient −1
		for i, c := range cs {
			switch c {
			case 1:
				gin[i] = g
			case -1:
				if neg == nil {
					neg = scaled(g, -1)
				}
				gin[i] = neg
			default:
				gin[i] = scaled(g, c)
			}
		}
	}, terms...)
}

// scaled returns g·c as a new tensor that records nothing.
func scaled(g *Tensor, c float64) *Tensor {
	out := newOut(g.shape)
	for j, v := range g.Data() {
		out.data[j] = v * c
	}
	return out
}
