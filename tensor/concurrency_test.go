package tensor

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// TestConcurrentBackwardSharedLeaves back-propagates 8 independent graphs on
// 8 goroutines that share the same leaves, and checks that the accumulated
// gradient equals the exact sum. The values are small integers, so every
// partial sum is exact in float64 and the order of accumulation cannot
// change the result.
func TestConcurrentBackwardSharedLeaves(t *testing.T) {
	x := Param([]float64{1, 2, 3, 4}, 4)
	w := Param([]float64{2, -1, 3, 1}, 4)
	const graphs = 8
	var wg sync.WaitGroup
	for k := 1; k <= graphs; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// f_k = Σ k·x·w + Σ x², so ∂f_k/∂x = k·w + 2x and ∂f_k/∂w = k·x.
			f := x.Mul(w).MulScalar(float64(k)).Sum().Add(x.Square().Sum())
			f.Backward()
		}()
	}
	wg.Wait()
	// Σ_k k = 36.
	wantX := []float64{36*2 + 8*2, 36*-1 + 8*4, 36*3 + 8*6, 36*1 + 8*8}
	wantW := []float64{36 * 1, 36 * 2, 36 * 3, 36 * 4}
	for i := range wantX {
		if got := x.Grad().Data()[i]; got != wantX[i] {
			t.Errorf("x.Grad[%d] = %v, want %v", i, got, wantX[i])
		}
		if got := w.Grad().Data()[i]; got != wantW[i] {
			t.Errorf("w.Grad[%d] = %v, want %v", i, got, wantW[i])
		}
	}
}

// TestGradientsLeavesUntouched checks that Gradients returns gradients
// without accumulating into the leaves.
func TestGradientsLeavesUntouched(t *testing.T) {
	x := Param([]float64{1, 2}, 2)
	y := Param([]float64{3}, 1)
	g := Gradients(x.Mul(y).Sum(), x, y, Scalar(1))
	if x.Grad() != nil || y.Grad() != nil {
		t.Fatal("Gradients accumulated into leaves")
	}
	if g[0].Data()[0] != 3 || g[0].Data()[1] != 3 || g[1].Data()[0] != 3 || g[2] != nil {
		t.Errorf("gradients %v %v %v", g[0], g[1], g[2])
	}
}

// TestNoGradRecordsNothing checks that operations on detached tensors build
// no graph.
func TestNoGradRecordsNothing(t *testing.T) {
	x := Param([]float64{1, 2}, 2)
	y := x.Detach().Exp().Sum()
	if y.RequiresGrad() || !y.IsLeaf() {
		t.Error("computation on a detached tensor recorded a graph")
	}
}

// TestGradientsManyLeaves covers both ways Gradients matches leaves to its
// arguments (a scan for a few, a map for many), with repeated arguments.
func TestGradientsManyLeaves(t *testing.T) {
	for _, n := range []int{3, 40} {
		xs := make([]*Tensor, n)
		y := Scalar(0)
		for i := range xs {
			xs[i] = Scalar(float64(i)).SetRequiresGrad(true)
			y = y.Add(xs[i].Mul(xs[i]))
		}
		args := append(append([]*Tensor(nil), xs...), xs[1], Scalar(7))
		g := Gradients(y, args...)
		for i, x := range args[:n+1] {
			if want := 2 * x.Item(); g[i] == nil || g[i].Item() != want {
				t.Fatalf("n=%d: gradient %d = %v, want %v", n, i, g[i], want)
			}
		}
		if g[n+1] != nil {
			t.Fatalf("n=%d: gradient of an unrelated tensor = %v, want nil", n, g[n+1])
		}
	}
}

// TestAccumulateIntoZeroedGrad checks gradient accumulation after ZeroGrad
// and into an empty gradient: the result is 0 + g (so −0 becomes +0), later
// passes add, and the leaf's gradient keeps its own shape.
func TestAccumulateIntoZeroedGrad(t *testing.T) {
	x := Param([]float64{1, -2, 3}, 3)
	w := Vector(2, 0, -1)
	x.Mul(w).Sum().Backward()
	if got := x.Grad().Data(); got[0] != 2 || got[1] != 0 || got[2] != -1 {
		t.Fatalf("first pass: %v", got)
	}
	x.ZeroGrad()
	x.Mul(Vector(1, math.Copysign(0, -1), 1)).Sum().Backward() // −0 for x[1]
	if got := x.Grad().Data(); got[0] != 1 || got[1] != 0 || math.Signbit(got[1]) || got[2] != 1 {
		t.Fatalf("after ZeroGrad: %v (signbit of [1]: %v)", got, math.Signbit(got[1]))
	}
	x.Mul(w).Sum().Backward()
	if got := x.Grad().Data(); got[0] != 3 || got[1] != 0 || got[2] != 0 {
		t.Fatalf("accumulated: %v", got)
	}
	s := Param([]float64{4}, 1)
	s.AccumulateGrad(Scalar(2)) // a one-element gradient of another shape
	if g := s.Grad(); len(g.Shape()) != 1 || g.Item() != 2 {
		t.Fatalf("shape kept: %v %v", g.Shape(), g)
	}
}

