package vigo

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// Site is one recorded primitive call in a Trace: a copy of its message plus
// the log-density terms computed from it.
type Site struct {
	Message

	// LogProb is the scaled and masked log-density (nil until computed;
	// after ComputeLogProbSums or ComputeEntropySums it may stay nil until
	// EnsureLogProb).
	LogProb *tensor.Tensor
	// UnscaledLogProb is the distribution's log-density before scale and mask.
	UnscaledLogProb *tensor.Tensor
	// LogProbSum is the sum of LogProb, as a differentiable scalar tensor.
	LogProbSum *tensor.Tensor
	// ScoreParts are the scaled and masked score parts (spec §3.3); computed
	// for guide sites only, and after ComputeEntropySums only by
	// EnsureScoreParts. A nil field is identically zero.
	ScoreParts *dist.ScoreParts

	lpShape []int // shape of LogProb when only its sum was computed
}

// LogProbShape returns the shape of the site's log-prob, whether or not the
// tensor itself has been computed.
func (s *Site) LogProbShape() []int {
	if s.LogProb != nil {
		return s.LogProb.Shape()
	}
	return s.lpShape
}

// EnsureLogProb computes LogProb (scaled and masked) when only its sum was
// computed.
func (s *Site) EnsureLogProb() error {
	if s.LogProb != nil || s.Type != SampleSite {
		return nil
	}
	lp, err := s.Fn.LogProb(s.Value)
	if err != nil {
		return err
	}
	s.UnscaledLogProb = lp
	s.LogProb = ScaleAndMask(lp, s.Scale, s.ScaleTensor, s.Mask)
	return nil
}

// IsSubsample reports whether the site is a plate's subsample site.
func (s *Site) IsSubsample() bool {
	_, ok := s.Fn.(*subsampleDist)
	return ok && s.Type == SampleSite
}

// IsLatent reports whether the site is an unobserved sample site.
func (s *Site) IsLatent() bool { return s.Type == SampleSite && !s.IsObserved }

// Trace is an ordered record of the sites a program visited (Pyro's Trace
// with the "flat" graph type).
type Trace struct {
	sites []*Site
	index map[string]int // built once the trace is large; small traces search sites
	buf   [8]*Site       // the first sites' storage, so a small trace is one allocation
}

// indexThreshold is the size from which a trace keeps a name index.
const indexThreshold = 16

// NewTrace returns an empty trace, with room for a small program's sites.
func NewTrace() *Trace {
	t := &Trace{}
	t.sites = t.buf[:0]
	return t
}

