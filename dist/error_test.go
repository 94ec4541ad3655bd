package dist

import (
	"math"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
)

// TestInvalidParameters checks that invalid parameters are reported by
// Validate and by LogProb, naming the distribution, the argument and its
// shape.
func TestInvalidParameters(t *testing.T) {
	nan := math.NaN()
	s, v := tensor.Scalar, tensor.Vector
	cases := []struct {
		name  string
		d     Distribution
		value *tensor.Tensor
		parts []string // substrings of the error
	}{
		{"normal scale", Normal(s(0), v(1, -1, 2)), s(0), []string{"Normal", "scale", "positive", "[3]"}},
		{"normal zero scale", Normal(s(0), s(0)), s(0), []string{"Normal", "scale"}},
		{"normal nan loc", Normal(v(0, nan), s(1)), s(0), []string{"Normal", "loc", "[2]"}},
		{"normal nan scale", Normal(s(0), s(nan)), s(0), []string{"Normal", "scale"}},
		{"normal shapes", Normal(tensor.Zeros(3), tensor.Ones(2)), s(0), []string{"Normal", "loc [3]", "scale [2]"}},
		{"lognormal", LogNormal(s(0), s(-2)), s(1), []string{"LogNormal", "scale"}},
		{"halfnormal", HalfNormal(s(-1)), s(1), []string{"HalfNormal", "scale"}},
		{"cauchy", Cauchy(s(0), s(-1)), s(1), []string{"Cauchy", "scale"}},
		{"halfcauchy", HalfCauchy(s(0)), s(1), []string{"HalfCauchy", "scale"}},
		{"studentt df", StudentT(s(0), s(0), s(1)), s(1), []string{"StudentT", "df"}},
		{"laplace", Laplace(s(0), s(-1)), s(1), []string{"Laplace", "scale"}},
		{"uniform order", Uniform(s(1), s(0)), s(0.5), []string{"Uniform", "low must be less than high"}},
		{"exponential", Exponential(s(-1)), s(1), []string{"Exponential", "rate"}},
		{"gamma conc", Gamma(v(1, 0), s(1)), s(1), []string{"Gamma", "concentration", "[2]"}},
		{"gamma rate", Gamma(s(1), s(nan)), s(1), []string{"Gamma", "rate"}},
		{"beta", Beta(s(-1), s(1)), s(0.5), []string{"Beta", "concentration1"}},
		{"dirichlet", Dirichlet(v(1, -1)), v(0.5, 0.5), []string{"Dirichlet", "concentration", "[2]"}},
		{"dirichlet scalar", Dirichlet(s(1)), v(1), []string{"Dirichlet", "at least one dim"}},
		{"delta event dim", Delta(v(1), nil, 2), v(1), []string{"Delta", "event dim 2"}},
		{"unit nan", Unit(s(nan)), tensor.Zeros(0), []string{"Unit", "log factor"}},
		{"expand", Normal(tensor.Zeros(3), s(1)).Expand(2), s(0), []string{"Normal", "cannot expand", "[3]", "[2]"}},
		{"to_event too many", Normal(tensor.Zeros(3), s(1)).ToEvent(2), tensor.Zeros(3), []string{"Independent", "2 batch dims", "[3]"}},
		{"to_event negative", Normal(tensor.Zeros(3), s(1)).ToEvent(-1), tensor.Zeros(3), []string{"Independent", "-1"}},
		{"mask shape", Normal(tensor.Zeros(3), s(1)).Mask(tensor.Ones(2)), tensor.Zeros(3), []string{"Masked", "[2]", "[3]"}},
		{"wrapped invalid", Normal(s(0), s(-1)).ToEvent(0).Mask(s(1)), s(0), []string{"Normal", "scale"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.d.Validate()
			if err == nil {
				t.Fatal("Validate returned nil")
			}
			for _, p := range c.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
			if _, err := c.d.LogProb(c.value); err == nil {
				t.Error("LogProb returned no error")
			}
			if _, err := c.d.ScoreParts(c.value); err == nil {
				t.Error("ScoreParts returned no error")
			}
			if err := WithValidation(c.d, false).Validate(); err != nil {
				t.Errorf("with validation off, Validate = %v", err)
			}
		})
	}
}

