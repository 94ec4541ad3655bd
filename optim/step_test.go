package optim

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// makers builds a fresh optimizer of every kind, wrappers included, so that
// the behaviour every optimizer promises can be checked on all of them.
var makers = []struct {
	name string
	make func() Optimizer
	// clamps: the optimizer clamps gradient elements (ClippedAdam), so an
	// infinite gradient gives a finite step.
	clamps bool
}{
	{name: "Adam", make: func() Optimizer { return &Adam{LR: 0.1, AMSGrad: true, WeightDecay: 0.01} }},
	{name: "AdamW", make: func() Optimizer { return &AdamW{LR: 0.1} }},
	{name: "ClippedAdam", make: func() Optimizer { return &ClippedAdam{LR: 0.1, LRD: 0.99, ClipNorm: 5} }, clamps: true},
	{name: "SGD", make: func() Optimizer { return &SGD{LR: 0.1, Momentum: 0.9, Nesterov: true} }},
	{name: "Adagrad", make: func() Optimizer { return &Adagrad{LR: 0.1, LRDecay: 0.01, InitialAccumulatorValue: 0.1} }},
	{name: "RMSprop", make: func() Optimizer { return &RMSprop{LR: 0.01, Momentum: 0.5, Centered: true} }},
	{name: "Clip", make: func() Optimizer { return &Clip{Optimizer: &Adam{LR: 0.1}, Norm: 1, Value: 0.5} }},
	{name: "PerParam", make: func() Optimizer {
		return PerParam(func(name string) Optimizer {
			if name == "a" {
				return &Adam{LR: 0.1}
			}
			return &SGD{LR: 0.05, Momentum: 0.5}
		})
	}},
	{name: "Scheduler", make: func() Optimizer {
		s, err := NewCosineAnnealingLR(&RMSprop{LR: 0.1}, 4, 0.01)
		if err != nil {
			panic(err)
		}
		return s
	}},
	{name: "PerParam of schedulers", make: func() Optimizer {
		return PerParam(func(name string) Optimizer {
			s, err := NewExponentialLR(&ClippedAdam{LR: 0.1, LRD: 0.9}, 0.5)
			if err != nil {
				panic(err)
			}
			return s
		})
	}, clamps: true},
}

// advance calls Advance on optimizers that have it, so that schedules move.
func advance(opt Optimizer) {
	if a, ok := opt.(interface{ Advance() }); ok {
		a.Advance()
	}
}

// twoParams returns parameters "a" (shape [2]) and "b" (shape [3]).
func twoParams() (Param, Param) {
	return param("a", 0.5, -1), param("b", 2, 0.25, -0.75)
}

// gradsAt returns deterministic gradients for a and b at step k.
func gradsAt(k int) ([]float64, []float64) {
	x := float64(k + 1)
	return []float64{math.Sin(x), -0.5 * x}, []float64{math.Cos(x), 0.3, -x}
}

func TestRefusedStepChangesNothing(t *testing.T) {
	bad := []struct {
		name string
		g    []float64
	}{
		{"NaN", []float64{1, math.NaN(), 0}},
		{"Inf", []float64{math.Inf(1), 0, 0}},
		{"-Inf", []float64{0, math.Inf(-1), 0}},
	}
	for _, m := range makers {
		for _, b := range bad {
			if m.clamps && b.name != "NaN" {
				continue // clamped to ±ClipNorm: a legitimate step (see TestClippedAdamClampsInf)
			}
			t.Run(m.name+"/"+b.name, func(t *testing.T) {
				opt, twin := m.make(), m.make()
				pa, pb := twoParams()
				qa, qb := twoParams()
				for k := range 2 {
					ga, gb := gradsAt(k)
					for _, ps := range [][2]Param{{pa, pb}, {qa, qb}} {
						setGrad(ps[0], ga)
						setGrad(ps[1], gb)
					}
					mustStep(t, opt, pa, pb)
					mustStep(t, twin, qa, qb)
					advance(opt)
					advance(twin)
				}
				before := mustState(t, opt)
				va, vb := values(pa), values(pb)
				ga, _ := gradsAt(2)
				setGrad(pa, ga)
				setGrad(pb, b.g)
				gradA, gradB := pa.Tensor.Grad(), pb.Tensor.Grad()

				err := opt.Step([]Param{pa, pb})
				var nf *NonFiniteError
				if !errors.As(err, &nf) || nf.Param != "b" || !strings.Contains(err.Error(), `"b"`) {
					t.Fatalf("error %v, want a NonFiniteError naming \"b\"", err)
				}
				if !sameBits(values(pa), va) || !sameBits(values(pb), vb) {
					t.Errorf("refused step changed parameters")
				}
				if pa.Tensor.Grad() != gradA || pb.Tensor.Grad() != gradB {
					t.Errorf("refused step changed gradients")
				}
				if after := mustState(t, opt); !bytes.Equal(before, after) {
					t.Errorf("refused step changed state:\n%s\n%s", before, after)
				}
				// The optimizer carries on exactly like its twin that never saw the bad step.
				for k := 2; k < 4; k++ {
					ga, gb := gradsAt(k)
					for _, ps := range [][2]Param{{pa, pb}, {qa, qb}} {
						setGrad(ps[0], ga)
						setGrad(ps[1], gb)
					}
					mustStep(t, opt, pa, pb)
					mustStep(t, twin, qa, qb)
				}
				if !sameBits(values(pa), values(qa)) || !sameBits(values(pb), values(qb)) {
					t.Errorf("after a refused step: got %v %v, twin %v %v", values(pa), values(pb), values(qa), values(qb))
				}
			})
		}
	}
}

