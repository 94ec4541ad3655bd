package dist

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
	"github.com/vigo-ppl/vigo/transform"
)

// TestTransformedMatchesClosedForms checks TransformedDistribution against
// families that are transforms of a Normal: exp gives LogNormal, an affine
// map gives another Normal.
func TestTransformedMatchesClosedForms(t *testing.T) {
	loc, scale := tensor.Vector(-1, 0.5), tensor.Vector(0.3, 2)
	x := tensor.New([]float64{0.2, 1.7, 3, 0.01, 5, 0.9}, 3, 2)
	cases := []struct {
		name      string
		got, want Distribution
	}{
		{"exp", TransformedDistribution(Normal(loc, scale), transform.Exp), LogNormal(loc, scale)},
		{"affine", TransformedDistribution(Normal(tensor.Scalar(0), tensor.Scalar(1)).Expand(2),
			transform.Affine(loc, scale, 0)), Normal(loc, scale)},
		{"affine then exp", TransformedDistribution(Normal(tensor.Zeros(2), tensor.Ones(2)),
			transform.Affine(loc, scale, 0), transform.Exp), LogNormal(loc, scale)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !slices.Equal(c.got.BatchShape(), c.want.BatchShape()) || !slices.Equal(c.got.EventShape(), c.want.EventShape()) {
				t.Fatalf("shapes %v %v, want %v %v", c.got.BatchShape(), c.got.EventShape(), c.want.BatchShape(), c.want.EventShape())
			}
			a, err := c.got.LogProb(x)
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.want.LogProb(x)
			if err != nil {
				t.Fatal(err)
			}
			for i := range a.Data() {
				// same density by the change of variables formula
				if !(math.Abs(a.Data()[i]-b.Data()[i]) <= 1e-12) {
					t.Errorf("[%d] %g, want %g", i, a.Data()[i], b.Data()[i])
				}
			}
			if c.got.HasRSample() != true {
				t.Error("transformed Normal should be reparameterized")
			}
		})
	}
}

// TestTransformedEventShapes checks that a transform with event dim 1 turns
// base batch dims into event dims (PyTorch's shape rule).
func TestTransformedEventShapes(t *testing.T) {
	d := TransformedDistribution(Normal(tensor.Zeros(4, 3), tensor.Ones(4, 3)), transform.StickBreaking)
	if !slices.Equal(d.BatchShape(), []int{4}) || !slices.Equal(d.EventShape(), []int{4}) {
		t.Fatalf("batch %v event %v, want [4] [4]", d.BatchShape(), d.EventShape())
	}
	rng := rand.New(rand.NewPCG(2, 2))
	x := d.Sample(rng, 5)
	if !slices.Equal(x.Shape(), []int{5, 4, 4}) {
		t.Fatalf("sample shape %v", x.Shape())
	}
	lp, err := d.LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lp.Shape(), []int{5, 4}) {
		t.Errorf("LogProb shape %v, want [5 4]", lp.Shape())
	}
	if _, err := d.LogProb(tensor.Full(0.5, 4)); err == nil {
		t.Error("a vector off the simplex was accepted")
	}
	e := d.Expand(2, 4)
	if !slices.Equal(e.BatchShape(), []int{2, 4}) || !slices.Equal(e.Sample(rng).Shape(), []int{2, 4, 4}) {
		t.Errorf("expanded batch %v", e.BatchShape())
	}
}

// TestEntropyMonteCarlo checks every closed-form entropy against -E[log p]
// estimated from 20000 draws, within 5 standard errors.
func TestEntropyMonteCarlo(t *testing.T) {
	v := tensor.Vector
	cases := []struct {
		name string
		d    Distribution
	}{
		{"Normal", Normal(v(-1, 3), v(0.5, 2))},
		{"LogNormal", LogNormal(v(-1, 0.3), v(0.5, 0.4))},
		{"HalfNormal", HalfNormal(v(0.5, 2))},
		{"Cauchy", Cauchy(v(-1, 3), v(0.5, 2))},
		{"HalfCauchy", HalfCauchy(v(0.5, 2))},
		{"StudentT", StudentT(v(1.5, 30), v(-1, 3), v(0.5, 2))},
		{"Laplace", Laplace(v(-1, 3), v(0.5, 2))},
		{"Uniform", Uniform(v(-1, 3), v(0.5, 7))},
		{"Exponential", Exponential(v(0.5, 4))},
		{"Gamma", Gamma(v(0.4, 3), v(1, 0.5))},
		{"Beta", Beta(v(0.5, 2), v(0.8, 5))},
		{"Dirichlet", Dirichlet(tensor.New([]float64{0.5, 0.7, 2, 3, 5, 1}, 2, 3))},
		{"Independent", Normal(v(-1, 3), v(0.5, 2)).ToEvent(1)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 13))
			lp, err := c.d.LogProb(c.d.Sample(rng, nDraws))
			if err != nil {
				t.Fatal(err)
			}
			k := lp.Len() / nDraws
			mean, _, se, _ := columnStats(lp.Data(), nDraws, k)
			want := c.d.(Entropier).Entropy().Data()
			for j := 0; j < k; j++ {
				if math.Abs(-mean[j]-want[j]) > 5*se[j]+1e-9 { // 1e-9: rounding in the sum when log p is constant
					t.Errorf("column %d: -E[log p] = %g, entropy %g ± 5·%g", j, -mean[j], want[j], se[j])
				}
			}
		})
	}
}
