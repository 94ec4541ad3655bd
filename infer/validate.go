package infer

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/vigo-ppl/vigo"
	"github.com/vigo-ppl/vigo/dist"
)

// unbounded stands for an unknown max_plate_nesting (Pyro's inf).
const unbounded = math.MaxInt32

func setString(names []string) string {
	sort.Strings(names)
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return "{" + strings.Join(q, ", ") + "}"
}

func fnShape(s *vigo.Site) []int {
	return append(append([]int{}, s.Fn.BatchShape()...), s.Fn.EventShape()...)
}

// checkModelGuideMatch checks that model and guide agree on their sample
// sites, event dims, shapes and plates (spec §8.2). Membership is looked up
// through the traces' own name lookup, so the check is linear in the number
// of sites; the name lists exist only for the warnings, and a program whose
// model and guide agree allocates nothing.
func checkModelGuideMatch(model, guide *vigo.Trace, maxPlateNesting int, warn func(site, msg string) error) error {
	var auxInModel, guideOnly, extraPlates, modelOnly []string
	for _, s := range guide.Sites() {
		if s.Type != vigo.SampleSite {
			continue
		}
		if s.IsSubsample() {
			if !isModelPlate(model.Site(s.Name)) {
				extraPlates = append(extraPlates, s.Name)
			}
			continue
		}
		inModel := isModelVar(model.Site(s.Name))
		switch {
		case s.Infer.IsAuxiliary && inModel:
			auxInModel = append(auxInModel, s.Name)
		case !s.Infer.IsAuxiliary && !inModel:
			guideOnly = append(guideOnly, s.Name)
		}
	}
	for _, s := range model.Sites() {
		if isModelVar(s) && !isGuideVar(guide.Site(s.Name)) {
			modelOnly = append(modelOnly, s.Name)
		}
	}
	if len(auxInModel) > 0 {
		if err := warn("", "Found auxiliary vars in the model: "+setString(auxInModel)); err != nil {
			return err
		}
	}
	if len(guideOnly) > 0 {
		if err := warn("", "Found non-auxiliary vars in guide but not model, consider marking these infer={'is_auxiliary': True}:\n"+setString(guideOnly)); err != nil {
			return err
		}
	}
	if len(modelOnly) > 0 {
		for _, n := range modelOnly {
			if model.Site(n).Infer.Enumerate == "sequential" {
				return vigo.Errorf(vigo.NotImplementedError, n, "At site '%s', model-side sequential enumeration is not implemented. Try parallel enumeration or guide-side enumeration.", n)
			}
		}
		if err := warn("", "Found vars in model but not guide: "+setString(modelOnly)); err != nil {
			return err
		}
	}
	for _, ms := range model.Sites() {
		if !isModelVar(ms) {
			continue
		}
		gs := guide.Site(ms.Name)
		if !isGuideVar(gs) {
			continue
		}
		n := ms.Name
		me, ge := len(ms.Fn.EventShape()), len(gs.Fn.EventShape())
		if me != ge {
			return vigo.Errorf(vigo.ValueError, n, "Model and guide event_dims disagree at site '%s': %d vs %d", n, me, ge)
		}
		if slices.Equal(ms.Fn.BatchShape(), gs.Fn.BatchShape()) && slices.Equal(ms.Fn.EventShape(), gs.Fn.EventShape()) {
			continue
		}
		mshape, gshape := fnShape(ms), fnShape(gs)
		if len(mshape) > maxPlateNesting {
			mshape = mshape[len(mshape)-maxPlateNesting-me:]
		}
		if len(gshape) > maxPlateNesting {
			gshape = gshape[len(gshape)-maxPlateNesting-ge:]
		}
		for i := 1; i <= max(len(mshape), len(gshape)); i++ {
			if sizeFromRight(mshape, i) != sizeFromRight(gshape, i) {
				return vigo.Errorf(vigo.ValueError, n, "Model and guide shapes disagree at site '%s': %v vs %v", n, mshape, gshape)
			}
		}
	}
	if len(extraPlates) > 0 {
		if err := warn("", "Found plate statements in guide but not model: "+setString(extraPlates)); err != nil {
			return err
		}
	}
	for _, s := range guide.Sites() {
		if s.Type == vigo.SampleSite && s.Infer.IsAuxiliary && isUnit(s) && !hasRSampleSet(s) {
			return vigo.Errorf(vigo.ValueError, s.Name, "At guide site pyro.factor(%q,...), missing specification of has_rsample. Please either set has_rsample=True if the factor statement arises from reparametrized sampling or has_rsample=False otherwise.", s.Name)
		}
	}
	return nil
}

