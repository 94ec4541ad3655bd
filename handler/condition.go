package handler

import (
	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/tensor"
)

// Condition runs p with the sample sites named in data observed at those
// values (Pyro's poutine.condition).
func Condition(p vigo.Program, data map[string]*tensor.Tensor) vigo.Program {
	return vigo.Wrap(&conditionMessenger{value: func(name string) (*tensor.Tensor, bool) {
		v, ok := data[name]
		return v, ok
	}}, p)
}

// ConditionTrace runs p with the sample sites present in tr observed at the
// trace's values.
func ConditionTrace(p vigo.Program, tr *vigo.Trace) vigo.Program {
	return vigo.Wrap(&conditionMessenger{value: func(name string) (*tensor.Tensor, bool) {
		if s := tr.Site(name); s != nil {
			return s.Value, true
		}
		return nil, false
	}}, p)
}

type conditionMessenger struct {
	value func(string) (*tensor.Tensor, bool)
}

func (m *conditionMessenger) Process(msg *vigo.Message) {
	if msg.Type != vigo.SampleSite {
		return
	}
	if v, ok := m.value(msg.Name); ok {
		msg.Value = v
		msg.IsObserved = v != nil
	}
}

func (m *conditionMessenger) Postprocess(*vigo.Message) {}

// KeepsNoMessages reports that conditioning keeps no message: its lookup
// sees only the site's name.
func (m *conditionMessenger) KeepsNoMessages() bool { return true }

// Substitute runs p with the param sites named in data returning those values
// instead of reading the parameter store (Pyro's poutine.substitute).
func Substitute(p vigo.Program, data map[string]*tensor.Tensor) vigo.Program {
	return ReplayParams(p, data)
}
