package dist_test

import (
	"math"
	"strings"
	"testing"

	"github.com/vigo-ppl/vigo/dist"
	"github.com/vigo-ppl/vigo/tensor"
)

// TestDiscreteMVNInvalidParameters checks that invalid parameters are
// reported by Validate and LogProb with the distribution, the argument and
// its shape in the message.
func TestDiscreteMVNInvalidParameters(t *testing.T) {
	nan := math.NaN()
	v, s, z, o := tensor.Vector, tensor.Scalar, tensor.Zeros, tensor.Ones
	nonSym := tensor.New([]float64{2, 1, 0, 2}, 2, 2)
	cases := []struct {
		name  string
		d     dist.Distribution
		value *tensor.Tensor
		want  []string // substrings of the error
	}{
		{"bernoulli probs > 1", dist.BernoulliProbs(v(0.5, 1.5)), s(0), []string{"Bernoulli", "probs", "[2]", "1.5"}},
		{"bernoulli probs < 0", dist.BernoulliProbs(s(-0.1)), s(0), []string{"Bernoulli", "probs"}},
		{"bernoulli logits NaN", dist.BernoulliLogits(v(0, nan)), s(0), []string{"Bernoulli", "logits", "NaN"}},
		{"bernoulli nil", dist.BernoulliProbs(nil), s(0), []string{"Bernoulli", "probs is nil"}},
		{"categorical scalar", dist.CategoricalProbs(s(1)), s(0), []string{"Categorical", "probs", "at least one dim"}},
		{"categorical negative", dist.CategoricalProbs(v(0.5, -0.1, 0.6)), s(0), []string{"Categorical", "probs", "[3]"}},
		{"categorical zero sum", dist.CategoricalProbs(tensor.New([]float64{1, 1, 0, 0}, 2, 2)), s(0), []string{"Categorical", "probs", "positive sum"}},
		{"categorical logits NaN", dist.CategoricalLogits(v(0, nan)), s(0), []string{"Categorical", "logits"}},
		{"categorical no category", dist.CategoricalLogits(z(2, 0)), s(0), []string{"Categorical", "at least one category"}},
		{"onehot", dist.OneHotCategoricalProbs(v(-1, 2)), v(0, 1), []string{"OneHotCategorical", "probs"}},
		{"binomial count", dist.Binomial(v(3, 2.5), s(0.5)), s(0), []string{"Binomial", "total_count", "nonnegative integer", "2.5"}},
		{"binomial probs", dist.Binomial(s(3), s(2)), s(0), []string{"Binomial", "probs"}},
		{"binomial shapes", dist.Binomial(o(3), o(2).MulScalar(0.5)), s(0), []string{"Binomial", "total_count [3]", "probs [2]"}},
		{"binomial logits", dist.BinomialLogits(s(3), s(nan)), s(0), []string{"Binomial", "logits"}},
		{"poisson negative", dist.Poisson(v(1, -1)), s(0), []string{"Poisson", "rate", "[2]"}},
		{"poisson inf", dist.Poisson(s(math.Inf(1))), s(0), []string{"Poisson", "rate"}},
		{"geometric zero", dist.Geometric(s(0)), s(0), []string{"Geometric", "probs", "(0, 1]"}},
		{"mvn loc scalar", dist.MultivariateNormalTril(s(0), tensor.Eye(2)), z(2), []string{"MultivariateNormal", "loc", "at least one dim"}},
		{"mvn matrix vector", dist.MultivariateNormalCov(z(2), z(2)), z(2), []string{"MultivariateNormal", "covariance_matrix", "two dims"}},
		{"mvn size mismatch", dist.MultivariateNormalTril(z(3), tensor.Eye(2)), z(3), []string{"MultivariateNormal", "scale_tril", "[2 2]", "[3]"}},
		{"mvn batch mismatch", dist.MultivariateNormalTril(z(3, 2), tensor.Eye(2).Expand(4, 2, 2)), z(2), []string{"MultivariateNormal", "do not broadcast", "[3 2]", "[4 2 2]"}},
		{"mvn tril upper", dist.MultivariateNormalTril(z(2), o(2, 2)), z(2), []string{"MultivariateNormal", "scale_tril", "lower triangular"}},
		{"mvn tril diag", dist.MultivariateNormalTril(z(2), tensor.New([]float64{1, 0, 0, -1}, 2, 2)), z(2), []string{"MultivariateNormal", "scale_tril", "positive diagonal"}},
		{"mvn cov not symmetric", dist.MultivariateNormalCov(z(2), nonSym), z(2), []string{"MultivariateNormal", "covariance_matrix", "symmetric"}},
		{"mvn cov not PD", dist.MultivariateNormalCov(z(2), o(2, 2)), z(2), []string{"MultivariateNormal", "covariance_matrix", "positive definite", "[2 2]"}},
		{"mvn precision not PD", dist.MultivariateNormalPrecision(z(2), tensor.New([]float64{1, 2, 2, 1}, 2, 2)), z(2), []string{"MultivariateNormal", "precision_matrix", "positive definite"}},
		{"mvn loc NaN", dist.MultivariateNormalTril(v(0, nan), tensor.Eye(2)), z(2), []string{"MultivariateNormal", "loc", "NaN"}},
		{"lowrank diag", dist.LowRankMultivariateNormal(z(2), o(2, 1), v(1, 0)), z(2), []string{"LowRankMultivariateNormal", "cov_diag", "positive"}},
		{"lowrank factor", dist.LowRankMultivariateNormal(z(2), tensor.New([]float64{1, nan}, 2, 1), o(2)), z(2), []string{"LowRankMultivariateNormal", "cov_factor"}},
		{"lowrank sizes", dist.LowRankMultivariateNormal(z(2), o(3, 1), o(2)), z(2), []string{"LowRankMultivariateNormal", "cov_factor [3 1]"}},
		{"lowrank batch", dist.LowRankMultivariateNormal(z(2, 2), o(3, 2, 1), o(2)), z(2), []string{"LowRankMultivariateNormal", "do not broadcast"}},
		{"bernoulli expand", dist.BernoulliProbs(o(3).MulScalar(0.5)).Expand(2), z(2), []string{"Bernoulli", "expand", "[3]", "[2]"}},
	}
	for _, c := range cases {
		err := c.d.Validate()
		if err == nil {
			t.Errorf("%s: Validate returned nil", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
		if _, lerr := c.d.LogProb(c.value); lerr == nil || lerr.Error() != err.Error() {
			t.Errorf("%s: LogProb error %v, want %v", c.name, lerr, err)
		}
	}
}

// TestDiscreteMVNValuesOutsideSupport checks that LogProb rejects values
// outside the support or of the wrong shape, naming the distribution, and
// that WithValidation(false) lets them through.
func TestDiscreteMVNValuesOutsideSupport(t *testing.T) {
	v, s := tensor.Vector, tensor.Scalar
	cases := []struct {
		name  string
		d     dist.Distribution
		value *tensor.Tensor
		want  string
		lax   bool // LogProb succeeds without validation
	}{
		{"bernoulli 0.5", dist.BernoulliProbs(s(0.3)), v(0, 0.5), "0 or 1", true},
		{"bernoulli logits 2", dist.BernoulliLogits(s(0.3)), v(2), "0 or 1", true},
		{"categorical K", dist.CategoricalProbs(v(1, 1, 1)), v(0, 3), "[0, K)", false},
		{"categorical negative", dist.CategoricalProbs(v(1, 1, 1)), s(-1), "[0, K)", false},
		{"categorical fraction", dist.CategoricalLogits(v(1, 1, 1)), s(1.5), "[0, K)", false},
		{"onehot two ones", dist.OneHotCategoricalProbs(v(1, 1, 1)), v(1, 1, 0), "one-hot", true},
		{"onehot zeros", dist.OneHotCategoricalProbs(v(1, 1, 1)), v(0, 0, 0), "one-hot", true},
		{"onehot shape", dist.OneHotCategoricalProbs(v(1, 1, 1)), v(0, 1), "event shape", false},
		{"binomial above n", dist.Binomial(v(3, 5), s(0.5)), v(4, 4), "total_count", true},
		{"binomial fraction", dist.Binomial(s(3), s(0.5)), s(1.5), "total_count", true},
		{"poisson negative", dist.Poisson(s(2)), s(-1), "nonnegative integer", true},
		{"poisson fraction", dist.Poisson(s(2)), s(0.5), "nonnegative integer", true},
		{"geometric fraction", dist.Geometric(s(0.5)), s(2.5), "nonnegative integer", true},
		{"mvn NaN", dist.MultivariateNormalTril(tensor.Zeros(2), tensor.Eye(2)), v(0, math.NaN()), "real", true},
		{"mvn event shape", dist.MultivariateNormalTril(tensor.Zeros(2), tensor.Eye(2)), v(0, 1, 2), "event shape [2]", false},
		{"mvn batch", dist.MultivariateNormalTril(tensor.Zeros(3, 2), tensor.Eye(2)), tensor.Zeros(2, 2), "does not broadcast", false},
		{"lowrank NaN", dist.LowRankMultivariateNormal(tensor.Zeros(2), tensor.Ones(2, 1), tensor.Ones(2)), v(math.NaN(), 0), "real", true},
		{"bernoulli batch", dist.BernoulliProbs(tensor.Full(0.5, 3)), tensor.Zeros(2), "does not broadcast", false},
	}
	for _, c := range cases {
		_, err := c.d.LogProb(c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: LogProb error %v, want one containing %q", c.name, err, c.want)
			continue
		}
		fam := map[string]string{
			"bernoulli": "Bernoulli", "categorical": "Categorical", "onehot": "OneHotCategorical",
			"binomial": "Binomial", "poisson": "Poisson", "geometric": "Geometric",
			"mvn": "MultivariateNormal", "lowrank": "LowRankMultivariateNormal",
		}[strings.Fields(c.name)[0]]
		if !strings.HasPrefix(err.Error(), "dist: "+fam+": ") {
			t.Errorf("%s: error %q does not start with the distribution's name %s", c.name, err, fam)
		}
		if c.lax {
			if _, err := dist.WithValidation(c.d, false).LogProb(c.value); err != nil {
				t.Errorf("%s: without validation: %v", c.name, err)
			}
		}
	}
}
