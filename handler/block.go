package handler

import (
	"slices"

	"github.com/vigo-ppl/vigo"
)

// BlockConfig chooses which messages a Block handler hides from the handlers
// outside it. The zero value hides everything. Site types are "sample",
// "observe" (an observed sample site), "param" and "subsample".
type BlockConfig struct {
	// HideFn, if set, decides alone; ExposeFn, if set, decides by negation.
	HideFn   func(*vigo.Message) bool
	ExposeFn func(*vigo.Message) bool
	// ExposeAll exposes everything not hidden by name or type.
	ExposeAll bool
	// Hide and HideTypes hide by name or type and expose the rest;
	// Expose and ExposeTypes expose by name or type and hide the rest.
	Hide, Expose           []string
	HideTypes, ExposeTypes []string
}

// Block runs p with the messages cfg selects hidden from outer handlers
// (Pyro's poutine.block).
func Block(p vigo.Program, cfg BlockConfig) vigo.Program {
	if cfg.HideFn != nil && cfg.ExposeFn != nil {
		return failing(vigo.Errorf(vigo.ValueError, "", "Only specify one of hide_fn or expose_fn"))
	}
	hide, err := cfg.hideFn()
	if err != nil {
		return failing(err)
	}
	return vigo.Wrap(&blockMessenger{hide: hide, userFn: cfg.HideFn != nil || cfg.ExposeFn != nil}, p)
}

func (cfg BlockConfig) hideFn() (func(*vigo.Message) bool, *vigo.Error) {
	if cfg.HideFn != nil {
		return cfg.HideFn, nil
	}
	if cfg.ExposeFn != nil {
		return func(m *vigo.Message) bool { return !cfg.ExposeFn(m) }, nil
	}
	hideAll := !cfg.ExposeAll
	if cfg.Hide != nil {
		hideAll = false
	}
	if cfg.Expose != nil {
		hideAll = true
	}
	for _, h := range cfg.Hide {
		if slices.Contains(cfg.Expose, h) {
			return nil, vigo.Errorf(vigo.ValueError, h, "cannot hide and expose a site")
		}
	}
	if cfg.HideTypes != nil {
		hideAll = false
	}
	if cfg.ExposeTypes != nil {
		hideAll = true
	}
	for _, h := range cfg.HideTypes {
		if slices.Contains(cfg.ExposeTypes, h) {
			return nil, vigo.Errorf(vigo.ValueError, "", "cannot hide and expose a site type")
		}
	}
	return func(m *vigo.Message) bool {
		typ := m.Type.String()
		if m.Type == vigo.SampleSite && m.IsObserved {
			typ = "observe"
		}
		exposed := slices.Contains(cfg.Expose, m.Name) || slices.Contains(cfg.ExposeTypes, typ)
		return slices.Contains(cfg.Hide, m.Name) || slices.Contains(cfg.HideTypes, typ) || (!exposed && hideAll)
	}, nil
}

type blockMessenger struct {
	hide func(*vigo.Message) bool
	// userFn is set when hide calls the user's HideFn or ExposeFn, which
	// may keep the messages it is shown.
	userFn bool
}

func (m *blockMessenger) Process(msg *vigo.Message) { msg.Stop = m.hide(msg) }
func (m *blockMessenger) Postprocess(*vigo.Message) {}

// KeepsNoMessages reports whether blocking keeps no message: only when no
// user function decides.
func (m *blockMessenger) KeepsNoMessages() bool { return !m.userFn }

// failing returns a program that raises err when run.
func failing(err *vigo.Error) vigo.Program {
	return func(*vigo.Ctx) { panic(err) }
}
