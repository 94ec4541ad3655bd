package constraint

import (
	"math"
	"slices"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

var (
	inf = math.Inf(1)
	nan = math.NaN()
	// negZero is -0; the constant -0.0 would be +0 in Go.
	negZero = math.Copysign(0, -1)
)

// checkCase is one value checked against one constraint; want holds the
// expected 0/1 result per event and wantShape its shape.
type checkCase struct {
	name      string
	c         Constraint
	value     *tensor.Tensor
	want      []float64
	wantShape []int
}

func scalarCases() []checkCase {
	v := func(xs ...float64) *tensor.Tensor { return tensor.Vector(xs...) }
	return []checkCase{
		{"real", Real, v(0, -inf, inf, nan, 1e308), []float64{1, 1, 1, 0, 1}, []int{5}},
		{"positive", Positive, v(1, 0, negZero, -1, 1e-320, inf, nan), []float64{1, 0, 0, 0, 1, 1, 0}, []int{7}},
		{"nonnegative", Nonnegative, v(1, 0, negZero, -1e-320, inf, nan), []float64{1, 1, 1, 0, 1, 0}, []int{6}},
		{"softplus_positive", SoftplusPositive, v(1, 0, -1, nan), []float64{1, 0, 0, 0}, []int{4}},
		{"greater_than", GreaterThan(2.5), v(2.5, 2.6, math.Nextafter(2.5, 3), 2, inf), []float64{0, 1, 1, 0, 1}, []int{5}},
		{"greater_than_eq", GreaterThanEq(-1), v(-1, math.Nextafter(-1, -2), 0, -inf), []float64{1, 0, 1, 0}, []int{4}},
		{"less_than", LessThan(3), v(3, math.Nextafter(3, 0), -inf, inf, nan), []float64{0, 1, 1, 0, 0}, []int{5}},
		{"interval", Interval(-1, 2), v(-1, 2, 0, -1.5, 2.5, nan), []float64{1, 1, 1, 0, 0, 0}, []int{6}},
		{"half_open_interval", HalfOpenInterval(-1, 2), v(-1, 2, math.Nextafter(2, 0), -1.5), []float64{1, 0, 1, 0}, []int{4}},
		{"unit_interval", UnitInterval, v(0, 1, 0.5, -1e-300, 1.0000001), []float64{1, 1, 1, 0, 0}, []int{5}},
		{"boolean", Boolean, v(0, 1, 0.5, 2, -1, nan), []float64{1, 1, 0, 0, 0, 0}, []int{6}},
		{"integer", Integer, v(0, -3, 2.5, inf, nan), []float64{1, 1, 0, 0, 0}, []int{5}},
		{"nonnegative_integer", NonnegativeInteger, v(0, 1, 7, -1, 1.5, inf), []float64{1, 1, 1, 0, 0, 0}, []int{6}},
		{"positive_integer", PositiveInteger, v(0, 1, 7, -1, 1.5), []float64{0, 1, 1, 0, 0}, []int{5}},
		{"integer_interval", IntegerInterval(-2, 3), v(-2, 3, 0, 4, -3, 0.5), []float64{1, 1, 1, 0, 0, 0}, []int{6}},
		// A batch of shape (2, 2): the result keeps the shape.
		{"positive_batched", Positive, tensor.New([]float64{1, -1, 0, 3}, 2, 2), []float64{1, 0, 0, 1}, []int{2, 2}},
		{"scalar_value", UnitInterval, tensor.Scalar(0.3), []float64{1}, []int{}},
	}
}

func shapedCases() []checkCase {
	m := func(shape []int, xs ...float64) *tensor.Tensor { return tensor.New(xs, shape...) }
	s := math.Sqrt(0.5)
	return []checkCase{
		// Rows: inside, a negative entry, sum off by 1e-5, sum off by 1e-7
		// (inside: the tolerance is 1e-6), a NaN, a vertex.
		{"simplex", Simplex, m([]int{6, 3},
			0.2, 0.3, 0.5,
			-0.1, 0.6, 0.5,
			0.2, 0.3, 0.50001,
			0.2, 0.3, 0.5000001,
			nan, 0.5, 0.5,
			0, 0, 1), []float64{1, 0, 0, 1, 0, 1}, []int{6}},
		{"ordered_vector", OrderedVector, m([]int{4, 3},
			-1, 0, 2,
			0, 0, 1,
			2, 1, 3,
			-inf, 0, inf), []float64{1, 0, 0, 1}, []int{4}},
		{"ordered_vector_single", OrderedVector, m([]int{2, 1}, 5, -5), []float64{1, 1}, []int{2}},
		{"positive_ordered_vector", PositiveOrderedVector, m([]int{3, 3},
			0.1, 1, 2,
			0, 1, 2,
			1, 2, 2), []float64{1, 0, 0}, []int{3}},
		{"one_hot", OneHot, m([]int{4, 3},
			0, 1, 0,
			1, 1, 0,
			0, 0, 0,
			0, 0.5, 0.5), []float64{1, 0, 0, 0}, []int{4}},
		{"multinomial", Multinomial(4), m([]int{3, 3},
			1, 2, 1,
			1, 2, 2,
			-1, 2, 1), []float64{1, 0, 0}, []int{3}},
		{"sphere", Sphere, m([]int{3, 2},
			0.6, 0.8,
			s, -s,
			0.6, 0.80001), []float64{1, 1, 0}, []int{3}},
		{"lower_triangular", LowerTriangular, m([]int{3, 2, 2},
			1, 0, -2, 0,
			1, 1e-300, 2, 3,
			nan, 0, 1, 1), []float64{1, 0, 0}, []int{3}},
		{"lower_cholesky", LowerCholesky, m([]int{4, 2, 2},
			1, 0, -2, 3,
			1, 0, 2, 0,
			1, 0.1, 2, 3,
			-1, 0, 2, 3), []float64{1, 0, 0, 0}, []int{4}},
		{"softplus_lower_cholesky", SoftplusLowerCholesky, m([]int{2, 2, 2},
			1, 0, -2, 3,
			1, 0, 2, 0), []float64{1, 0}, []int{2}},
		{"unit_lower_cholesky", UnitLowerCholesky, m([]int{3, 2, 2},
			1, 0, -2, 1,
			1, 0, 2, 1.5,
			1, 1, 0, 1), []float64{1, 0, 0}, []int{3}},
		// Rows of unit norm within 10·eps·n; 1e-10 off is outside.
		{"corr_cholesky", CorrCholesky, m([]int{4, 2, 2},
			1, 0, 0.6, 0.8,
			1, 0, -0.6, 0.8,
			1, 0, 0.6, 0.8+1e-10,
			1, 0, 0.8, -0.6), []float64{1, 1, 0, 0}, []int{4}},
		// Symmetric tolerance is 1e-6 absolute: 1e-7 asymmetry is inside.
		{"positive_definite", PositiveDefinite, m([]int{5, 2, 2},
			2, 1, 1, 2,
			1, 2, 2, 1, // symmetric, indefinite
			2, 1, 1.1, 2, // not symmetric
			2, 1, 1+1e-7, 2,
			1, 1, 1, 1), []float64{1, 0, 0, 1, 0}, []int{5}},
		{"positive_definite_nonsquare", PositiveDefinite, m([]int{1, 2, 3}, 1, 0, 0, 0, 1, 0), []float64{0}, []int{1}},
		{"corr_matrix", CorrMatrix, m([]int{3, 2, 2},
			1, 0.3, 0.3, 1,
			2, 0.3, 0.3, 2,
			1, 1.5, 1.5, 1), []float64{1, 0, 0}, []int{3}},
		// One event: a (2, 3) matrix with the batch dims reinterpreted.
		{"real_vector", RealVector, m([]int{2, 3}, 1, 2, 3, 4, nan, 6), []float64{1, 0}, []int{2}},
		{"independent_positive_2", IndependentOf(Positive, 2), m([]int{2, 2, 2},
			1, 2, 3, 4,
			1, 2, 3, 0), []float64{1, 0}, []int{2}},
		{"independent_simplex_1", IndependentOf(Simplex, 1), m([]int{2, 2, 2},
			0.5, 0.5, 1, 0,
			0.5, 0.5, 1, 1), []float64{1, 0}, []int{2}},
		{"independent_empty_event", IndependentOf(Positive, 1), tensor.Zeros(3, 0), []float64{1, 1, 1}, []int{3}},
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range append(scalarCases(), shapedCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.c.Check(tc.value)
			if !slices.Equal(got.Shape(), tc.wantShape) {
				t.Fatalf("%s.Check shape = %v, want %v", tc.c.Name(), got.Shape(), tc.wantShape)
			}
			if !slices.Equal(got.Data(), tc.want) {
				t.Errorf("%s.Check(%v) = %v, want %v", tc.c.Name(), tc.value, got.Data(), tc.want)
			}
		})
	}
}

