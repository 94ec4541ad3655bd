// Package vigo is probabilistic programming for Go, centred on stochastic
// variational inference.
//
// A model or guide is a plain Go function that receives a [*Ctx] and makes
// named random choices with [Ctx.Sample], reads learnable parameters with
// [Ctx.Param] and declares conditional independence with [Ctx.Plate]:
//
//	func model(p *vigo.Ctx, data *tensor.Tensor) {
//		loc := p.Param("loc", tensor.Scalar(0))
//		scale := p.Param("scale", tensor.Scalar(1), vigo.Constrain(constraint.Positive))
//		p.Plate("data", data.Shape()[0], func(idx *tensor.Tensor) {
//			p.Sample("obs", dist.Normal(loc, scale), vigo.Obs(data))
//		})
//	}
//
// # Effect handlers
//
// Every primitive becomes a [Message] that flows through the context's stack
// of handlers ([Messenger]): innermost first on the way in (Process), then
// default processing (sampling, reading the [ParamStore]), then outermost
// first on the way out (Postprocess). The handler package provides Pyro's
// poutine handlers (trace, replay, block, condition, scale, mask, ...);
// inference in package infer is built from them.
//
// # Errors
//
// A primitive that meets bad input (a site named twice, a shape that
// disagrees with its plates, an invalid distribution parameter, NaN data)
// panics with a [*Error] naming the site. Inference entry points recover
// exactly those panics and return them as errors; any other panic is a bug.
// Warnings are values ([*Warning]) handed to a [WarnFunc]; [StrictWarnings]
// turns them into errors.
package vigo
