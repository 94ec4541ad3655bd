package dist_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
	"github.com/vigo-ppl/vigo/transform"
)

func ExampleNormal() {
	loc := tensor.Param([]float64{0.5}, 1)
	d := dist.Normal(loc.Reshape(), tensor.Scalar(2))
	lp, err := d.LogProb(tensor.Vector(0, 1, 2))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", lp.Data())
	lp.Sum().Backward()
	fmt.Println("d/dloc:", loc.Grad().Data()) // Σ (x - loc)/scale²
	// Output:
	// [-1.6433 -1.6433 -1.8933]
	// d/dloc: [0.375]
}

func ExampleNormal_validate() {
	d := dist.Normal(tensor.Scalar(0), tensor.Vector(1, -1))
	fmt.Println(d.Validate())
	_, err := d.LogProb(tensor.Scalar(0))
	fmt.Println(err != nil)
	// Output:
	// dist: Normal: scale must be positive, got shape [2] containing -1
	// true
}

func ExampleIndependent() {
	d := dist.Normal(tensor.Zeros(3), tensor.Ones(3)).ToEvent(1)
	fmt.Println(d.BatchShape(), d.EventShape())
	lp, _ := d.LogProb(tensor.Zeros(4, 3))
	fmt.Println(lp.Shape())
	// Output:
	// [] [3]
	// [4]
}

func ExampleMask() {
	d := dist.Normal(tensor.Zeros(3), tensor.Ones(3)).Mask(tensor.Vector(1, 0, 1))
	lp, _ := d.LogProb(tensor.Zeros(3))
	fmt.Printf("%.4f\n", lp.Data())
	parts, _ := d.ScoreParts(tensor.Zeros(3))
	fmt.Println(parts.ScoreFunction == nil, parts.EntropyTerm != nil) // reparameterized
	// Output:
	// [-0.9189 0.0000 -0.9189]
	// true true
}

func ExampleMaskAll() {
	d := dist.MaskAll(dist.Normal(tensor.Scalar(0), tensor.Scalar(1)).Expand(2), false)
	lp, _ := d.LogProb(tensor.Vector(5, 7))
	fmt.Println(lp)
	// Output:
	// [0 0]
}

func ExampleGamma() {
	// a reparameterized draw: the gradient in the concentration is implicit
	alpha := tensor.Param([]float64{2.5}, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	z := dist.Gamma(alpha.Reshape(), tensor.Scalar(1)).RSample(rng)
	z.Backward()
	fmt.Println(alpha.Grad().Item() > 0)
	// Output:
	// true
}

func ExampleDelta() {
	v := tensor.Param([]float64{1, 2}, 2)
	d := dist.Delta(v, nil, 1)
	x := d.RSample(nil)
	lp, _ := d.LogProb(x)
	fmt.Println(x, lp)
	// Output:
	// [1 2] 0
}

func ExampleUnit() {
	d := dist.Unit(tensor.Vector(-1.5, 0.5))
	x := d.Sample(nil)
	lp, _ := d.LogProb(x)
	fmt.Println(x.Shape(), lp)
	// Output:
	// [2 0] [-1.5 0.5]
}

func ExampleTransformedDistribution() {
	d := dist.TransformedDistribution(dist.Normal(tensor.Scalar(0), tensor.Scalar(1)), transform.Exp)
	lp, _ := d.LogProb(tensor.Scalar(1))
	ln, _ := dist.LogNormal(tensor.Scalar(0), tensor.Scalar(1)).LogProb(tensor.Scalar(1))
	fmt.Printf("%.6f %.6f\n", lp.Item(), ln.Item())
	// Output:
	// -0.918939 -0.918939
}