// TestAccumulationKeepsSharedGradients sends one gradient tensor to two
// inputs (Add hands its incoming gradient to both) before either input has
// its other terms: those sums must go to this pass's own buffers, leaving
// the shared tensor, still pending for the other input, as it was. The
// terms are ordered so that the shared gradient arrives first. All values
// are small integers, so every sum is exact.
func TestAccumulationKeepsSharedGradients(t *testing.T) {
	x := Param([]float64{1, -2, 3}, 3)
	w := Param([]float64{2, 1, -1}, 3)
	p := x.MulScalar(2)
	q := x.MulScalar(3)
	s := p.Add(q) // ∂s/∂p and ∂s/∂q are one tensor
	// f = Σ q + Σ 5p + Σ 7p + Σ w·s + Σ x, so ∂f/∂p = w + 12, ∂f/∂q = w + 1,
	// ∂f/∂x = 2(w + 12) + 3(w + 1) + 1 = 5w + 28 and ∂f/∂w = s = 5x.
	f := LinearCombination([]float64{1, 5, 7, 1, 1}, q.Sum(), p.Sum(), p.Sum(), w.Mul(s).Sum(), x.Sum())
	g := Gradients(f, x, w)
	for i, wi := range w.Data() {
		if got, want := g[0].Data()[i], 5*wi+28; got != want {
			t.Errorf("∂f/∂x[%d] = %v, want %v", i, got, want)
		}
		if got, want := g[1].Data()[i], 5*x.Data()[i]; got != want {
			t.Errorf("∂f/∂w[%d] = %v, want %v", i, got, want)
		}
	}
}

// TestScaledGradients checks that ScaledGradients(y, k, …) is k times
// Gradients(y, …), with few leaves and with enough to take the map path,
// for leaves whose gradients the pass made itself (scaled in place), one
// gradient shared by two leaves, and a leaf named twice.
func TestScaledGradients(t *testing.T) {
	x := Param([]float64{1, 2}, 2)
	w := Param([]float64{3, -1}, 2)
	for _, xs := range [][]*Tensor{{x, w}, {x, x, w}, {w, x, w}} {
		y := x.Add(w).Sum() // one gradient, all ones, for both leaves
		for i, g := range ScaledGradients(y, -0.5, xs...) {
			if !identicalFloats(g.Data(), []float64{-0.5, -0.5}) {
				t.Errorf("shared gradient, leaf %d of %d: %v, want [-0.5 -0.5]", i, len(xs), g)
			}
		}
	}
	// Exp's backward hands its gradient off: the pass owns x's, named twice
	want := Gradients(x.Exp().Sum(), x)[0].MulScalar(-0.5)
	for i, g := range ScaledGradients(x.Exp().Sum(), -0.5, x, x) {
		if !identicalFloats(g.Data(), want.Data()) {
			t.Errorf("own gradient, entry %d: %v, want %v", i, g, want)
		}
	}
	for _, n := range []int{2, 20} {
		xs := make([]*Tensor, n)
		y := Scalar(0)
		for i := range xs {
			xs[i] = Param([]float64{float64(i), 1}, 2)
			y = y.Add(xs[i].Square().Sum())
		}
		g := Gradients(y, xs...)
		sg := ScaledGradients(y, -0.25, xs...)
		for i := range xs {
			for j, v := range g[i].Data() {
				if got := sg[i].Data()[j]; got != -0.25*v {
					t.Errorf("%d leaves: scaled gradient [%d][%d] = %v, want %v", n, i, j, got, -0.25*v)
				}
			}
		}
	}
}

