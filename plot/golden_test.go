package plot

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	gplot "gonum.org/v1/plot"
)

var update = flag.Bool("update", false, "rewrite the golden pictures in testdata")

// goldenSize gives 400x300-pixel PNGs: 300pt/72 * 96dpi = 400 px.
var goldenSize = Size{Width: 300, Height: 225, DPI: 96}

// goldenLosses is a fixed, noisy, decaying loss curve.
func goldenLosses() []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	losses := make([]float64, 200)
	for i := range losses {
		losses[i] = 20 + 80*math.Exp(-float64(i)/30) + 4*rng.NormFloat64()
	}
	return losses
}

// betaPDF is the Beta(a, b) density, from its closed form.
func betaPDF(a, b float64) func(float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return func(x float64) float64 {
		return math.Exp((a-1)*math.Log(x) + (b-1)*math.Log1p(-x) + lab - la - lb)
	}
}

// normalPDF is the Normal(mu, sigma) density.
func normalPDF(mu, sigma float64) func(float64) float64 {
	return func(x float64) float64 {
		z := (x - mu) / sigma
		return math.Exp(-z*z/2) / (sigma * math.Sqrt(2*math.Pi))
	}
}

// betaSamples draws n samples of Beta(a, b) for integer a, b as the a-th
// smallest of a+b-1 uniforms, which needs only the PCG stream (stable across
// Go releases) and no library sampler.
func betaSamples(rng *rand.Rand, a, b, n int) []float64 {
	out := make([]float64, n)
	u := make([]float64, a+b-1)
	for i := range out {
		for j := range u {
			u[j] = rng.Float64()
		}
		slices.Sort(u)
		out[i] = u[a-1]
	}
	return out
}

// goldenDensity compares 2000 posterior samples of a coin's bias under a
// Beta(1,1) prior after 15 heads and 13 tails, i.e. Beta(16, 14), with a
// moment-matched Normal approximation and the exact density.
func goldenDensity() DensityConfig {
	const a, b = 16.0, 14.0
	mean := a / (a + b)
	sd := math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)))
	return DensityConfig{
		Title:         "Posterior of the coin's bias",
		XLabel:        "bias",
		Size:          goldenSize,
		Samples:       betaSamples(rand.New(rand.NewPCG(3, 4)), a, b, 2000),
		Approx:        normalPDF(mean, sd),
		Reference:     betaPDF(a, b),
		Min:           0.2,
		Max:           0.85,
		Bins:          40,
		ApproxName:    "Normal guide",
		ReferenceName: "exact Beta(16, 14)",
	}
}

func TestGolden(t *testing.T) {
	elbo, err := ELBO(goldenLosses(), ELBOConfig{Title: "SVI loss", Smooth: 20})
	if err != nil {
		t.Fatal(err)
	}
	density, err := Density(goldenDensity())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		plot *gplot.Plot
	}{
		{"elbo", elbo},
		{"density", density},
	} {
		for _, format := range []Format{PNG, SVG} {
			name := tc.name + "." + string(format)
			t.Run(name, func(t *testing.T) {
				var got bytes.Buffer
				if err := Encode(&got, tc.plot, format, goldenSize); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", name)
				if *update {
					if err := writeFileAtomic(path, got.Bytes()); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if err := compareGolden(format, got.Bytes(), want); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

// compareGolden reports how a rendered picture differs from its golden
// file, or nil if they agree within the tolerances of diffPNG and diffSVG.
func compareGolden(format Format, got, want []byte) error {
	if format == PNG {
		return diffPNG(got, want)
	}
	return diffSVG(got, want)
}

// diffPNG fails unless the two PNGs have the same size and at most 0.5% of
// their pixels differ by more than 16/255 in some channel. The tolerance
// absorbs anti-aliasing that shifts with floating-point rounding on another
// architecture; a missing or moved curve changes far more pixels.
func diffPNG(got, want []byte) error {
	g, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		return fmt.Errorf("decoding rendered PNG: %v", err)
	}
	w, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		return fmt.Errorf("decoding golden PNG: %v", err)
	}
	frac, err := pixelDiff(g, w, 16)
	if err != nil {
		return err
	}
	if frac > 0.005 {
		return fmt.Errorf("%.3f%% of pixels differ from the golden picture; want at most 0.5%%", 100*frac)
	}
	return nil
}

// pixelDiff returns the fraction of pixels of a and b that differ by more
// than tol (out of 255) in some channel.
func pixelDiff(a, b image.Image, tol uint32) (float64, error) {
	if a.Bounds() != b.Bounds() {
		return 0, fmt.Errorf("image bounds %v and %v differ", a.Bounds(), b.Bounds())
	}
	r := a.Bounds()
	var bad int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, aa := a.At(x, y).RGBA()
			br, bg, bb, ba := b.At(x, y).RGBA()
			for _, d := range [][2]uint32{{ar, br}, {ag, bg}, {ab, bb}, {aa, ba}} {
				if absDiff(d[0]>>8, d[1]>>8) > tol {
					bad++
					break
				}
			}
		}
	}
	return float64(bad) / float64(r.Dx()*r.Dy()), nil
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

var svgNumber = regexp.MustCompile(`-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?`)

// diffSVG fails unless the two SVGs have the same text outside numbers and
// numbers that agree within 0.01 (points), so that a last-digit change in a
// coordinate printed with five significant digits does not fail.
func diffSVG(got, want []byte) error {
	gText, gNums := splitNumbers(got)
	wText, wNums := splitNumbers(want)
	for i := range min(len(gText), len(wText)) {
		if gText[i] != wText[i] {
			return fmt.Errorf("SVG text differs from the golden file at piece %d: got %q, want %q", i, gText[i], wText[i])
		}
	}
	if len(gText) != len(wText) {
		return fmt.Errorf("SVG has %d text pieces, golden file %d", len(gText), len(wText))
	}
	for i := range gNums {
		if !(math.Abs(gNums[i]-wNums[i]) <= 0.01) {
			return fmt.Errorf("SVG number %d is %v, golden file has %v", i, gNums[i], wNums[i])
		}
	}
	return nil
}

// splitNumbers returns the text of s between numbers and the numbers.
func splitNumbers(s []byte) (text []string, nums []float64) {
	last := 0
	for _, m := range svgNumber.FindAllIndex(s, -1) {
		text = append(text, string(s[last:m[0]]))
		v, err := strconv.ParseFloat(string(s[m[0]:m[1]]), 64)
		if err != nil {
			panic(err) // the pattern only matches numbers
		}
		nums = append(nums, v)
		last = m[1]
	}
	return append(text, string(s[last:])), nums
}

// TestGoldenDetectsChange checks that the tolerances above are tight enough
// to notice a small change of the picture: a different smoothing window.
func TestGoldenDetectsChange(t *testing.T) {
	p, err := ELBO(goldenLosses(), ELBOConfig{Title: "SVI loss", Smooth: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []Format{PNG, SVG} {
		var got bytes.Buffer
		if err := Encode(&got, p, format, goldenSize); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("testdata", "elbo."+string(format)))
		if err != nil {
			t.Fatal(err)
		}
		if compareGolden(format, got.Bytes(), want) == nil {
			t.Errorf("%s comparison accepted a picture with a different smoothing window", format)
		}
	}
}
