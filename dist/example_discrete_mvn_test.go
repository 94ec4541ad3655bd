package dist_test

import (
	"fmt"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

func ExampleBernoulliLogits() {
	logits := tensor.Param([]float64{0, 2}, 2)
	d := dist.BernoulliLogits(logits)
	lp, err := d.LogProb(tensor.Vector(1, 0))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", lp.Data())
	lp.Sum().Backward()
	fmt.Printf("d/dlogits: %.4f\n", logits.Grad().Data()) // x - sigmoid(l)
	_, err = d.LogProb(tensor.Vector(1, 0.5))
	fmt.Println(err)
	// Output:
	// [-0.6931 -2.1269]
	// d/dlogits: [0.5000 -0.8808]
	// dist: Bernoulli: value of shape [2] is outside the support (0 or 1): found 0.5
}

func ExampleCategoricalProbs() {
	// Two distributions over three categories; probs are normalized.
	d := dist.CategoricalProbs(tensor.New([]float64{1, 1, 2, 0, 3, 1}, 2, 3))
	fmt.Println(d.BatchShape(), d.EventShape())
	fmt.Printf("%.4f\n", d.Probs().Data())
	lp, _ := d.LogProb(tensor.Vector(2, 1)) // one index per distribution
	fmt.Printf("%.4f\n", lp.Data())
	x := d.Sample(newRNG(1), 4)
	fmt.Println(x.Shape())
	// Output:
	// [2] []
	// [0.2500 0.2500 0.5000 0.0000 0.7500 0.2500]
	// [-0.6931 -0.2877]
	// [4 2]
}

func ExampleMultivariateNormalCov() {
	cov := tensor.New([]float64{2, 0.5, 0.5, 1}, 2, 2)
	d := dist.MultivariateNormalCov(tensor.Vector(1, -1), cov)
	fmt.Println(d.BatchShape(), d.EventShape())
	fmt.Printf("%.4f\n", d.ScaleTril().Data())
	lp, _ := d.LogProb(tensor.New([]float64{1, -1, 0, 0}, 2, 2))
	fmt.Printf("%.4f\n", lp.Data())
	fmt.Printf("%.4f\n", d.Entropy().Item()) // log(2πe) + ½ log det Σ
	// Output:
	// [] [2]
	// [1.4142 0.0000 0.3536 0.9354]
	// [-2.1177 -3.2605]
	// 3.1177
}

func ExampleLowRankMultivariateNormal() {
	// Σ = W Wᵀ + diag(d) with a rank-1 W: the log-density never forms Σ.
	d := dist.LowRankMultivariateNormal(tensor.Zeros(3), tensor.New([]float64{1, 1, 1}, 3, 1), tensor.Ones(3))
	lp, _ := d.LogProb(tensor.Zeros(3))
	dense := dist.MultivariateNormalCov(tensor.Zeros(3), d.CovarianceMatrix())
	lpd, _ := dense.LogProb(tensor.Zeros(3))
	fmt.Printf("%.6f %.6f\n", lp.Item(), lpd.Item())
	// Output:
	// -3.449963 -3.449963
}

func ExampleKL() {
	p := dist.Normal(tensor.Vector(0, 1), tensor.Scalar(1))
	q := dist.Normal(tensor.Scalar(0), tensor.Scalar(2))
	kl, err := dist.KL(p, q)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", kl.Data())
	// Independent wrappers sum over their event dims.
	kl, _ = dist.KL(p.ToEvent(1), q.Expand(2).ToEvent(1))
	fmt.Printf("%.4f\n", kl.Item())
	_, err = dist.KL(p, dist.Gamma(tensor.Scalar(1), tensor.Scalar(1)))
	fmt.Println(err)
	// Output:
	// [0.3181 0.4431]
	// 0.7613
	// dist: KL(Normal ‖ Gamma): no closed form registered for this pair
}