// TestHandoffAccumulation checks gradients handed off by backward functions:
// the pass adds an input's other terms into them in place, while a
// gradient handed to two inputs at once, and one passed on unchanged by
// Add to both of its inputs, stay as they were until both have read them.
// Each graph orders its terms so that a wrong in-place sum would reach a
// gradient still pending elsewhere. All values are small integers, so
// every sum is exact.
func TestHandoffAccumulation(t *testing.T) {
	x := Param([]float64{1, -2, 3}, 3)
	w := Param([]float64{2, 1, -1}, 3)
	// twice(a, b) is Σ 2a + Σ 2b, its backward one handed-off tensor of 2s
	// for both inputs.
	twice := func(a, b *Tensor) *Tensor {
		out := Scalar(2 * (a.Sum().Item() + b.Sum().Item()))
		return FusedInto("Twice", out, []*Tensor{a, b}, func(_, g *Tensor, gin []*Tensor) {
			h := Handoff(Full(2*g.Item(), a.Shape()...))
			gin[0], gin[1] = h, h
		})
	}
	// cube(a) is Σ a³ with a handed-off gradient 3a².
	cube := func(a *Tensor) *Tensor {
		out := Scalar(0)
		for _, v := range a.Data() {
			out.data[0] += v * v * v
		}
		return FusedInto("Cube", out, []*Tensor{a}, func(_, g *Tensor, gin []*Tensor) {
			d := make([]float64, a.Len())
			for i, v := range a.Data() {
				d[i] = 3 * v * v * g.Item()
			}
			gin[0] = Handoff(FromData(d, a.Shape()...))
		})
	}
	p := x.MulScalar(2)
	q := x.MulScalar(3)
	s := p.Add(q) // Add hands its gradient (Mul's, handed off) to p and q
	cases := []struct {
		name   string
		f      *Tensor
		dp, dq func(i int) float64 // ∂f/∂p, ∂f/∂q
	}{
		{"Σq + Σp³ + Σw·s + twice(p, q)",
			LinearCombination([]float64{1, 1, 1, 1}, q.Sum(), cube(p), w.Mul(s).Sum(), twice(p, q)),
			func(i int) float64 { pi := p.Data()[i]; return w.Data()[i] + 3*pi*pi + 2 },
			func(i int) float64 { return w.Data()[i] + 3 }},
		{"Σp + Σq³ + Σw·s",
			LinearCombination([]float64{1, 1, 1}, p.Sum(), cube(q), w.Mul(s).Sum()),
			func(i int) float64 { return w.Data()[i] + 1 },
			func(i int) float64 { qi := q.Data()[i]; return w.Data()[i] + 3*qi*qi }},
	}
	for _, tc := range cases {
		g := Gradients(tc.f, x, w)
		for i := range x.Data() {
			if got, want := g[0].Data()[i], 2*tc.dp(i)+3*tc.dq(i); got != want {
				t.Errorf("%s: ∂f/∂x[%d] = %v, want %v", tc.name, i, got, want)
			}
			if got, want := g[1].Data()[i], s.Data()[i]; got != want {
				t.Errorf("%s: ∂f/∂w[%d] = %v, want %v", tc.name, i, got, want)
			}
		}
	}
}

// TestElementwiseIndependentOfCores checks that the vectorized elementwise
// functions give the same bits, values and gradients, whether one core or
// several share the work: the chunks of a large tensor must not move
// elements between a vector kernel and its scalar twin.
func TestElementwiseIndependentOfCores(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	n := 3*parallelThreshold + 17
	x := randParam(rng, -30, 30, n)
	w := RandN(rng, n)
	ops := map[string]func(*Tensor) *Tensor{
		"Exp": (*Tensor).Exp, "Sigmoid": (*Tensor).Sigmoid, "Softplus": (*Tensor).Softplus, "LogSigmoid": (*Tensor).LogSigmoid,
		"Log": func(a *Tensor) *Tensor { return a.Abs().Log() },
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for name, op := range ops {
		var first, firstGrad []float64
		for _, procs := range []int{1, 2, 3, 7} {
			runtime.GOMAXPROCS(procs)
			out := op(x)
			g := Gradients(out.Mul(w).Sum(), x)[0]
			if first == nil {
				first, firstGrad = out.Data(), g.Data()
				continue
			}
			if !identicalFloats(out.Data(), first) || !identicalFloats(g.Data(), firstGrad) {
				t.Errorf("%s: values or gradient with GOMAXPROCS=%d differ from one core's", name, procs)
			}
		}
	}
}
