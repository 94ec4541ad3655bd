package plot

import (
	"fmt"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// DensityConfig says what [Density] draws: a histogram of Samples, the
// approximate density function Approx, or both, and optionally a reference
// density Reference over them. At least one of Samples and Approx must be
// given.
type DensityConfig struct {
	// Title is drawn above the plot; empty means no title.
	Title string
	// XLabel and YLabel label the axes; empty means "value" and "density".
	XLabel, YLabel string

	// Size is the size of the picture written by SaveDensity.
	Size

	// Samples are draws of the site, shown as a histogram scaled as a
	// density: a bin's height is its count over len(Samples) times the bin
	// width, so the bars have total area one when every sample lies in
	// [Min, Max].
	Samples []float64
	// Bins is the number of histogram bins; zero means the square root of
	// len(Samples), kept between 5 and 60.
	Bins int

	// Approx is an approximate density, such as the fitted guide's, drawn
	// as a solid line.
	Approx func(x float64) float64
	// Reference is the density to compare with, such as the exact
	// posterior, drawn as a dashed line.
	Reference func(x float64) float64

	// Min and Max bound the x range of the histogram and of the lines.
	// When both are zero the range of Samples is used; with no samples
	// they must be set.
	Min, Max float64
	// Points is the number of evenly spaced points at which the lines are
	// evaluated, ends included; zero means 200.
	Points int

	// SamplesName, ApproxName and ReferenceName name the three parts in
	// the legend; empty means "samples", "approximation" and "reference".
	SamplesName, ApproxName, ReferenceName string
}

// Density draws the parts that cfg gives (see [DensityConfig]) on one set of
// axes, with a legend naming them in the top right corner. The y axis starts
// at zero and reaches high enough that the legend covers no data at the size
// cfg.Size. It returns an error if neither Samples nor Approx is given, if a
// sample is NaN or infinite, if the x range is empty, if a density function
// returns NaN or an infinity on the range, or if cfg.Size is invalid.
func Density(cfg DensityConfig) (*gplot.Plot, error) {
	if len(cfg.Samples) == 0 && cfg.Approx == nil {
		return nil, fmt.Errorf("plot: Density: neither Samples nor Approx is given")
	}
	for i, v := range cfg.Samples {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("plot: Density: Samples[%d] = %v is not finite", i, v)
		}
	}
	if cfg.Bins < 0 {
		return nil, fmt.Errorf("plot: Density: Bins = %d is negative", cfg.Bins)
	}
	if cfg.Points < 0 || cfg.Points == 1 {
		return nil, fmt.Errorf("plot: Density: Points = %d: need 0 (the default) or at least 2", cfg.Points)
	}
	size, err := cfg.Size.resolved()
	if err != nil {
		return nil, err
	}
	lo, hi, err := densityRange(cfg)
	if err != nil {
		return nil, err
	}
	var (
		names  []string
		series []plotter.XYs // the outline of everything drawn
	)

	p := newPlot(cfg.Title, cfg.XLabel, "value", cfg.YLabel, "density")
	if len(cfg.Samples) > 0 {
		bins := cfg.Bins
		if bins == 0 {
			bins = min(max(int(math.Ceil(math.Sqrt(float64(len(cfg.Samples))))), 5), 60)
		}
		h := &plotter.Histogram{
			Bins:      densityHistogram(cfg.Samples, bins, lo, hi),
			Width:     (hi - lo) / float64(bins),
			FillColor: rgb(colorFill),
			LineStyle: lineStyle(colorOutline, vg.Points(0.5)),
		}
		p.Add(h)
		names = append(names, orDefault(cfg.SamplesName, "samples"))
		p.Legend.Add(names[len(names)-1], h)
		var tops plotter.XYs
		for _, b := range h.Bins {
			tops = append(tops, plotter.XY{X: b.Min, Y: b.Weight}, plotter.XY{X: b.Max, Y: b.Weight})
		}
		series = append(series, tops)
	}
	points := cfg.Points
	if points == 0 {
		points = 200
	}
	if cfg.Approx != nil {
		xys, err := evalDensity("Approx", cfg.Approx, lo, hi, points)
		if err != nil {
			return nil, err
		}
		l := &plotter.Line{XYs: xys, LineStyle: lineStyle(colorBlue, vg.Points(1.5))}
		p.Add(l)
		names = append(names, orDefault(cfg.ApproxName, "approximation"))
		p.Legend.Add(names[len(names)-1], l)
		series = append(series, xys)
	}
	if cfg.Reference != nil {
		xys, err := evalDensity("Reference", cfg.Reference, lo, hi, points)
		if err != nil {
			return nil, err
		}
		l := &plotter.Line{XYs: xys, LineStyle: lineStyle(colorVermilion, vg.Points(1.5))}
		l.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		names = append(names, orDefault(cfg.ReferenceName, "reference"))
		p.Legend.Add(names[len(names)-1], l)
		series = append(series, xys)
	}
	// Densities are drawn from zero up, with the legend clear of the data.
	p.Y.Min = min(p.Y.Min, 0)
	makeLegendRoom(p, size, names, series...)
	return p, nil
}

