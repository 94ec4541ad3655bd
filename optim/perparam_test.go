package optim

import (
	"bytes"
	"fmt"
	"strconv"
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

// savedSGD is an optimizer from outside the package with state (a step
// count) but no two-phase loading.
type savedSGD struct {
	plainSGD
	steps int
}

func (s *savedSGD) Step(params []Param) error {
	if err := s.plainSGD.Step(params); err != nil {
		return err
	}
	s.steps++
	return nil
}

func (s *savedSGD) State() ([]byte, error) { return []byte(fmt.Sprintf("%d", s.steps)), nil }

func (s *savedSGD) LoadState(b []byte) error {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 {
		return fmt.Errorf("savedSGD: bad state %q", b)
	}
	s.steps = n
	return nil
}

func TestForeignStatefulOptimizer(t *testing.T) {
	newPP := func() *PerParamOptimizer {
		return PerParam(func(name string) Optimizer {
			if name == "a" {
				return &savedSGD{}
			}
			return &Adam{}
		})
	}
	pp := newPP()
	a, b := param("a", 0), param("b", 0)
	for range 3 {
		setGrad(a, []float64{1})
		setGrad(b, []float64{1})
		mustStep(t, pp, a, b)
	}
	saved := mustState(t, pp)
	fresh := newPP()
	if err := fresh.LoadState(saved); err != nil {
		t.Fatal(err)
	}
	if n := fresh.Optimizer("a").(*savedSGD).steps; n != 3 {
		t.Errorf("loaded step count %d, want 3", n)
	}
	// A bad entry for "b" leaves everything as it was, "a" included.
	bad := mutate(t, saved, func(m map[string]any) { obj(m, "params", "b")["format"] = "?" })
	before := mustState(t, fresh)
	if err := fresh.LoadState(bad); err == nil {
		t.Fatal("bad state accepted")
	}
	if after := mustState(t, fresh); !bytes.Equal(before, after) {
		t.Errorf("failed load changed the optimizer")
	}
	// A scheduler over a foreign optimizer loads it after checking its own part.
	s, err := NewExponentialLR(&lrSGD{}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	st := mustState(t, s)
	if err := s.LoadState(mutate(t, st, func(m map[string]any) { m["wrapped"] = "x" })); err == nil {
		t.Error("bad wrapped state accepted")
	}
	c := &Clip{Optimizer: &savedSGD{steps: 7}}
	if err := c.LoadState(mustState(t, c)); err != nil {
		t.Error(err)
	}
}

// lrSGD is a foreign stateful optimizer with a settable learning rate.
type lrSGD struct {
	savedSGD
	lr float64
}

func (s *lrSGD) LearningRate() float64      { return s.lr }
func (s *lrSGD) SetLearningRate(lr float64) { s.lr = lr }
