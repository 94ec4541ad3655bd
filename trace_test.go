package vigo_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/handler"
	"github.com/vigo-ppl/vigo/tensor"
)

// normalLogPdf is the closed-form N(x | mu, sigma) log-density.
func normalLogPdf(x, mu, sigma float64) float64 {
	z := (x - mu) / sigma
	return -0.5*z*z - math.Log(sigma) - 0.5*math.Log(2*math.Pi)
}

func TestTraceAdd(t *testing.T) {
	tr := vigo.NewTrace()
	msg := &vigo.Message{Type: vigo.SampleSite, Name: "x", Value: sc(1), Scale: 1}
	tr.Add(msg)
	msg.Value = sc(2) // the trace keeps a copy
	if tr.Site("x").Value.Item() != 1 {
		t.Error("Add did not copy the message")
	}
	cases := []struct {
		msg  *vigo.Message
		want string
	}{
		{&vigo.Message{Type: vigo.ParamSite, Name: "x"}, "x is already in the trace as a sample"},
		{&vigo.Message{Type: vigo.SubsampleSite, Name: "x"}, "x is already in the trace as a sample"},
		{&vigo.Message{Type: vigo.SampleSite, Name: "x"}, "Multiple sample sites named 'x'"},
	}
	for _, tc := range cases {
		err := vigo.Recover(func() { tr.Add(tc.msg) })
		wantKind(t, err, vigo.RuntimeError, tc.want)
		if e, ok := vigo.AsError(err); ok && e.Site != "x" {
			t.Errorf("site %q, want x", e.Site)
		}
	}
	// A param site may be re-added: the later one replaces it in place.
	tr.Add(&vigo.Message{Type: vigo.ParamSite, Name: "w", Value: sc(1)})
	tr.Add(&vigo.Message{Type: vigo.SampleSite, Name: "y", Value: sc(0)})
	tr.Add(&vigo.Message{Type: vigo.ParamSite, Name: "w", Value: sc(5)})
	if got := tr.Names(); !slices.Equal(got, []string{"x", "w", "y"}) || tr.Len() != 3 {
		t.Errorf("names %v", got)
	}
	if tr.Site("w").Value.Item() != 5 {
		t.Errorf("re-added param value %v, want 5", tr.Site("w").Value)
	}
	err := vigo.Recover(func() { tr.Add(&vigo.Message{Type: vigo.SampleSite, Name: "w"}) })
	wantKind(t, err, vigo.RuntimeError, "w is already in the trace as a param")
	if tr.Site("nope") != nil {
		t.Error("Site of a missing name is not nil")
	}

	// Copy shares sites but not the order.
	cp := tr.Copy()
	cp.Add(&vigo.Message{Type: vigo.SampleSite, Name: "z"})
	if tr.Len() != 3 || cp.Len() != 4 || cp.Site("x") != tr.Site("x") {
		t.Error("Copy is not a shallow copy")
	}

	// A param and a sample site sharing a name inside a model (spec §8.5).
	_, err = traceIn(func(c *vigo.Ctx) {
		c.Param("p", sc(1))
		c.Sample("p", dist.Normal(sc(0), sc(1)))
	}, 0)
	wantKind(t, err, vigo.RuntimeError, "p is already in the trace as a param")
}

