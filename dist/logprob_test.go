package dist

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/vigo-ppl/vigo/tensor"
)

// scalarCase describes a family with event shape () by a constructor from
// its parameter tensors and a reference log-density of one element.
type scalarCase struct {
	name   string
	make   func(p []*tensor.Tensor) Distribution
	params [][]float64 // one value list per parameter
	shapes [][]int     // the parameters' shapes
	values []float64
	vshape []int
	ref    func(p []float64, x float64) float64
	// lax turns validation off, to see the density outside the support
	lax bool
}

func lgam(x float64) float64 { v, _ := math.Lgamma(x); return v }

func scalarCases() []scalarCase {
	pos := []float64{0.3, 1, 2.5}
	locs := []float64{-1, 0, 2}
	xs := []float64{-2.5, -0.3, 0, 0.7, 1.9, 4}
	xpos := []float64{0.05, 0.3, 0.7, 1.9, 4, 11}
	xunit := []float64{0, 0.01, 0.3, 0.5, 0.93, 1}
	return []scalarCase{
		{
			name: "Normal", make: func(p []*tensor.Tensor) Distribution { return Normal(p[0], p[1]) },
			params: [][]float64{locs, pos}, shapes: [][]int{{3}, {3, 1}}, values: xs, vshape: []int{6, 1, 1},
			ref: func(p []float64, x float64) float64 { return distuv.Normal{Mu: p[0], Sigma: p[1]}.LogProb(x) },
		},
		{
			name: "LogNormal", make: func(p []*tensor.Tensor) Distribution { return LogNormal(p[0], p[1]) },
			params: [][]float64{locs, pos}, shapes: [][]int{{3}, {3, 1}}, values: xpos, vshape: []int{6, 1, 1},
			ref: func(p []float64, x float64) float64 { return distuv.LogNormal{Mu: p[0], Sigma: p[1]}.LogProb(x) },
		},
		{
			name: "HalfNormal", make: func(p []*tensor.Tensor) Distribution { return HalfNormal(p[0]) },
			params: [][]float64{pos}, shapes: [][]int{{3}}, values: append([]float64{0}, xpos...), vshape: []int{7, 1},
			// closed form: log 2 + normal log-density at x ≥ 0
			ref: func(p []float64, x float64) float64 { return math.Ln2 + distuv.Normal{Mu: 0, Sigma: p[0]}.LogProb(x) },
		},
		{
			name: "Cauchy", make: func(p []*tensor.Tensor) Distribution { return Cauchy(p[0], p[1]) },
			params: [][]float64{locs, pos}, shapes: [][]int{{3, 1}, {3}}, values: xs, vshape: []int{6, 1, 1},
			// closed form: 1/(π s (1 + z²))
			ref: func(p []float64, x float64) float64 {
				z := (x - p[0]) / p[1]
				return -math.Log(math.Pi * p[1] * (1 + z*z))
			},
		},
		{
			name: "HalfCauchy", make: func(p []*tensor.Tensor) Distribution { return HalfCauchy(p[0]) },
			params: [][]float64{pos}, shapes: [][]int{{3}}, values: append([]float64{0}, xpos...), vshape: []int{7, 1},
			// closed form: 2/(π s (1 + (x/s)²)) on x ≥ 0
			ref: func(p []float64, x float64) float64 {
				z := x / p[0]
				return math.Log(2 / (math.Pi * p[0] * (1 + z*z)))
			},
		},
		{
			name: "StudentT", make: func(p []*tensor.Tensor) Distribution { return StudentT(p[0], p[1], p[2]) },
			params: [][]float64{{0.7, 3, 30}, locs, pos}, shapes: [][]int{{3}, {3}, {3}}, values: xs, vshape: []int{6, 1},
			ref: func(p []float64, x float64) float64 {
				return distuv.StudentsT{Mu: p[1], Sigma: p[2], Nu: p[0]}.LogProb(x)
			},
		},
		{
			name: "Laplace", make: func(p []*tensor.Tensor) Distribution { return Laplace(p[0], p[1]) },
			params: [][]float64{locs, pos}, shapes: [][]int{{3}, {3}}, values: xs, vshape: []int{6, 1},
			ref: func(p []float64, x float64) float64 { return distuv.Laplace{Mu: p[0], Scale: p[1]}.LogProb(x) },
		},
		{
			name: "Uniform", make: func(p []*tensor.Tensor) Distribution { return Uniform(p[0], p[1]) },
			params: [][]float64{{-3, -1, 0.5}, {4.5, 0.5, 5}}, shapes: [][]int{{3}, {3}}, values: []float64{-2.5, -0.3, 0, 0.5, 0.7, 1.9, 4}, vshape: []int{7, 1},
			// outside [low, high) the density is 0 (PyTorch's half-open rule; gonum agrees inside)
			lax: true,
			ref: func(p []float64, x float64) float64 {
				if x < p[0] || x >= p[1] {
					return math.Inf(-1)
				}
				return distuv.Uniform{Min: p[0], Max: p[1]}.LogProb(x)
			},
		},
		{
			name: "Exponential", make: func(p []*tensor.Tensor) Distribution { return Exponential(p[0]) },
			params: [][]float64{pos}, shapes: [][]int{{3}}, values: append([]float64{0}, xpos...), vshape: []int{7, 1},
			ref: func(p []float64, x float64) float64 { return distuv.Exponential{Rate: p[0]}.LogProb(x) },
		},
		{
			name: "Gamma", make: func(p []*tensor.Tensor) Distribution { return Gamma(p[0], p[1]) },
			params: [][]float64{{0.4, 1, 7}, pos}, shapes: [][]int{{3, 1}, {3}}, values: xpos, vshape: []int{6, 1, 1},
			ref: func(p []float64, x float64) float64 { return distuv.Gamma{Alpha: p[0], Beta: p[1]}.LogProb(x) },
		},
		{
			name: "Beta", make: func(p []*tensor.Tensor) Distribution { return Beta(p[0], p[1]) },
			params: [][]float64{{0.4, 1, 7}, {1, 2.5, 0.8}}, shapes: [][]int{{3}, {3}}, values: xunit[1:5], vshape: []int{4, 1},
			ref: func(p []float64, x float64) float64 { return distuv.Beta{Alpha: p[0], Beta: p[1]}.LogProb(x) },
		},
	}
}