// isModelVar reports whether s is a model latent variable: a sample site
// that is neither observed nor a plate's subsample site.
func isModelVar(s *vigo.Site) bool {
	return s != nil && s.Type == vigo.SampleSite && !s.IsObserved && !s.IsSubsample()
}

// isModelPlate reports whether s is an unobserved subsample site of the model.
func isModelPlate(s *vigo.Site) bool {
	return s != nil && s.Type == vigo.SampleSite && !s.IsObserved && s.IsSubsample()
}

// isGuideVar reports whether s is a guide variable: a sample site that is
// not a plate's subsample site.
func isGuideVar(s *vigo.Site) bool {
	return s != nil && s.Type == vigo.SampleSite && !s.IsSubsample()
}

// sizeFromRight returns shape's i-th size from the right (1-based), 1 if absent.
func sizeFromRight(shape []int, i int) int {
	if i > len(shape) {
		return 1
	}
	return shape[len(shape)-i]
}

// checkSiteShape checks that a site's log-prob has a size-1 or plate-sized
// dim wherever a plate says so, and nothing else within max_plate_nesting
// (spec §8.3).
func checkSiteShape(s *vigo.Site, maxPlateNesting int) error {
	const unknown = -1
	var expected []int // expected[i] is the size at dim -(i+1)
	set := []bool{}
	for _, f := range s.Stack {
		if f.Dim == 0 {
			continue
		}
		k := -f.Dim
		for len(expected) < k {
			expected = append(expected, unknown)
			set = append(set, false)
		}
		if set[k-1] {
			return vigo.Errorf(vigo.ValueError, s.Name, "at site %q within plate(%q, dim=%d), dim collision\n  Try setting dim arg in other plates.", s.Name, f.Name, f.Dim)
		}
		set[k-1] = true
		expected[k-1] = f.Size
	}
	if len(expected) > maxPlateNesting {
		return vigo.Errorf(vigo.ValueError, s.Name, "at site %q, plate stack overflow\n  Try increasing max_plate_nesting to at least %d", s.Name, len(expected))
	}
	actual := s.LogProbShape()
	if maxPlateNesting < len(actual) {
		actual = actual[len(actual)-maxPlateNesting:]
	}
	for i := 1; i <= max(len(actual), len(expected)); i++ {
		e := unknown
		if i <= len(expected) {
			e = expected[i-1]
		} else {
			e = 1
		}
		if e != unknown && e != sizeFromRight(actual, i) {
			exp := make([]int, len(expected))
			for j := range expected {
				exp[len(expected)-1-j] = expected[j]
			}
			return vigo.Errorf(vigo.ValueError, s.Name, "at site %q, invalid log_prob shape\n  Expected %v, actual %v\n  Try one of the following fixes:\n  - enclose the batched tensor in a with pyro.plate(...): context\n  - .to_event(...) the distribution being sampled\n  - .permute() data dimensions", s.Name, exp, s.LogProbShape())
		}
	}
	return nil
}

// checkIfEnumerated warns about guide sites configured for enumeration,
// which Trace_ELBO samples instead (spec §8.4).
func checkIfEnumerated(guide *vigo.Trace, warn func(site, msg string) error) error {
	var names []string
	for _, s := range guide.Sites() {
		if s.Type == vigo.SampleSite && s.Infer.Enumerate != "" {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return warn("", fmt.Sprintf("Found sample sites configured for enumeration: %s\nIf you want to enumerate sites, you need to use TraceEnum_ELBO instead.", strings.Join(names, ", ")))
}

func isUnit(s *vigo.Site) bool        { return dist.IsUnit(s.Fn) }
func hasRSampleSet(s *vigo.Site) bool { return dist.RSampleSpecified(s.Fn) }
