package vigo_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/tensor"
)

func s(v float64) *tensor.Tensor { return tensor.Scalar(v) }

func traceOf(t *testing.T, p vigo.Program) *vigo.Trace {
	t.Helper()
	tr, err := handler.Trace(p).Get(vigo.NewCtx(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func errOf(p vigo.Program) error {
	_, err := handler.Trace(p).Get(vigo.NewCtx(nil, nil))
	return err
}

// TestPlateStackShapes is spec §11.1 U3 (plate_stack).
func TestPlateStackShapes(t *testing.T) {
	for _, sizes := range [][]int{{3}, {3, 4}, {3, 4, 5}} {
		tr := traceOf(t, func(c *vigo.Ctx) {
			c.PlateStack("plate_stack", sizes, -1, func() {
				c.Sample("x", dist.BernoulliProbs(tensor.Full(0.5, 3)).ToEvent(1))
			})
		})
		want := append(slices.Clone(sizes), 3)
		if got := tr.Site("x").Value.Shape(); !slices.Equal(got, want) {
			t.Errorf("sizes %v: shape %v, want %v", sizes, got, want)
		}
	}
}

// TestDimAllocation is spec §11.1 U3 (test_dim_allocation_ok).
func TestDimAllocation(t *testing.T) {
	tr := traceOf(t, func(c *vigo.Ctx) {
		p := s(0.5)
		c.Plate("plate_outer", 10, func(*tensor.Tensor) {
			c.Sample("x", dist.BernoulliProbs(p))
			c.Plate("plate_inner_1", 11, func(*tensor.Tensor) {
				c.Sample("y", dist.BernoulliProbs(p))
				c.Plate("plate_inner_2", 12, func(*tensor.Tensor) {
					c.Sample("z", dist.BernoulliProbs(p))
					c.Plate("plate_inner_3", 13, func(*tensor.Tensor) {
						c.Sample("q", dist.BernoulliProbs(p))
					}, vigo.SubsampleSize(8))
				}, vigo.SubsampleSize(7))
			}, vigo.SubsampleSize(6))
		}, vigo.SubsampleSize(5), vigo.Dim(-3))
	})
	want := map[string][]int{"x": {5, 1, 1}, "y": {5, 1, 6}, "z": {5, 7, 6}, "q": {8, 5, 7, 6}}
	for name, shape := range want {
		if got := tr.Site(name).Value.Shape(); !slices.Equal(got, shape) {
			t.Errorf("%s: shape %v, want %v", name, got, shape)
		}
	}
}

func TestPlateScaleAndFrames(t *testing.T) {
	tr := traceOf(t, func(c *vigo.Ctx) {
		c.Plate("outer", 10, func(*tensor.Tensor) {
			c.Plate("inner", 4, func(*tensor.Tensor) {
				c.Sample("x", dist.Normal(s(0), s(1)))
			})
		}, vigo.SubsampleSize(5))
	})
	x := tr.Site("x")
	if x.Scale != 2 {
		t.Errorf("scale %v, want 10/5 = 2", x.Scale)
	}
	want := []vigo.Frame{{Name: "outer", Dim: -1, Size: 5}, {Name: "inner", Dim: -2, Size: 4}}
	if !slices.Equal(x.Stack, want) {
		t.Errorf("stack %v, want %v", x.Stack, want)
	}
	if got := x.Value.Shape(); !slices.Equal(got, []int{4, 5}) {
		t.Errorf("shape %v, want [4 5]", got)
	}
	if tr.Site("outer") == nil || !tr.Site("outer").IsSubsample() {
		t.Error("no subsample site named after the plate")
	}
}

func TestSequentialPlate(t *testing.T) {
	var seen []int
	tr := traceOf(t, func(c *vigo.Ctx) {
		for i := range c.PlateRange("seq", 4, vigo.SubsampleSize(2)) {
			seen = append(seen, i)
			c.Sample("x_"+string(rune('a'+i)), dist.Normal(s(0), s(1)))
		}
	})
	if len(seen) != 2 {
		t.Fatalf("visited %v, want 2 indices", seen)
	}
	for k, name := range tr.Names() {
		site := tr.Site(name)
		if site.IsSubsample() {
			continue
		}
		if site.Scale != 2 || len(site.Stack) != 1 || site.Stack[0].Dim != 0 || site.Stack[0].Counter != k {
			t.Errorf("%s: scale %v stack %v", name, site.Scale, site.Stack)
		}
	}
}

func TestPlateErrors(t *testing.T) {
	p := s(0.5)
	cases := []struct {
		name  string
		prog  vigo.Program
		match string
	}{
		{"zero size", func(c *vigo.Ctx) { c.Plate("p", 0, func(*tensor.Tensor) {}) }, "size cannot be zero"},
		{"positive dim", func(c *vigo.Ctx) { c.Plate("p", 3, func(*tensor.Tensor) {}, vigo.Dim(1)) }, "Expected dim < 0"},
		{"duplicate", func(c *vigo.Ctx) {
			pl := c.NewPlate("p", 3)
			pl.Do(func(*tensor.Tensor) { pl.Do(func(*tensor.Tensor) {}) })
		}, `duplicate plate "p"`},
		{"collision", func(c *vigo.Ctx) {
			c.Plate("plate_outer", 10, func(*tensor.Tensor) {
				c.Plate("plate_inner_1", 11, func(*tensor.Tensor) {
					c.Plate("plate_inner_2", 12, func(*tensor.Tensor) {}, vigo.Dim(-1))
				})
			}, vigo.Dim(-2))
		}, "collide at dim="},
		{"shape mismatch", func(c *vigo.Ctx) {
			c.Plate("plate", 10, func(*tensor.Tensor) {
				c.Sample("x", dist.BernoulliProbs(p).Expand(2))
			}, vigo.SubsampleSize(5))
		}, "Shape mismatch inside plate"},
		{"param shape", func(c *vigo.Ctx) {
			c.Plate("plate", 10, func(*tensor.Tensor) {
				c.Param("p0", tensor.Ones(5), vigo.EventDim(0))
			})
		}, "invalid shape of pyro.param"},
		{"duplicate site", func(c *vigo.Ctx) {
			c.Sample("x", dist.Normal(s(0), s(1)))
			c.Sample("x", dist.Normal(s(0), s(1)))
		}, "Multiple sample sites named"},
		{"both ways", func(c *vigo.Ctx) {
			pl := c.NewPlate("p", 3)
			pl.Do(func(*tensor.Tensor) {})
			for range pl.Range() {
			}
		}, "as both vectorized and non-vectorized"},
		{"block_plate none", handler.BlockPlate(func(c *vigo.Ctx) {}, "plate", true), "block_plate matched 0 messengers"},
	}
	for _, tc := range cases {
		err := errOf(tc.prog)
		if err == nil || !strings.Contains(err.Error(), tc.match) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.match)
		}
	}
}

func TestParamSubsampleSelection(t *testing.T) {
	tr := traceOf(t, func(c *vigo.Ctx) {
		c.Plate("plate", 10, func(idx *tensor.Tensor) {
			p := c.Param("p", tensor.Arange(0, 10, 1), vigo.EventDim(0))
			if !slices.Equal(p.Shape(), []int{5}) {
				t.Errorf("param shape %v, want [5]", p.Shape())
			}
			for i, v := range p.Data() {
				if v != idx.Data()[i] {
					t.Errorf("param row %d = %v, want index %v", i, v, idx.Data()[i])
				}
			}
			d := c.Subsample(tensor.Arange(0, 10, 1), 0)
			if !slices.Equal(d.Shape(), []int{5}) {
				t.Errorf("subsample shape %v", d.Shape())
			}
		}, vigo.SubsampleSize(5))
	})
	_ = tr
}

// TestSubsampleIndicesUniform checks that minibatch indices are distinct,
// in range, and that every index is equally likely in every position (a
// chi-square-free check: counts within 5 binomial standard deviations).
func TestSubsampleIndicesUniform(t *testing.T) {
	const n, k, draws = 10, 4, 20000
	counts := make([][]int, k)
	for i := range counts {
		counts[i] = make([]int, n)
	}
	c := vigo.NewCtx(nil, nil)
	for d := 0; d < draws; d++ {
		pl := c.NewPlate("p", n, vigo.SubsampleSize(k))
		seen := map[float64]bool{}
		for pos, v := range pl.Indices().Data() {
			if v < 0 || v >= n || seen[v] {
				t.Fatalf("indices %v", pl.Indices())
			}
			seen[v] = true
			counts[pos][int(v)]++
		}
	}
	p := 1.0 / n
	sd := math.Sqrt(draws * p * (1 - p))
	for pos := range counts {
		for v, got := range counts[pos] {
			if !(math.Abs(float64(got)-draws*p) <= 5*sd) {
				t.Errorf("index %d at position %d drawn %d times, want %.0f ± %.0f", v, pos, got, draws*p, 5*sd)
			}
		}
	}
}