func TestScaleAndMask(t *testing.T) {
	lp := tensor.Vector(-1, -2, -3)
	if vigo.ScaleAndMask(nil, 3, sc(2), sc(0)) != nil {
		t.Error("nil term did not stay nil")
	}
	if vigo.ScaleAndMask(lp, 1, nil, nil) != lp {
		t.Error("term without scale or mask was not returned unchanged")
	}
	cases := []struct {
		name        string
		scale       float64
		scaleT      *tensor.Tensor
		mask        *tensor.Tensor
		want        []float64
		shape       []int
		sharesInput bool
	}{
		{"scale", 2, nil, nil, []float64{-2, -4, -6}, []int{3}, false},
		{"scale tensor", 1, tensor.Vector(1, 0.5, 2), nil, []float64{-1, -1, -6}, []int{3}, false},
		{"both scales", 2, sc(0.5), nil, []float64{-1, -2, -3}, []int{3}, false},
		{"mask true", 1, nil, sc(1), []float64{-1, -2, -3}, []int{3}, false},
		{"mask false", 1, nil, sc(0), []float64{0, 0, 0}, []int{3}, false},
		{"mask tensor", 4, nil, tensor.Vector(1, 0, 1), []float64{-4, 0, -12}, []int{3}, false},
		// The result takes the broadcast shape of mask and term.
		{"mask broadcasts", 1, nil, tensor.New([]float64{1, 0}, 2, 1), []float64{-1, -2, -3, 0, 0, 0}, []int{2, 3}, false},
	}
	for _, tc := range cases {
		got := vigo.ScaleAndMask(lp, tc.scale, tc.scaleT, tc.mask)
		if !slices.Equal(got.Shape(), tc.shape) || !slices.Equal(got.Data(), tc.want) {
			t.Errorf("%s: %v, want %v of shape %v", tc.name, got, tc.want, tc.shape)
		}
	}
	// A masked-out -Inf term contributes 0, with a zero gradient.
	x := tensor.Param([]float64{1, 2}, 2)
	term := x.Log().Add(tensor.Vector(0, math.Inf(-1)))
	out := vigo.ScaleAndMask(term, 3, nil, tensor.Vector(1, 0))
	if out.Data()[0] != 0 || out.Data()[1] != 0 {
		t.Errorf("masked term %v, want [0 0]", out)
	}
	out.Sum().Backward()
	if g := x.Grad().Data(); g[0] != 3 || g[1] != 0 {
		t.Errorf("gradient %v, want [3 0] (d 3 log x / dx at 1, masked)", g)
	}
}

// maskedModel has a latent scalar z under scale 2 and an observed vector
// y inside a plate of 4 subsampled to 2 (scale 2) and masked by [1, 0].
func maskedModel(c *vigo.Ctx) {
	z := handler.Scale(func(c *vigo.Ctx) {
		c.Sample("z", dist.Normal(sc(0), sc(1)))
	}, 2)
	z(c)
	c.Plate("data", 4, func(*tensor.Tensor) {
		handler.Mask(func(c *vigo.Ctx) {
			c.Sample("y", dist.Normal(sc(0.5), sc(2)), vigo.Obs(tensor.Vector(1, 3)))
			c.Sample("b", dist.BernoulliProbs(sc(0.25)), vigo.Obs(tensor.Vector(1, 0)))
			c.Sample("u", dist.BernoulliProbs(sc(0.25)))
		}, tensor.Vector(1, 0))(c)
	}, vigo.SubsampleIndices(tensor.Vector(0, 3)), vigo.SubsampleSize(2))
}

func TestComputeLogProb(t *testing.T) {
	tr := mustTrace(t, maskedModel)
	if err := tr.ComputeLogProb(true, vigo.StrictWarnings); err != nil {
		t.Fatal(err)
	}
	z := tr.Site("z")
	zv := z.Value.Item()
	// Closed forms; 1e-12 covers the rounding of the fused kernels.
	const tol = 1e-12
	if math.Abs(z.UnscaledLogProb.Item()-normalLogPdf(zv, 0, 1)) > tol ||
		math.Abs(z.LogProb.Item()-2*normalLogPdf(zv, 0, 1)) > tol || z.LogProbSum.Item() != z.LogProb.Item() {
		t.Errorf("z: unscaled %v scaled %v", z.UnscaledLogProb, z.LogProb)
	}
	y := tr.Site("y")
	if y.Scale != 2 || !slices.Equal(y.LogProb.Shape(), []int{2}) {
		t.Fatalf("y: scale %v log-prob shape %v", y.Scale, y.LogProb.Shape())
	}
	wantY := []float64{2 * normalLogPdf(1, 0.5, 2), 0}
	for i, w := range wantY {
		if !(math.Abs(y.LogProb.Data()[i]-w) <= tol) {
			t.Errorf("y log-prob %v, want %v", y.LogProb, wantY)
		}
	}
	if u := y.UnscaledLogProb.Data(); !(math.Abs(u[1]-normalLogPdf(3, 0.5, 2)) <= tol) {
		t.Errorf("y unscaled log-prob %v", u)
	}
	if !(math.Abs(y.LogProbSum.Item()-wantY[0]) <= tol) {
		t.Errorf("y log_prob_sum %v", y.LogProbSum)
	}
	// ComputeLogProb fills only sample sites; the plate's subsample site
	// has log-density 0.
	total, err := tr.LogProbSum(true, vigo.StrictWarnings)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for _, s := range tr.Sites() {
		want += s.LogProbSum.Item()
	}
	if total != want || tr.Site("data").LogProbSum.Item() != 0 {
		t.Errorf("LogProbSum %v, want %v", total, want)
	}
	// Computed sites are not recomputed.
	before := y.LogProb
	if err := tr.ComputeLogProb(true, nil); err != nil || tr.Site("y").LogProb != before {
		t.Error("ComputeLogProb recomputed a site")
	}
}

