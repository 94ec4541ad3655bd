package handler

import (
	"fmt"

	"github.com/vigo-ppl/vigo"
)

// Tracer runs a program and records every site it visits in a fresh
// *vigo.Trace on each run (Pyro's poutine.trace with the flat graph type).
type Tracer struct {
	program vigo.Program
	// ParamOnly records only param sites.
	ParamOnly bool
	last      *vigo.Trace
}

// Trace wraps p in a trace handler.
func Trace(p vigo.Program) *Tracer { return &Tracer{program: p} }

// Run runs the program under the trace handler; it is itself a vigo.Program,
// so tracers nest inside other handlers.
func (t *Tracer) Run(c *vigo.Ctx) {
	t.last = vigo.NewTrace()
	c.With(&traceMessenger{tr: t.last, paramOnly: t.ParamOnly}, func() { t.program(c) })
}

// Trace returns the trace of the most recent run (nil before the first).
func (t *Tracer) Trace() *vigo.Trace { return t.last }

// Get runs the program in c and returns its trace. An error raised inside
// the program comes back with the trace's shape table appended.
func (t *Tracer) Get(c *vigo.Ctx) (*vigo.Trace, error) {
	err := c.Run(t.Run)
	if err != nil {
		if e, ok := vigo.AsError(err); ok && t.last != nil {
			return t.last, &vigo.Error{Kind: e.Kind, Site: e.Site, Err: e,
				Msg: fmt.Sprintf("%s\n%s", e.Msg, t.last.FormatShapes())}
		}
		return t.last, err
	}
	return t.last, nil
}

type traceMessenger struct {
	tr        *vigo.Trace
	paramOnly bool
}

func (m *traceMessenger) Process(*vigo.Message) {}

// KeepsNoMessages reports that a trace keeps copies, not the messages.
func (m *traceMessenger) KeepsNoMessages() bool { return true }

func (m *traceMessenger) Postprocess(msg *vigo.Message) {
	switch msg.Type {
	case vigo.SampleSite:
		if m.paramOnly || msg.Infer.DoNotTrace {
			return
		}
		m.tr.Add(msg)
	case vigo.ParamSite:
		m.tr.Add(msg)
	}
}
