package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mathext"
)

// Reference values in this file marked "mpmath" were computed with the
// mpmath library at 60 to 80 significant digits from the float64 argument
// shown, then rounded to float64.

// catalan is Catalan's constant G, used in ψ₁(1/4) = π² + 8G.
const catalan = 0.91596559417721901505460351493238411077414937428167

// zeta3 is Apéry's constant ζ(3), used in ψ₂(1) = -2ζ(3).
const zeta3 = 1.2020569031595942853997381615114499907649862923405

// identicalFloat reports whether got equals want, treating two NaNs and two
// infinities of the same sign as equal and comparing signed zeros exactly.
func identicalFloat(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return got == want && math.Signbit(got) == math.Signbit(want)
}

// checkScalar compares got with want: exactly when want is infinite, NaN or
// zero, and otherwise to |got-want| <= tol·max(floor, |want|). floor = 0
// gives a purely relative tolerance; floor = 1 makes it absolute for
// |want| < 1.
func checkScalar(t *testing.T, name string, x, got, want, tol, floor float64) {
	t.Helper()
	if math.IsNaN(want) || math.IsInf(want, 0) || want == 0 {
		if !identicalFloat(got, want) {
			t.Errorf("%s(%v) = %v, want %v", name, x, got, want)
		}
		return
	}
	if d := math.Abs(got - want); !(d <= tol*math.Max(floor, math.Abs(want))) {
		t.Errorf("%s(%v) = %.17g, want %.17g (error %.3g, tolerance %.3g·max(%v, |want|))", name, x, got, want, d, tol, floor)
	}
}

func TestDigammaFloatReference(t *testing.T) {
	// mpmath. Positive arguments, including ones close to the zero of ψ near
	// 1.4616, are held to 1e-14 relative; negative ones to 1e-14 relative to
	// max(1, |ψ|), since near the negative zeros only absolute accuracy is
	// promised.
	cases := []struct{ x, want float64 }{
		{1e-300, -9.999999999999999e+299},
		{1e-10, -10000000000.577215},
		{0.001, -1000.5755719318103},
		{0.25, -4.2274535333762655},
		{0.5, -1.9635100260214235},
		{1, -0.5772156649015329},
		{1.3307205214829507, -0.1349002059220609},
		{1.4616321449683622, -9.241265521729427e-17},
		{1.4616, -3.110625123034165e-05},
		{1.47, 0.008066489011364869},
		{1.5, 0.03648997397857652},
		{2, 0.42278433509846713},
		{3.7, 1.1671535393615113},
		{9.99, 2.250700372831201},
		{10, 2.251752589066721},
		{25.5, 3.2189424728839198},
		{1000.0, 6.907255195648812},
		{1e10, 23.025850929890456},
		{1e15, 34.538776394910684},
		{1e300, 690.7755278982137},
		{-1e-300, 9.999999999999999e+299},
		{-1e-10, 9999999999.422785},
		{-0.5, 0.03648997397857652},
		{-0.9999, -9999.576951174615},
		{-1.5, 0.7031566406452432},
		{-2.25, 4.158583564657972},
		{-3.9, -8.185090197209119},
		{-10.1, 12.030052248548309},
		{-20.745567937817363, 0.0009374324822792627},
		{-100.5, 4.6151246013380645},
		{-12345.678, 7.454965900116613},
	}
	for _, c := range cases {
		floor := 0.0
		if c.x < 0 {
			floor = 1
		}
		checkScalar(t, "DigammaFloat", c.x, DigammaFloat(c.x), c.want, 1e-14, floor)
	}
}

func TestDigammaFloatSpecial(t *testing.T) {
	// Closed forms: ψ(1) = -γ, ψ(1/2) = -γ - 2 ln 2, ψ(1/4) = -γ - π/2 - 3 ln 2,
	// ψ(n+1) = ψ(n) + 1/n; values at the poles follow PyTorch and SciPy.
	cases := []struct{ x, want, tol float64 }{
		{1, -eulerGamma, 1e-15},
		{0.5, -eulerGamma - 2*math.Ln2, 1e-15},
		{0.25, -eulerGamma - math.Pi/2 - 3*math.Ln2, 1e-15},
		{-0.5, 2 - eulerGamma - 2*math.Ln2, 1e-15},
		{4, 1 + 1.0/2 + 1.0/3 - eulerGamma, 1e-15},
		{0, math.Inf(-1), 0},
		{math.Copysign(0, -1), math.Inf(1), 0},
		{-1, math.NaN(), 0},
		{-7, math.NaN(), 0},
		{-1e300, math.NaN(), 0}, // every float64 this large is an integer
		{math.Inf(1), math.Inf(1), 0},
		{math.Inf(-1), math.NaN(), 0},
		{math.NaN(), math.NaN(), 0},
	}
	for _, c := range cases {
		checkScalar(t, "DigammaFloat", c.x, DigammaFloat(c.x), c.want, c.tol, 0)
	}
}

