package tensor

import (
	"fmt"
	"slices"
)

// Comparisons and logical operations return masks: float tensors holding 0
// and 1. They broadcast like [Tensor.Add] and record no gradient, whatever
// their inputs. Any nonzero value, NaN included, counts as true.

// boolFloat returns 1 for true and 0 for false.
func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Eq returns 1 where a == b and 0 elsewhere, with broadcasting.
func (a *Tensor) Eq(b *Tensor) *Tensor {
	return binaryMap("Eq", a, b, func(x, y float64) float64 { return boolFloat(x == y) })
}

// Ne returns 1 where a != b (including where either is NaN) and 0 elsewhere,
// with broadcasting.
func (a *Tensor) Ne(b *Tensor) *Tensor {
	return binaryMap("Ne", a, b, func(x, y float64) float64 { return boolFloat(x != y) })
}

// Lt returns 1 where a < b and 0 elsewhere, with broadcasting.
func (a *Tensor) Lt(b *Tensor) *Tensor {
	return binaryMap("Lt", a, b, func(x, y float64) float64 { return boolFloat(x < y) })
}

// Le returns 1 where a <= b and 0 elsewhere, with broadcasting.
func (a *Tensor) Le(b *Tensor) *Tensor {
	return binaryMap("Le", a, b, func(x, y float64) float64 { return boolFloat(x <= y) })
}

// Gt returns 1 where a > b and 0 elsewhere, with broadcasting.
func (a *Tensor) Gt(b *Tensor) *Tensor {
	return binaryMap("Gt", a, b, func(x, y float64) float64 { return boolFloat(x > y) })
}

// Ge returns 1 where a >= b and 0 elsewhere, with broadcasting.
func (a *Tensor) Ge(b *Tensor) *Tensor {
	return binaryMap("Ge", a, b, func(x, y float64) float64 { return boolFloat(x >= y) })
}

// LogicalNot returns 1 where m is 0 and 0 elsewhere.
func LogicalNot(m *Tensor) *Tensor {
	return unaryMap(m, func(x float64) float64 { return boolFloat(x == 0) })
}

// LogicalAnd returns 1 where both a and b are nonzero and 0 elsewhere, with
// broadcasting.
func LogicalAnd(a, b *Tensor) *Tensor {
	return binaryMap("LogicalAnd", a, b, func(x, y float64) float64 { return boolFloat(x != 0 && y != 0) })
}

// LogicalOr returns 1 where a or b is nonzero and 0 elsewhere, with
// broadcasting.
func LogicalOr(a, b *Tensor) *Tensor {
	return binaryMap("LogicalOr", a, b, func(x, y float64) float64 { return boolFloat(x != 0 || y != 0) })
}

// Where returns a tensor that takes its value from a where cond is nonzero and
// from b elsewhere. cond, a and b broadcast together to the result's shape.
// Gradients flow to a where cond is true and to b where it is false, summed
// back to their shapes; none flows to cond. Where a branch is not taken its
// gradient is exactly zero, even where the incoming gradient is infinite.
func Where(cond, a, b *Tensor) *Tensor {
	shape, ok := BroadcastShapes(cond.Shape(), a.Shape(), b.Shape())
	if !ok {
		panic(fmt.Sprintf("tensor: Where: shapes %v, %v and %v do not broadcast", cond.Shape(), a.Shape(), b.Shape()))
	}
	cd, ad, bd := expandedData(cond, shape), expandedData(a, shape), expandedData(b, shape)
	od := make([]float64, len(cd))
	parallelFor(len(od), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if cd[i] != 0 {
				od[i] = ad[i]
			} else {
				od[i] = bd[i]
			}
		}
	})
	out := wrap(od, shape)
	return record(out, "Where", func(out, g *Tensor, gin []*Tensor) {
		var ga, gb *Tensor
		c := cond.Detach()
		if a.requiresGrad {
			ga = binaryMap("Where", g, c, func(gv, cv float64) float64 {
				if cv != 0 {
					return gv
				}
				return 0
			}).SumTo(a.Shape())
		}
		if b.requiresGrad {
			gb = binaryMap("Where", g, c, func(gv, cv float64) float64 {
				if cv == 0 {
					return gv
				}
				return 0
			}).SumTo(b.Shape())
		}
		gin[0], gin[1] = ga, gb
	}, a, b)
}

// expandedData returns t's values broadcast to shape, copying only when t's
// shape differs from it.
func expandedData(t *Tensor, shape []int) []float64 {
	if slices.Equal(t.Shape(), shape) {
		return t.Data()
	}
	return t.Detach().Expand(shape...).Data()
}

// AllFinite reports whether no element of a is NaN or ±Inf: AllIn(Finite).
func (a *Tensor) AllFinite() bool { return a.AllIn(Finite) }

// Any reports whether some element of a is nonzero (NaN counts as nonzero).
// It is false for an empty tensor.
func (a *Tensor) Any() bool {
	for _, v := range a.Data() {
		if v != 0 {
			return true
		}
	}
	return false
}

// All reports whether every element of a is nonzero (NaN counts as nonzero).
// It is true for an empty tensor.
func (a *Tensor) All() bool {
	for _, v := range a.Data() {
		if v == 0 {
			return false
		}
	}
	return true
}
