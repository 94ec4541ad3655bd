package transform

import (
	"fmt"
	"strings"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
)

// composeT applies its parts in order.
type composeT struct{ parts []Transform }

// Compose returns the transform that applies ts in order: Forward is
// ts[n-1](...ts[0](x)), Inverse undoes them in reverse, and the log-det
// Jacobian adds the parts', each summed over the event dims it does not
// share with the whole chain. With no arguments it returns [Identity]; with
// one it returns that transform. It panics if a part is nil.
func Compose(ts ...Transform) Transform {
	for i, t := range ts {
		if t == nil {
			panic(fmt.Sprintf("transform: Compose: part %d is nil", i))
		}
	}
	switch len(ts) {
	case 0:
		return Identity
	case 1:
		return ts[0]
	}
	return &composeT{append([]Transform(nil), ts...)}
}

func (c *composeT) Forward(x *tensor.Tensor) *tensor.Tensor {
	for _, p := range c.parts {
		x = p.Forward(x)
	}
	return x
}

func (c *composeT) Inverse(y *tensor.Tensor) *tensor.Tensor {
	for i := len(c.parts) - 1; i >= 0; i-- {
		y = c.parts[i].Inverse(y)
	}
	return y
}

// LogAbsDetJacobian recomputes the intermediate values from x (the last
// one is y) and adds the parts' terms.
func (c *composeT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	ed := c.DomainEventDim()
	var total *tensor.Tensor
	for i, p := range c.parts {
		next := y
		if i < len(c.parts)-1 {
			next = p.Forward(x)
		}
		term := sumRightmost(p.LogAbsDetJacobian(x, next), ed-p.DomainEventDim())
		if total == nil {
			total = term
		} else {
			total = total.Add(term)
		}
		ed += p.CodomainEventDim() - p.DomainEventDim()
		x = next
	}
	return total
}

// DomainEventDim is the largest number of dims any part treats as one
// event, carried back to the input.
func (c *composeT) DomainEventDim() int {
	ed := c.parts[len(c.parts)-1].CodomainEventDim()
	for i := len(c.parts) - 1; i >= 0; i-- {
		p := c.parts[i]
		ed = max(ed+p.DomainEventDim()-p.CodomainEventDim(), p.DomainEventDim())
	}
	return ed
}

// CodomainEventDim is the largest number of dims any part treats as one
// event, carried forward to the output.
func (c *composeT) CodomainEventDim() int {
	ed := c.parts[0].DomainEventDim()
	for _, p := range c.parts {
		ed = max(ed+p.CodomainEventDim()-p.DomainEventDim(), p.CodomainEventDim())
	}
	return ed
}

func (c *composeT) ForwardShape(shape []int) []int {
	for _, p := range c.parts {
		shape = p.ForwardShape(shape)
	}
	return shape
}

func (c *composeT) InverseShape(shape []int) []int {
	for i := len(c.parts) - 1; i >= 0; i-- {
		shape = c.parts[i].InverseShape(shape)
	}
	return shape
}

// Domain is the first part's domain, with extra event dims when later
// parts treat more dims as one event.
func (c *composeT) Domain() constraint.Constraint {
	return widen(c.parts[0].Domain(), c.DomainEventDim())
}

// Codomain is the last part's codomain, widened like Domain.
func (c *composeT) Codomain() constraint.Constraint {
	return widen(c.parts[len(c.parts)-1].Codomain(), c.CodomainEventDim())
}

// widen reinterprets batch dims of c as event dims until it has ed.
func widen(c constraint.Constraint, ed int) constraint.Constraint {
	if ed > c.EventDim() {
		return constraint.IndependentOf(c, ed-c.EventDim())
	}
	return c
}

func (c *composeT) Bijective() bool {
	for _, p := range c.parts {
		if !p.Bijective() {
			return false
		}
	}
	return true
}

