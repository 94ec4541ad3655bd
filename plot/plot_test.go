package plot

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

func TestSavePNGSize(t *testing.T) {
	losses := goldenLosses()
	for _, tc := range []struct {
		name       string
		size       Size
		wantW, wan int
	}{
		// Pixel sizes are Width/72*DPI and Height/72*DPI, rounded.
		{"default", Size{}, 576, 384},
		{"golden", goldenSize, 400, 300},
		{"inches at 200 dpi", Size{Width: 4 * vg.Inch, Height: 3 * vg.Inch, DPI: 200}, 800, 600},
		{"default height", Size{Width: 144, DPI: 50}, 100, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "loss.png")
			if err := SaveELBO(path, losses, ELBOConfig{Size: tc.size, Smooth: 5}); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("decoding %s: %v", path, err)
			}
			if b := img.Bounds(); b.Dx() != tc.wantW || b.Dy() != tc.wan {
				t.Errorf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), tc.wantW, tc.wan)
			}
		})
	}
}

func TestSaveFormats(t *testing.T) {
	dir := t.TempDir()
	cfg := goldenDensity()
	for _, tc := range []struct {
		name, prefix string
	}{
		{"d.png", "\x89PNG\r\n\x1a\n"},
		{"d.PNG", "\x89PNG\r\n\x1a\n"},
		{"d.svg", "<?xml"},
		{"d.Svg", "<?xml"},
	} {
		path := filepath.Join(dir, tc.name)
		if err := SaveDensity(path, cfg); err != nil {
			t.Fatalf("SaveDensity(%q): %v", tc.name, err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte(tc.prefix)) {
			t.Errorf("%s starts with %q, want %q", tc.name, data[:min(len(data), 8)], tc.prefix)
		}
		if fi, err := os.Stat(path); err != nil {
			t.Fatal(err)
		} else if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", tc.name, fi.Mode().Perm())
		}
	}
	assertOnly(t, dir, "d.PNG", "d.Svg", "d.png", "d.svg")
}

func TestSaveBadExtension(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"loss.jpg", "loss.pdf", "loss", "loss.png.txt", "png"} {
		path := filepath.Join(dir, name)
		if err := SaveELBO(path, []float64{3, 2, 1}, ELBOConfig{}); err == nil {
			t.Errorf("SaveELBO(%q) succeeded, want an error", name)
		}
		if err := SaveDensity(path, DensityConfig{Samples: []float64{1, 2}}); err == nil {
			t.Errorf("SaveDensity(%q) succeeded, want an error", name)
		}
	}
	assertOnly(t, dir)
}

func TestSaveUnwritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	taken := filepath.Join(dir, "taken.png")
	if err := os.Mkdir(taken, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path string }{
		{"missing directory", filepath.Join(dir, "missing", "loss.png")},
		{"parent is a file", filepath.Join(file, "loss.png")},
		// The temporary file is written, then the rename onto a directory
		// fails: the temporary file must be removed.
		{"destination is a directory", taken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := SaveELBO(tc.path, []float64{3, 2, 1}, ELBOConfig{})
			if err == nil {
				t.Fatalf("SaveELBO(%q) succeeded, want an error", tc.path)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name the path", err)
			}
		})
	}
	assertOnly(t, dir, "file", "taken.png")
	assertOnly(t, taken)
}

func TestSaveReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "loss.svg")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SaveELBO(path, []float64{3, 2, 1}, ELBOConfig{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		t.Errorf("file was not replaced: starts with %q", data[:min(len(data), 8)])
	}
	// A failed save leaves the old picture in place.
	if err := SaveELBO(path, []float64{math.NaN()}, ELBOConfig{}); err == nil {
		t.Fatal("saving a NaN loss succeeded")
	}
	again, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Error("failed save changed the file")
	}
	assertOnly(t, dir, "loss.svg")
}

// assertOnly fails unless dir holds exactly the named entries (sorted).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

func TestDeterministic(t *testing.T) {
	// Two renderings of the same plot are byte-identical: nothing depends
	// on the clock, map order or system fonts.
	for _, format := range []Format{PNG, SVG} {
		var a, b bytes.Buffer
		for _, buf := range []*bytes.Buffer{&a, &b} {
			p, err := Density(goldenDensity())
			if err != nil {
				t.Fatal(err)
			}
			if err := Encode(buf, p, format, goldenSize); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s output differs between two renderings", format)
		}
	}
}

func TestELBOErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		losses []float64
		cfg    ELBOConfig
		want   string
	}{
		{"empty", nil, ELBOConfig{}, "empty"},
		{"NaN", []float64{1, math.NaN()}, ELBOConfig{}, "losses[1]"},
		{"Inf", []float64{math.Inf(1), 1}, ELBOConfig{}, "losses[0]"},
		{"negative smoothing", []float64{1, 2}, ELBOConfig{Smooth: -1}, "Smooth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ELBO(tc.losses, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ELBO error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestSizeErrors(t *testing.T) {
	p, err := ELBO([]float64{1, 2}, ELBOConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []Size{
		{Width: -1},
		{Height: -1},
		{DPI: -3},
		{Width: vg.Length(math.NaN())},
		{Height: vg.Length(math.Inf(1))},
	} {
		if err := Encode(new(bytes.Buffer), p, PNG, size); err == nil {
			t.Errorf("Encode with size %+v succeeded, want an error", size)
		}
	}
	if err := Encode(new(bytes.Buffer), p, Format("gif"), Size{}); err == nil {
		t.Error("Encode with format gif succeeded, want an error")
	}
}

func TestELBOPlot(t *testing.T) {
	p, err := ELBO([]float64{5, 4, 3}, ELBOConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Label.Text != "step" || p.Y.Label.Text != "loss" || p.Title.Text != "" {
		t.Errorf("default labels: x %q, y %q, title %q", p.X.Label.Text, p.Y.Label.Text, p.Title.Text)
	}
	// The axes span the steps and the losses.
	if p.X.Min != 0 || p.X.Max != 2 || p.Y.Min != 3 || p.Y.Max != 5 {
		t.Errorf("axes [%v, %v] x [%v, %v], want [0, 2] x [3, 5]", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	p, err = ELBO([]float64{5, 4, 3}, ELBOConfig{Title: "t", XLabel: "x", YLabel: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Label.Text != "x" || p.Y.Label.Text != "y" || p.Title.Text != "t" {
		t.Errorf("labels: x %q, y %q, title %q", p.X.Label.Text, p.Y.Label.Text, p.Title.Text)
	}
}

func TestMovingAverage(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 10}
	for _, tc := range []struct {
		window int
		want   []float64
	}{
		// Hand-computed trailing means.
		{0, []float64{1, 2, 3, 4, 10}},
		{1, []float64{1, 2, 3, 4, 10}},
		{2, []float64{1, 1.5, 2.5, 3.5, 7}},
		{3, []float64{1, 1.5, 2, 3, 17.0 / 3}},
		{10, []float64{1, 1.5, 2, 2.5, 4}},
	} {
		got := movingAverage(xs, tc.window)
		for i := range got {
			// Exact up to the rounding of a few additions.
			if !(math.Abs(got[i]-tc.want[i]) <= 1e-12) {
				t.Errorf("window %d: got %v, want %v", tc.window, got, tc.want)
				break
			}
		}
	}
}

func TestDensityHistogram(t *testing.T) {
	samples := []float64{0, 0.1, 0.5, 0.9, 1, 1, 2, -1}
	bins := densityHistogram(samples, 2, 0, 1)
	// Bin [0, 0.5) holds 0 and 0.1; [0.5, 1] holds 0.5, 0.9, 1 and 1; the
	// samples 2 and -1 are outside. Height = count / (8 * 0.5).
	want := []float64{2.0 / 4, 4.0 / 4}
	for i, b := range bins {
		if b.Weight != want[i] {
			t.Errorf("bin %d [%v, %v]: height %v, want %v", i, b.Min, b.Max, b.Weight, want[i])
		}
	}
	// With every sample in range the bars have area one (closed form).
	in := goldenDensity().Samples
	var area float64
	for _, b := range densityHistogram(in, 37, 0, 1) {
		area += b.Weight * (b.Max - b.Min)
	}
	if math.Abs(area-1) > 1e-12 { // rounding of 37 products
		t.Errorf("histogram area = %v, want 1", area)
	}
}

func TestDensityErrors(t *testing.T) {
	good := func(float64) float64 { return 1 }
	for _, tc := range []struct {
		name string
		cfg  DensityConfig
		want string
	}{
		{"nothing", DensityConfig{Reference: good, Min: 0, Max: 1}, "neither"},
		{"NaN sample", DensityConfig{Samples: []float64{1, math.NaN()}}, "Samples[1]"},
		{"no range", DensityConfig{Approx: good}, "Min and Max"},
		{"empty range", DensityConfig{Approx: good, Min: 1, Max: 1}, "range"},
		{"reversed range", DensityConfig{Samples: []float64{1}, Min: 2, Max: 1}, "range"},
		{"negative bins", DensityConfig{Samples: []float64{1}, Bins: -2}, "Bins"},
		{"one point", DensityConfig{Approx: good, Min: 0, Max: 1, Points: 1}, "Points"},
		{"infinite density", DensityConfig{Approx: good, Reference: betaPDF(0.5, 0.5), Min: 0, Max: 1}, "Reference(0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Density(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Density error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestDensityParts(t *testing.T) {
	one := func(float64) float64 { return 1 }
	for _, tc := range []struct {
		name   string
		cfg    DensityConfig
		xr     [2]float64
		legend []string
	}{
		{"samples only", DensityConfig{Samples: []float64{2, 3, 4}}, [2]float64{2, 4}, []string{"samples"}},
		{"equal samples", DensityConfig{Samples: []float64{3, 3}}, [2]float64{2.5, 3.5}, []string{"samples"}},
		{"approx only", DensityConfig{Approx: one, Min: -1, Max: 1}, [2]float64{-1, 1}, []string{"approximation"}},
		{"all three", DensityConfig{Samples: []float64{0.5}, Approx: one, Reference: one, Min: 0, Max: 2},
			[2]float64{0, 2}, []string{"samples", "approximation", "reference"}},
		{"named", DensityConfig{Samples: []float64{0.5}, Approx: one, Reference: one, Min: 0, Max: 2,
			SamplesName: "draws", ApproxName: "guide", ReferenceName: "exact"},
			[2]float64{0, 2}, []string{"draws", "guide", "exact"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Density(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if p.X.Min != tc.xr[0] || p.X.Max != tc.xr[1] {
				t.Errorf("x axis [%v, %v], want %v", p.X.Min, p.X.Max, tc.xr)
			}
			if p.X.Label.Text != "value" || p.Y.Label.Text != "density" {
				t.Errorf("default labels %q, %q", p.X.Label.Text, p.Y.Label.Text)
			}
			var buf bytes.Buffer
			if err := Encode(&buf, p, SVG, Size{}); err != nil {
				t.Fatal(err)
			}
			for _, name := range tc.legend {
				if !bytes.Contains(buf.Bytes(), []byte(">"+name+"<")) {
					t.Errorf("legend entry %q missing from the SVG", name)
				}
			}
		})
	}
}
