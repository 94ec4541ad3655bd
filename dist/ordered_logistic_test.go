package dist_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// TestOrderedLogisticLogProb checks the category probabilities against
// the closed form sigmoid(c_k - η) - sigmoid(c_{k-1} - η), with predictors
// of shape (4, 1) broadcast against cutpoints of shape (2, 3), and the
// gradients in both against central finite differences.
func TestOrderedLogisticLogProb(t *testing.T) {
	eta := []float64{-1, 0, 0.5, 3}
	cut := []float64{-2, 0.1, 1.5, -0.5, 0, 4}
	d := dist.OrderedLogistic(tensor.New(eta, 4, 1), tensor.New(cut, 2, 3))
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.BatchShape(), []int{4, 2}) || d.NumCategories() != 4 {
		t.Fatalf("batch %v, %d categories", d.BatchShape(), d.NumCategories())
	}
	ks := tensor.New([]float64{0, 1, 2, 3}, 4, 1, 1)
	lp, err := d.LogProb(ks)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lp.Shape(), []int{4, 4, 2}) {
		t.Fatalf("LogProb shape %v", lp.Shape())
	}
	cdf := func(k int, e float64, c []float64) float64 {
		switch {
		case k < 0:
			return 0
		case k >= len(c):
			return 1
		}
		return sigmoid(c[k] - e)
	}
	for i, got := range lp.Data() {
		k, b := i/8, i%8
		e, c := eta[b/2], cut[(b%2)*3:(b%2)*3+3]
		want := math.Log(cdf(k, e, c) - cdf(k-1, e, c))
		// closed form; differences of sigmoids lose up to ~1e-15 absolute.
		if !near(got, want, 1e-12) {
			t.Errorf("LogProb[%d] (k=%d, η=%v, c=%v) = %v, want %v", i, k, e, c, got, want)
		}
	}
	w := weightsFor(3, 4, 4, 2)
	checkGrad(t, "OrderedLogistic", []param{{eta, []int{4, 1}}, {cut, []int{2, 3}}}, func(ts []*tensor.Tensor) *tensor.Tensor {
		lp, err := dist.OrderedLogistic(ts[0], ts[1]).LogProb(ks)
		if err != nil {
			t.Fatal(err)
		}
		return lp.Mul(w).Sum()
	})
	for _, c := range []struct {
		pred, cut *tensor.Tensor
		msg       string
	}{
		{tensor.Scalar(0), tensor.Vector(1, 0), "strictly increasing"},
		{tensor.Scalar(math.NaN()), tensor.Vector(0, 1), "predictor"},
		{tensor.Zeros(3), tensor.Zeros(2, 2).Add(tensor.Vector(0, 1)), "do not broadcast"},
		{tensor.Scalar(0), tensor.Scalar(1), "cutpoints"},
	} {
		err := dist.OrderedLogistic(c.pred, c.cut).Validate()
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "OrderedLogistic") {
			t.Errorf("error %v, want one naming OrderedLogistic and %q", err, c.msg)
		}
	}
}
