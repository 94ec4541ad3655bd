package optim

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// stepBoth gives both parameter pairs the gradients of step k and steps them.
func stepBoth(t *testing.T, k int, o1 Optimizer, p1 [2]Param, o2 Optimizer, p2 [2]Param) {
	t.Helper()
	ga, gb := gradsAt(k)
	for _, ps := range [][2]Param{p1, p2} {
		setGrad(ps[0], ga)
		setGrad(ps[1], gb)
	}
	mustStep(t, o1, p1[0], p1[1])
	mustStep(t, o2, p2[0], p2[1])
	advance(o1)
	advance(o2)
}

func TestStateRoundTripBitExact(t *testing.T) {
	for _, m := range makers {
		t.Run(m.name, func(t *testing.T) {
			orig := m.make()
			pa, pb := twoParams()
			for k := range 3 {
				ga, gb := gradsAt(k)
				setGrad(pa, ga)
				setGrad(pb, gb)
				mustStep(t, orig, pa, pb)
				advance(orig)
			}
			saved := mustState(t, orig)

			loaded := m.make()
			if err := loaded.(Stateful).LoadState(saved); err != nil {
				t.Fatalf("LoadState: %v", err)
			}
			if again := mustState(t, loaded); !bytes.Equal(again, saved) {
				t.Fatalf("state after load differs:\n%s\n%s", saved, again)
			}
			qa, qb := param("a", values(pa)...), param("b", values(pb)...)
			for k := 3; k < 7; k++ {
				stepBoth(t, k, orig, [2]Param{pa, pb}, loaded, [2]Param{qa, qb})
			}
			if !sameBits(values(pa), values(qa)) || !sameBits(values(pb), values(qb)) {
				t.Errorf("continuing after load: got %v %v, original %v %v", values(qa), values(qb), values(pa), values(pb))
			}
			if !bytes.Equal(mustState(t, orig), mustState(t, loaded)) {
				t.Errorf("states diverged after load")
			}
		})
	}
}