// SaveDensity draws cfg as [Density] does and saves the picture to path as
// PNG or SVG, chosen by the extension of path, at the size cfg.Size. The file
// is written atomically (see [Save]).
func SaveDensity(path string, cfg DensityConfig) error {
	if _, err := FormatOf(path); err != nil {
		return err
	}
	p, err := Density(cfg)
	if err != nil {
		return err
	}
	return Save(path, p, cfg.Size)
}

// densityHistogram counts samples into bins equal-width bins over [lo, hi]
// and scales each count by 1/(len(samples)·width), so that the heights
// estimate a probability density. Samples outside [lo, hi] are not counted
// in any bin but still count in len(samples); a sample equal to hi falls in
// the last bin. It panics if bins < 1 or lo >= hi.
func densityHistogram(samples []float64, bins int, lo, hi float64) []plotter.HistogramBin {
	if bins < 1 || !(lo < hi) {
		panic(fmt.Sprintf("plot: density histogram: need bins >= 1 and lo < hi, have bins = %d, [%v, %v]", bins, lo, hi))
	}
	width := (hi - lo) / float64(bins)
	out := make([]plotter.HistogramBin, bins)
	for i := range out {
		out[i].Min = lo + float64(i)*width
		out[i].Max = lo + float64(i+1)*width
	}
	out[bins-1].Max = hi
	for _, v := range samples {
		if v < lo || v > hi {
			continue
		}
		i := min(int((v-lo)/width), bins-1)
		out[i].Weight++
	}
	scale := 1 / (float64(len(samples)) * width)
	for i := range out {
		out[i].Weight *= scale
	}
	return out
}

// densityRange returns the x range that cfg asks for.
func densityRange(cfg DensityConfig) (lo, hi float64, err error) {
	lo, hi = cfg.Min, cfg.Max
	if lo == 0 && hi == 0 {
		if len(cfg.Samples) == 0 {
			return 0, 0, fmt.Errorf("plot: Density: Min and Max must be set when there are no Samples")
		}
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range cfg.Samples {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo == hi {
			// All samples agree: show them in a bin of width one.
			lo, hi = lo-0.5, hi+0.5
		}
	}
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return 0, 0, fmt.Errorf("plot: Density: range [Min, Max] = [%v, %v] is empty or not finite", lo, hi)
	}
	return lo, hi, nil
}

// evalDensity evaluates f at n evenly spaced points from lo to hi.
func evalDensity(name string, f func(float64) float64, lo, hi float64, n int) (plotter.XYs, error) {
	xys := make(plotter.XYs, n)
	for i := range xys {
		x := lo + (hi-lo)*float64(i)/float64(n-1)
		if i == n-1 {
			x = hi
		}
		y := f(x)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return nil, fmt.Errorf("plot: Density: %s(%v) = %v is not finite; choose Min and Max inside its support", name, x, y)
		}
		xys[i] = plotter.XY{X: x, Y: y}
	}
	return xys, nil
}