func TestDigammaFloatGonum(t *testing.T) {
	// gonum mathext.Digamma truncates its asymptotic series early: measured
	// against mpmath its error reaches 5e-11, so it is a coarse independent
	// check at 1e-10·max(1, |ψ|); the mpmath table above is the tight one.
	rng := rand.New(rand.NewPCG(21, 22))
	for i := 0; i < 2000; i++ {
		var x float64
		switch i % 4 {
		case 0:
			x = 30 * rng.Float64()
		case 1:
			x = -30 * rng.Float64()
		case 2:
			x = math.Pow(10, 600*rng.Float64()-300)
		default:
			x = -math.Pow(10, 305*rng.Float64()-300) // down to -1e5
		}
		if x == math.Floor(x) && x <= 0 {
			continue
		}
		checkScalar(t, "DigammaFloat", x, DigammaFloat(x), mathext.Digamma(x), 1e-10, 1)
	}
}

func TestTrigammaFloatReference(t *testing.T) {
	// mpmath; ψ₁ has no zeros and its series and reflection involve no
	// cancellation, so 4e-15 relative holds everywhere.
	cases := []struct{ x, want float64 }{
		{1e-300, math.Inf(1)}, // 1e600 overflows
		{1e-155, math.Inf(1)},
		{1e-10, 1e+20},
		{0.001, 1000001.6425331958},
		{0.25, 17.19732915450711},
		{0.5, 4.934802200544679},
		{1, 1.6449340668482264},
		{1.2277875773265234, 1.227523453714162},
		{2, 0.6449340668482264},
		{5.5, 0.19934238698962767},
		{9.99, 0.10527695014824179},
		{10, 0.10516633568168575},
		{30.25, 0.0336102817442533},
		{1000.0, 0.0010005001666666333},
		{1e10, 1.00000000005e-10},
		{1e300, 1e-300},
		{-1e-10, 1e+20},
		{-0.5, 8.934802200544679},
		{-0.999, 1000002.6445361981},
		{-1.5, 9.379246644989124},
		{-2.918462658893368, 153.45652612704532},
		{-7.25, 19.61035453929327},
		{-23.942396910818992, 304.646473085187},
		{-1000.5, 9.868605400173442},
	}
	for _, c := range cases {
		checkScalar(t, "TrigammaFloat", c.x, TrigammaFloat(c.x), c.want, 4e-15, 0)
	}
}

func TestTrigammaFloatSpecial(t *testing.T) {
	// Closed forms: ψ₁(1) = π²/6, ψ₁(1/2) = π²/2, ψ₁(1/4) = π² + 8G,
	// ψ₁(x) = ψ₁(x+1) + 1/x²; double poles at 0, -1, -2, ... give +Inf.
	pi2 := math.Pi * math.Pi
	cases := []struct{ x, want float64 }{
		{1, pi2 / 6},
		{0.5, pi2 / 2},
		{0.25, pi2 + 8*catalan},
		{-0.5, pi2/2 + 4},
		{-1.5, pi2/2 + 4 + 4.0/9},
		{3, pi2/6 - 1 - 1.0/4},
		{0, math.Inf(1)},
		{math.Copysign(0, -1), math.Inf(1)},
		{-3, math.Inf(1)},
		{math.Inf(1), 0},
		{math.Inf(-1), math.NaN()},
		{math.NaN(), math.NaN()},
	}
	for _, c := range cases {
		checkScalar(t, "TrigammaFloat", c.x, TrigammaFloat(c.x), c.want, 2e-15, 0)
	}
}

func TestTrigammaFloatZeta(t *testing.T) {
	// ψ₁(x) is the Hurwitz zeta function ζ(2, x) (gonum mathext.Zeta) for
	// x > 0; the series also converges for negative non-integer x. Both are
	// accurate to a few ulps: 1e-14 relative.
	rng := rand.New(rand.NewPCG(23, 24))
	for i := 0; i < 1000; i++ {
		var x float64
		switch i % 3 {
		case 0:
			x = 40 * rng.Float64()
		case 1:
			x = math.Pow(10, 300*rng.Float64()-150)
		default:
			x = -30 * rng.Float64()
		}
		if x == math.Floor(x) && x <= 0 {
			continue
		}
		checkScalar(t, "TrigammaFloat", x, TrigammaFloat(x), mathext.Zeta(2, x), 1e-14, 0)
	}
}

