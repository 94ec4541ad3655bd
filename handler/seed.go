package handler

import (
	"math/rand/v2"

	"github.com/vigo-ppl/vigo"
)

// Seed runs p with a fresh random source seeded with seed, restoring the
// context's previous source afterwards (Pyro's poutine.seed). Two runs with
// the same seed make the same random choices.
func Seed(p vigo.Program, seed uint64) vigo.Program {
	return func(c *vigo.Ctx) {
		old := c.SetRand(rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
		defer c.SetRand(old)
		p(c)
	}
}
