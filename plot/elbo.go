package plot

import (
	"fmt"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ELBOConfig says how [ELBO] draws a loss curve. The zero value draws the raw
// curve at the default size with axes labelled "step" and "loss".
type ELBOConfig struct {
	// Title is drawn above the plot; empty means no title.
	Title string
	// XLabel and YLabel label the axes; empty means "step" and "loss".
	XLabel, YLabel string

	// Size is the size of the picture written by SaveELBO.
	Size

	// Smooth, when above 1, is the window of a trailing moving average
	// drawn over the raw losses: the value at step i is the mean of the
	// losses at steps max(0, i-Smooth+1) to i. The raw curve is then drawn
	// in a light colour and a legend names both curves.
	Smooth int
}

// ELBO draws the losses of successive inference steps (losses[i] at step i)
// as a line, with a moving average over it if cfg.Smooth asks for one.
// When there is a legend, the y axis reaches high enough that the legend,
// in the top right corner, covers no data at the size cfg.Size.
// It returns an error if losses is empty or holds a NaN or an infinity, if
// cfg.Smooth is negative, or if cfg.Size is invalid.
func ELBO(losses []float64, cfg ELBOConfig) (*gplot.Plot, error) {
	if len(losses) == 0 {
		return nil, fmt.Errorf("plot: ELBO: losses is empty")
	}
	for i, v := range losses {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("plot: ELBO: losses[%d] = %v is not finite", i, v)
		}
	}
	if cfg.Smooth < 0 {
		return nil, fmt.Errorf("plot: ELBO: Smooth = %d is negative", cfg.Smooth)
	}
	size, err := cfg.Size.resolved()
	if err != nil {
		return nil, err
	}

	p := newPlot(cfg.Title, cfg.XLabel, "step", cfg.YLabel, "loss")
	raw := &plotter.Line{XYs: stepXYs(losses), LineStyle: lineStyle(colorBlue, vg.Points(1))}
	if cfg.Smooth <= 1 {
		p.Add(raw)
		return p, nil
	}
	raw.LineStyle.Color = rgb(colorLightBlue)
	avg := &plotter.Line{
		XYs:       stepXYs(movingAverage(losses, cfg.Smooth)),
		LineStyle: lineStyle(colorBlue, vg.Points(1.5)),
	}
	p.Add(raw, avg)
	names := []string{"loss", fmt.Sprintf("moving average (%d steps)", cfg.Smooth)}
	p.Legend.Add(names[0], raw)
	p.Legend.Add(names[1], avg)
	makeLegendRoom(p, size, names, raw.XYs, avg.XYs)
	return p, nil
}

// SaveELBO draws losses as [ELBO] does and saves the picture to path as PNG
// or SVG, chosen by the extension of path, at the size cfg.Size. The file is
// written atomically (see [Save]).
func SaveELBO(path string, losses []float64, cfg ELBOConfig) error {
	if _, err := FormatOf(path); err != nil {
		return err
	}
	p, err := ELBO(losses, cfg)
	if err != nil {
		return err
	}
	return Save(path, p, cfg.Size)
}

// movingAverage returns the trailing moving average of xs over window
// values: element i is the mean of xs[max(0, i-window+1)] to xs[i], so the
// first window-1 elements average the shorter prefix. A window below 2
// returns a copy of xs.
func movingAverage(xs []float64, window int) []float64 {
	out := make([]float64, len(xs))
	if window < 2 {
		copy(out, xs)
		return out
	}
	var sum float64
	for i, v := range xs {
		sum += v
		if i >= window {
			sum -= xs[i-window]
		}
		out[i] = sum / float64(min(i+1, window))
	}
	return out
}

// stepXYs pairs each value with its index.
func stepXYs(ys []float64) plotter.XYs {
	xys := make(plotter.XYs, len(ys))
	for i, y := range ys {
		xys[i] = plotter.XY{X: float64(i), Y: y}
	}
	return xys
}
