package tensor

import (
	"math/rand/v2"
	"testing"
)

// TestLinearCombinationMatchesChain checks values and gradients against the
// chain of MulScalar and Add it replaces, for coefficients 1, −1 and others,
// a term used twice and a term that needs no gradient.
func TestLinearCombinationMatchesChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, shape := range [][]int{{}, {3}, {2, 5}} {
		a, b, c := RandN(rng, shape...), RandN(rng, shape...), RandN(rng, shape...)
		coefs := []float64{1, -1, 0.3, -1, 2.5}
		build := func(fused bool) ([]*Tensor, *Tensor) {
			pa, pb := Param(a.Data(), shape...), Param(b.Data(), shape...)
			terms := []*Tensor{pa, pb, c, pb.Exp(), pa}
			if fused {
				return []*Tensor{pa, pb}, LinearCombination(coefs, terms...)
			}
			s := terms[0]
			for i := 1; i < len(terms); i++ {
				s = s.Add(terms[i].MulScalar(coefs[i]))
			}
			return []*Tensor{pa, pb}, s
		}
		lf, yf := build(true)
		lc, yc := build(false)
		for j := range yf.Data() {
			if yf.Data()[j] != yc.Data()[j] {
				t.Fatalf("shape %v [%d]: %g, chain %g", shape, j, yf.Data()[j], yc.Data()[j])
			}
		}
		w := RandN(rng, shape...)
		gf := Gradients(yf.Mul(w).Sum(), lf...)
		gc := Gradients(yc.Mul(w).Sum(), lc...)
		for k := range gf {
			for j := range gf[k].Data() {
				if d := gf[k].Data()[j] - gc[k].Data()[j]; d > 1e-15 || d < -1e-15 {
					t.Fatalf("shape %v leaf %d [%d]: gradient %g, chain %g", shape, k, j, gf[k].Data()[j], gc[k].Data()[j])
				}
			}
		}
	}
}

func TestLinearCombinationPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"empty":   func() { LinearCombination(nil) },
		"lengths": func() { LinearCombination([]float64{1}, Scalar(1), Scalar(2)) },
		"shapes":  func() { LinearCombination([]float64{1, 1}, Scalar(1), Vector(1, 2)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
