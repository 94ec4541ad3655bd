package handler

import (
	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/tensor"
)

// Replay runs p with the values of its latent sample sites taken from the
// sites of the same name in tr: the guide's choices fed to the model. The
// replayed site also takes tr's inference options.
func Replay(p vigo.Program, tr *vigo.Trace) vigo.Program {
	return vigo.Wrap(&replayMessenger{tr: tr}, p)
}

// ReplayParams runs p with param sites named in params returning those values.
func ReplayParams(p vigo.Program, params map[string]*tensor.Tensor) vigo.Program {
	return vigo.Wrap(&replayMessenger{params: params}, p)
}

type replayMessenger struct {
	tr     *vigo.Trace
	params map[string]*tensor.Tensor
}

func (m *replayMessenger) Process(msg *vigo.Message) {
	switch msg.Type {
	case vigo.SampleSite:
		if m.tr == nil || msg.IsObserved {
			return
		}
		s := m.tr.Site(msg.Name)
		if s == nil {
			return
		}
		if s.Type != vigo.SampleSite || s.IsObserved {
			panic(vigo.Errorf(vigo.RuntimeError, msg.Name, "site %s must be sampled in trace", msg.Name))
		}
		msg.Value = s.Value
		msg.Done = true
		msg.Infer = s.Infer
	case vigo.ParamSite:
		if v, ok := m.params[msg.Name]; ok {
			msg.Value = v
			msg.Done = true
		}
	}
}

func (m *replayMessenger) Postprocess(*vigo.Message) {}

// KeepsNoMessages reports that replaying keeps no message.
func (m *replayMessenger) KeepsNoMessages() bool { return true }
