package plot_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/vigo-ppl/vigo/plot"
)

// Draw the losses of a fit with a moving average over them and save the
// picture as a 400x300-pixel PNG.
func ExampleSaveELBO() {
	dir, err := os.MkdirTemp("", "vigo-plot")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	losses := make([]float64, 500)
	for i := range losses {
		losses[i] = 10 + 90*math.Exp(-float64(i)/50) + 3*math.Sin(float64(i))
	}
	path := filepath.Join(dir, "elbo.png")
	err = plot.SaveELBO(path, losses, plot.ELBOConfig{
		Title:  "SVI loss",
		Size:   plot.Size{Width: 300, Height: 225, DPI: 96}, // points; 300pt at 96 dpi is 400 px
		Smooth: 25,
	})
	if err != nil {
		log.Fatal(err)
	}

	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("PNG %dx%d\n", cfg.Width, cfg.Height)
	// Output:
	// PNG 400x300
}

// Compare posterior samples of a coin's bias and a Normal approximation
// with the exact Beta(16, 14) posterior, and save the picture as SVG.
func ExampleSaveDensity() {
	dir, err := os.MkdirTemp("", "vigo-plot")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	exact := func(x float64) float64 { // Beta(16, 14) density
		lb, _ := math.Lgamma(16)
		lc, _ := math.Lgamma(14)
		la, _ := math.Lgamma(30)
		return math.Exp(15*math.Log(x) + 13*math.Log1p(-x) + la - lb - lc)
	}
	const loc, scale = 0.533, 0.0895 // a fitted Normal guide
	guide := func(x float64) float64 {
		z := (x - loc) / scale
		return math.Exp(-z*z/2) / (scale * math.Sqrt(2*math.Pi))
	}
	path := filepath.Join(dir, "bias.svg")
	err = plot.SaveDensity(path, plot.DensityConfig{
		XLabel:        "bias",
		Approx:        guide,
		ApproxName:    "Normal guide",
		Reference:     exact,
		ReferenceName: "exact posterior",
		Min:           0.2,
		Max:           0.85,
	})
	if err != nil {
		log.Fatal(err)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.HasPrefix(data, []byte("<?xml")), bytes.Contains(data, []byte("exact posterior")))
	// Output:
	// true true
}

// Draw a loss curve, adjust it with gonum/plot, and save it.
func ExampleELBO() {
	dir, err := os.MkdirTemp("", "vigo-plot")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	p, err := plot.ELBO([]float64{9, 5, 3, 2.5, 2.2, 2.1}, plot.ELBOConfig{YLabel: "-ELBO"})
	if err != nil {
		log.Fatal(err)
	}
	p.Y.Min = 0 // any gonum/plot setting can be changed before saving

	err = plot.Save("loss.jpg", p, plot.Size{}) // refused before any file is made
	fmt.Println(err)
	err = plot.Save(filepath.Join(dir, "loss.png"), p, plot.Size{})
	fmt.Println(err)
	// Output:
	// plot: cannot save "loss.jpg": extension ".jpg" is neither .png nor .svg
	// <nil>
}
