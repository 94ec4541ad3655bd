package main

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigo-ppl/vigo/tensor"
	"gonum.org/v1/gonum/mat"
)

// laplace returns the MAP estimate of (w, b) under the example's model and
// the diagonal of the Hessian of the negative log-posterior there, found by
// Newton's method with gonum.
func laplace(d data) (theta, hdiag []float64) {
	n, nf := d.x.Shape()[0], d.x.Shape()[1]
	k := nf + 1 // weights, then the bias
	X := mat.NewDense(n, k, nil)
	for i := range n {
		for j := range nf {
			X.Set(i, j, d.x.At(i, j))
		}
		X.Set(i, nf, 1)
	}
	y := d.y.Data()
	theta = make([]float64, k)
	prec := 1 / (priorScale * priorScale)
	H := mat.NewSymDense(k, nil)
	for range 50 {
		g := mat.NewVecDense(k, nil)
		for j := range k {
			g.SetVec(j, prec*theta[j])
		}
		H.Zero()
		for j := range k {
			H.SetSym(j, j, prec)
		}
		for i := range n {
			z := 0.0
			for j := range k {
				z += X.At(i, j) * theta[j]
			}
			s := 1 / (1 + math.Exp(-z))
			for j := range k {
				g.SetVec(j, g.AtVec(j)+(s-y[i])*X.At(i, j))
				for l := j; l < k; l++ {
					H.SetSym(j, l, H.At(j, l)+s*(1-s)*X.At(i, j)*X.At(i, l))
				}
			}
		}
		var step mat.VecDense
		if err := step.SolveVec(H, g); err != nil {
			panic(err)
		}
		for j := range k {
			theta[j] -= step.AtVec(j)
		}
	}
	hdiag = make([]float64, k)
	for j := range k {
		hdiag[j] = H.At(j, j)
	}
	return theta, hdiag
}

// TestLogReg runs the example with its default settings and checks the
// fitted guide against a Laplace reference computed with gonum. With 500
// points the posterior is close to Gaussian, and for a Gaussian posterior
// N(m, H⁻¹) the best mean-field Normal guide has means m and standard
// deviations 1/√H_jj. The reference is therefore the MAP estimate m and the
// diagonal of the Hessian H there.
func TestLogReg(t *testing.T) {
	out := filepath.Join(t.TempDir(), "logreg_elbo.png")
	r, err := run(config{steps: 3000, lr: 0.05, lrd: 0.998, particles: 1, seed: 0, out: out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m, hdiag := laplace(makeData())
	mean := append(append([]float64{}, r.wMean...), r.bMean)
	sd := append(append([]float64{}, r.wSD...), r.bSD)
	truth := append(trueW(), trueB)
	for j := range m {
		refSD := 1 / math.Sqrt(hdiag[j])
		// The tolerances come from 8 runs with seeds 0..7 at these
		// settings. The guide's mean sits between the MAP and the
		// posterior mean, which the logistic likelihood's skew pulls
		// apart: the offset from the MAP averaged up to 0.14 reference sd.
		// Around it, the one-particle gradient noise left a spread of at
		// most 0.034 sd once the learning rate had decayed
		// (0.05·0.998^3000 ≈ 1e-4). 0.14 + 5·0.034 ≈ 0.31 < 0.35 sd; a fit
		// that has not converged is off by several sds.
		if !(math.Abs(mean[j]-m[j]) <= 0.35*refSD) {
			t.Errorf("coef %d: mean %.4f, want within %.4f of the MAP %.4f", j, mean[j], 0.35*refSD, m[j])
		}
		// The guide's sd matched 1/√H_jj to 1.4% on average, with a spread
		// of at most 2.1%: 1.4 + 5·2.1 ≈ 12%.
		if !(math.Abs(sd[j]-refSD) <= 0.12*refSD) {
			t.Errorf("coef %d: sd %.4f, want within 12%% of %.4f", j, sd[j], refSD)
		}
		// The data were drawn from the true coefficients, so these lie in
		// the posterior's bulk: within 5 sds of its mean.
		if !(math.Abs(mean[j]-truth[j]) <= 5*sd[j]) {
			t.Errorf("coef %d: posterior mean %.3f ± %.3f is far from the true %.3f", j, mean[j], sd[j], truth[j])
		}
		t.Logf("coef %d: vi %.4f ± %.4f   laplace %.4f ± %.4f   true %.2f", j, mean[j], sd[j], m[j], refSD, truth[j])
	}
	// The classifier with the true coefficients is the best one on new
	// data, but the posterior-mean classifier was fitted to these points:
	// its training accuracy should be at least as good, less 5 points of
	// 500 for the prior's shrinkage.
	d := makeData()
	logits := d.x.MatMul(tensor.Vector(trueW()...)).AddScalar(trueB).Data()
	correct := 0
	for i, l := range logits {
		if (l > 0) == (d.y.Data()[i] == 1) {
			correct++
		}
	}
	trueAcc := float64(correct) / float64(len(logits))
	if r.accuracy < trueAcc-0.01 {
		t.Errorf("training accuracy %.3f, want at least that of the true coefficients %.3f less 0.01", r.accuracy, trueAcc)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Errorf("ELBO plot not written: %v", err)
	}
}