func TestStateRestoresLearningRate(t *testing.T) {
	s, err := NewExponentialLR(&SGD{LR: 1}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	s.Advance()
	s.Advance()
	fresh, _ := NewExponentialLR(&SGD{LR: 1}, 0.5)
	if err := fresh.LoadState(mustState(t, s)); err != nil {
		t.Fatal(err)
	}
	if fresh.LearningRate() != 0.25 || fresh.Epoch() != 2 {
		t.Errorf("after load: rate %v epoch %d, want 0.25 and 2", fresh.LearningRate(), fresh.Epoch())
	}
	// A zero rate set on purpose survives a round trip (it is not the default).
	a := &Adam{}
	a.SetLearningRate(0)
	b := &Adam{}
	if err := b.LoadState(mustState(t, a)); err != nil {
		t.Fatal(err)
	}
	if b.LearningRate() != 0 {
		t.Errorf("rate after load = %v, want 0", b.LearningRate())
	}
}

// mutate decodes a JSON state, lets f change it and encodes it again.
func mutate(t *testing.T, b []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// obj walks into nested JSON objects.
func obj(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func TestCorruptStateRejected(t *testing.T) {
	// The state of an Adam after two steps of parameters "a" and "b".
	src := &Adam{LR: 0.1}
	pa, pb := twoParams()
	for k := range 2 {
		ga, gb := gradsAt(k)
		setGrad(pa, ga)
		setGrad(pb, gb)
		mustStep(t, src, pa, pb)
	}
	good := mustState(t, src)
	buf := func(m map[string]any, name string) []any {
		return obj(m, "params", "a", "buffers")[name].([]any)
	}
	sgdState := mustState(t, &SGD{})

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "LoadState"},
		{"not JSON", []byte("hello"), "invalid character"},
		{"truncated", good[:len(good)/2], "unexpected EOF"},
		{"trailing data", append(append([]byte{}, good...), "{}"...), "trailing data"},
		{"format", mutate(t, good, func(m map[string]any) { m["format"] = "vigo-optim-state/2" }), "format"},
		{"other optimizer", sgdState, `state of a "SGD" optimizer`},
		{"unknown field", mutate(t, good, func(m map[string]any) { m["extra"] = 1 }), "unknown field"},
		{"bad hex", mutate(t, good, func(m map[string]any) { buf(m, "exp_avg")[0] = "zzzzzzzzzzzzzzzz" }), "16 hexadecimal digits"},
		{"short hex", mutate(t, good, func(m map[string]any) { buf(m, "exp_avg")[1] = "3ff" }), "16 hexadecimal digits"},
		{"NaN value", mutate(t, good, func(m map[string]any) { buf(m, "exp_avg_sq")[0] = "7ff8000000000000" }), "not finite"},
		{"Inf value", mutate(t, good, func(m map[string]any) { buf(m, "exp_avg_sq")[0] = "7ff0000000000000" }), "not finite"},
		{"short buffer", mutate(t, good, func(m map[string]any) {
			obj(m, "params", "a", "buffers")["exp_avg"] = buf(m, "exp_avg")[:1]
		}), `buffer "exp_avg" has 1 values for shape [2]`},
		{"missing buffer", mutate(t, good, func(m map[string]any) { delete(obj(m, "params", "a", "buffers"), "exp_avg_sq") }), "buffers"},
		{"extra buffer", mutate(t, good, func(m map[string]any) { obj(m, "params", "a", "buffers")["max_exp_avg_sq"] = buf(m, "exp_avg") }), "buffers"},
		{"renamed buffer", mutate(t, good, func(m map[string]any) {
			bs := obj(m, "params", "a", "buffers")
			bs["exp_avg_sqq"] = bs["exp_avg_sq"]
			delete(bs, "exp_avg_sq")
		}), `missing buffer "exp_avg_sq"`},
		{"negative step", mutate(t, good, func(m map[string]any) { obj(m, "params", "b")["step"] = -1 }), "negative step"},
		{"negative shape", mutate(t, good, func(m map[string]any) { obj(m, "params", "b")["shape"] = []any{-3} }), "bad shape"},
		{"negative lr", mutate(t, good, func(m map[string]any) { m["lr"] = hexFloat(-0.1) }), "learning rate"},
		{"per-parameter lr", mutate(t, good, func(m map[string]any) { obj(m, "params", "a")["lr"] = hexFloat(0.1) }), "unexpected per-parameter learning rate"},
		{"null param", mutate(t, good, func(m map[string]any) { obj(m, "params")["a"] = nil }), "lacks shape, step or buffers"},
		{"no params", mutate(t, good, func(m map[string]any) { delete(m, "params") }), "no parameter states"},
		{"no shape", mutate(t, good, func(m map[string]any) { delete(obj(m, "params", "a"), "shape") }), "lacks shape"},
		{"no step", mutate(t, good, func(m map[string]any) { delete(obj(m, "params", "a"), "step") }), "lacks shape"},
		{"no buffers", mutate(t, good, func(m map[string]any) { delete(obj(m, "params", "a"), "buffers") }), "lacks shape"},
		{"no lr", mutate(t, good, func(m map[string]any) { delete(m, "lr") }), "learning rate"},
		{"wrong shape size", mutate(t, good, func(m map[string]any) { obj(m, "params", "a")["shape"] = []any{3} }), "has 2 values for shape [3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := &Adam{LR: 0.5}
			qa := param("a", 1, 2)
			setGrad(qa, []float64{1, -1})
			mustStep(t, dst, qa)
			before := mustState(t, dst)
			err := dst.LoadState(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "optim: Adam: LoadState") {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if after := mustState(t, dst); !bytes.Equal(before, after) || dst.LR != 0.5 {
				t.Errorf("failed load changed the optimizer")
			}
		})
	}
	// The good state loads, or the cases above prove nothing.
	if err := (&Adam{}).LoadState(good); err != nil {
		t.Fatalf("good state rejected: %v", err)
	}
	// Settings that need other buffers: AMSGrad needs max_exp_avg_sq.
	if err := (&Adam{AMSGrad: true}).LoadState(good); err == nil {
		t.Error("AMSGrad optimizer accepted a state without max_exp_avg_sq")
	}
	// ClippedAdam needs each parameter's own rate.
	ca := &ClippedAdam{}
	p := param("a", 1)
	setGrad(p, []float64{1})
	mustStep(t, ca, p)
	noRate := mutate(t, mustState(t, ca), func(m map[string]any) { delete(obj(m, "params", "a"), "lr") })
	if err := (&ClippedAdam{}).LoadState(noRate); err == nil || !strings.Contains(err.Error(), "learning rate") {
		t.Errorf("ClippedAdam state without a parameter rate: error %v", err)
	}
}

func TestCorruptWrapperStateRejected(t *testing.T) {
	for _, m := range makers {
		if m.name != "Scheduler" && m.name != "PerParam" && m.name != "PerParam of schedulers" && m.name != "Clip" {
			continue
		}
		t.Run(m.name, func(t *testing.T) {
			src := m.make()
			pa, pb := twoParams()
			for k := range 2 {
				ga, gb := gradsAt(k)
				setGrad(pa, ga)
				setGrad(pb, gb)
				mustStep(t, src, pa, pb)
				advance(src)
			}
			good := mustState(t, src)
			// Damage the innermost state of parameter "b" only.
			bad := mutate(t, good, func(m map[string]any) {
				for {
					if w, ok := m["wrapped"]; ok {
						m = w.(map[string]any)
						continue
					}
					if ps, ok := m["params"].(map[string]any); ok {
						if inner, ok := ps["b"].(map[string]any); ok && inner["format"] != nil {
							m = inner
							continue
						}
						obj(ps, "b")["step"] = -1
						return
					}
					t.Fatal("no parameter state found")
				}
			})
			if m.name == "Scheduler" {
				bad = mutate(t, bad, func(m map[string]any) { m["epoch"] = 5 })
			}
			dst := m.make()
			qa, qb := twoParams()
			setGrad(qa, []float64{1, 1})
			setGrad(qb, []float64{1, 1, 1})
			mustStep(t, dst, qa, qb)
			advance(dst)
			before := mustState(t, dst)
			if err := dst.(Stateful).LoadState(bad); err == nil || !strings.Contains(err.Error(), "negative step") {
				t.Fatalf("error %v, want one about the negative step", err)
			}
			if after := mustState(t, dst); !bytes.Equal(before, after) {
				t.Errorf("failed load changed the optimizer:\n%s\n%s", before, after)
			}
			if err := dst.(Stateful).LoadState(good); err != nil {
				t.Fatalf("good state rejected: %v", err)
			}
		})
	}
}

func TestStateScalarParameter(t *testing.T) {
	opt := &Adam{LR: 0.1}
	x := Param{Name: "x", Tensor: tensor.Param([]float64{2})}
	x.Tensor.SetGrad(tensor.Scalar(1))
	mustStep(t, opt, x)
	saved := mustState(t, opt)
	if !strings.Contains(string(saved), `"shape":[]`) {
		t.Errorf("scalar shape not saved as []: %s", saved)
	}
	loaded := &Adam{LR: 0.1}
	if err := loaded.LoadState(saved); err != nil {
		t.Fatal(err)
	}
	y := Param{Name: "x", Tensor: tensor.Param([]float64{x.Tensor.Item()})}
	x.Tensor.SetGrad(tensor.Scalar(-1))
	y.Tensor.SetGrad(tensor.Scalar(-1))
	mustStep(t, opt, x)
	mustStep(t, loaded, y)
	if x.Tensor.Item() != y.Tensor.Item() {
		t.Errorf("after load: %v, original %v", y.Tensor.Item(), x.Tensor.Item())
	}
}

func TestDocStateExample(t *testing.T) {
	// The example in the package documentation is what Adam{} saves.
	opt := &Adam{}
	p := param("loc", 0, 0)
	setGrad(p, []float64{1, -1})
	mustStep(t, opt, p)
	var st struct {
		LR     string
		Params map[string]struct {
			Shape   []int
			Step    int
			Buffers map[string][]string
		}
	}
	if err := json.Unmarshal(mustState(t, opt), &st); err != nil {
		t.Fatal(err)
	}
	loc := st.Params["loc"]
	if st.LR != "3f50624dd2f1a9fc" || loc.Step != 1 || len(loc.Shape) != 1 || loc.Shape[0] != 2 ||
		strings.Join(loc.Buffers["exp_avg"], " ") != "3fb9999999999998 bfb9999999999998" ||
		strings.Join(loc.Buffers["exp_avg_sq"], " ") != "3f50624dd2f1aa00 3f50624dd2f1aa00" {
		t.Errorf("state differs from the documented example: %+v", st)
	}
}
