package dist

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// TestFirstAbove checks the category search against a binary search over
// cumulative rows with categories of probability zero (repeated values),
// for row lengths on both sides of the scan's limit and draws at and
// between the boundaries.
func TestFirstAbove(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{1, 2, 3, 16, 17, 40} {
		for range 200 {
			row := make([]float64, k)
			acc := 0.0
			for j := range row {
				if r.IntN(3) > 0 { // a third of the categories have probability 0
					acc += r.Float64()
				}
				row[j] = acc
			}
			for _, u := range []float64{0, row[k-1] * r.Float64(), row[k/2], row[k-1]} {
				want := min(k-1, sort.Search(k, func(j int) bool { return row[j] > u }))
				if got := firstAbove(row, u); got != want {
					t.Fatalf("k=%d row %v u=%v: %d, want %d", k, row, u, got, want)
				}
			}
		}
	}
}

// TestCategoricalLogitsSampleFrequencies draws from logits with a category
// of probability zero (−Inf) and logits a thousand apart (whose plain
// exponentials would overflow), in many rows at once, and checks that each
// category's frequency matches its softmax probability within 5 standard
// errors, for Categorical and OneHotCategorical.
func TestCategoricalLogitsSampleFrequencies(t *testing.T) {
	rows := [][]float64{
		{0, math.Log(2), math.Inf(-1), math.Log(5)},
		{1000, 1000 + math.Log(3), -5000, 999},
	}
	const n = 20000 // copies of each row
	var l []float64
	for range n {
		for _, r := range rows {
			l = append(l, r...)
		}
	}
	logits := tensor.FromData(l, n, len(rows), 4)
	rng := rand.New(rand.NewPCG(11, 12))
	idx := CategoricalLogits(logits).Sample(rng).Data()
	oh := OneHotCategoricalLogits(logits).Sample(rng).Data()
	for name, pick := range map[string]func(i int) int{
		"Categorical": func(i int) int { return int(idx[i]) },
		"OneHotCategorical": func(i int) int {
			for j, v := range oh[i*4 : (i+1)*4] {
				if v == 1 {
					return j
				}
			}
			return -1
		},
	} {
		for r, row := range rows {
			m := math.Inf(-1)
			for _, v := range row {
				m = max(m, v)
			}
			z := 0.0
			for _, v := range row {
				z += math.Exp(v - m)
			}
			count := make([]float64, 4)
			for s := range n {
				count[pick(s*len(rows)+r)]++
			}
			for j, v := range row {
				p := math.Exp(v-m) / z
				mean, sd := n*p, math.Sqrt(n*p*(1-p))
				if !(math.Abs(count[j]-mean) <= 5*sd+0.5) {
					t.Errorf("%s row %d: category %d drawn %v times, want %v ± %v", name, r, j, count[j], mean, 5*sd)
				}
			}
		}
	}
}