func TestTrigammaIsDigammaDerivative(t *testing.T) {
	// Central differences of DigammaFloat with step h have truncation error
	// h²ψ₃/6 and rounding error ~1e-16·|ψ|/h; h = 1e-5 makes both below 1e-8
	// relative for these arguments.
	const h = 1e-5
	for _, x := range []float64{0.3, 0.9, 1.46, 2.5, 7.7, 12.1, 55, -0.3, -1.7, -4.45, -15.6} {
		fd := (DigammaFloat(x+h) - DigammaFloat(x-h)) / (2 * h)
		checkScalar(t, "TrigammaFloat", x, TrigammaFloat(x), fd, 1e-8, 0)
		fd2 := (TrigammaFloat(x+h) - TrigammaFloat(x-h)) / (2 * h)
		checkScalar(t, "tetragammaFloat", x, tetragammaFloat(x), fd2, 1e-8, 0)
	}
}

func TestTetragammaFloat(t *testing.T) {
	// mpmath for the table, 1e-14 relative (1e-14·max(1, |ψ₂|) for negative
	// x, where ψ₂ has zeros); ψ₂(1) = -2ζ(3) and ψ₂(x) = -2ζ(3, x) (gonum
	// mathext.Zeta) for x > 0.
	cases := []struct{ x, want float64 }{
		{1e-100, -1.9999999999999998e+300},
		{0.001, -2000000002.3976321},
		{0.25, -129.32773993753693},
		{0.5, -16.82879664423432},
		{1, -2 * zeta3},
		{1.5, -0.82879664423432},
		{3.3, -0.12375118526494272},
		{11.9, -0.007679939159328307},
		{12, -0.007547205368998912},
		{50, -0.0004080799893375969},
		{100000.0, -1.00001000005e-10},
		{1e100, -1e-200},
		{-0.5, -0.82879664423432},
		{-0.25, 122.69736678366236},
		{-1.75, -124.21382135423057},
		{-5.3, 68.80803440381092},
		{-40.6, -22.276888991558348},
		{0, math.NaN()},
		{-2, math.NaN()},
		{math.Inf(1), 0},
	}
	for _, c := range cases {
		floor := 0.0
		if c.x < 0 {
			floor = 1
		}
		checkScalar(t, "tetragammaFloat", c.x, tetragammaFloat(c.x), c.want, 1e-14, floor)
	}
	rng := rand.New(rand.NewPCG(25, 26))
	for i := 0; i < 500; i++ {
		x := math.Pow(10, 8*rng.Float64()-4)
		checkScalar(t, "tetragammaFloat", x, tetragammaFloat(x), -2*mathext.Zeta(3, x), 1e-14, 0)
	}
}

func TestLgammaFloat(t *testing.T) {
	// Closed forms Γ(1/2) = √π, Γ(-1/2) = -2√π, Γ(-5/2) = -8√π/15, and
	// Stirling's series (x-1/2)log x - x + log(2π)/2 + 1/(12x) for huge x,
	// whose next term is below 1e-30 there; log Γ(x) = -log x - γx for tiny x.
	lsp := 0.5 * math.Log(math.Pi)
	stirling := func(x float64) float64 {
		return (x-0.5)*math.Log(x) - x + 0.5*math.Log(2*math.Pi) + 1/(12*x)
	}
	cases := []struct{ x, want, tol float64 }{
		{0.5, lsp, 1e-15},
		{-0.5, math.Ln2 + lsp, 1e-15},
		{-2.5, math.Log(8.0/15) + lsp, 1e-14},
		{1, 0, 0},
		{2, 0, 0},
		{1e-300, 690.7755278982137, 1e-15},
		{1e-10, -math.Log(1e-10) - eulerGamma*1e-10, 1e-15},
		{1e10, stirling(1e10), 1e-15},
		{1e300, stirling(1e300), 1e-15},
		{0, math.Inf(1), 0},
		{-3, math.Inf(1), 0},
		{math.Inf(1), math.Inf(1), 0},
	}
	for _, c := range cases {
		checkScalar(t, "LgammaFloat", c.x, LgammaFloat(c.x), c.want, c.tol, 0)
	}
}