func TestCheckTooFewDims(t *testing.T) {
	for _, c := range []Constraint{Simplex, LowerCholesky, RealVector, IndependentOf(LowerCholesky, 1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s.Check of a scalar did not panic", c.Name())
				}
			}()
			c.Check(tensor.Scalar(1))
		}()
	}
}

// allConstraints lists one or more instances of every constraint family.
func allConstraints() []Constraint {
	return []Constraint{
		Real, Positive, Nonnegative, UnitInterval, SoftplusPositive,
		GreaterThan(0.1), GreaterThan(negZero), GreaterThan(-1e-300), GreaterThanEq(3), GreaterThanEq(-inf),
		LessThan(1.0 / 3), LessThan(0), Interval(-2, 5e-324), Interval(0, 2), Interval(negZero, 1),
		HalfOpenInterval(0, 1), HalfOpenInterval(-math.Pi, math.E),
		Boolean, Integer, NonnegativeInteger, PositiveInteger, IntegerInterval(0, 9), IntegerInterval(-inf, 3),
		IntegerInterval(5, inf), Multinomial(10),
		Simplex, OrderedVector, PositiveOrderedVector, OneHot, Sphere,
		LowerTriangular, LowerCholesky, SoftplusLowerCholesky, UnitLowerCholesky, CorrCholesky,
		PositiveDefinite, CorrMatrix,
		RealVector, IndependentOf(Real, 2), IndependentOf(Interval(0.25, 0.75), 1),
		IndependentOf(IndependentOf(Simplex, 1), 2), IndependentOf(Positive, 0),
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, c := range allConstraints() {
		got, err := Parse(c.Name())
		if err != nil {
			t.Errorf("Parse(%q): %v", c.Name(), err)
			continue
		}
		if got != c {
			t.Errorf("Parse(%q) = %#v, want %#v", c.Name(), got, c)
		}
		if got.Name() != c.Name() {
			t.Errorf("Parse(%q).Name() = %q", c.Name(), got.Name())
		}
	}
}

// TestParseBitExact round-trips bounds drawn from raw bit patterns
// (subnormals, huge values, -0 included) and compares the bits.
func TestParseBitExact(t *testing.T) {
	vals := []float64{0.1, 1.0 / 3, negZero, 5e-324, math.MaxFloat64, -math.SmallestNonzeroFloat64,
		math.Nextafter(1, 2), 123456789.123456789, -inf}
	for i := range 200 {
		// A deterministic spread of bit patterns; NaNs are skipped.
		b := uint64(i)*0x9e3779b97f4a7c15 + 0x0123456789abcdef
		if v := math.Float64frombits(b); !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	for _, v := range vals {
		for _, c := range []Constraint{GreaterThan(v), LessThan(v), Interval(v, v), HalfOpenInterval(v, inf)} {
			got, err := Parse(c.Name())
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.Name(), err)
			}
			lo, hi := c.(Bounded).Bounds()
			glo, ghi := got.(Bounded).Bounds()
			if math.Float64bits(lo) != math.Float64bits(glo) || math.Float64bits(hi) != math.Float64bits(ghi) {
				t.Errorf("Parse(%q) bounds (%v, %v), want (%v, %v)", c.Name(), glo, ghi, lo, hi)
			}
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		c    Constraint
		want string
	}{
		{Real, "real"},
		{Positive, "positive"},
		{GreaterThan(0), "positive"},
		{GreaterThan(negZero), "greater_than(-0)"},
		{GreaterThan(1.5), "greater_than(1.5)"},
		{Nonnegative, "nonnegative"},
		{GreaterThanEq(-2), "greater_than_eq(-2)"},
		{LessThan(0.1), "less_than(0.1)"},
		{UnitInterval, "unit_interval"},
		{Interval(0, 1), "unit_interval"},
		{Interval(0, 2), "interval(0, 2)"},
		{Interval(1e-30, 1e30), "interval(1e-30, 1e+30)"},
		{HalfOpenInterval(0, 1), "half_open_interval(0, 1)"},
		{IntegerInterval(0, 5), "integer_interval(0, 5)"},
		{IntegerInterval(0, inf), "nonnegative_integer"},
		{IntegerInterval(2, inf), "integer_interval(2, +Inf)"},
		{RealVector, "real_vector"},
		{IndependentOf(Real, 1), "real_vector"},
		{IndependentOf(Positive, 2), "independent(positive, 2)"},
		{IndependentOf(Interval(0, 2), 1), "independent(interval(0, 2), 1)"},
		{Simplex, "simplex"},
		{CorrCholesky, "corr_cholesky"},
		{Multinomial(3), "multinomial(3)"},
	}
	for _, tt := range tests {
		if got := tt.c.Name(); got != tt.want {
			t.Errorf("Name() = %q, want %q", got, tt.want)
		}
	}
}

func TestAliasesEqual(t *testing.T) {
	pairs := [][2]Constraint{
		{Positive, GreaterThan(0)},
		{Nonnegative, GreaterThanEq(0)},
		{UnitInterval, Interval(0, 1)},
		{RealVector, IndependentOf(Real, 1)},
		{NonnegativeInteger, IntegerInterval(0, inf)},
		{PositiveInteger, IntegerInterval(1, inf)},
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("%s != %s", p[0].Name(), p[1].Name())
		}
	}
	distinct := [][2]Constraint{
		{Positive, SoftplusPositive},
		{LowerCholesky, SoftplusLowerCholesky},
		{Interval(0, 1), HalfOpenInterval(0, 1)},
		{Positive, Nonnegative},
		{IndependentOf(Real, 1), IndependentOf(Real, 2)},
	}
	for _, p := range distinct {
		if p[0] == p[1] {
			t.Errorf("%s == %s", p[0].Name(), p[1].Name())
		}
	}
}