func TestComputeScoreParts(t *testing.T) {
	tr := mustTrace(t, maskedModel)
	if err := tr.ComputeScoreParts(true, vigo.StrictWarnings); err != nil {
		t.Fatal(err)
	}
	// Reparameterized: no score function, entropy term = scaled log-prob.
	z := tr.Site("z")
	if z.ScoreParts == nil || z.ScoreParts.ScoreFunction != nil || z.ScoreParts.EntropyTerm == nil ||
		z.ScoreParts.EntropyTerm.Item() != z.LogProb.Item() || z.LogProb.Item() != 2*z.UnscaledLogProb.Item() {
		t.Errorf("z score parts %+v", z.ScoreParts)
	}
	// Not reparameterized: no entropy term; the score function is neither
	// scaled nor masked (spec §3.3).
	u := tr.Site("u")
	if u.ScoreParts.EntropyTerm != nil || u.ScoreParts.ScoreFunction == nil {
		t.Fatalf("u score parts %+v", u.ScoreParts)
	}
	if !sameBits(u.ScoreParts.ScoreFunction, u.UnscaledLogProb) {
		t.Errorf("score function %v, want the unscaled log-prob %v", u.ScoreParts.ScoreFunction, u.UnscaledLogProb)
	}
	lp := u.UnscaledLogProb.Data()
	if got := u.LogProb.Data(); got[0] != 2*lp[0] || got[1] != 0 {
		t.Errorf("u log-prob %v, want [2·%v 0]", got, lp[0])
	}
	if u.LogProbSum.Item() != 2*lp[0] {
		t.Errorf("u log_prob_sum %v", u.LogProbSum)
	}
	// Masked reparameterized observed sites keep a (zero) entropy tensor.
	y := tr.Site("y")
	if y.ScoreParts.EntropyTerm == nil || y.ScoreParts.EntropyTerm.Data()[1] != 0 {
		t.Errorf("y entropy term %v", y.ScoreParts.EntropyTerm)
	}
	// ComputeLogProb after ComputeScoreParts keeps the same log-probs.
	before := u.LogProb
	if err := tr.ComputeLogProb(true, nil); err != nil || u.LogProb != before {
		t.Error("ComputeLogProb replaced score-part log-probs")
	}
}

// factorTrace holds factor-like sites whose log-densities are NaN, +Inf,
// -Inf and finite.
func factorTrace() *vigo.Trace {
	tr := vigo.NewTrace()
	for _, s := range []struct {
		name string
		v    float64
	}{{"fine", -1}, {"nan", math.NaN()}, {"neginf", math.Inf(-1)}, {"posinf", math.Inf(1)}} {
		d := dist.WithValidation(dist.Unit(sc(s.v)), false)
		tr.Add(&vigo.Message{Type: vigo.SampleSite, Name: s.name, Fn: d, Value: tensor.Zeros(0), IsObserved: true, Scale: 1})
	}
	return tr
}

