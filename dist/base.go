package dist

import (
	"fmt"
	"math"
	"slices"

	"github.com/vigo-ppl/vigo/tensor"
)

// Entropier is implemented by distributions with a closed-form entropy.
type Entropier interface {
	// Entropy returns the differential entropy of each distribution in the
	// batch, of shape BatchShape.
	Entropy() *tensor.Tensor
}

// base holds what every distribution of this package shares and implements
// the methods that do not depend on the family: shapes, the has-rsample
// switch, validation state, ToEvent, Mask, WithRSample and the default score
// parts rule.
//
// A family embeds base, sets it up in its constructor with setup (passing
// the family value itself as self), and implements Sample, RSample,
// LogProb, Mean, Variance, Support and Expand. Expand must return a fresh
// copy (also for an unchanged shape) made with expandTo, so that
// WithRSample and WithValidation can copy a distribution through it.
type base struct {
	name       string // family name used in error messages, e.g. "Normal"
	batch      []int
	event      []int
	rsample    bool   // the family's has_rsample
	override   *bool  // per-instance has_rsample set by WithRSample
	noValidate bool   // parameter and support checks off
	err        error  // first invalid argument found
	msg        string // err's message without the family name
	self       Distribution
}

// baser gives access to the embedded base of a distribution of this package.
type baser interface{ baseOf() *base }

func (b *base) baseOf() *base { return b }

// setup initialises b for the distribution self.
func (b *base) setup(self Distribution, name string, batch, event []int, rsample bool) {
	b.self = self
	b.name = name
	if b.err != nil {
		// recorded while computing the batch shape, before the name was known
		b.err = fmt.Errorf("dist: %s: %s", name, b.msg)
	}
	b.batch = slices.Clone(batch)
	if b.batch == nil {
		b.batch = []int{}
	}
	b.event = slices.Clone(event)
	if b.event == nil {
		b.event = []int{}
	}
	b.rsample = rsample
}

// fail records an invalid-argument error unless one is recorded already.
func (b *base) fail(format string, args ...any) {
	if b.err == nil {
		b.msg = fmt.Sprintf(format, args...)
		b.err = fmt.Errorf("dist: %s: %s", b.name, b.msg)
	}
}

// expandTo sets the batch shape of the copy self to shape, recording an
// error when the current batch shape does not broadcast to it.
func (b *base) expandTo(self Distribution, shape []int) {
	if s, ok := tensor.BroadcastShapes(b.batch, shape); !ok || !slices.Equal(s, shape) {
		b.fail("cannot expand batch shape %v to %v", b.batch, shape)
	} else {
		b.batch = slices.Clone(shape)
	}
	b.self = self
}

// BatchShape returns the shape of the batch of distributions.
func (b *base) BatchShape() []int { return b.batch }

// EventShape returns the shape of one draw.
func (b *base) EventShape() []int { return b.event }

// HasRSample reports whether RSample is pathwise differentiable: the value
// set by WithRSample, else the family's default.
func (b *base) HasRSample() bool {
	if b.override != nil {
		return *b.override
	}
	return b.rsample
}

// RSampleOverride returns the value given to WithRSample and whether one
// was given (Pyro's instance-level has_rsample; the ELBO uses it to insist
// that factor statements in a guide say whether they are reparameterized).
func (b *base) RSampleOverride() (on, set bool) {
	if b.override == nil {
		return false, false
	}
	return *b.override, true
}

// inheritOverride copies the per-instance has_rsample setting of a wrapped
// distribution, so that a wrapper reports it too.
func (b *base) inheritOverride(inner Distribution) {
	if o, ok := inner.(RSampleOverrider); ok {
		if on, set := o.RSampleOverride(); set {
			b.override = &on
		}
	}
}

// RSampleOverrider is implemented by distributions that can report a
// per-instance has_rsample setting; every distribution of this package does.
type RSampleOverrider interface {
	RSampleOverride() (on, set bool)
}

// Validate returns the first invalid argument found when the distribution
// was built, or nil (also when validation is off).
func (b *base) Validate() error {
	if b.noValidate {
		return nil
	}
	return b.err
}

// validating reports whether value and parameter checks are on.
func (b *base) validating() bool { return !b.noValidate }

// WithRSample returns a copy whose HasRSample reports on.
func (b *base) WithRSample(on bool) Distribution {
	c := b.self.Expand(b.batch...)
	c.(baser).baseOf().override = &on
	return c
}

// ToEvent reinterprets the n rightmost batch dims as event dims.
func (b *base) ToEvent(n int) Distribution { return Independent(b.self, n) }

// Mask returns the distribution whose log-density is zero where mask is 0.
func (b *base) Mask(mask *tensor.Tensor) Distribution { return Mask(b.self, mask) }

// ScoreParts applies the default rule: a reparameterized distribution gives
// (lp, nil, lp), any other (lp, lp, nil).
func (b *base) ScoreParts(value *tensor.Tensor) (ScoreParts, error) {
	lp, err := b.self.LogProb(value)
	if err != nil {
		return ScoreParts{}, err
	}
	return defaultParts(lp, b.self.HasRSample()), nil
}

// defaultParts builds the score parts of the default rule.
func defaultParts(lp *tensor.Tensor, rsample bool) ScoreParts {
	if rsample {
		return ScoreParts{LogProb: lp, EntropyTerm: lp}
	}
	return ScoreParts{LogProb: lp, ScoreFunction: lp}
}

// shapeOf returns sampleShape + BatchShape + EventShape.
func (b *base) shapeOf(sampleShape []int) []int {
	s := make([]int, 0, len(sampleShape)+len(b.batch)+len(b.event))
	s = append(s, sampleShape...)
	s = append(s, b.batch...)
	return append(s, b.event...)
}

