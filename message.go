package vigo

import (
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// SiteType is the kind of primitive a message comes from.
type SiteType int

const (
	// SampleSite is a random choice made by Sample (observed or latent).
	SampleSite SiteType = iota
	// ParamSite is a learnable parameter read by Param.
	ParamSite
	// SubsampleSite is data passed through Subsample.
	SubsampleSite
)

// String returns the site type as Pyro names it: "sample", "param" or "subsample".
func (t SiteType) String() string {
	switch t {
	case SampleSite:
		return "sample"
	case ParamSite:
		return "param"
	case SubsampleSite:
		return "subsample"
	}
	return "unknown"
}

// Infer holds the inference options of a site, Pyro's infer dict.
type Infer struct {
	// Enumerate requests enumeration ("sequential" or "parallel"); Trace_ELBO
	// does not enumerate and warns when it sees it.
	Enumerate string
	// IsObserved, when non-nil, overrides whether the site counts as observed.
	IsObserved *bool
	// Extra carries user-defined options.
	Extra map[string]any
	// IsAuxiliary marks a guide site that has no counterpart in the model.
	IsAuxiliary bool
	// Deterministic marks a site made by Ctx.Deterministic.
	Deterministic bool
	// DoNotTrace keeps the site out of traces.
	DoNotTrace bool
}

// Frame is one plate in a site's stack of conditionally independent
// contexts. Frames are equal when name, dim, size and counter are equal.
type Frame struct {
	Name string
	// Dim is the (negative) tensor dim of a vectorized plate, or 0 for a
	// sequential plate (Pyro's dim=None).
	Dim int
	// Size is the plate's subsample size (-1 for a plate of unknown size).
	Size int
	// Counter distinguishes iterations of a sequential plate.
	Counter int
}

// Vectorized reports whether the frame belongs to a vectorized plate.
func (f Frame) Vectorized() bool { return f.Dim != 0 }

// Message is the record a primitive sends through the handler stack. Handlers
// read and change it in Process and Postprocess.
type Message struct {
	Type SiteType
	Name string
	// Fn is the distribution of a sample site.
	Fn dist.Distribution
	// Value is the site's value: set by a handler, by the observation, or by
	// default processing.
	Value *tensor.Tensor
	// IsObserved is true for observed sample sites.
	IsObserved bool
	// Done means the value is final; Stop hides the message from outer handlers.
	Done  bool
	Stop  bool
	Infer Infer
	// Scale multiplies the site's log-density; ScaleTensor, when non-nil,
	// multiplies it further elementwise.
	Scale       float64
	ScaleTensor *tensor.Tensor
	// Mask, when non-nil, is a 0/1 tensor: log-density is kept where 1.
	Mask *tensor.Tensor
	// Stack lists the enclosing plates, outermost first.
	Stack []Frame
	// Continuation, if set, is called after processing.
	Continuation func(*Message)

	// Param sites: the initial value or its lazy constructor, the
	// constraint and the event dim given by the user (-1 when not given).
	Init       *tensor.Tensor
	InitFn     func() *tensor.Tensor
	Constraint constraint.Constraint
	EventDim   int
}

// Messenger is an effect handler. Process sees a message on its way in,
// innermost handler first; Postprocess sees it on its way out, outermost
// first. Code outside this package implements it to write new handlers.
type Messenger interface {
	Process(msg *Message)
	Postprocess(msg *Message)
}
