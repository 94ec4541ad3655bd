package plot

import (
	"image/color"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// Colours as 0xRRGGBB; the blue and the vermilion are from the Okabe–Ito
// palette, which stays distinguishable under the common forms of colour
// blindness.
const (
	colorBlue      = 0x0072B2
	colorLightBlue = 0x9ECAE1
	colorVermilion = 0xD55E00
	colorFill      = 0xCCCCCC
	colorOutline   = 0x969696
)

// rgb returns the opaque colour 0xRRGGBB.
func rgb(hex uint32) color.RGBA {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 255}
}

// newPlot returns an empty plot with the given title and axis labels, the
// first label used unless it is empty, and a light grid.
func newPlot(title, xlabel, defaultX, ylabel, defaultY string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = orDefault(xlabel, defaultX)
	p.Y.Label.Text = orDefault(ylabel, defaultY)
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// lineStyle returns a solid line of the colour 0xRRGGBB and the width.
func lineStyle(hex uint32, width vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: rgb(hex), Width: width}
}

// orDefault returns s, or def if s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// makeLegendRoom raises the top of p's y axis, if needed, so that when p is
// drawn at size no part of the given series lies under the legend, which
// sits in the top right corner of the data area. names are the legend's
// entries. It is called after every plotter has been added, so that the
// axis ranges already cover the data.
func makeLegendRoom(p *gplot.Plot, size Size, names []string, series ...plotter.XYs) {
	if len(names) == 0 {
		return
	}
	sty := p.Legend.TextStyle
	var textW, entryH vg.Length
	for _, name := range names {
		r := sty.Rectangle(name)
		textW, entryH = max(textW, r.Max.X), max(entryH, r.Max.Y)
	}
	gap := vg.Points(4)
	w := p.Legend.ThumbnailWidth + sty.Rectangle(" ").Max.X + textW + gap
	h := vg.Length(len(names))*(entryH+p.Legend.Padding) + sty.FontExtents().Descent + gap

	// The legend is laid out in the plot area without the padding that
	// gonum adds around the data, so measuring from the data area's corner
	// overestimates the overlap, never underestimates it. Raising the axis
	// can widen its tick labels and so narrow the data area: measure again
	// until the room suffices (the top only grows, so this settles fast).
	for range 4 {
		dc := p.DataCanvas(draw.NewCanvas(new(recorder.Canvas), size.Width, size.Height))
		dw, dh := dc.Max.X-dc.Min.X, dc.Max.Y-dc.Min.Y
		if dw <= w || dh <= 2*h {
			return // the picture is too small for room to help
		}
		xcut := p.X.Max - float64(w/dw)*(p.X.Max-p.X.Min)
		below := 1 - float64(h/dh) // fraction of the height under the legend
		top := p.Y.Max
		for _, s := range series {
			for i, pt := range s {
				x, y := pt.X, pt.Y
				if i > 0 { // the segment from the previous point
					x, y = max(x, s[i-1].X), max(y, s[i-1].Y)
				}
				if x >= xcut {
					top = max(top, p.Y.Min+(y-p.Y.Min)/below)
				}
			}
		}
		if top <= p.Y.Max {
			return
		}
		p.Y.Max = top
	}
}