// find returns the position of the site called name, or -1.
func (t *Trace) find(name string) int {
	if t.index != nil {
		if i, ok := t.index[name]; ok {
			return i
		}
		return -1
	}
	for i, s := range t.sites {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// appendSite adds s at the end, indexing it when the trace is large.
func (t *Trace) appendSite(s *Site) {
	t.sites = append(t.sites, s)
	if t.index == nil && len(t.sites) > indexThreshold {
		t.index = make(map[string]int, 2*len(t.sites))
		for i, s := range t.sites {
			t.index[s.Name] = i
		}
	} else if t.index != nil {
		t.index[s.Name] = len(t.sites) - 1
	}
}

// Len returns the number of sites.
func (t *Trace) Len() int { return len(t.sites) }

// Sites returns the sites in execution order. The caller must not modify the slice.
func (t *Trace) Sites() []*Site { return t.sites }

// Site returns the site called name, or nil.
func (t *Trace) Site(name string) *Site {
	if i := t.find(name); i >= 0 {
		return t.sites[i]
	}
	return nil
}

// Names returns the site names in execution order.
func (t *Trace) Names() []string {
	out := make([]string, len(t.sites))
	for i, s := range t.sites {
		out[i] = s.Name
	}
	return out
}

// Add records a copy of msg. A name already used by a site of another type,
// or by another sample site, is an error; param sites may be re-added.
func (t *Trace) Add(msg *Message) {
	if i := t.find(msg.Name); i >= 0 {
		old := t.sites[i]
		if old.Type != msg.Type {
			raise(RuntimeError, msg.Name, "%s is already in the trace as a %s", msg.Name, old.Type)
		}
		if msg.Type != ParamSite {
			raise(RuntimeError, msg.Name, "Multiple %s sites named '%s'", msg.Type, msg.Name)
		}
		t.sites[i] = &Site{Message: *msg}
		return
	}
	t.appendSite(&Site{Message: *msg})
}

// Copy returns a shallow copy sharing the sites.
func (t *Trace) Copy() *Trace {
	c := &Trace{}
	for _, s := range t.sites {
		c.appendSite(s)
	}
	return c
}

// WithoutSubsample returns a copy without plate subsample sites (t itself
// when it has none).
func (t *Trace) WithoutSubsample() *Trace {
	if !slices.ContainsFunc(t.sites, (*Site).IsSubsample) {
		return t
	}
	c := &Trace{sites: make([]*Site, 0, len(t.sites))}
	for _, s := range t.sites {
		if s.IsSubsample() {
			continue
		}
		c.appendSite(s)
	}
	return c
}

// DropSubsample removes the plate subsample sites from t itself, keeping
// the other sites in order: WithoutSubsample, without the copy, for a trace
// its caller owns.
func (t *Trace) DropSubsample() {
	if !slices.ContainsFunc(t.sites, (*Site).IsSubsample) {
		return
	}
	t.sites = slices.DeleteFunc(t.sites, (*Site).IsSubsample)
	if t.index != nil {
		clear(t.index)
		for i, s := range t.sites {
			t.index[s.Name] = i
		}
	}
}

// ScaleAndMask applies a site's scale and mask to a log-density term (spec
// §2). A nil term (identically zero) stays nil.
func ScaleAndMask(t *tensor.Tensor, scale float64, scaleT, mask *tensor.Tensor) *tensor.Tensor {
	if t == nil {
		return nil
	}
	if mask == nil && scale == 1 && scaleT == nil {
		return t
	}
	s := t
	if scale != 1 {
		s = s.MulScalar(scale)
	}
	if scaleT != nil {
		s = s.Mul(scaleT)
	}
	if mask == nil {
		return s
	}
	return tensor.Where(mask, s, tensor.Scalar(0))
}

// ComputeLogProb fills LogProb and LogProbSum of every sample site lacking
// them. With validate, a NaN or +Inf sum raises a warning through warn.
func (t *Trace) ComputeLogProb(validate bool, warn WarnFunc) error {
	return t.computeSites(validate, warn, func(s *Site) bool { return s.LogProb != nil }, t.computeOne)
}

// ComputeLogProbSums fills LogProbSum of every sample site lacking it, like
// ComputeLogProb, but for a site without mask or tensor scale whose
// distribution can sum its log-density in one fused pass
// (dist.SumLogProber) it computes only the sum; LogProb then waits for
// EnsureLogProb. Inference that needs only the sums uses it to avoid
// materializing log-densities of large data sets.
func (t *Trace) ComputeLogProbSums(validate bool, warn WarnFunc) error {
	return t.computeSites(validate, warn, func(s *Site) bool { return s.LogProbSum != nil }, func(s *Site) error {
		if sl, ok := summable(s); ok {
			return t.computeSumOnly(s, sl, "log_prob")
		}
		return t.computeOne(s)
	})
}

// ComputeScoreParts fills ScoreParts, LogProb and LogProbSum of every sample
// site lacking them.
func (t *Trace) ComputeScoreParts(validate bool, warn WarnFunc) error {
	return t.computeSites(validate, warn, func(s *Site) bool { return s.ScoreParts != nil }, t.computeScoreParts)
}

// ComputeEntropySums is ComputeScoreParts for inference that reads only
// the sums of reparameterized sites: such a site without mask or tensor
// scale whose distribution sums its log-density in one pass
// (dist.SumLogProber) gets LogProbSum alone, and its ScoreParts and LogProb
// wait for EnsureScoreParts. Under the default rule (spec §3.2) the
// entropy term of a reparameterized site is its log-density, so
// LogProbSum is also the sum of that term. Other sites are computed as
// ComputeScoreParts does.
func (t *Trace) ComputeEntropySums(validate bool, warn WarnFunc) error {
	return t.computeSites(validate, warn, func(s *Site) bool { return s.ScoreParts != nil || s.LogProbSum != nil }, func(s *Site) error {
		if sl, ok := summable(s); ok && s.Fn.HasRSample() {
			return t.computeSumOnly(s, sl, "score_parts")
		}
		return t.computeScoreParts(s)
	})
}

// computeSites runs compute on every sample site that done does not report
// as computed already, then checks the site's sum (see ComputeLogProb).
func (t *Trace) computeSites(validate bool, warn WarnFunc, done func(*Site) bool, compute func(*Site) error) error {
	for _, s := range t.sites {
		if s.Type != SampleSite || done(s) {
			continue
		}
		if err := compute(s); err != nil {
			return err
		}
		if err := checkSum(s, validate, warn); err != nil {
			return err
		}
	}
	return nil
}

// summable returns the one-pass sum of a site without mask or tensor scale
// whose distribution has one.
func summable(s *Site) (dist.SumLogProber, bool) {
	sl, ok := s.Fn.(dist.SumLogProber)
	return sl, ok && s.Mask == nil && s.ScaleTensor == nil
}

// computeSumOnly fills LogProbSum of s, scaled, and the shape of the
// log-density it sums, without forming the log-density; what names the
// computation in an error.
func (t *Trace) computeSumOnly(s *Site, sl dist.SumLogProber, what string) error {
	sum, shape, err := sl.SumLogProb(s.Value)
	if err != nil {
		return t.siteError(s, what, err)
	}
	if s.Scale != 1 {
		sum = sum.MulScalar(s.Scale)
	}
	s.LogProbSum, s.lpShape = sum, shape
	return nil
}

// computeScoreParts fills ScoreParts, LogProb and LogProbSum of s.
func (t *Trace) computeScoreParts(s *Site) error {
	if err := s.EnsureScoreParts(); err != nil {
		return t.siteError(s, "score_parts", err)
	}
	s.LogProbSum = s.LogProb.Sum()
	return nil
}

// computeOne fills LogProb and LogProbSum of s.
func (t *Trace) computeOne(s *Site) error {
	if err := s.EnsureLogProb(); err != nil {
		return t.siteError(s, "log_prob", err)
	}
	s.LogProbSum = s.LogProb.Sum()
	return nil
}

// EnsureScoreParts computes ScoreParts and LogProb (scaled and masked) of
// a sample site when ComputeEntropySums computed only its sum.
func (s *Site) EnsureScoreParts() error {
	if s.ScoreParts != nil || s.Type != SampleSite {
		return nil
	}
	parts, err := s.Fn.ScoreParts(s.Value)
	if err != nil {
		return err
	}
	s.setScoreParts(parts)
	return nil
}

// setScoreParts stores the distribution's score parts scaled and masked,
// and LogProb with them.
func (s *Site) setScoreParts(parts dist.ScoreParts) {
	s.UnscaledLogProb = parts.LogProb
	scaled := dist.ScoreParts{
		LogProb:       ScaleAndMask(parts.LogProb, s.Scale, s.ScaleTensor, s.Mask),
		ScoreFunction: parts.ScoreFunction,
		EntropyTerm:   ScaleAndMask(parts.EntropyTerm, s.Scale, s.ScaleTensor, s.Mask),
	}
	s.ScoreParts = &scaled
	s.LogProb = scaled.LogProb
}

func checkSum(s *Site, validate bool, warn WarnFunc) error {
	if !validate || warn == nil {
		return nil
	}
	v := s.LogProbSum.Item()
	var msg string
	switch {
	case math.IsNaN(v):
		msg = fmt.Sprintf("Encountered NaN: log_prob_sum at site '%s'", s.Name)
	case math.IsInf(v, 1):
		msg = fmt.Sprintf("Encountered +inf: log_prob_sum at site '%s'", s.Name)
	default:
		return nil
	}
	return warn(&Warning{Site: s.Name, Msg: msg})
}

func (t *Trace) siteError(s *Site, what string, err error) error {
	return &Error{Kind: ValueError, Site: s.Name, Err: err,
		Msg: fmt.Sprintf("Error while computing %s at site '%s':\n%v\n%s", what, s.Name, err, t.FormatShapes())}
}

// LogProbSum returns the total scaled log-density of the sample sites,
// computing missing terms; 0 when there are none.
func (t *Trace) LogProbSum(validate bool, warn WarnFunc) (float64, error) {
	if err := t.ComputeLogProb(validate, warn); err != nil {
		return 0, err
	}
	total := 0.0
	for _, s := range t.sites {
		if s.Type == SampleSite {
			total += s.LogProbSum.Item()
		}
	}
	return total, nil
}

// FormatShapes returns a table of every site's batch and event shapes and,
// when computed, its log-prob shape (Pyro's format_shapes). Error messages
// append it so users can see where shapes went wrong.
func (t *Trace) FormatShapes() string {
	rows := [][]string{{"Trace Shapes:", "", "", ""}}
	for _, s := range t.sites {
		switch s.Type {
		case ParamSite:
			if s.Value != nil {
				rows = append(rows, []string{s.Name, "", "", fmt.Sprint(s.Value.Shape())})
			}
		case SampleSite:
			if s.Fn == nil {
				continue
			}
			b, e := s.Fn.BatchShape(), s.Fn.EventShape()
			rows = append(rows, []string{s.Name + " dist", fmt.Sprint(b), "|", fmt.Sprint(e)})
			if s.Value != nil {
				rows = append(rows, []string{"value", "", "", fmt.Sprint(s.Value.Shape())})
			}
			if s.LogProb != nil || s.lpShape != nil { // computed, or only summed
				rows = append(rows, []string{"log_prob", fmt.Sprint(s.LogProbShape()), "", ""})
			}
		}
	}
	width := make([]int, 4)
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		line := fmt.Sprintf("%*s %*s %s %s", width[0], r[0], width[1], r[1], r[2], r[3])
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}