// TestValuesOutsideSupport checks LogProb's support and shape errors.
func TestValuesOutsideSupport(t *testing.T) {
	s, v := tensor.Scalar, tensor.Vector
	nan := math.NaN()
	cases := []struct {
		name  string
		d     Distribution
		value *tensor.Tensor
		parts []string
	}{
		{"normal nan", Normal(s(0), s(1)), v(0, nan), []string{"Normal", "[2]", "support"}},
		{"lognormal negative", LogNormal(s(0), s(1)), v(1, -1), []string{"LogNormal", "positive"}},
		{"lognormal zero", LogNormal(s(0), s(1)), s(0), []string{"LogNormal", "positive"}},
		{"halfnormal negative", HalfNormal(s(1)), v(-0.1), []string{"HalfNormal", "nonnegative"}},
		{"cauchy nan", Cauchy(s(0), s(1)), s(nan), []string{"Cauchy"}},
		{"halfcauchy negative", HalfCauchy(s(1)), s(-1), []string{"HalfCauchy"}},
		{"studentt nan", StudentT(s(3), s(0), s(1)), s(nan), []string{"StudentT"}},
		{"laplace nan", Laplace(s(0), s(1)), s(nan), []string{"Laplace"}},
		{"uniform above", Uniform(s(0), s(1)), s(1.5), []string{"Uniform", "support"}},
		{"exponential negative", Exponential(s(1)), s(-1), []string{"Exponential"}},
		{"gamma negative", Gamma(s(1), s(1)), v(1, -2), []string{"Gamma", "[2]"}},
		{"beta above one", Beta(s(1), s(1)), s(1.5), []string{"Beta", "unit interval"}},
		{"dirichlet sum", Dirichlet(v(1, 1)), v(0.5, 0.6), []string{"Dirichlet", "simplex"}},
		{"dirichlet negative", Dirichlet(v(1, 1)), v(1.5, -0.5), []string{"Dirichlet", "simplex"}},
		{"delta nan", Delta(s(1), nil, 0), s(nan), []string{"Delta"}},
		{"shape", Normal(tensor.Zeros(3), s(1)), tensor.Zeros(2), []string{"Normal", "[2]", "[3]"}},
		{"event shape", Dirichlet(tensor.Ones(3)), v(0.5, 0.5), []string{"Dirichlet", "event shape [3]"}},
		{"nil value", Normal(s(0), s(1)), nil, []string{"Normal", "nil"}},
		{"independent shape", Normal(tensor.Zeros(3), s(1)).ToEvent(1), tensor.Zeros(2), []string{"Normal"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.d.Validate(); err != nil {
				t.Fatalf("valid distribution: %v", err)
			}
			_, err := c.d.LogProb(c.value)
			if err == nil {
				t.Fatal("LogProb returned no error")
			}
			for _, p := range c.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
}

// TestValidationOff checks that WithValidation(false) skips support checks
// and computes the density formula, as PyTorch without validate_args.
func TestValidationOff(t *testing.T) {
	d := WithValidation(Gamma(tensor.Scalar(2), tensor.Scalar(1)), false)
	lp, err := d.LogProb(tensor.Scalar(-1))
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(lp.Item()) {
		t.Errorf("Gamma(2,1) at -1 without validation = %g, want NaN (log of a negative)", lp.Item())
	}
	n := WithValidation(Normal(tensor.Scalar(0), tensor.Scalar(1)).ToEvent(0).Mask(tensor.Scalar(1)), false)
	lp, err = n.LogProb(tensor.Scalar(math.NaN()))
	if err != nil || !math.IsNaN(lp.Item()) {
		t.Errorf("masked Normal at NaN without validation = %v, %v", lp, err)
	}
	h := WithValidation(HalfNormal(tensor.Scalar(1)), false)
	lp, err = h.LogProb(tensor.Scalar(-1))
	if err != nil || !math.IsInf(lp.Item(), -1) {
		t.Errorf("HalfNormal at -1 without validation = %v, %v; want -Inf", lp, err)
	}
}
