package dist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// TestLocScaleFused checks the fused draw loc + scale·eps against Add and
// Mul, bit for bit in values and in both parameters' gradients, for every
// layout it fuses (each parameter full or one element, over one chunk and
// several) and for those it leaves to Add and Mul (a parameter per feature,
// an eps that needs a gradient, a draw below a block). The incoming gradient is not uniform, so
// a swapped or dropped factor shows.
func TestLocScaleFused(t *testing.T) {
	type layout struct {
		name              string
		loc, scale, shape []int
		epsGrad           bool
	}
	const big = 3*chunkSize + 5
	layouts := []layout{
		{"full/full", []int{40, 30}, []int{40, 30}, []int{40, 30}, false},
		{"one/full", []int{}, []int{40, 30}, []int{40, 30}, false},
		{"full/one", []int{40, 30}, []int{1}, []int{40, 30}, false},
		{"one/one", []int{1, 1}, []int{}, []int{40, 30}, false},
		{"small", []int{4, 3}, []int{}, []int{4, 3}, false},
		{"full/full chunks", []int{big}, []int{big}, []int{big}, false},
		{"one/full chunks", []int{1}, []int{big}, []int{big}, false},
		{"full/one chunks", []int{big}, []int{}, []int{big}, false},
		{"per feature", []int{30}, []int{40, 30}, []int{40, 30}, false},
		{"eps with gradient", []int{40, 30}, []int{40, 30}, []int{40, 30}, true},
		{"loc with more dims", []int{1, 1, 1}, []int{}, []int{400}, false},
	}
	draw := func(seed int, shape []int) *tensor.Tensor {
		return tensor.RandN(rand.New(rand.NewPCG(uint64(seed), 7)), shape...)
	}
	for k, l := range layouts {
		loc := tensor.Param(draw(10+k, l.loc).Data(), l.loc...)
		scale := tensor.Param(draw(20+k, l.scale).Exp().Data(), l.scale...)
		eps := draw(30+k, l.shape)
		if l.epsGrad {
			eps = tensor.Param(eps.Data(), l.shape...)
		}
		w := draw(40+k, l.shape)
		got := locScale(loc, scale, eps)
		want := loc.Add(scale.Mul(eps))
		if !slices.Equal(got.Shape(), want.Shape()) || !fdSameBits(got.Data(), want.Data()) {
			t.Fatalf("%s: locScale %v, Add and Mul %v", l.name, got.Shape(), want.Shape())
		}
		g := tensor.Gradients(got.Mul(w).Sum(), loc, scale)
		gw := tensor.Gradients(want.Mul(w).Sum(), loc, scale)
		for i, name := range []string{"loc", "scale"} {
			if !slices.Equal(g[i].Shape(), gw[i].Shape()) || !fdSameBits(g[i].Data(), gw[i].Data()) {
				t.Errorf("%s: ∂/∂%s differs from Add and Mul's: %v", l.name, name, fmt.Sprint(g[i].Shape(), gw[i].Shape()))
			}
		}
	}
}