func TestLogProbWarnings(t *testing.T) {
	type computeFn func(*vigo.Trace, bool, vigo.WarnFunc) error
	for name, compute := range map[string]computeFn{
		"ComputeLogProb":    (*vigo.Trace).ComputeLogProb,
		"ComputeScoreParts": (*vigo.Trace).ComputeScoreParts,
		"LogProbSum": func(tr *vigo.Trace, v bool, w vigo.WarnFunc) error {
			_, err := tr.LogProbSum(v, w)
			return err
		},
	} {
		var log warnLog
		if err := compute(factorTrace(), true, log.sink); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var msgs []string
		for _, w := range log.ws {
			msgs = append(msgs, w.Msg)
		}
		want := []string{"Encountered NaN: log_prob_sum at site 'nan'", "Encountered +inf: log_prob_sum at site 'posinf'"}
		if !slices.Equal(msgs, want) {
			t.Errorf("%s: warnings %q, want %q", name, msgs, want)
		}
		// Without validation: silence.
		log.ws = nil
		if err := compute(factorTrace(), false, log.sink); err != nil || len(log.ws) != 0 {
			t.Errorf("%s without validation: %v, warnings %v", name, err, log.ws)
		}
		// Strict: the first warning is the error.
		err := compute(factorTrace(), true, vigo.StrictWarnings)
		wantKind(t, err, vigo.WarningError, "Encountered NaN: log_prob_sum at site 'nan'")
	}
	if total, err := factorTrace().LogProbSum(false, nil); err != nil || !math.IsNaN(total) {
		t.Errorf("LogProbSum %v (%v), want NaN", total, err)
	}
}

func TestLogProbErrorWrapping(t *testing.T) {
	for _, tc := range []struct {
		what    string
		compute func(*vigo.Trace) error
	}{
		{"log_prob", func(tr *vigo.Trace) error { return tr.ComputeLogProb(true, nil) }},
		{"score_parts", func(tr *vigo.Trace) error { return tr.ComputeScoreParts(true, nil) }},
	} {
		tr := vigo.NewTrace()
		tr.Add(&vigo.Message{Type: vigo.ParamSite, Name: "w", Value: tensor.Ones(2, 2)})
		tr.Add(&vigo.Message{Type: vigo.SampleSite, Name: "x", Fn: dist.Normal(tensor.Zeros(3), tensor.Ones(3)),
			Value: tensor.Zeros(2), Scale: 1})
		err := tc.compute(tr)
		wantKind(t, err, vigo.ValueError, "Error while computing "+tc.what+" at site 'x':\n", "Trace Shapes:", "x dist")
		if e, ok := vigo.AsError(err); ok && (e.Site != "x" || e.Unwrap() == nil) {
			t.Errorf("site %q cause %v", e.Site, e.Unwrap())
		}
		// The cause is the distribution's own error, reachable with errors.As.
		var inner *vigo.Error
		if errors.As(errors.Unwrap(err), &inner) {
			t.Errorf("cause is itself a *vigo.Error: %v", inner)
		}
	}
}

func TestLogProbSumEmpty(t *testing.T) {
	for name, tr := range map[string]*vigo.Trace{
		"empty":       vigo.NewTrace(),
		"params only": mustTrace(t, func(c *vigo.Ctx) { c.Param("w", sc(3)) }),
	} {
		if total, err := tr.LogProbSum(true, vigo.StrictWarnings); err != nil || total != 0 {
			t.Errorf("%s: %v (%v), want 0", name, total, err)
		}
	}
}

func TestComputeLogProbSums(t *testing.T) {
	prog := func(c *vigo.Ctx) {
		c.Plate("data", 6, func(*tensor.Tensor) {
			c.Sample("y", dist.Normal(sc(0.5), sc(2)), vigo.Obs(tensor.Vector(1, 2, 3)))
		}, vigo.SubsampleSize(3))
	}
	full := mustTrace(t, prog)
	sums := mustTrace(t, prog)
	if err := full.ComputeLogProb(true, nil); err != nil {
		t.Fatal(err)
	}
	if err := sums.ComputeLogProbSums(true, nil); err != nil {
		t.Fatal(err)
	}
	a, b := full.Site("y"), sums.Site("y")
	// Summation order may differ between the two paths: relative 1e-14.
	if !(math.Abs(a.LogProbSum.Item()-b.LogProbSum.Item()) <= 1e-14*math.Abs(a.LogProbSum.Item())) {
		t.Errorf("sum %v vs %v", a.LogProbSum, b.LogProbSum)
	}
	if !slices.Equal(b.LogProbShape(), []int{3}) {
		t.Errorf("LogProbShape %v, want [3]", b.LogProbShape())
	}
	if err := b.EnsureLogProb(); err != nil || b.LogProb == nil || !sameBits(b.LogProb, a.LogProb) {
		t.Errorf("EnsureLogProb: %v, %v vs %v", err, b.LogProb, a.LogProb)
	}
}