func TestStableScalarForms(t *testing.T) {
	// mpmath; softplus, log σ and σ of the same argument. The naive forms
	// log(1+e^x), log(1/(1+e^-x)) fail these: they overflow at 1000 or lose
	// every digit of the tiny values. Tolerance 2e-15 relative (a few ulps);
	// exact for results that are zero or subnormal.
	cases := []struct{ x, softplus, logSigmoid, sigmoid float64 }{
		{-1000.0, 0.0, -1000.0, 0.0},
		{-745.0, 5e-324, -745.0, 5e-324},
		{-700.0, 9.85967654375977e-305, -700.0, 9.85967654375977e-305},
		{-50.0, 1.9287498479639178e-22, -50.0, 1.9287498479639178e-22},
		{-20.0, 2.061153620314381e-09, -20.000000002061153, 2.0611536181902037e-09},
		{-1.0, 0.3132616875182228, -1.3132616875182228, 0.2689414213699951},
		{-1e-10, 0.6931471805099453, -0.6931471806099453, 0.499999999975},
		{0.0, 0.6931471805599453, -0.6931471805599453, 0.5},
		{1e-300, 0.6931471805599453, -0.6931471805599453, 0.5},
		{1e-10, 0.6931471806099453, -0.6931471805099453, 0.500000000025},
		{0.5, 0.9740769841801067, -0.4740769841801067, 0.6224593312018546},
		{1.0, 1.3132616875182228, -0.3132616875182228, 0.7310585786300049},
		{20.0, 20.000000002061153, -2.061153620314381e-09, 0.9999999979388464},
		{36.0, 36.0, -2.319522830243569e-16, 0.9999999999999998},
		{50.0, 50.0, -1.9287498479639178e-22, 1.0},
		{710.0, 710.0, -4.47628622567513e-309, 1.0},
		{1000.0, 1000.0, math.Copysign(0, -1), 1.0},
		{math.Inf(1), math.Inf(1), 0, 1},
		{math.Inf(-1), 0, math.Inf(-1), 0},
		{math.NaN(), math.NaN(), math.NaN(), math.NaN()},
	}
	check := func(name string, x, got, want float64) {
		t.Helper()
		if math.Abs(want) < 0x1p-1022 { // zero or subnormal: exact
			if !identicalFloat(got, want) && !(want == 0 && got == 0) {
				t.Errorf("%s(%v) = %v, want %v", name, x, got, want)
			}
			return
		}
		checkScalar(t, name, x, got, want, 2e-15, 0)
	}
	for _, c := range cases {
		check("SoftplusFloat", c.x, SoftplusFloat(c.x), c.softplus)
		check("LogSigmoidFloat", c.x, LogSigmoidFloat(c.x), c.logSigmoid)
		check("SigmoidFloat", c.x, SigmoidFloat(c.x), c.sigmoid)
	}
}

func TestLog1mExpFloat(t *testing.T) {
	// mpmath. Near 0 the naive log(1-e^x) loses about log10(1/|x|) digits
	// and for x < -37 it returns 0: both branches of the stable form are
	// exercised, on either side of -ln 2. Tolerance 2e-15 relative.
	cases := []struct{ x, want float64 }{
		{-1e-300, -690.7755278982137},
		{-1e-20, -46.051701859880914},
		{-1e-10, -23.025850929990458},
		{-0.001, -6.908255237315471},
		{-0.5, -0.9327521295671886},
		{-0.6931471805599453, -0.6931471805599453},
		{-0.6931471805599454, -0.6931471805599452},
		{-0.7, -0.6863410028083852},
		{-1, -0.4586751453870819},
		{-5, -0.006760749449488557},
		{-37, -8.533047625744066e-17},
		{-50, -1.9287498479639178e-22},
		{-700, -9.85967654375977e-305},
		{-745, -5e-324},
		{-1000, math.Copysign(0, -1)},
		{math.Inf(-1), math.Copysign(0, -1)},
		{0, math.Inf(-1)},
		{math.Copysign(0, -1), math.Inf(-1)},
		{1, math.NaN()},
		{math.NaN(), math.NaN()},
	}
	for _, c := range cases {
		got := Log1mExpFloat(c.x)
		if math.Abs(c.want) < 0x1p-1022 {
			if !identicalFloat(got, c.want) {
				t.Errorf("Log1mExpFloat(%v) = %v, want %v", c.x, got, c.want)
			}
			continue
		}
		checkScalar(t, "Log1mExpFloat", c.x, got, c.want, 2e-15, 0)
	}
}
