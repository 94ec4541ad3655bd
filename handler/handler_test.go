package handler_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/tensor"
)

func s(v float64) *tensor.Tensor { return tensor.Scalar(v) }

func model(c *vigo.Ctx) {
	loc := c.Param("loc", s(0))
	z := c.Sample("z", dist.Normal(loc, s(1)))
	c.Sample("x", dist.Normal(z, s(1)), vigo.Obs(s(0.5)))
}

func get(t *testing.T, p vigo.Program) *vigo.Trace {
	t.Helper()
	tr, err := handler.Trace(p).Get(vigo.NewCtx(nil, rand.New(rand.NewPCG(1, 1))))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTraceRecordsSites(t *testing.T) {
	tr := get(t, model)
	if got := strings.Join(tr.Names(), ","); got != "loc,z,x" {
		t.Fatalf("names %s", got)
	}
	if tr.Site("loc").Type != vigo.ParamSite || !tr.Site("x").IsObserved || tr.Site("z").IsObserved {
		t.Error("site types or observed flags wrong")
	}
	tracer := handler.Trace(model)
	tracer.ParamOnly = true
	c := vigo.NewCtx(nil, nil)
	if _, err := tracer.Get(c); err != nil || tracer.Trace().Len() != 1 {
		t.Errorf("param-only trace: %v, %d sites", err, tracer.Trace().Len())
	}
}

func TestReplay(t *testing.T) {
	guide := func(c *vigo.Ctx) {
		c.Sample("z", dist.Normal(s(3), s(1)), vigo.WithInfer(vigo.Infer{Enumerate: "parallel"}))
	}
	gt := get(t, guide)
	mt := get(t, handler.Replay(model, gt))
	if mt.Site("z").Value != gt.Site("z").Value {
		t.Error("replay did not copy the value")
	}
	if mt.Site("z").Infer.Enumerate != "parallel" {
		t.Error("replay did not copy infer options")
	}
	if mt.Site("x").Value.Item() != 0.5 {
		t.Error("replay changed an observed site")
	}
	// A guide site that is observed cannot be replayed into a latent.
	obsGuide := func(c *vigo.Ctx) { c.Sample("z", dist.Normal(s(3), s(1)), vigo.Obs(s(1))) }
	_, err := handler.Trace(handler.Replay(model, get(t, obsGuide))).Get(vigo.NewCtx(nil, nil))
	if err == nil || !strings.Contains(err.Error(), "site z must be sampled in trace") {
		t.Errorf("error %v", err)
	}
}

func TestBlock(t *testing.T) {
	cases := []struct {
		cfg  handler.BlockConfig
		want string
	}{
		{handler.BlockConfig{}, ""},
		{handler.BlockConfig{ExposeAll: true}, "loc,z,x"},
		{handler.BlockConfig{Hide: []string{"z"}}, "loc,x"},
		{handler.BlockConfig{Expose: []string{"z"}}, "z"},
		{handler.BlockConfig{HideTypes: []string{"observe"}}, "loc,z"},
		{handler.BlockConfig{ExposeTypes: []string{"param"}}, "loc"},
		{handler.BlockConfig{HideFn: func(m *vigo.Message) bool { return m.Name == "loc" }}, "z,x"},
		{handler.BlockConfig{ExposeFn: func(m *vigo.Message) bool { return m.Name == "loc" }}, "loc"},
	}
	for i, tc := range cases {
		got := strings.Join(get(t, handler.Block(model, tc.cfg)).Names(), ",")
		if got != tc.want {
			t.Errorf("case %d: visible %q, want %q", i, got, tc.want)
		}
	}
	_, err := handler.Trace(handler.Block(model, handler.BlockConfig{Hide: []string{"z"}, Expose: []string{"z"}})).Get(vigo.NewCtx(nil, nil))
	if err == nil {
		t.Error("hiding and exposing a site is not an error")
	}
}

func TestCondition(t *testing.T) {
	tr := get(t, handler.Condition(model, map[string]*tensor.Tensor{"z": s(2)}))
	z := tr.Site("z")
	if !z.IsObserved || z.Value.Item() != 2 {
		t.Errorf("conditioned z: observed %v value %v", z.IsObserved, z.Value)
	}
}

func TestSubstitute(t *testing.T) {
	tr := get(t, handler.Substitute(model, map[string]*tensor.Tensor{"loc": s(7)}))
	if tr.Site("loc").Value.Item() != 7 {
		t.Errorf("substituted loc = %v", tr.Site("loc").Value)
	}
}

func TestScaleAndMask(t *testing.T) {
	tr := get(t, handler.Scale(handler.Scale(model, 2), 3))
	if tr.Site("z").Scale != 6 {
		t.Errorf("nested scale %v, want 6", tr.Site("z").Scale)
	}
	tr = get(t, handler.Mask(handler.MaskBool(model, true), s(0)))
	if m := tr.Site("z").Mask; m == nil || m.Item() != 0 {
		t.Errorf("mask %v, want 0", m)
	}
	for _, bad := range []vigo.Program{handler.Scale(model, 0), handler.Scale(model, -1),
		handler.ScaleTensor(model, tensor.Vector(1, -1)), handler.Mask(model, s(0.5))} {
		if _, err := handler.Trace(bad).Get(vigo.NewCtx(nil, nil)); err == nil {
			t.Error("invalid scale or mask accepted")
		}
	}
}

func TestSeed(t *testing.T) {
	a := get(t, handler.Seed(model, 42)).Site("z").Value.Item()
	b := get(t, handler.Seed(model, 42)).Site("z").Value.Item()
	c := get(t, handler.Seed(model, 43)).Site("z").Value.Item()
	if a != b || a == c {
		t.Errorf("seeded draws %v %v %v", a, b, c)
	}
}

func TestBlockPlate(t *testing.T) {
	tr := get(t, func(c *vigo.Ctx) {
		c.Plate("plate", 2, func(*tensor.Tensor) {
			handler.BlockPlate(func(c *vigo.Ctx) {
				c.Sample("scalar", dist.Normal(s(0), s(1)))
			}, "plate", true)(c)
			c.Sample("vec", dist.Normal(s(0), s(1)))
		})
	})
	if n := tr.Site("scalar").Value.Dim(); n != 0 {
		t.Errorf("blocked site has %d dims", n)
	}
	if n := tr.Site("vec").Value.Len(); n != 2 {
		t.Errorf("plate site has %d values", n)
	}
}