// logProbShape checks value against the event shape and returns the shape
// of LogProb's result, broadcast(BatchShape, value's batch part).
func (b *base) logProbShape(value *tensor.Tensor) ([]int, error) {
	if value == nil {
		return nil, fmt.Errorf("dist: %s: LogProb of a nil value", b.name)
	}
	vs := value.Shape()
	ne := len(b.event)
	if len(vs) < ne || !slices.Equal(vs[len(vs)-ne:], b.event) {
		return nil, fmt.Errorf("dist: %s: value shape %v does not end in event shape %v", b.name, vs, b.event)
	}
	s, ok := tensor.BroadcastShapes(b.batch, vs[:len(vs)-ne])
	if !ok {
		return nil, fmt.Errorf("dist: %s: value shape %v does not broadcast with batch shape %v and event shape %v", b.name, vs, b.batch, b.event)
	}
	return s, nil
}

// checkLogProb runs the checks every LogProb starts with: the recorded
// parameter error and the value's shape. It returns the result shape.
func (b *base) checkLogProb(value *tensor.Tensor) ([]int, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b.logProbShape(value)
}

// checkValues reports the first value of t failing ok as an out-of-support
// error, when validation is on.
func (b *base) checkValues(value *tensor.Tensor, what string, ok func(float64) bool) error {
	if !b.validating() {
		return nil
	}
	for _, v := range value.Data() {
		if !ok(v) {
			return b.supportError(value, what, v)
		}
	}
	return nil
}

// checkValuesIn reports the first value outside set as an out-of-support
// error naming the support what, when validation is on. Observed data,
// passed again every step, is scanned once: AllIn caches the answer.
func (b *base) checkValuesIn(value *tensor.Tensor, what string, set tensor.ValueSet) error {
	if !b.validating() || value.AllIn(set) {
		return nil
	}
	return b.supportError(value, what, firstOutside(value, []tensor.ValueSet{set}))
}

// checkNonNegativeValues is checkValuesIn for the nonnegative support.
func (b *base) checkNonNegativeValues(value *tensor.Tensor) error {
	return b.checkValuesIn(value, "nonnegative", tensor.NonNegative)
}

// checkUnitValues is checkValuesIn for the unit interval [0, 1].
func (b *base) checkUnitValues(value *tensor.Tensor) error {
	return b.checkValuesIn(value, "unit interval", tensor.UnitInterval)
}

// checkRealSupport is checkRealValues for a family supported on the real
// line.
func (b *base) checkRealSupport(value *tensor.Tensor) error { return b.checkRealValues(value, "real") }

// checkRealValues reports a NaN in value as an out-of-support error naming
// the support what (such as "real"), when validation is on. Finite tensors,
// the usual case, pass with the cached AllFinite scan instead of a
// predicate call per element.
func (b *base) checkRealValues(value *tensor.Tensor, what string) error {
	if !b.validating() || value.AllFinite() {
		return nil
	}
	return b.checkValuesIn(value, what, tensor.NotNaN)
}

// checkReal records an error when the parameter t holds a NaN; like
// checkRealValues it scans finite tensors without a per-element call.
func (b *base) checkReal(arg string, t *tensor.Tensor) {
	if t != nil && t.AllFinite() {
		return
	}
	b.checkParam(arg, t, "real", tensor.NotNaN)
}

// checkParam records an error, describing the allowed values as what, when
// the parameter t is nil or holds a value outside one of sets (NaN is in
// none but NotNaN). A tensor passed again, such as a constant, is not
// rescanned: AllIn caches its answer.
func (b *base) checkParam(arg string, t *tensor.Tensor, what string, sets ...tensor.ValueSet) {
	if t == nil {
		b.fail("%s is nil", arg)
		return
	}
	for _, s := range sets {
		if !t.AllIn(s) {
			b.fail("%s must be %s, got shape %v containing %g", arg, what, t.Shape(), firstOutside(t, sets))
			return
		}
	}
}

// firstOutside returns the first value of t outside one of sets (NaN when
// there is none).
func firstOutside(t *tensor.Tensor, sets []tensor.ValueSet) float64 {
	for _, v := range t.Data() {
		for _, s := range sets {
			if !s.Contains(v) {
				return v
			}
		}
	}
	return math.NaN()
}

// broadcastParams returns the broadcast shape of the parameters, recording
// an error naming them when they do not broadcast.
func (b *base) broadcastParams(names []string, ts ...*tensor.Tensor) []int {
	var buf [3][]int // the families have at most three parameters
	shapes := buf[:0]
	for i, t := range ts {
		if t == nil {
			b.fail("%s is nil", names[i])
			return []int{}
		}
		shapes = append(shapes, t.Shape())
	}
	s, ok := tensor.BroadcastShapes(shapes...)
	if !ok {
		desc := ""
		for i, t := range ts {
			if i > 0 {
				desc += ", "
			}
			desc += fmt.Sprintf("%s %v", names[i], t.Shape())
		}
		b.fail("parameter shapes do not broadcast: %s", desc)
		return []int{}
	}
	return s
}

// WithValidation returns a copy of d with its parameter and support checks
// turned on or off (they are on by default). Distributions not made by this
// package are returned unchanged.
func WithValidation(d Distribution, on bool) Distribution {
	if v, ok := d.(interface {
		withValidation(on bool) Distribution
	}); ok {
		return v.withValidation(on)
	}
	if bs, ok := d.(baser); ok {
		c := d.Expand(bs.baseOf().batch...)
		c.(baser).baseOf().noValidate = !on
		return c
	}
	return d
}
