package vigo

import (
	"math/rand/v2"
	"slices"

	"github.com/vigo-ppl/vigo/tensor"
)

// Program is a model or guide bound to its arguments.
type Program func(*Ctx)

// Bind turns a model or guide taking arguments into a Program.
func Bind[A any](fn func(*Ctx, A), args A) Program {
	return func(c *Ctx) { fn(c, args) }
}

// Ctx is what a model or guide receives: the parameter store, the random
// source and the stack of effect handlers that its primitives go through.
// A Ctx belongs to one goroutine; concurrent runs use one Ctx each and may
// share a ParamStore.
type Ctx struct {
	store *ParamStore
	rng   *rand.Rand
	stack []Messenger // innermost last
	warn  WarnFunc

	active []activePlate // vectorized plates in use
	noGrad bool

	indexCache *IndexCache

	// room for the handler stack and plates of a typical program, so a
	// context is one allocation
	stackBuf  [6]Messenger
	activeBuf [2]activePlate

	spare *Message // a message record free for reuse; see newMessage
}

// messageKeeper is implemented by handlers that can say whether they keep
// references to the messages they see once Postprocess returns.
type messageKeeper interface{ KeepsNoMessages() bool }

// newMessage returns a zero message record, reusing the last one released.
func (c *Ctx) newMessage() *Message {
	if m := c.spare; m != nil {
		c.spare = nil
		return m
	}
	return new(Message)
}

// release offers msg, whose Apply has returned, for reuse. It is kept only
// when nothing can still refer to it: no continuation, and every handler on
// the stack known to keep no messages (traces keep copies). A handler
// written outside vigo is assumed to keep them.
func (c *Ctx) release(msg *Message) {
	if msg.Continuation != nil {
		return
	}
	for _, m := range c.stack {
		switch h := m.(type) {
		case *Plate, *maskMessenger:
		case messageKeeper:
			if !h.KeepsNoMessages() {
				return
			}
		default:
			return
		}
	}
	*msg = Message{}
	c.spare = msg
}

// NewCtx returns a context reading parameters from store and drawing random
// numbers from rng. A nil store gets a fresh one; a nil rng a PCG seeded with 0.
func NewCtx(store *ParamStore, rng *rand.Rand) *Ctx {
	if store == nil {
		store = NewParamStore()
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	c := &Ctx{store: store, rng: rng}
	c.stack, c.active = c.stackBuf[:0], c.activeBuf[:0]
	return c
}

// activePlate is a vectorized plate holding a tensor dim.
type activePlate struct {
	name string
	dim  int
}

// Store returns the parameter store the context reads from.
func (c *Ctx) Store() *ParamStore { return c.store }

// Rand returns the context's random source.
func (c *Ctx) Rand() *rand.Rand { return c.rng }

// SetRand replaces the context's random source and returns the previous one.
func (c *Ctx) SetRand(rng *rand.Rand) *rand.Rand {
	old := c.rng
	c.rng = rng
	return old
}

// SetWarn sets the sink that receives warnings raised while running
// programs in this context; nil logs nothing (warnings are dropped).
func (c *Ctx) SetWarn(w WarnFunc) { c.warn = w }

// SetNoGrad makes parameters read through this context detached from their
// leaves, so evaluation builds no gradient graph.
func (c *Ctx) SetNoGrad(on bool) { c.noGrad = on }

// Warn delivers a warning to the context's sink; in strict mode the warning
// becomes an error raised at the current site.
func (c *Ctx) Warn(site, msg string) {
	if c.warn == nil {
		return
	}
	if err := c.warn(&Warning{Site: site, Msg: msg}); err != nil {
		if e, ok := err.(*Error); ok {
			panic(e)
		}
		panic(&Error{Kind: WarningError, Site: site, Msg: err.Error(), Err: err})
	}
}

// Run runs p in this context and returns the *Error it raised, if any.
func (c *Ctx) Run(p Program) error {
	return Recover(func() { p(c) })
}

// With runs body with m installed as the innermost handler, removing it (and
// anything installed above it) afterwards, even on panic.
func (c *Ctx) With(m Messenger, body func()) {
	if slices.Contains(c.stack, m) {
		raise(ValueError, "", "cannot install a messenger instance twice")
	}
	depth := len(c.stack)
	c.stack = append(c.stack, m)
	defer func() { c.stack = c.stack[:depth] }()
	body()
}

// Wrap returns a program that runs p with m installed as its innermost handler.
func Wrap(m Messenger, p Program) Program {
	return func(c *Ctx) { c.With(m, func() { p(c) }) }
}

// Handlers returns the active handlers, innermost last. The caller must not
// modify the slice.
func (c *Ctx) Handlers() []Messenger { return c.stack }

// WithHandlers runs body with the handler stack replaced by stack, restoring
// it afterwards. BlockPlate and similar handlers use it.
func (c *Ctx) WithHandlers(stack []Messenger, body func()) {
	old := c.stack
	c.stack = stack
	defer func() { c.stack = old }()
	body()
}

// Apply sends msg through the handler stack (spec §1.2): Process from the
// innermost handler outwards until one sets Stop, default processing, then
// Postprocess from the outermost visited handler inwards, then the continuation.
func (c *Ctx) Apply(msg *Message) {
	visited := len(c.stack)
	for i := len(c.stack) - 1; i >= 0; i-- {
		c.stack[i].Process(msg)
		if msg.Stop {
			visited = len(c.stack) - i
			break
		}
	}
	c.defaultProcess(msg)
	for i := len(c.stack) - visited; i < len(c.stack); i++ {
		c.stack[i].Postprocess(msg)
	}
	if msg.Continuation != nil {
		msg.Continuation(msg)
	}
}

func (c *Ctx) defaultProcess(msg *Message) {
	if msg.Done || msg.IsObserved || msg.Value != nil {
		msg.Done = true
		return
	}
	switch msg.Type {
	case SampleSite:
		msg.Value = sampleFrom(msg.Fn, c.rng)
	case ParamSite:
		msg.Value = c.store.getOrCreate(msg.Name, msg.Init, msg.InitFn, msg.Constraint, c.noGrad)
	}
	msg.Done = true
}

// sampleFrom draws one value: pathwise when the distribution allows it.
func sampleFrom(d interface {
	HasRSample() bool
	Sample(*rand.Rand, ...int) *tensor.Tensor
	RSample(*rand.Rand, ...int) *tensor.Tensor
}, rng *rand.Rand) *tensor.Tensor {
	if d.HasRSample() {
		return d.RSample(rng)
	}
	return d.Sample(rng)
}
