package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRecycledGradientsStayIntact runs backward passes whose inner
// gradients are passed on unchanged (Add), viewed (Reshape, Unsqueeze),
// used twice, summed with another, or handed off, then fills every buffer
// the pool holds with NaN: a gradient whose storage was recycled while a
// leaf or another gradient still used it would change.
func TestRecycledGradientsStayIntact(t *testing.T) {
	const n = 2 * minPooled
	rng := rand.New(rand.NewPCG(4, 2))
	w := RandN(rng, n)
	m := RandN(rng, n/32, n/32).MulScalar(0.1)
	cases := []struct {
		name string
		f    func(x *Tensor) *Tensor
	}{
		{"passed on", func(x *Tensor) *Tensor { return x.Exp().Add(w).Mul(w).Sum() }},
		{"passed on to a product", func(x *Tensor) *Tensor { return x.Mul(w).Add(w).Mul(w).Sum() }},
		{"viewed", func(x *Tensor) *Tensor { return x.Mul(w).Reshape(32, n/32).Exp().Sum() }},
		{"viewed by a leaf", func(x *Tensor) *Tensor { return x.Reshape(32, n/32).Exp().Sum() }},
		{"unsqueezed", func(x *Tensor) *Tensor { return x.Unsqueeze(0).Mul(w).Exp().Sum() }},
		{"used twice", func(x *Tensor) *Tensor { e := x.Exp(); return e.Add(e).Mul(w).Sum() }},
		{"passed twice", func(x *Tensor) *Tensor { return x.Add(x).Mul(w).Exp().Sum() }},
		{"summed", func(x *Tensor) *Tensor { return x.Exp().Mul(w).Add(x.Sigmoid().Mul(w)).Mul(w).Sum() }},
		{"matrix products", func(x *Tensor) *Tensor {
			y := x.Reshape(32, n/32)
			return y.MatMul(m).Tanh().MatMul(y.MT()).Sum()
		}},
		{"leaf and inner", func(x *Tensor) *Tensor { return x.Add(x.Mul(w)).Exp().Sum() }},
	}
	for _, c := range cases {
		x := RandN(rng, n).MulScalar(0.1).SetRequiresGrad(true)
		want := append([]float64(nil), Gradients(c.f(x), x)[0].Data()...)
		// The first gradient against a central difference along a random
		// direction v: f(x ± h·v) ≈ f(x) ± h·⟨∇f, v⟩.
		v := RandN(rng, n)
		const h = 1e-6
		fd := (c.f(x.Detach().Add(v.MulScalar(h))).Item() - c.f(x.Detach().Add(v.MulScalar(-h))).Item()) / (2 * h)
		if dot := Vector(want...).MulSum(v).Item(); !closeRel(dot, fd, 1e-5, 1e-6) {
			t.Fatalf("%s: gradient along a random direction %v, central difference %v", c.name, dot, fd)
		}
		for _, backward := range []string{"Gradients", "ScaledGradients", "Backward"} {
			x.ClearGrad()
			var got *Tensor
			switch backward {
			case "Gradients":
				got = Gradients(c.f(x), x)[0]
			case "ScaledGradients":
				got = ScaledGradients(c.f(x), 2, x)[0].MulScalar(0.5)
			default:
				c.f(x).Backward()
				got = x.Grad()
			}
			for range 16 {
				scribble := newOut([]int{n})
				for i := range scribble.data {
					scribble.data[i] = math.NaN()
				}
			}
			for i, v := range got.Data() {
				if v != want[i] {
					t.Fatalf("%s, %s: gradient[%d] = %v after the pool's buffers were overwritten, want %v", c.name, backward, i, v, want[i])
				}
			}
		}
	}
}

// TestBackwardRecyclesPassedOnGradient checks that the storage of a
// gradient handed off by one node and passed on unchanged by the next comes
// back from the pool once the last node has used it, cleared by newOut.
func TestBackwardRecyclesPassedOnGradient(t *testing.T) {
	if underRace {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	const n = 3*minPooled + 7
	x := Full(0.5, n).SetRequiresGrad(true)
	b := Scalar(1).SetRequiresGrad(true)
	// Exp's backward hands off its gradient; Add passes it to Mul's output
	// and to b's SumTo; Mul's backward is the last to read it.
	y := x.Mul(x).Add(b).Exp().Sum()
	Gradients(y, x, b)
	d := pooledBuffer(n)
	if d == nil {
		t.Fatal("the dead gradient of the Add output was not recycled")
	}
	bufferPools[classOf(n)].Put(&Tensor{data: d})
	if z := newOut([]int{n}); z.data[0] != 0 || z.data[n-1] != 0 {
		t.Error("newOut handed out a recycled buffer without clearing it")
	}
}

func TestOverlaps(t *testing.T) {
	d := make([]float64, 10)
	a, b, c := wrap(d[:5], []int{5}), wrap(d[4:], []int{6}), wrap(d[5:], []int{5})
	if !overlaps(a, b) || !overlaps(b, c) || overlaps(a, c) || overlaps(a, wrap(nil, []int{0})) {
		t.Error("overlaps is wrong for slices of one array")
	}
}