func TestParseLongForms(t *testing.T) {
	tests := []struct {
		in   string
		want Constraint
	}{
		{"greater_than(0)", Positive},
		{"greater_than_eq(0)", Nonnegative},
		{"interval(0, 1)", UnitInterval},
		{"interval(0,1)", UnitInterval},
		{" independent( real , 1 ) ", RealVector},
		{"independent(independent(interval(0, 2), 1), 3)", IndependentOf(IndependentOf(Interval(0, 2), 1), 3)},
		{"integer_interval(0, +Inf)", NonnegativeInteger},
		{"less_than(1e3)", LessThan(1000)},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got.Name(), tt.want.Name())
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"", "nope", "positive(1)", "interval(0)", "interval(0, 1, 2)", "interval(a, 1)",
		"interval(NaN, 1)", "greater_than(", "greater_than)", "independent(real)", "independent(real, -1)",
		"independent(real, x)", "independent(nope, 1)", "interval(0,, 1)", "interval((0, 1)", "simplex()",
	} {
		if c, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %s, want an error", in, c.Name())
		}
	}
}

func TestMetadata(t *testing.T) {
	tests := []struct {
		c        Constraint
		eventDim int
		discrete bool
	}{
		{Real, 0, false}, {Positive, 0, false}, {Interval(0, 2), 0, false},
		{Boolean, 0, true}, {NonnegativeInteger, 0, true}, {IntegerInterval(0, 3), 0, true},
		{Simplex, 1, false}, {OneHot, 1, true}, {Multinomial(3), 1, true}, {OrderedVector, 1, false},
		{LowerCholesky, 2, false}, {PositiveDefinite, 2, false}, {CorrCholesky, 2, false}, {CorrMatrix, 2, false},
		{RealVector, 1, false}, {IndependentOf(Simplex, 2), 3, false}, {IndependentOf(Boolean, 1), 1, true},
	}
	for _, tt := range tests {
		if got := tt.c.EventDim(); got != tt.eventDim {
			t.Errorf("%s.EventDim() = %d, want %d", tt.c.Name(), got, tt.eventDim)
		}
		if got := tt.c.IsDiscrete(); got != tt.discrete {
			t.Errorf("%s.IsDiscrete() = %v, want %v", tt.c.Name(), got, tt.discrete)
		}
	}
}