// TestLogProbScalarFamilies compares every element of a broadcast LogProb
// with the reference density of its own parameters and value.
func TestLogProbScalarFamilies(t *testing.T) {
	for _, c := range scalarCases() {
		t.Run(c.name, func(t *testing.T) {
			ps := make([]*tensor.Tensor, len(c.params))
			for i := range ps {
				ps[i] = tensor.New(c.params[i], c.shapes[i]...)
			}
			x := tensor.New(c.values, c.vshape...)
			d := c.make(ps)
			if c.lax {
				d = WithValidation(d, false)
			}
			lp, err := d.LogProb(x)
			if err != nil {
				t.Fatal(err)
			}
			shapes := [][]int{x.Shape()}
			for _, p := range ps {
				shapes = append(shapes, p.Shape())
			}
			want, _ := tensor.BroadcastShapes(shapes...)
			if !slices.Equal(lp.Shape(), want) {
				t.Fatalf("LogProb shape %v, want %v", lp.Shape(), want)
			}
			xe := x.Expand(want...).Data()
			pe := make([][]float64, len(ps))
			for i, p := range ps {
				pe[i] = p.Expand(want...).Data()
			}
			for i, got := range lp.Data() {
				args := make([]float64, len(ps))
				for j := range ps {
					args[j] = pe[j][i]
				}
				ref := c.ref(args, xe[i])
				// both are double-precision closed forms; lgamma implementations
				// differ in the last bits
				if !(got == ref || math.Abs(got-ref) <= 1e-12*(1+math.Abs(ref))) {
					t.Errorf("params %v x=%g: got %.17g, want %.17g", args, xe[i], got, ref)
				}
			}
		})
	}
}

// TestLogProbBetaEndpoints checks the unit-interval endpoints, where the
// density is finite only for concentrations ≥ 1 (PyTorch uses xlogy, so
// a = 1 gives a finite value at 0).
func TestLogProbBetaEndpoints(t *testing.T) {
	d := Beta(tensor.Vector(1, 2, 0.5), tensor.Vector(3, 1, 1))
	for _, x := range []float64{0, 1} {
		lp, err := d.LogProb(tensor.Scalar(x))
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range []float64{1, 2, 0.5} {
			b := []float64{3, 1, 1}[i]
			// closed form with 0·log 0 = 0
			want := -(lgam(a) + lgam(b) - lgam(a+b))
			if x == 0 {
				want += xlogyRef(a-1, 0) + xlogyRef(b-1, 1)
			} else {
				want += xlogyRef(a-1, 1) + xlogyRef(b-1, 0)
			}
			if got := lp.Data()[i]; got != want && math.Abs(got-want) > 1e-12 {
				t.Errorf("Beta(%g,%g).LogProb(%g) = %g, want %g", a, b, x, got, want)
			}
		}
	}
}

