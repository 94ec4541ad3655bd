package vigo_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/tensor"
	"github.com/vigo-ppl/vigo/transform"
)

// runIn runs p in a fresh context on store (no handlers) and returns the
// error it raised.
func runIn(store *vigo.ParamStore, p vigo.Program) error {
	return vigo.NewCtx(store, nil).Run(p)
}

// wantKind fails unless err is a *vigo.Error of kind k whose message
// contains every string in subs.
func wantKind(t *testing.T, err error, k vigo.ErrorKind, subs ...string) {
	t.Helper()
	e, ok := vigo.AsError(err)
	if !ok {
		t.Fatalf("error %v (%T), want a *vigo.Error of kind %v", err, err, k)
	}
	if e.Kind != k {
		t.Errorf("error kind %v, want %v (%v)", e.Kind, k, err)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

// sameBits reports whether a and b have equal shapes and bit-identical data.
func sameBits(a, b *tensor.Tensor) bool {
	if !slices.Equal(a.Shape(), b.Shape()) {
		return false
	}
	ad, bd := a.Data(), b.Data()
	for i := range ad {
		if math.Float64bits(ad[i]) != math.Float64bits(bd[i]) {
			return false
		}
	}
	return true
}

// stateDiff describes how two snapshots differ ("" when they are equal:
// same names in the same order, same constraint names, bit-identical values).
func stateDiff(a, b vigo.ParamState) string {
	if !slices.Equal(a.Names, b.Names) {
		return fmt.Sprintf("names %v vs %v", a.Names, b.Names)
	}
	for _, n := range a.Names {
		if ca, cb := a.Constraints[n].Name(), b.Constraints[n].Name(); ca != cb {
			return fmt.Sprintf("%s: constraint %s vs %s", n, ca, cb)
		}
		if !sameBits(a.Values[n], b.Values[n]) {
			return fmt.Sprintf("%s: value %v vs %v", n, a.Values[n], b.Values[n])
		}
	}
	return ""
}

func TestParamLazyInit(t *testing.T) {
	store := vigo.NewParamStore()
	calls := 0
	lazy := vigo.LazyInit(func() *tensor.Tensor { calls++; return tensor.Vector(1, 2) })
	err := runIn(store, func(c *vigo.Ctx) {
		for range 3 {
			v := c.Param("w", nil, lazy)
			if !slices.Equal(v.Data(), []float64{1, 2}) {
				t.Errorf("w = %v, want [1 2]", v)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("lazy initializer called %d times, want 1", calls)
	}

	// A later call's init and constraint are ignored: the existing value and
	// its constraint stay (spec §6).
	err = runIn(store, func(c *vigo.Ctx) {
		first := c.Param("s", tensor.Scalar(2), vigo.Constrain(constraint.Positive))
		again := c.Param("s", tensor.Scalar(-7), vigo.Constrain(constraint.Real))
		lazyAgain := c.Param("s", nil, vigo.LazyInit(func() *tensor.Tensor {
			t.Error("lazy initializer of an existing parameter was called")
			return nil
		}))
		// exp(log 2) need not be exactly 2; the three reads must agree.
		if again.Item() != first.Item() || lazyAgain.Item() != first.Item() {
			t.Errorf("reads %v, %v, %v differ", first, again, lazyAgain)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := store.Constraint("s").Name(); got != "positive" {
		t.Errorf("constraint %s, want positive", got)
	}
	// The leaf holds log 2 (transform_to(positive) is exp).
	if got := store.Unconstrained("s").Item(); got != math.Log(2) {
		t.Errorf("unconstrained %v, want log 2 = %v", got, math.Log(2))
	}
}

func TestParamReadIsDifferentiable(t *testing.T) {
	store := vigo.NewParamStore()
	var v *tensor.Tensor
	if err := runIn(store, func(c *vigo.Ctx) {
		v = c.Param("s", tensor.Scalar(3), vigo.Constrain(constraint.Positive))
	}); err != nil {
		t.Fatal(err)
	}
	v.Backward()
	// d exp(u)/du = exp(u) = 3 at u = log 3 (rounding of exp(log 3) is below 1e-15).
	if g := store.Unconstrained("s").Grad(); g == nil || math.Abs(g.Item()-3) > 1e-14 {
		t.Errorf("grad %v, want 3", g)
	}
	if got := store.Get("s"); got.RequiresGrad() {
		t.Error("ParamStore.Get returned a tensor that requires grad")
	}
	// SetNoGrad detaches reads from the leaf.
	c := vigo.NewCtx(store, nil)
	c.SetNoGrad(true)
	if err := c.Run(func(c *vigo.Ctx) { v = c.Param("s", nil) }); err != nil {
		t.Fatal(err)
	}
	if v.RequiresGrad() {
		t.Error("Param under SetNoGrad requires grad")
	}
}

func TestParamErrors(t *testing.T) {
	cases := []struct {
		name string
		prog vigo.Program
		kind vigo.ErrorKind
		subs []string
	}{
		{"missing", func(c *vigo.Ctx) { c.Param("nope", nil) }, vigo.KeyError, []string{`"nope"`}},
		{"lazy nil", func(c *vigo.Ctx) {
			c.Param("nope", nil, vigo.LazyInit(func() *tensor.Tensor { return nil }))
		}, vigo.KeyError, []string{`"nope"`}},
		{"NaN", func(c *vigo.Ctx) { c.Param("w", tensor.Vector(1, math.NaN())) }, vigo.ValueError, []string{`"w"`, "NaN"}},
		{"Inf", func(c *vigo.Ctx) { c.Param("w", tensor.Scalar(math.Inf(1))) }, vigo.ValueError, []string{`"w"`}},
		{"outside positive", func(c *vigo.Ctx) {
			c.Param("w", tensor.Vector(1, -1), vigo.Constrain(constraint.Positive))
		}, vigo.ValueError, []string{`"w"`, "positive"}},
		{"outside interval", func(c *vigo.Ctx) {
			c.Param("w", tensor.Scalar(5), vigo.Constrain(constraint.Interval(-1, 3)))
		}, vigo.ValueError, []string{`"w"`, "interval"}},
		{"not a simplex", func(c *vigo.Ctx) {
			c.Param("w", tensor.Vector(0.5, 0.6), vigo.Constrain(constraint.Simplex))
		}, vigo.ValueError, []string{`"w"`, "simplex"}},
		{"no transform", func(c *vigo.Ctx) {
			c.Param("w", tensor.Scalar(1), vigo.Constrain(constraint.Integer))
		}, vigo.ValueError, []string{`"w"`}},
		{"scalar simplex", func(c *vigo.Ctx) {
			c.Param("w", tensor.Scalar(1), vigo.Constrain(constraint.Simplex))
		}, vigo.ValueError, []string{`"w"`, "simplex", "[]"}},
		{"vector lower_cholesky", func(c *vigo.Ctx) {
			c.Param("w", tensor.Vector(1, 2), vigo.Constrain(constraint.LowerCholesky))
		}, vigo.ValueError, []string{`"w"`, "lower_cholesky", "[2]"}},
		{"non-square positive_definite", func(c *vigo.Ctx) {
			c.Param("w", tensor.New([]float64{1, 0}, 1, 2), vigo.Constrain(constraint.PositiveDefinite))
		}, vigo.ValueError, []string{`"w"`, "positive_definite"}},
		// The positive boundary 0 maps to log 0 = -Inf.
		{"boundary", func(c *vigo.Ctx) {
			c.Param("w", tensor.Scalar(0), vigo.Constrain(constraint.Nonnegative))
		}, vigo.ValueError, []string{`"w"`, "non-finite"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := vigo.NewParamStore()
			if err := store.Set("keep", tensor.Scalar(1.5)); err != nil {
				t.Fatal(err)
			}
			before := store.State()
			err := runIn(store, tc.prog)
			wantKind(t, err, tc.kind, tc.subs...)
			want := strings.Trim(tc.subs[0], `"`)
			if e, _ := vigo.AsError(err); e != nil && e.Site != want {
				t.Errorf("site %q, want %q", e.Site, want)
			}
			if d := stateDiff(before, store.State()); d != "" {
				t.Errorf("store changed: %s", d)
			}
		})
	}
}

func TestParamStoreDictAPI(t *testing.T) {
	s := vigo.NewParamStore()
	if s.Len() != 0 || s.Get("a") != nil || s.Unconstrained("a") != nil || s.Constraint("a") != nil {
		t.Fatal("empty store is not empty")
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Set("loc_a", tensor.Vector(1, 2)))
	must(s.SetWithConstraint("scale_a", tensor.Scalar(4), constraint.Positive))
	must(s.Set("loc_b", tensor.Scalar(-3)))
	if got := s.Names(); !slices.Equal(got, []string{"loc_a", "scale_a", "loc_b"}) {
		t.Errorf("names %v, want creation order", got)
	}
	if s.Len() != 3 {
		t.Errorf("Len %d, want 3", s.Len())
	}
	if got := s.Constraint("loc_a").Name(); got != "real" {
		t.Errorf("Set on a new name gave constraint %s, want real", got)
	}

	// Set keeps an existing constraint and rejects values outside it.
	must(s.Set("scale_a", tensor.Scalar(2)))
	if got := s.Constraint("scale_a").Name(); got != "positive" {
		t.Errorf("constraint after Set %s, want positive", got)
	}
	if got := s.Unconstrained("scale_a").Item(); got != math.Log(2) {
		t.Errorf("unconstrained %v, want log 2", got)
	}
	before := s.State()
	err := s.Set("scale_a", tensor.Scalar(-2))
	wantKind(t, err, vigo.ValueError, "scale_a", "positive")
	if d := stateDiff(before, s.State()); d != "" {
		t.Errorf("failed Set changed the store: %s", d)
	}
	wantKind(t, s.Set("nil", nil), vigo.ValueError, "nil")
	err = s.SetWithConstraint("new", tensor.Scalar(-2), constraint.Positive)
	wantKind(t, err, vigo.ValueError, "new")
	if s.Len() != 3 {
		t.Error("failed SetWithConstraint added a parameter")
	}
	// Re-setting keeps the name's place in the order.
	must(s.Set("loc_a", tensor.Vector(5, 6)))
	if got := s.Names(); !slices.Equal(got, []string{"loc_a", "scale_a", "loc_b"}) {
		t.Errorf("names after re-set %v", got)
	}
	if got := s.Get("loc_a").Data(); !slices.Equal(got, []float64{5, 6}) {
		t.Errorf("loc_a = %v, want [5 6]", got)
	}

	m, err := s.Match("^loc_")
	must(err)
	if len(m) != 2 || m["loc_a"] == nil || m["loc_b"] == nil || m["loc_b"].Item() != -3 {
		t.Errorf("Match(^loc_) = %v", m)
	}
	if m, _ := s.Match("_a$"); len(m) != 2 || m["scale_a"] == nil {
		t.Errorf("Match(_a$) = %v", m)
	}
	if _, err := s.Match("("); err == nil {
		t.Error("Match with a bad regexp: no error")
	}

	s.Delete("scale_a")
	s.Delete("absent") // no-op
	if got := s.Names(); !slices.Equal(got, []string{"loc_a", "loc_b"}) || s.Get("scale_a") != nil || s.Len() != 2 {
		t.Errorf("after Delete: names %v", got)
	}
	// A deleted name comes back at the end with its new constraint.
	must(s.SetWithConstraint("scale_a", tensor.Scalar(0.5), constraint.UnitInterval))
	if got := s.Names(); !slices.Equal(got, []string{"loc_a", "loc_b", "scale_a"}) {
		t.Errorf("names %v", got)
	}
	if got := s.Constraint("scale_a").Name(); got != "unit_interval" {
		t.Errorf("constraint %s", got)
	}
	s.Clear()
	if s.Len() != 0 || len(s.Names()) != 0 || s.Get("loc_a") != nil {
		t.Error("Clear left parameters")
	}
	must(s.Set("x", tensor.Scalar(1)))
	if s.Len() != 1 {
		t.Error("store unusable after Clear")
	}
}

// roundTripCases lists one parameter per constraint that transform.TransformTo
// supports, with a shape that suits the constraint's event.
func roundTripCases() []struct {
	name  string
	cons  constraint.Constraint
	shape []int
} {
	return []struct {
		name  string
		cons  constraint.Constraint
		shape []int
	}{
		{"real", constraint.Real, []int{2, 3}},
		{"real_scalar", constraint.Real, []int{}},
		{"real_empty", constraint.Real, []int{2, 0}},
		{"positive", constraint.Positive, []int{3}},
		{"nonnegative", constraint.Nonnegative, []int{3}},
		{"greater_than", constraint.GreaterThan(2.5), []int{2}},
		{"greater_than_eq", constraint.GreaterThanEq(-0.25), []int{2}},
		{"less_than", constraint.LessThan(-1), []int{2}},
		{"interval", constraint.Interval(-1, 3), []int{4}},
		{"half_open_interval", constraint.HalfOpenInterval(0.5, 1.75), []int{4}},
		{"unit_interval", constraint.UnitInterval, []int{4}},
		{"softplus_positive", constraint.SoftplusPositive, []int{3}},
		{"simplex", constraint.Simplex, []int{2, 4}},
		{"ordered_vector", constraint.OrderedVector, []int{5}},
		{"positive_ordered_vector", constraint.PositiveOrderedVector, []int{5}},
		{"sphere", constraint.Sphere, []int{3}},
		{"lower_cholesky", constraint.LowerCholesky, []int{3, 3}},
		{"softplus_lower_cholesky", constraint.SoftplusLowerCholesky, []int{3, 3}},
		{"unit_lower_cholesky", constraint.UnitLowerCholesky, []int{2, 3, 3}},
		{"positive_definite", constraint.PositiveDefinite, []int{3, 3}},
		{"corr_cholesky", constraint.CorrCholesky, []int{3, 3}},
		{"corr_matrix", constraint.CorrMatrix, []int{3, 3}},
		{"independent_positive", constraint.IndependentOf(constraint.Positive, 1), []int{2, 3}},
		{"independent_interval", constraint.IndependentOf(constraint.Interval(-2, 2), 2), []int{2, 3}},
		{"real_vector", constraint.RealVector, []int{4}},
	}
}

// randomStore fills a store with one parameter per roundTripCases entry,
// each created through Param from a random point of its constraint.
func randomStore(t *testing.T, seed uint64) *vigo.ParamStore {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	store := vigo.NewParamStore()
	for _, tc := range roundTripCases() {
		tr, err := transform.TransformTo(tc.cons)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		u := tensor.RandN(rng, tr.InverseShape(tc.shape)...)
		init := tr.Forward(u)
		if err := store.SetWithConstraint(tc.name, init, tc.cons); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	return store
}

func TestParamStoreSaveLoadBitExact(t *testing.T) {
	store := randomStore(t, 7)
	// Leaves with awkward bits: -0, a subnormal, the extremes and a NaN
	// payload set straight into the leaf (Save must not care how it got there).
	odd := []float64{math.Copysign(0, -1), 5e-324, math.MaxFloat64, -math.SmallestNonzeroFloat64, math.Float64frombits(0x7ff8_dead_beef_0001)}
	if err := store.SetState(vigo.ParamState{Names: []string{"odd"},
		Values:      map[string]*tensor.Tensor{"odd": tensor.Vector(odd...)},
		Constraints: map[string]constraint.Constraint{"odd": constraint.Real}}); err != nil {
		t.Fatal(err)
	}
	want := store.State()
	dir := t.TempDir()
	path := filepath.Join(dir, "params.safetensors")
	if err := store.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded := vigo.NewParamStore()
	if err := loaded.Load(path); err != nil {
		t.Fatal(err)
	}
	got := loaded.State()
	// Load visits the file's entries in sorted order.
	sortedWant := want
	sortedWant.Names = slices.Sorted(slices.Values(want.Names))
	if d := stateDiff(sortedWant, got); d != "" {
		t.Fatalf("round trip: %s", d)
	}
	// Every constrained value reads back bit-identically too.
	for _, n := range want.Names {
		if n == "odd" {
			continue
		}
		if a, b := store.Get(n), loaded.Get(n); !sameBits(a, b) {
			t.Errorf("%s: constrained %v vs %v", n, a, b)
		}
	}
	// Saving the loaded store gives the same bytes.
	b1, _ := os.ReadFile(path)
	var b2 bytes.Buffer
	if err := loaded.Encode(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2.Bytes()) {
		t.Error("re-encoding a loaded store changed the bytes")
	}
	// The file follows the safetensors layout: 8-byte header length, a
	// JSON header padded to 8 bytes, F64 entries and the format tag.
	n := binary.LittleEndian.Uint64(b1)
	if n%8 != 0 || int(n)+8 > len(b1) {
		t.Fatalf("header length %d in a %d-byte file", n, len(b1))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b1[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	var meta map[string]string
	if err := json.Unmarshal(header["__metadata__"], &meta); err != nil || meta["format"] != "vigo-params-1" ||
		meta["constraint:greater_than"] != "greater_than(2.5)" {
		t.Errorf("metadata %v (%v)", meta, err)
	}
	var entry struct {
		DType string `json:"dtype"`
		Shape []int  `json:"shape"`
	}
	if err := json.Unmarshal(header["unit_lower_cholesky"], &entry); err != nil || entry.DType != "F64" ||
		!slices.Equal(entry.Shape, []int{2, 3, 3}) {
		t.Errorf("entry %+v (%v)", entry, err)
	}
}

func TestParamStoreLoadMerges(t *testing.T) {
	src := vigo.NewParamStore()
	if err := src.SetWithConstraint("b", tensor.Scalar(2), constraint.Positive); err != nil {
		t.Fatal(err)
	}
	if err := src.Set("c", tensor.Vector(3, 4)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	dst := vigo.NewParamStore()
	if err := dst.Set("a", tensor.Scalar(1)); err != nil {
		t.Fatal(err)
	}
	if err := dst.SetWithConstraint("b", tensor.Scalar(0.25), constraint.UnitInterval); err != nil {
		t.Fatal(err)
	}
	if err := dst.LoadBytes(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got := dst.Names(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("names %v, want [a b c]", got)
	}
	if dst.Get("a").Item() != 1 {
		t.Error("Load dropped or changed a parameter that the file does not hold")
	}
	if dst.Constraint("b").Name() != "positive" || !sameBits(dst.Unconstrained("b"), src.Unconstrained("b")) {
		t.Errorf("b: %s %v, want the file's", dst.Constraint("b").Name(), dst.Unconstrained("b"))
	}
	// Loaded leaves are fresh leaves requiring grad, not shared with src.
	if !dst.Unconstrained("c").RequiresGrad() || dst.Unconstrained("c") == src.Unconstrained("c") {
		t.Error("loaded leaf is not a fresh leaf requiring grad")
	}
}

func TestParamStoreSetStateRejects(t *testing.T) {
	states := map[string]vigo.ParamState{
		"no value": {Names: []string{"a", "x"}, Values: map[string]*tensor.Tensor{"a": sc(1)},
			Constraints: map[string]constraint.Constraint{"a": constraint.Real, "x": constraint.Real}},
		"no constraint": {Names: []string{"a", "x"}, Values: map[string]*tensor.Tensor{"a": sc(1), "x": sc(1)},
			Constraints: map[string]constraint.Constraint{"a": constraint.Real}},
		"discrete": {Names: []string{"a", "x"}, Values: map[string]*tensor.Tensor{"a": sc(1), "x": sc(1)},
			Constraints: map[string]constraint.Constraint{"a": constraint.Real, "x": constraint.Boolean}},
		"scalar simplex": {Names: []string{"a", "x"}, Values: map[string]*tensor.Tensor{"a": sc(1), "x": sc(1)},
			Constraints: map[string]constraint.Constraint{"a": constraint.Real, "x": constraint.Simplex}},
		"short corr_cholesky": {Names: []string{"a", "x"}, Values: map[string]*tensor.Tensor{"a": sc(1), "x": tensor.Vector(1, 2)},
			Constraints: map[string]constraint.Constraint{"a": constraint.Real, "x": constraint.CorrCholesky}},
	}
	for name, st := range states {
		s := victimStore(t)
		before := s.State()
		err := s.SetState(st)
		if err == nil || !strings.Contains(err.Error(), `"x"`) {
			t.Errorf("%s: error %v, want one naming x", name, err)
		}
		if d := stateDiff(before, s.State()); d != "" {
			t.Errorf("%s: failed SetState changed the store: %s", name, d)
		}
	}
}

// smallFile returns the bytes of a store holding a positive scalar "a" and a
// real vector "b".
func smallFile(t testing.TB) []byte {
	t.Helper()
	s := vigo.NewParamStore()
	if err := s.SetWithConstraint("a", tensor.Scalar(2), constraint.Positive); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("b", tensor.Vector(-1, 0.5)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawFile assembles a parameter file from a JSON header (padded with spaces
// to a multiple of 8 bytes) and data bytes.
func rawFile(header string, data []byte) []byte {
	for len(header)%8 != 0 {
		header += " "
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func f64bytes(vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// victimStore holds parameters that a failed Load must leave alone,
// including "a", which the damaged files also name.
func victimStore(t testing.TB) *vigo.ParamStore {
	t.Helper()
	s := vigo.NewParamStore()
	if err := s.Set("a", tensor.Scalar(-9)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWithConstraint("z", tensor.Vector(1, 2), constraint.Positive); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParamStoreLoadRejectsDamage(t *testing.T) {
	good := smallFile(t)
	hlen := int(binary.LittleEndian.Uint64(good))
	header := string(good[8 : 8+hlen])
	data := good[8+hlen:]
	meta := `"__metadata__":{"constraint:x":"positive","format":"vigo-params-1"}`
	withHeaderLen := func(n uint64) []byte {
		b := slices.Clone(good)
		binary.LittleEndian.PutUint64(b, n)
		return b
	}
	cases := []struct {
		name string
		file []byte
	}{
		{"empty", nil},
		{"short", []byte{1, 2, 3}},
		{"header length too big", withHeaderLen(uint64(len(good)))},
		{"header length huge", withHeaderLen(math.MaxUint64)},
		{"header length short by 1", withHeaderLen(uint64(hlen - 1))},
		{"header length short by 8", withHeaderLen(uint64(hlen - 8))},
		{"header length long by 8", withHeaderLen(uint64(hlen + 8))},
		{"trailing garbage", append(slices.Clone(good), 0)},
		{"trailing value", append(slices.Clone(good), f64bytes(1)...)},
		{"garbage after header JSON", rawFile(strings.TrimRight(header, " ")+"xyz", data)},
		{"second JSON value in header", rawFile(strings.TrimRight(header, " ")+"{}", data)},
		{"not JSON", rawFile("hello", nil)},
		{"header not an object", rawFile(`[1,2]`, nil)},
		{"no metadata", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, f64bytes(1))},
		{"wrong format", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"__metadata__":{"constraint:x":"real","format":"vigo-params-0"}}`, f64bytes(1))},
		{"metadata not strings", rawFile(`{"__metadata__":{"format":1}}`, nil)},
		{"no constraint", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"__metadata__":{"format":"vigo-params-1"}}`, f64bytes(1))},
		{"bad constraint name", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"__metadata__":{"constraint:x":"bogus","format":"vigo-params-1"}}`, f64bytes(1))},
		{"constraint without transform", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"__metadata__":{"constraint:x":"lower_triangular","format":"vigo-params-1"}}`, f64bytes(1))},
		{"discrete constraint", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"__metadata__":{"constraint:x":"integer","format":"vigo-params-1"}}`, f64bytes(1))},
		{"dtype F32", rawFile(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},`+meta+`}`, f64bytes(1))},
		{"dtype I64", rawFile(`{"x":{"dtype":"I64","shape":[],"data_offsets":[0,8]},`+meta+`}`, f64bytes(1))},
		{"dtype missing", rawFile(`{"x":{"shape":[],"data_offsets":[0,8]},`+meta+`}`, f64bytes(1))},
		{"entry not an object", rawFile(`{"x":[1],`+meta+`}`, f64bytes(1))},
		{"offsets past the end", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[8,16]},`+meta+`}`, f64bytes(1))},
		{"offsets negative", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[-8,0]},`+meta+`}`, f64bytes(1))},
		{"offsets reversed", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[8,0]},`+meta+`}`, f64bytes(1))},
		{"offsets huge", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,99999999999999999999]},`+meta+`}`, f64bytes(1))},
		{"offsets mismatch shape", rawFile(`{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,8]},`+meta+`}`, f64bytes(1))},
		{"negative shape", rawFile(`{"x":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]},`+meta+`}`, f64bytes(1))},
		{"overflowing shape", rawFile(`{"x":{"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,0]},`+meta+`}`, nil)},
		{"uncovered data", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[8,16]},`+meta+`}`, f64bytes(1, 2))},
		{"overlapping entries", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"y":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"__metadata__":{"constraint:x":"real","constraint:y":"real","format":"vigo-params-1"}}`, f64bytes(1))},
		{"shape unfit for simplex", rawFile(`{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"__metadata__":{"constraint:x":"simplex","format":"vigo-params-1"}}`, f64bytes(1))},
		{"shape unfit for lower_cholesky", rawFile(`{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"__metadata__":{"constraint:x":"lower_cholesky","format":"vigo-params-1"}}`, f64bytes(1, 2))},
		{"non-square positive_definite", rawFile(`{"x":{"dtype":"F64","shape":[1,2],"data_offsets":[0,16]},"__metadata__":{"constraint:x":"positive_definite","format":"vigo-params-1"}}`, f64bytes(1, 2))},
		{"shape unfit for corr_cholesky", rawFile(`{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"__metadata__":{"constraint:x":"corr_cholesky","format":"vigo-params-1"}}`, f64bytes(1, 2))},
		{"shape unfit for independent", rawFile(`{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"__metadata__":{"constraint:x":"independent(positive, 2)","format":"vigo-params-1"}}`, f64bytes(1, 2))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := victimStore(t)
			before := s.State()
			if err := s.LoadBytes(tc.file); err == nil {
				t.Fatalf("no error; store now %v", s.Names())
			}
			if d := stateDiff(before, s.State()); d != "" {
				t.Errorf("failed Load changed the store: %s", d)
			}
		})
	}
}

// TestParamStoreLoadEmptyEntries loads files whose empty entries share an
// offset with a non-empty one, in both orders; the header's map order must
// not matter (repeated because Go randomizes map iteration).
func TestParamStoreLoadEmptyEntries(t *testing.T) {
	meta := `"__metadata__":{"constraint:e":"real","constraint:x":"real","constraint:y":"real","format":"vigo-params-1"}`
	files := [][]byte{
		rawFile(`{"e":{"dtype":"F64","shape":[0],"data_offsets":[0,0]},"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"y":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},`+meta+`}`, f64bytes(1, 2)),
		rawFile(`{"e":{"dtype":"F64","shape":[3,0],"data_offsets":[8,8]},"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"y":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},`+meta+`}`, f64bytes(1, 2)),
		rawFile(`{"e":{"dtype":"F64","shape":[0],"data_offsets":[16,16]},"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"y":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},`+meta+`}`, f64bytes(1, 2)),
	}
	// A file holding only an empty parameter has no data bytes at all.
	files = append(files, rawFile(`{"e":{"dtype":"F64","shape":[2,0],"data_offsets":[0,0]},`+meta+`}`, nil))
	for i, f := range files {
		for range 20 {
			s := vigo.NewParamStore()
			if err := s.LoadBytes(f); err != nil {
				t.Fatalf("file %d: %v", i, err)
			}
			if i == len(files)-1 {
				if got := s.Get("e"); got == nil || !slices.Equal(got.Shape(), []int{2, 0}) {
					t.Fatalf("empty-only file: e = %v", got)
				}
				continue
			}
			if got := s.Names(); !slices.Equal(got, []string{"e", "x", "y"}) || s.Get("e").Len() != 0 || s.Get("y").Item() != 2 {
				t.Fatalf("file %d: names %v", i, got)
			}
		}
	}
}

func TestParamStoreLoadTruncated(t *testing.T) {
	good := smallFile(t)
	for n := range len(good) {
		s := victimStore(t)
		before := s.State()
		if err := s.LoadBytes(good[:n]); err == nil {
			t.Errorf("file truncated to %d of %d bytes: no error", n, len(good))
		}
		if d := stateDiff(before, s.State()); d != "" {
			t.Errorf("truncated to %d bytes: store changed: %s", n, d)
		}
	}
	s := victimStore(t)
	if err := s.LoadBytes(good); err != nil {
		t.Fatalf("untruncated file: %v", err)
	}
}

// TestParamStoreLoadFlippedHeader flips every bit of every header byte of a
// small file. A flip may still leave a valid file (a renamed parameter, a
// space turned tab); every other outcome must be an error that leaves the
// store unchanged, and a flip in the parts that describe the data must be
// caught.
func TestParamStoreLoadFlippedHeader(t *testing.T) {
	good := smallFile(t)
	hlen := int(binary.LittleEndian.Uint64(good))
	header := good[8 : 8+hlen]
	// Bytes whose damage is always detected: the values of the dtypes,
	// shapes, offsets and the format tag. (Keys are not among them:
	// encoding/json matches field names case-insensitively, so "Shape"
	// still reads as the shape.)
	var critical []int
	for _, kv := range [][2]string{{`"dtype":`, `"F64"`}, {`"shape":`, `[2]`}, {`"data_offsets":`, `[0,8]`},
		{`"data_offsets":`, `[8,24]`}, {`"format":`, `"vigo-params-1"`}} {
		i := bytes.Index(header, []byte(kv[0]+kv[1]))
		if i < 0 {
			t.Fatalf("header %s has no %s%s", header, kv[0], kv[1])
		}
		for j := range len(kv[1]) {
			critical = append(critical, 8+i+len(kv[0])+j)
		}
	}
	detected := 0
	for pos := range 8 + hlen {
		for bit := range 8 {
			b := slices.Clone(good)
			b[pos] ^= 1 << bit
			s := victimStore(t)
			before := s.State()
			err := s.LoadBytes(b)
			if err != nil {
				detected++
				if d := stateDiff(before, s.State()); d != "" {
					t.Fatalf("byte %d bit %d: failed Load changed the store: %s", pos, bit, d)
				}
				continue
			}
			if slices.Contains(critical, pos) {
				t.Errorf("byte %d (%q) bit %d flipped: no error", pos, good[pos], bit)
			}
		}
	}
	t.Logf("%d of %d header bit flips detected", detected, 8*(8+hlen))
}

func TestParamStoreSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.safetensors")
	s := vigo.NewParamStore()
	if err := s.Set("a", tensor.Scalar(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	// Overwriting replaces the file and leaves nothing else behind.
	if err := s.Set("b", tensor.Vector(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(path)
	if bytes.Equal(first, second) {
		t.Error("second Save did not replace the file")
	}
	listDir := func(d string) []string {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		return names
	}
	if got := listDir(dir); !slices.Equal(got, []string{"p.safetensors"}) {
		t.Errorf("directory holds %v after Save", got)
	}

	// A Save that cannot complete reports an error, leaves no temporary
	// file and does not touch what is at the path.
	if err := s.Save(filepath.Join(dir, "missing", "p.safetensors")); err == nil {
		t.Error("Save into a missing directory: no error")
	}
	blocker := filepath.Join(dir, "blocker")
	if err := os.MkdirAll(filepath.Join(blocker, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(blocker); err == nil {
		t.Error("Save over a directory: no error")
	}
	if got := listDir(dir); !slices.Equal(got, []string{"blocker", "p.safetensors"}) {
		t.Errorf("directory holds %v after failed Saves", got)
	}
	if got := listDir(blocker); !slices.Equal(got, []string{"inside"}) {
		t.Errorf("failed Save touched the directory at its path: %v", got)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, second) {
		t.Error("file changed")
	}
	// Load of a missing file is the os error.
	if err := s.Load(filepath.Join(dir, "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(absent) = %v, want os.ErrNotExist", err)
	}
}

// FuzzParamStoreLoad feeds arbitrary bytes to LoadBytes: it must never
// panic; a failed load must leave the store unchanged; a successful one
// must give parameters that read without panicking and survive a second
// round trip bit for bit.
func FuzzParamStoreLoad(f *testing.F) {
	f.Add(smallFile(f))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := victimStore(t)
		before := s.State()
		if err := s.LoadBytes(b); err != nil {
			if d := stateDiff(before, s.State()); d != "" {
				t.Fatalf("failed Load changed the store: %s", d)
			}
			return
		}
		for _, n := range s.Names() {
			_ = s.Get(n)
		}
		var buf bytes.Buffer
		if err := s.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		again := vigo.NewParamStore()
		if err := again.LoadBytes(buf.Bytes()); err != nil {
			t.Fatalf("re-encoded store does not load: %v", err)
		}
		want := s.State()
		want.Names = slices.Sorted(slices.Values(want.Names))
		if d := stateDiff(want, again.State()); d != "" {
			t.Fatalf("second round trip: %s", d)
		}
	})
}

// TestParamStoreConcurrent traces 16 models at once on goroutines sharing
// one store: they create and read the same and different parameters, then
// run backward passes that accumulate into the same leaves. Run it with
// -race. The summed gradients are integers, so they must be exact whatever
// order the goroutines finish in.
func TestParamStoreConcurrent(t *testing.T) {
	const G = 16
	store := vigo.NewParamStore()
	var lazyCalls atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, G)
	data := tensor.Vector(0.5, -1, 2, 0.25, 1, 1.5, -0.5, 3)
	for g := range G {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := float64(g + 1)
			var loss *tensor.Tensor
			model := func(c *vigo.Ctx) {
				loc := c.Param("loc", sc(0))
				// Positive with init 1: the leaf is log 1 = 0 and d exp(u)/du = 1.
				scale := c.Param("scale", sc(1), vigo.Constrain(constraint.Positive))
				lazy := c.Param("lazy", nil, vigo.LazyInit(func() *tensor.Tensor {
					lazyCalls.Add(1)
					return tensor.Vector(1, 2)
				}))
				own := c.Param(fmt.Sprintf("own_%d", g), sc(k))
				if own.Item() != k {
					errs[g] = fmt.Errorf("own_%d = %v", g, own)
				}
				c.Plate("data", 8, func(*tensor.Tensor) {
					c.Sample("x", dist.Normal(loc, scale), vigo.Obs(c.Subsample(data, 0)))
				}, vigo.SubsampleSize(4))
				loss = loc.Add(scale).Add(lazy.Sum()).MulScalar(k)
			}
			c := vigo.NewCtx(store, rand.New(rand.NewPCG(uint64(g), 0)))
			tr, err := handler.Trace(model).Get(c)
			if err != nil {
				errs[g] = err
				return
			}
			if err := tr.ComputeLogProb(true, vigo.StrictWarnings); err != nil {
				errs[g] = err
				return
			}
			if tr.Site("x").LogProb.Len() != 4 {
				errs[g] = fmt.Errorf("log-prob %v", tr.Site("x").LogProb)
				return
			}
			loss.Backward()
			_ = store.Get("lazy")
			_ = store.Names()
			_ = store.State()
		}()
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", g, err)
		}
	}
	if store.Len() != 3+G {
		t.Errorf("store holds %d parameters, want %d: %v", store.Len(), 3+G, store.Names())
	}
	if lazyCalls.Load() < 1 {
		t.Error("lazy initializer never called")
	}
	// Σ_{g=1}^{16} g = 136.
	const want = 136
	for _, n := range []string{"loc", "scale"} {
		if g := store.Unconstrained(n).Grad(); g == nil || g.Item() != want {
			t.Errorf("%s: summed gradient %v, want %d", n, g, want)
		}
	}
	if g := store.Unconstrained("lazy").Grad(); g == nil || !slices.Equal(g.Data(), []float64{want, want}) {
		t.Errorf("lazy: summed gradient %v, want [%d %d]", g, want, want)
	}
	for g := range G {
		if grad := store.Unconstrained(fmt.Sprintf("own_%d", g)).Grad(); grad != nil {
			t.Errorf("own_%d has gradient %v, want none", g, grad)
		}
	}
}

// TestParamStoreConcurrentWriters mixes Set, Delete, Save and Load with
// readers on one store; -race checks the locking, and the store must end
// consistent (Names and Len agree, every name readable).
func TestParamStoreConcurrentWriters(t *testing.T) {
	store := vigo.NewParamStore()
	blob := smallFile(t)
	dir := t.TempDir()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("p%d", g%4)
			for i := range 20 {
				switch (g + i) % 5 {
				case 0:
					_ = store.Set(name, tensor.Vector(float64(i), 1))
				case 1:
					store.Delete(name)
				case 2:
					if err := store.LoadBytes(blob); err != nil {
						t.Error(err)
					}
				case 3:
					if err := store.Save(filepath.Join(dir, fmt.Sprintf("s%d", g))); err != nil {
						t.Error(err)
					}
				case 4:
					_, _ = store.Match("^p")
					_ = store.Get(name)
					_ = vigo.NewCtx(store, nil).Run(func(c *vigo.Ctx) { c.Param("a", nil) })
				}
			}
		}()
	}
	wg.Wait()
	names := store.Names()
	if len(names) != store.Len() {
		t.Errorf("Names %v but Len %d", names, store.Len())
	}
	for _, n := range names {
		if store.Get(n) == nil {
			t.Errorf("%s listed but not readable", n)
		}
	}
	if store.Get("a") == nil || store.Get("b") == nil {
		t.Error("loaded parameters missing")
	}
}

func TestParamStoreScopeAndParamName(t *testing.T) {
	s := vigo.NewParamStore()
	if err := runIn(s, func(c *vigo.Ctx) {
		c.Param("a", tensor.Scalar(1))
		c.Param("b", tensor.Vector(2, 3), vigo.Constrain(constraint.Positive))
	}); err != nil {
		t.Fatal(err)
	}
	leafA := s.Unconstrained("a")
	if n, ok := s.ParamName(leafA); !ok || n != "a" {
		t.Fatalf("ParamName(leaf of a) = %q, %v", n, ok)
	}
	if _, ok := s.ParamName(s.Get("a")); ok {
		t.Fatal("ParamName found a constrained value; only leaves have names")
	}
	inner := vigo.NewParamStore()
	_ = runIn(inner, func(c *vigo.Ctx) { c.Param("z", tensor.Scalar(9)) })
	st := inner.State()
	err := s.Scope(&st, func() error {
		if got := s.Names(); len(got) != 1 || got[0] != "z" {
			t.Errorf("inside the scope the store holds %v, want [z]", got)
		}
		_ = runIn(s, func(c *vigo.Ctx) { c.Param("new", tensor.Scalar(4)) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Names(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("after the scope the store holds %v, want [a b]", got)
	}
	if s.Unconstrained("a") != leafA {
		t.Fatal("the scope did not restore the same leaf")
	}
	// An empty scope, left by a panic, still restores.
	func() {
		defer func() { _ = recover() }()
		_ = s.Scope(nil, func() error {
			if s.Len() != 0 {
				t.Errorf("an empty scope holds %d parameters", s.Len())
			}
			panic("leave")
		})
	}()
	if s.Len() != 2 {
		t.Fatalf("after a panicking scope the store holds %d parameters", s.Len())
	}
	// A state that does not load: fn does not run, the store is restored.
	bad := vigo.ParamState{Names: []string{"x"}, Values: map[string]*tensor.Tensor{}, Constraints: map[string]constraint.Constraint{}}
	ran := false
	if err := s.Scope(&bad, func() error { ran = true; return nil }); err == nil || ran {
		t.Fatalf("Scope with a broken state: err %v, fn ran %v", err, ran)
	}
	if s.Len() != 2 {
		t.Fatalf("after a failed scope the store holds %d parameters", s.Len())
	}
}