func TestBounds(t *testing.T) {
	tests := []struct {
		c      Constraint
		lo, hi float64
	}{
		{Real, -inf, inf}, {Positive, 0, inf}, {LessThan(2), -inf, 2}, {Interval(-1, 3), -1, 3},
		{Boolean, 0, 1}, {PositiveInteger, 1, inf}, {IntegerInterval(2, 4), 2, 4},
	}
	for _, tt := range tests {
		b, ok := tt.c.(Bounded)
		if !ok {
			t.Errorf("%s is not Bounded", tt.c.Name())
			continue
		}
		if lo, hi := b.Bounds(); lo != tt.lo || hi != tt.hi {
			t.Errorf("%s.Bounds() = (%v, %v), want (%v, %v)", tt.c.Name(), lo, hi, tt.lo, tt.hi)
		}
	}
	if _, ok := Simplex.(Bounded); ok {
		t.Errorf("Simplex should not be Bounded")
	}
}

func TestConstructorPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"GreaterThan(NaN)":        func() { GreaterThan(nan) },
		"Interval(0, NaN)":        func() { Interval(0, nan) },
		"IndependentOf(nil, 1)":   func() { IndependentOf(nil, 1) },
		"IndependentOf(Real, -1)": func() { IndependentOf(Real, -1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range allConstraints() {
		f.Add(c.Name())
	}
	f.Add("independent(interval(0, 1), 2)")
	f.Add("interval(1e308, -1e-308)")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(c.Name())
		if err != nil {
			t.Fatalf("Parse(%q) gave %q, which does not parse: %v", s, c.Name(), err)
		}
		if again != c {
			t.Fatalf("Parse(%q).Name() = %q parses to a different constraint", s, c.Name())
		}
	})
}