func (c *composeT) String() string {
	names := make([]string, len(c.parts))
	for i, p := range c.parts {
		names[i] = fmt.Sprint(p)
	}
	return "Compose(" + strings.Join(names, ", ") + ")"
}

// inverseT swaps the directions of t.
type inverseT struct{ t Transform }

// Inverse returns the transform that runs t backwards: its Forward is
// t.Inverse and its log-det Jacobian at (y, x) is minus t's at (x, y).
// Inverse(Inverse(t)) returns t. It panics if t is nil.
func Inverse(t Transform) Transform {
	if t == nil {
		panic("transform: Inverse: nil transform")
	}
	if inv, ok := t.(*inverseT); ok {
		return inv.t
	}
	return &inverseT{t}
}

func (i *inverseT) Forward(y *tensor.Tensor) *tensor.Tensor { return i.t.Inverse(y) }
func (i *inverseT) Inverse(x *tensor.Tensor) *tensor.Tensor { return i.t.Forward(x) }
func (i *inverseT) LogAbsDetJacobian(y, x *tensor.Tensor) *tensor.Tensor {
	return i.t.LogAbsDetJacobian(x, y).Neg()
}
func (i *inverseT) DomainEventDim() int             { return i.t.CodomainEventDim() }
func (i *inverseT) CodomainEventDim() int           { return i.t.DomainEventDim() }
func (i *inverseT) ForwardShape(shape []int) []int  { return i.t.InverseShape(shape) }
func (i *inverseT) InverseShape(shape []int) []int  { return i.t.ForwardShape(shape) }
func (i *inverseT) Domain() constraint.Constraint   { return i.t.Codomain() }
func (i *inverseT) Codomain() constraint.Constraint { return i.t.Domain() }
func (i *inverseT) Bijective() bool                 { return i.t.Bijective() }
func (i *inverseT) String() string                  { return fmt.Sprintf("Inverse(%v)", i.t) }

// independentT treats n more rightmost dims of t as one event.
type independentT struct {
	t Transform
	n int
}

// Independent returns t with its n rightmost batch dims reinterpreted as
// event dims: values are unchanged, and the log-det Jacobian is summed over
// those n dims. It panics if t is nil or n is negative.
func Independent(t Transform, n int) Transform {
	if t == nil {
		panic("transform: Independent: nil transform")
	}
	if n < 0 {
		panic(fmt.Sprintf("transform: Independent: negative dims %d", n))
	}
	if n == 0 {
		return t
	}
	return &independentT{t, n}
}

func (d *independentT) Forward(x *tensor.Tensor) *tensor.Tensor {
	needDims("Independent", x.Shape(), d.DomainEventDim())
	return d.t.Forward(x)
}
func (d *independentT) Inverse(y *tensor.Tensor) *tensor.Tensor {
	needDims("Independent", y.Shape(), d.CodomainEventDim())
	return d.t.Inverse(y)
}
func (d *independentT) LogAbsDetJacobian(x, y *tensor.Tensor) *tensor.Tensor {
	return sumRightmost(d.t.LogAbsDetJacobian(x, y), d.n)
}
func (d *independentT) DomainEventDim() int            { return d.t.DomainEventDim() + d.n }
func (d *independentT) CodomainEventDim() int          { return d.t.CodomainEventDim() + d.n }
func (d *independentT) ForwardShape(shape []int) []int { return d.t.ForwardShape(shape) }
func (d *independentT) InverseShape(shape []int) []int { return d.t.InverseShape(shape) }
func (d *independentT) Domain() constraint.Constraint {
	return constraint.IndependentOf(d.t.Domain(), d.n)
}
func (d *independentT) Codomain() constraint.Constraint {
	return constraint.IndependentOf(d.t.Codomain(), d.n)
}
func (d *independentT) Bijective() bool { return d.t.Bijective() }
func (d *independentT) String() string  { return fmt.Sprintf("Independent(%v, %d)", d.t, d.n) }
