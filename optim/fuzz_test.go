package optim

import (
	"bytes"
	"testing"
)

// FuzzLoadState feeds arbitrary bytes to LoadState: it must never panic, a
// rejected state must leave the optimizer unchanged, and an accepted one
// must save back to a state that loads again.
func FuzzLoadState(f *testing.F) {
	for _, m := range makers {
		opt := m.make()
		pa, pb := twoParams()
		ga, gb := gradsAt(0)
		setGrad(pa, ga)
		setGrad(pb, gb)
		if err := opt.Step([]Param{pa, pb}); err != nil {
			f.Fatal(err)
		}
		b, err := opt.(Stateful).State()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format":"vigo-optim-state/1","optimizer":"Adam","lr":"3f50624dd2f1a9fc","params":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range makers {
			opt := m.make()
			pa, pb := twoParams()
			ga, gb := gradsAt(1)
			setGrad(pa, ga)
			setGrad(pb, gb)
			if err := opt.Step([]Param{pa, pb}); err != nil {
				t.Fatal(err)
			}
			s := opt.(Stateful)
			before, err := s.State()
			if err != nil {
				t.Fatal(err)
			}
			if err := s.LoadState(data); err != nil {
				after, _ := s.State()
				if !bytes.Equal(before, after) {
					t.Fatalf("%s: rejected load changed the state", m.name)
				}
				continue
			}
			saved, err := s.State()
			if err != nil {
				t.Fatalf("%s: State after a successful load: %v", m.name, err)
			}
			if err := m.make().(Stateful).LoadState(saved); err != nil {
				t.Fatalf("%s: resaved state rejected: %v", m.name, err)
			}
			// Stepping after any accepted state must not panic.
			_ = opt.Step([]Param{pa, pb})
		}
	})
}
