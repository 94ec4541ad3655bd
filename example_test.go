package vigo_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/tensor"
)

// model draws a latent mean z and observes data around it.
func model(c *vigo.Ctx, data *tensor.Tensor) {
	loc := c.Param("loc", tensor.Scalar(0))
	scale := c.Param("scale", tensor.Scalar(1), vigo.Constrain(constraint.Positive))
	z := c.Sample("z", dist.Normal(loc, scale))
	c.Plate("data", data.Shape()[0], func(*tensor.Tensor) {
		c.Sample("obs", dist.Normal(z, tensor.Scalar(1)), vigo.Obs(data))
	})
}

// A model is a Go function of a *vigo.Ctx; tracing it records every site
// it visits, in order.
func ExampleCtx_Sample() {
	data := tensor.Vector(0.5, 1.5, 1)
	ctx := vigo.NewCtx(vigo.NewParamStore(), rand.New(rand.NewPCG(1, 2)))
	tr, err := handler.Trace(vigo.Bind(model, data)).Get(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range tr.Sites() {
		fmt.Printf("%-5s %-6s observed=%-5v shape=%v\n", s.Name, s.Type, s.IsObserved, s.Value.Shape())
	}
	// Output:
	// loc   param  observed=false shape=[]
	// scale param  observed=false shape=[]
	// z     sample observed=false shape=[]
	// data  sample observed=false shape=[3]
	// obs   sample observed=true  shape=[3]
}

// Conditioning the latent site fixes its value; the trace then gives the
// joint log-density log N(z | 0, 1) + Σ log N(x | z, 1).
func ExampleTrace_LogProbSum() {
	data := tensor.Vector(0.5, 1.5, 1)
	conditioned := handler.Condition(vigo.Bind(model, data), map[string]*tensor.Tensor{"z": tensor.Scalar(1)})
	tr, err := handler.Trace(conditioned).Get(vigo.NewCtx(nil, nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	lp, err := tr.LogProbSum(true, vigo.StrictWarnings)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("log p(z=1, data) = %.6f\n", lp)
	// Output:
	// log p(z=1, data) = -4.425754
}

// A subsampled plate draws a minibatch of indices and scales the
// log-density of the sites inside by size / minibatch size.
func ExampleCtx_Plate() {
	data := tensor.Vector(10, 11, 12, 13, 14, 15)
	prog := func(c *vigo.Ctx) {
		c.Plate("data", 6, func(idx *tensor.Tensor) {
			batch := c.Subsample(data, 0)
			fmt.Println("indices", idx, "rows", batch)
			c.Sample("obs", dist.Normal(tensor.Scalar(12), tensor.Scalar(1)), vigo.Obs(batch))
		}, vigo.SubsampleIndices(tensor.Vector(4, 1)))
	}
	tr, err := handler.Trace(prog).Get(vigo.NewCtx(nil, nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	obs := tr.Site("obs")
	fmt.Println("scale", obs.Scale, "frames", obs.Stack)
	// Output:
	// indices [4 1] rows [14 11]
	// scale 3 frames [{data -1 2 0}]
}

// Parameters live in a ParamStore: reads give the constrained value, the
// optimizer updates the unconstrained leaf.
func ExampleParamStore() {
	store := vigo.NewParamStore()
	err := vigo.NewCtx(store, nil).Run(func(c *vigo.Ctx) {
		c.Param("loc", tensor.Vector(0.5, -1))
		c.Param("scale", tensor.Scalar(2), vigo.Constrain(constraint.Positive))
		c.Param("scale", tensor.Scalar(5)) // exists already: init ignored
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range store.Names() {
		fmt.Printf("%s: %v in %v, unconstrained %.4f\n", name, store.Get(name), store.Constraint(name), store.Unconstrained(name).Data())
	}
	// A parameter read without an initial value must exist.
	err = vigo.NewCtx(store, nil).Run(func(c *vigo.Ctx) { c.Param("missing", nil) })
	if e, ok := vigo.AsError(err); ok {
		fmt.Println(e.Kind, e.Site)
	}
	// Output:
	// loc: [0.5 -1] in real, unconstrained [0.5000 -1.0000]
	// scale: 2 in positive, unconstrained [0.6931]
	// KeyError missing
}

// Save writes the parameters atomically; Load merges them into a store.
func ExampleParamStore_Save() {
	dir, err := os.MkdirTemp("", "vigo-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "params.safetensors")

	store := vigo.NewParamStore()
	if err := store.SetWithConstraint("scale", tensor.Vector(0.5, 2), constraint.Positive); err != nil {
		fmt.Println(err)
		return
	}
	if err := store.Save(path); err != nil {
		fmt.Println(err)
		return
	}

	other := vigo.NewParamStore()
	if err := other.Set("loc", tensor.Scalar(1)); err != nil {
		fmt.Println(err)
		return
	}
	if err := other.Load(path); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(other.Names(), other.Get("scale"), other.Constraint("scale"))
	// Output:
	// [loc scale] [0.5 2] positive
}
