// Package handler provides vigo's effect handlers, the Go form of Pyro's
// poutine: each wraps a [vigo.Program] in a [vigo.Messenger] that sees every
// primitive the program makes. They compose by nesting, as poutine does:
//
//	tracer := handler.Trace(handler.Replay(model, guideTrace))
//	modelTrace, err := tracer.Get(ctx)
//
// Handlers that take arguments validate them when built; an invalid argument
// makes a program that fails with a *vigo.Error naming it when run, so a
// bad handler never runs half a model.
package handler
