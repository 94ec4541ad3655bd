package vigo

import (
	"fmt"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// SampleOption configures a Sample call.
type SampleOption func(*sampleConfig)

type sampleConfig struct {
	obs     *tensor.Tensor
	obsMask *tensor.Tensor
	infer   *Infer
}

// Obs observes the site at value: the site is conditioned on the data.
func Obs(value *tensor.Tensor) SampleOption {
	return func(c *sampleConfig) { c.obs = value }
}

// ObsMask observes only where mask (0/1, broadcastable to the batch shape)
// is 1; elsewhere the value is sampled as a latent (Pyro's obs_mask).
func ObsMask(mask *tensor.Tensor) SampleOption {
	return func(c *sampleConfig) { c.obsMask = mask }
}

// WithInfer sets the site's inference options.
func WithInfer(in Infer) SampleOption {
	return func(c *sampleConfig) { c.infer = &in }
}

// Auxiliary marks a guide site that has no counterpart in the model.
func Auxiliary() SampleOption {
	return func(c *sampleConfig) {
		if c.infer == nil {
			c.infer = &Infer{}
		}
		c.infer.IsAuxiliary = true
	}
}

// Sample makes the random choice name from d and returns its value. Under
// inference the value may come from a handler (replay, condition); with
// Obs the site is observed and returns the data.
func (c *Ctx) Sample(name string, d dist.Distribution, opts ...SampleOption) *tensor.Tensor {
	var cfg sampleConfig
	if len(opts) > 0 {
		cfg = sampleOptions(opts)
	}
	if d == nil {
		raise(ValueError, name, "sample site %q: nil distribution", name)
	}
	if err := d.Validate(); err != nil {
		panic(&Error{Kind: ValueError, Site: name, Msg: fmt.Sprintf("at sample site %q: %v", name, err), Err: err})
	}
	if cfg.obsMask != nil && cfg.obs != nil {
		return c.sampleMasked(name, d, cfg)
	}
	if cfg.obs != nil && !cfg.obs.AllFinite() {
		raise(ValueError, name, "at sample site %q: observed value of shape %v contains NaN or Inf", name, cfg.obs.Shape())
	}
	msg := c.newMessage()
	*msg = Message{Type: SampleSite, Name: name, Fn: d, Value: cfg.obs, IsObserved: cfg.obs != nil, Scale: 1, EventDim: -1}
	if cfg.infer != nil {
		msg.Infer = *cfg.infer
		if msg.Infer.IsObserved != nil {
			msg.IsObserved = *msg.Infer.IsObserved
		}
	}
	if len(c.stack) == 0 {
		if msg.IsObserved && !msg.Infer.Deterministic {
			c.Warn(name, fmt.Sprintf("trying to observe a value outside of inference at %s", name))
		}
		if msg.Value != nil {
			return msg.Value
		}
		return sampleFrom(d, c.rng)
	}
	c.Apply(msg)
	v := msg.Value
	c.release(msg)
	return v
}

// sampleOptions applies opts to a fresh configuration. Kept apart from
// Sample so that a call without options does not move its configuration to
// the heap.
func sampleOptions(opts []SampleOption) sampleConfig {
	var cfg sampleConfig
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// sampleMasked splits a partially observed site into an observed part and a
// latent part and records their combination as a deterministic site.
func (c *Ctx) sampleMasked(name string, d dist.Distribution, cfg sampleConfig) *tensor.Tensor {
	var observed, latent *tensor.Tensor
	withMask(c, cfg.obsMask, func() {
		observed = c.Sample(name+"_observed", d, Obs(cfg.obs))
	})
	withMask(c, tensor.LogicalNot(cfg.obsMask), func() {
		latent = c.Sample(name+"_unobserved", d)
	})
	// The mask covers batch dims only: it must broadcast with both values
	// once the event dims are appended. The values may carry plate dims
	// that the distribution's own batch shape lacks, so the check is made
	// here, after sampling, not against d.BatchShape().
	m := cfg.obsMask
	for range d.EventShape() {
		m = m.Unsqueeze(-1)
	}
	if _, ok := tensor.BroadcastShapes(m.Shape(), observed.Shape(), latent.Shape()); !ok {
		raise(ValueError, name, "Invalid obs_mask shape %v; should be broadcastable to batch_shape = %v", cfg.obsMask.Shape(), d.BatchShape())
	}
	value := tensor.Where(m, observed, latent)
	return c.Deterministic(name, value, len(d.EventShape()))
}

// ParamOption configures a Param call.
type ParamOption func(*Message)

// Constrain sets the constraint the parameter's value lives in; the store
// keeps it unconstrained and maps it through transform.TransformTo.
func Constrain(cs constraint.Constraint) ParamOption {
	return func(m *Message) { m.Constraint = cs }
}

// EventDim declares how many rightmost dims of the parameter form one event,
// so that enclosing subsampled plates select its batch entries.
func EventDim(n int) ParamOption {
	return func(m *Message) { m.EventDim = n }
}

// LazyInit gives the parameter's initial value as a function, evaluated only
// when the parameter is created.
func LazyInit(f func() *tensor.Tensor) ParamOption {
	return func(m *Message) { m.InitFn = f }
}

// Param returns the constrained value of the learnable parameter name,
// creating it from init (or a LazyInit function) the first time. With a nil
// init and no lazy initializer the parameter must already exist. On later
// calls init and the constraint are ignored.
func (c *Ctx) Param(name string, init *tensor.Tensor, opts ...ParamOption) *tensor.Tensor {
	var msg *Message
	if len(opts) == 0 {
		msg = c.newMessage()
	} else {
		msg = new(Message) // an option is a function the message is shown to
	}
	*msg = Message{Type: ParamSite, Name: name, Init: init, Scale: 1, EventDim: -1, Constraint: constraint.Real}
	for _, o := range opts {
		o(msg)
	}
	var v *tensor.Tensor
	if len(c.stack) == 0 {
		v = c.store.getOrCreate(name, msg.Init, msg.InitFn, msg.Constraint, c.noGrad)
	} else {
		c.Apply(msg)
		v = msg.Value
	}
	if len(opts) == 0 {
		c.release(msg)
	}
	return v
}

// Subsample passes data through the enclosing subsampled plates, which
// select the rows of the current minibatch along each plate's dim. eventDim
// is the number of rightmost dims that are not batch dims.
func (c *Ctx) Subsample(data *tensor.Tensor, eventDim int) *tensor.Tensor {
	if len(c.stack) == 0 {
		return data
	}
	msg := &Message{Type: SubsampleSite, Name: "_subsample", Value: data, Scale: 1, EventDim: eventDim}
	c.Apply(msg)
	return msg.Value
}

// Factor adds logFactor to the model's log-density as an observed site
// (Pyro's pyro.factor). In a guide, pass FactorRSample to say whether the
// term comes from reparameterized sampling.
func (c *Ctx) Factor(name string, logFactor *tensor.Tensor, opts ...FactorOption) {
	var d dist.Distribution = dist.Unit(logFactor)
	for _, o := range opts {
		d = o(d)
	}
	c.Sample(name, d, Obs(tensor.Zeros(append(logFactor.Shape(), 0)...)), WithInfer(Infer{IsAuxiliary: true}))
}

// FactorOption configures a Factor call.
type FactorOption func(dist.Distribution) dist.Distribution

// FactorRSample records whether a guide's factor arises from reparameterized
// sampling (Pyro's has_rsample argument).
func FactorRSample(on bool) FactorOption {
	return func(d dist.Distribution) dist.Distribution { return d.WithRSample(on) }
}

// Deterministic records value as an observed site of zero log-density named
// name, so it appears in traces, and returns it. eventDim is the number of
// rightmost dims forming one event (the value's full rank in Pyro's default).
func (c *Ctx) Deterministic(name string, value *tensor.Tensor, eventDim int) *tensor.Tensor {
	if len(c.stack) == 0 {
		return value
	}
	d := dist.Delta(value, nil, eventDim).Mask(tensor.Scalar(0))
	msg := &Message{Type: SampleSite, Name: name, Fn: d, Value: value, IsObserved: true, Scale: 1, EventDim: -1,
		Infer: Infer{Deterministic: true}}
	c.Apply(msg)
	return msg.Value
}
