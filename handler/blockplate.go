package handler

import (
	"github.com/vigo-ppl/vigo"
)

// BlockPlate runs p with the enclosing plate called name temporarily
// disabled, so sites inside are not broadcast along it or scaled by it. With
// strict, anything but exactly one match is an error.
func BlockPlate(p vigo.Program, name string, strict bool) vigo.Program {
	return blockPlates(p, func(pl *vigo.Plate) bool { return pl.Name() == name }, strict)
}

// BlockPlateDim is BlockPlate matching the enclosing plate at tensor dim dim.
func BlockPlateDim(p vigo.Program, dim int, strict bool) vigo.Program {
	return blockPlates(p, func(pl *vigo.Plate) bool { return pl.Dim() == dim }, strict)
}

func blockPlates(p vigo.Program, match func(*vigo.Plate) bool, strict bool) vigo.Program {
	return func(c *vigo.Ctx) {
		var kept []vigo.Messenger
		n := 0
		for _, m := range c.Handlers() {
			if pl, ok := m.(*vigo.Plate); ok && match(pl) {
				n++
				continue
			}
			kept = append(kept, m)
		}
		if strict && n != 1 {
			panic(vigo.Errorf(vigo.ValueError, "", "block_plate matched %d messengers. Try either removing the block_plate or setting strict=False.", n))
		}
		c.WithHandlers(kept, func() { p(c) })
	}
}