// TestComputeEntropySums checks which guide sites are summed alone: a
// reparameterized one with a one-pass sum, scaled by its plate, is; one
// without a one-pass sum (a masked distribution) and one without
// reparameterized sampling get their score parts. EnsureScoreParts then
// gives the summed site the parts ComputeScoreParts would have.
func TestComputeEntropySums(t *testing.T) {
	prog := func(c *vigo.Ctx) {
		c.Plate("data", 6, func(*tensor.Tensor) {
			c.Sample("z", dist.Normal(sc(0.5), sc(2)))
			c.Sample("m", dist.Mask(dist.Normal(sc(0), sc(1)), tensor.Vector(1, 0, 1)))
			c.Sample("b", dist.BernoulliProbs(sc(0.3)))
		}, vigo.SubsampleSize(3))
	}
	full := mustTrace(t, prog)
	sums := mustTrace(t, prog)
	sums.Site("z").Value, sums.Site("m").Value, sums.Site("b").Value = full.Site("z").Value, full.Site("m").Value, full.Site("b").Value
	if err := full.ComputeScoreParts(true, nil); err != nil {
		t.Fatal(err)
	}
	if err := sums.ComputeEntropySums(true, nil); err != nil {
		t.Fatal(err)
	}
	z := sums.Site("z")
	if z.ScoreParts != nil || z.LogProb != nil {
		t.Fatalf("z: score parts %v, log-prob %v; want only the sum", z.ScoreParts, z.LogProb)
	}
	if sums.Site("m").ScoreParts == nil || sums.Site("b").ScoreParts == nil {
		t.Fatal("m or b: no score parts")
	}
	for _, name := range []string{"z", "m", "b"} {
		a, b := full.Site(name), sums.Site(name)
		if !(math.Abs(a.LogProbSum.Item()-b.LogProbSum.Item()) <= 1e-14*math.Abs(a.LogProbSum.Item())) {
			t.Errorf("%s: sum %v vs %v", name, b.LogProbSum, a.LogProbSum)
		}
		if !slices.Equal(b.LogProbShape(), []int{3}) {
			t.Errorf("%s: LogProbShape %v, want [3]", name, b.LogProbShape())
		}
	}
	a := full.Site("z")
	if err := z.EnsureScoreParts(); err != nil || z.ScoreParts == nil {
		t.Fatalf("EnsureScoreParts: %v, %v", err, z.ScoreParts)
	}
	if !sameBits(z.LogProb, a.LogProb) || !sameBits(z.ScoreParts.EntropyTerm, a.ScoreParts.EntropyTerm) || z.ScoreParts.ScoreFunction != nil {
		t.Errorf("EnsureScoreParts: log-prob %v, entropy %v, score %v; want %v, %v, nil",
			z.LogProb, z.ScoreParts.EntropyTerm, z.ScoreParts.ScoreFunction, a.LogProb, a.ScoreParts.EntropyTerm)
	}
}

func TestWithoutSubsample(t *testing.T) {
	tr := mustTrace(t, func(c *vigo.Ctx) {
		c.Param("w", sc(1))
		c.Plate("outer", 10, func(*tensor.Tensor) {
			c.Sample("x", dist.Normal(sc(0), sc(1)))
			c.Plate("inner", 3, func(*tensor.Tensor) {
				c.Sample("y", dist.Normal(sc(0), sc(1)))
			})
		}, vigo.SubsampleSize(5))
	})
	if got := tr.Names(); !slices.Equal(got, []string{"w", "outer", "x", "inner", "y"}) {
		t.Fatalf("names %v", got)
	}
	pruned := tr.WithoutSubsample()
	if got := pruned.Names(); !slices.Equal(got, []string{"w", "x", "y"}) {
		t.Errorf("pruned names %v", got)
	}
	if pruned.Site("outer") != nil || pruned.Site("y") != tr.Site("y") || tr.Len() != 5 {
		t.Error("WithoutSubsample is not a pruned shallow copy")
	}
	if !tr.Site("inner").IsSubsample() || tr.Site("x").IsSubsample() || tr.Site("w").IsSubsample() {
		t.Error("IsSubsample")
	}
	if !tr.Site("x").IsLatent() || tr.Site("w").IsLatent() {
		t.Error("IsLatent")
	}
}

