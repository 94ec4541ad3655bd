package handler_test

import (
	"fmt"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/tensor"
)

// Trace records every site of a run; Replay feeds one run's choices into
// another, which is how the ELBO scores the guide's sample under the model.
func ExampleReplay() {
	guide := func(c *vigo.Ctx) {
		c.Sample("z", dist.Normal(tensor.Scalar(3), tensor.Scalar(0.1)))
	}
	model := func(c *vigo.Ctx) {
		z := c.Sample("z", dist.Normal(tensor.Scalar(0), tensor.Scalar(1)))
		c.Sample("x", dist.Normal(z, tensor.Scalar(1)), vigo.Obs(tensor.Scalar(3)))
	}
	ctx := vigo.NewCtx(nil, nil)
	guideTrace, _ := handler.Trace(guide).Get(ctx)
	modelTrace, _ := handler.Trace(handler.Replay(model, guideTrace)).Get(ctx)
	fmt.Println(modelTrace.Names())
	fmt.Println(modelTrace.Site("z").Value == guideTrace.Site("z").Value, modelTrace.Site("x").IsObserved)
	// Output:
	// [z x]
	// true true
}

// Condition turns a latent site into an observed one.
func ExampleCondition() {
	model := func(c *vigo.Ctx) {
		c.Sample("z", dist.Normal(tensor.Scalar(0), tensor.Scalar(1)))
	}
	tr, _ := handler.Trace(handler.Condition(model, map[string]*tensor.Tensor{"z": tensor.Scalar(0.5)})).Get(vigo.NewCtx(nil, nil))
	z := tr.Site("z")
	fmt.Println(z.Value, z.IsObserved)
	// Output: 0.5 true
}
