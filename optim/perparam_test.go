package optim

import (
	"strings"
	"testing"
)

func TestPerParamSettings(t *testing.T) {
	calls := map[string]int{}
	pp := PerParam(func(name string) Optimizer {
		calls[name]++
		if name == "loc" {
			return &Adam{LR: 0.1}
		}
		return &SGD{LR: 0.5, Momentum: 0.9}
	})
	loc, scale := param("loc", testP0...), param("scale", 1, 2)
	for k := range testGrads {
		setGrad(loc, testGrads[k])
		setGrad(scale, []float64{float64(k), -1})
		mustStep(t, pp, loc, scale)
	}
	// Each parameter moves exactly as under its own optimizer alone.
	wantLoc := runSteps(t, &Adam{LR: 0.1}, testP0, testGrads)
	wantScale := runSteps(t, &SGD{LR: 0.5, Momentum: 0.9}, []float64{1, 2}, [][]float64{{0, -1}, {1, -1}, {2, -1}})
	if !sameBits(values(loc), wantLoc[2]) || !sameBits(values(scale), wantScale[2]) {
		t.Errorf("got %v %v, want %v %v", values(loc), values(scale), wantLoc[2], wantScale[2])
	}
	if calls["loc"] != 1 || calls["scale"] != 1 {
		t.Errorf("optimizers made %v times, want once each", calls)
	}
	if _, ok := pp.Optimizer("loc").(*Adam); !ok || pp.Optimizer("nope") != nil {
		t.Errorf("Optimizer: got %T and %v", pp.Optimizer("loc"), pp.Optimizer("nope"))
	}
}

func TestPerParamAllOrNothing(t *testing.T) {
	// "a" would step fine with its Adam, "b" is refused by its SGD: neither moves,
	// and "b"'s optimizer, made during the refused step, is not kept.
	made := 0
	pp := PerParam(func(name string) Optimizer {
		made++
		if name == "a" {
			return &Adam{LR: 0.1}
		}
		return &SGD{LR: 1}
	})
	a, b := param("a", 1), param("b", 1)
	setGrad(a, []float64{1})
	setGrad(b, []float64{1e308})
	b.Tensor.SetData([]float64{-1e308})
	if err := pp.Step([]Param{a, b}); err == nil || !strings.Contains(err.Error(), `"b"`) {
		t.Fatalf("error %v, want one naming \"b\"", err)
	}
	if a.Tensor.Data()[0] != 1 || pp.Optimizer("a") != nil || pp.Optimizer("b") != nil {
		t.Errorf("refused step left changes: a = %v, optimizers %v %v", a.Tensor.Data()[0], pp.Optimizer("a"), pp.Optimizer("b"))
	}
}

func TestPerParamSchedulesStartAtFirstSight(t *testing.T) {
	pp := PerParam(func(string) Optimizer {
		s, err := NewExponentialLR(&SGD{LR: 1}, 0.5)
		if err != nil {
			panic(err)
		}
		return s
	})
	a, b := param("a", 0), param("b", 0)
	setGrad(a, []float64{1})
	setGrad(b, []float64{1})
	mustStep(t, pp, a)
	pp.Advance()
	pp.Advance()
	mustStep(t, pp, a, b)
	ra := pp.Optimizer("a").(*Scheduler).LearningRate()
	rb := pp.Optimizer("b").(*Scheduler).LearningRate()
	if ra != 0.25 || rb != 1 {
		t.Errorf("rates %v and %v, want 0.25 (two epochs) and 1 (new)", ra, rb)
	}
	if a.Tensor.Data()[0] != -1.25 || b.Tensor.Data()[0] != -1 {
		t.Errorf("a = %v, b = %v; want -1.25 and -1", a.Tensor.Data()[0], b.Tensor.Data()[0])
	}
}

func TestPerParamForeignOptimizer(t *testing.T) {
	pp := PerParam(func(name string) Optimizer {
		if name == "a" {
			return plainSGD{}
		}
		return &SGD{LR: 1}
	})
	a, b := param("a", 0), param("b", 0)
	setGrad(a, []float64{2})
	setGrad(b, []float64{3})
	mustStep(t, pp, a, b)
	if a.Tensor.Data()[0] != -2 || b.Tensor.Data()[0] != -3 {
		t.Errorf("a = %v, b = %v; want -2 and -3", a.Tensor.Data()[0], b.Tensor.Data()[0])
	}
	if _, err := pp.State(); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("State with a stateless optimizer: error %v", err)
	}
}

func TestPerParamErrors(t *testing.T) {
	p := param("a", 1)
	setGrad(p, []float64{1})
	if err := PerParam(func(string) Optimizer { return nil }).Step([]Param{p}); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("nil optimizer: error %v", err)
	}
	if err := PerParam(nil).Step([]Param{p}); err == nil {
		t.Error("PerParam(nil) stepped")
	}
	if err := (&PerParamOptimizer{}).LoadState([]byte(`{"format":"vigo-optim-state/1","optimizer":"PerParam","params":{"a":{}}}`)); err == nil {
		t.Error("loading into a PerParam without a function succeeded")
	}
}