func TestFormatShapes(t *testing.T) {
	tr := mustTrace(t, func(c *vigo.Ctx) {
		c.Param("weights", tensor.Ones(4, 2))
		c.Plate("data", 5, func(*tensor.Tensor) {
			c.Sample("latent", dist.Normal(tensor.Zeros(3), tensor.Ones(3)).ToEvent(1))
			c.Sample("obs", dist.Normal(sc(0), sc(1)), vigo.Obs(tensor.Zeros(5)))
		})
	})
	before := tr.FormatShapes()
	for _, want := range []string{"Trace Shapes:", "weights", "[4 2]", "latent dist", "[5] | [3]", "[5 3]", "obs dist", "[5] | []", "data dist", "value"} {
		if !strings.Contains(before, want) {
			t.Errorf("shape table lacks %q:\n%s", want, before)
		}
	}
	if strings.Contains(before, "log_prob") {
		t.Errorf("log_prob row before computing:\n%s", before)
	}
	// Sites only summed show the shape their log-density would have, as
	// those whose log-density was formed do.
	summed := mustTrace(t, func(c *vigo.Ctx) {
		c.Param("weights", tensor.Ones(4, 2))
		c.Plate("data", 5, func(*tensor.Tensor) {
			c.Sample("latent", dist.Normal(tensor.Zeros(3), tensor.Ones(3)).ToEvent(1))
			c.Sample("obs", dist.Normal(sc(0), sc(1)), vigo.Obs(tensor.Zeros(5)))
		})
	})
	if err := tr.ComputeLogProb(true, nil); err != nil {
		t.Fatal(err)
	}
	if err := summed.ComputeLogProbSums(true, nil); err != nil {
		t.Fatal(err)
	}
	after := tr.FormatShapes()
	if n := strings.Count(after, "log_prob"); n != 3 {
		t.Errorf("%d log_prob rows, want 3:\n%s", n, after)
	}
	if got := summed.FormatShapes(); got != after {
		t.Errorf("shape table of summed sites:\n%s\nwant\n%s", got, after)
	}
	// Every line of the table has its columns aligned: the name column is
	// right-aligned to one width.
	lines := strings.Split(after, "\n")
	for _, l := range lines {
		if strings.HasSuffix(l, " ") {
			t.Errorf("row %q ends in spaces", l)
		}
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "latent dist") && !strings.HasPrefix(l, "Trace Shapes:") {
			t.Errorf("unaligned row %q in\n%s", l, after)
		}
	}
	if got := vigo.NewTrace().FormatShapes(); got != "Trace Shapes:" {
		t.Errorf("empty table %q", got)
	}
}

// TestDropSubsample checks the in-place pruning on a small trace and on one
// large enough to keep a name index.
func TestDropSubsample(t *testing.T) {
	for _, n := range []int{1, 20} {
		tr := mustTrace(t, func(c *vigo.Ctx) {
			for i := range n {
				c.Plate(fmt.Sprintf("p%d", i), 4, func(*tensor.Tensor) {
					c.Sample(fmt.Sprintf("x%d", i), dist.Normal(sc(0), sc(1)))
				})
			}
		})
		want := make([]string, n)
		for i := range want {
			want[i] = fmt.Sprintf("x%d", i)
		}
		x0 := tr.Site("x0")
		tr.DropSubsample()
		if got := tr.Names(); !slices.Equal(got, want) {
			t.Fatalf("%d plates: names %v", n, got)
		}
		if tr.Site("p0") != nil || tr.Site("x0") != x0 || tr.Site(want[n-1]) == nil {
			t.Errorf("%d plates: lookups after pruning", n)
		}
	}
}