func TestClippedAdamClampsInf(t *testing.T) {
	got := runSteps(t, &ClippedAdam{LR: 0.1, ClipNorm: 2}, []float64{1, 1}, [][]float64{{math.Inf(1), math.Inf(-1)}})
	want := refClippedAdam(0.1, 1, 0.9, 0.999, 1e-8, 0, 2, []float64{1, 1}, [][]float64{{2, -2}})
	if !closeTo(got[0], want[0], 1e-12) { // spec §7.4 formula; rounding only
		t.Errorf("got %v, want %v", got[0], want[0])
	}
}

func TestRefusedStepOnStateOverflow(t *testing.T) {
	// A finite gradient whose square overflows would leave v = +Inf while
	// the parameter stays finite; the step is refused and names the buffer.
	for _, opt := range []Optimizer{&Adam{}, &Adagrad{}, &RMSprop{}} {
		p := param("w", 1)
		setGrad(p, []float64{1e200})
		err := opt.Step([]Param{p})
		var nf *NonFiniteError
		if !errors.As(err, &nf) || nf.Param != "w" || nf.Buffer == "" {
			t.Errorf("%T: error %v, want a NonFiniteError on a state buffer of \"w\"", opt, err)
		}
		if p.Tensor.Data()[0] != 1 {
			t.Errorf("%T: parameter changed", opt)
		}
	}
}

func TestOrderDoesNotMatter(t *testing.T) {
	for _, m := range makers {
		t.Run(m.name, func(t *testing.T) {
			opt, rev := m.make(), m.make()
			pa, pb := twoParams()
			qa, qb := twoParams()
			for k := range 3 {
				ga, gb := gradsAt(k)
				for _, ps := range [][2]Param{{pa, pb}, {qa, qb}} {
					setGrad(ps[0], ga)
					setGrad(ps[1], gb)
				}
				mustStep(t, opt, pa, pb)
				mustStep(t, rev, qb, qa)
				advance(opt)
				advance(rev)
			}
			if !sameBits(values(pa), values(qa)) || !sameBits(values(pb), values(qb)) {
				t.Errorf("order changed results: %v %v vs %v %v", values(pa), values(pb), values(qa), values(qb))
			}
			if !bytes.Equal(mustState(t, opt), mustState(t, rev)) {
				t.Errorf("order changed state")
			}
		})
	}
}

func TestNilGradientSkipped(t *testing.T) {
	for _, m := range makers {
		t.Run(m.name, func(t *testing.T) {
			opt := m.make()
			pa, pb := twoParams()
			ga, _ := gradsAt(0)
			setGrad(pa, ga)
			mustStep(t, opt, pa, pb)
			if !sameBits(values(pb), []float64{2, 0.25, -0.75}) {
				t.Errorf("parameter without gradient changed: %v", values(pb))
			}
			if sameBits(values(pa), []float64{0.5, -1}) {
				t.Errorf("parameter with gradient did not change")
			}
		})
	}
	// A tensor that does not require grad has no gradient and is skipped.
	p := Param{Name: "c", Tensor: tensor.New([]float64{1}, 1)}
	mustStep(t, &Adam{}, p)
	if p.Tensor.Data()[0] != 1 {
		t.Error("constant tensor changed")
	}
}

func TestBadParams(t *testing.T) {
	a, b := param("a", 1), param("b", 2)
	shared := Param{Name: "c", Tensor: a.Tensor}
	// More parameters than checkParams compares pairwise, the offender last.
	many := make([]Param, pairwiseParams+4)
	for i := range many {
		many[i] = param(fmt.Sprintf("m%d", i), float64(i))
	}
	manyDup := append(append([]Param(nil), many...), Param{Name: "m3", Tensor: b.Tensor})
	manyShared := append(append([]Param(nil), many...), Param{Name: "z", Tensor: many[5].Tensor})
	tests := []struct {
		name   string
		params []Param
		grads  []*tensor.Tensor
		want   string
	}{
		{"duplicate name", []Param{a, {Name: "a", Tensor: b.Tensor}}, nil, `"a" given twice`},
		{"shared tensor", []Param{a, shared}, nil, "share one tensor"},
		{"duplicate name among many", manyDup, nil, `"m3" given twice`},
		{"shared tensor among many", manyShared, nil, `"m5" and "z" share one tensor`},
		{"nil tensor", []Param{{Name: "z"}}, nil, `"z" has a nil tensor`},
		{"grad shape", []Param{a}, []*tensor.Tensor{tensor.Zeros(2)}, "gradient has shape [2]"},
		{"grad count", []Param{a}, []*tensor.Tensor{}, "1 parameters"},
	}
	for _, m := range makers {
		for _, tc := range tests {
			opt := m.make().(Stager)
			grads := tc.grads
			if grads == nil {
				grads = make([]*tensor.Tensor, len(tc.params))
				for i := range grads {
					grads[i] = tensor.Ones(1)
				}
			}
			_, err := opt.Stage(tc.params, grads)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s/%s: error %v, want one containing %q", m.name, tc.name, err, tc.want)
			}
		}
	}
	if a.Tensor.Data()[0] != 1 || b.Tensor.Data()[0] != 2 {
		t.Error("rejected steps changed parameters")
	}
}

func TestShapeChangeRejected(t *testing.T) {
	opt := &Adam{}
	p := param("w", 1, 2)
	setGrad(p, []float64{1, 1})
	mustStep(t, opt, p)
	q := param("w", 1, 2, 3)
	setGrad(q, []float64{1, 1, 1})
	if err := opt.Step([]Param{q}); err == nil || !strings.Contains(err.Error(), `"w" has shape [3] but its optimizer state has shape [2]`) {
		t.Errorf("error %v, want a shape mismatch naming \"w\"", err)
	}
}