func xlogyRef(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(y)
}

// dirichletRef is the Dirichlet log-density written out with math.Lgamma
// (gonum's distmv would add golang.org/x/tools to the module's
// dependencies, so the closed form is spelled out here instead).
func dirichletRef(a, x []float64) float64 {
	s, lp := 0.0, 0.0
	for i := range a {
		s += a[i]
		lp += (a[i]-1)*math.Log(x[i]) - lgam(a[i])
	}
	return lp + lgam(s)
}

// TestLogProbDirichlet compares with the closed form for a batch of
// concentrations broadcast against a batch of values.
func TestLogProbDirichlet(t *testing.T) {
	conc := [][]float64{{0.5, 1, 2}, {3, 0.7, 10}}
	vals := [][]float64{{0.2, 0.3, 0.5}, {0.01, 0.9, 0.09}, {1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.6, 0.35, 0.05}}
	d := Dirichlet(tensor.New(slices.Concat(conc...), 2, 1, 3))
	x := tensor.New(slices.Concat(vals...), 4, 3)
	lp, err := d.LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lp.Shape(), []int{2, 4}) {
		t.Fatalf("shape %v, want [2 4]", lp.Shape())
	}
	for i, a := range conc {
		for j, v := range vals {
			want := dirichletRef(a, v)
			got := lp.At(i, j)
			// same closed form, summed in another order
			if !(math.Abs(got-want) <= 1e-12*(1+math.Abs(want))) {
				t.Errorf("alpha %v x %v: got %.17g want %.17g", a, v, got, want)
			}
		}
	}
}

// TestLogProbDelta checks Pyro's Delta: LogDensity at v, -Inf elsewhere, the
// event dims counted together.
func TestLogProbDelta(t *testing.T) {
	v := tensor.New([]float64{1, 2, 3, 4}, 2, 2)
	d := Delta(v, tensor.Vector(0.5, -1), 1)
	x := tensor.New([]float64{1, 2, 3, 5}, 2, 2)
	lp, err := d.LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	if got := lp.Data(); got[0] != 0.5 || !math.IsInf(got[1], -1) {
		t.Errorf("Delta LogProb = %v, want [0.5 -Inf]", got)
	}
	if !slices.Equal(d.BatchShape(), []int{2}) || !slices.Equal(d.EventShape(), []int{2}) {
		t.Errorf("shapes %v %v", d.BatchShape(), d.EventShape())
	}
}

// TestLogProbUnit checks that a factor's log-density is its log factor,
// broadcast against the value's batch dims.
func TestLogProbUnit(t *testing.T) {
	d := Unit(tensor.Vector(1.5, -2))
	lp, err := d.LogProb(tensor.Zeros(3, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lp.Shape(), []int{3, 2}) || lp.At(2, 1) != -2 || lp.At(0, 0) != 1.5 {
		t.Errorf("Unit LogProb = %v shape %v", lp, lp.Shape())
	}
	s := d.Sample(nil, 4)
	if !slices.Equal(s.Shape(), []int{4, 2, 0}) {
		t.Errorf("Unit sample shape %v, want [4 2 0]", s.Shape())
	}
}

// TestLogProbExpandedParamsStayUnexpanded checks that an expanded
// distribution broadcasts its small parameters against the value and still
// returns the full batch shape.
func TestLogProbExpandedParamsStayUnexpanded(t *testing.T) {
	d := Normal(tensor.Scalar(1), tensor.Scalar(2)).Expand(4, 3)
	lp, err := d.LogProb(tensor.Vector(0, 1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lp.Shape(), []int{4, 3}) {
		t.Fatalf("shape %v, want [4 3]", lp.Shape())
	}
	for i := 0; i < 4; i++ {
		for j, x := range []float64{0, 1, 2} {
			// gonum reference
			want := distuv.Normal{Mu: 1, Sigma: 2}.LogProb(x)
			if !(math.Abs(lp.At(i, j)-want) <= 1e-14) {
				t.Errorf("[%d %d] = %g, want %g", i, j, lp.At(i, j), want)
			}
		}
	}
}
