package plot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is an image format that [Encode] and [Save] can write.
type Format string

// The formats vigo writes.
const (
	PNG Format = "png" // raster image; its pixel size depends on Size.DPI
	SVG Format = "svg" // vector image; fonts are named, not embedded
)

// Default picture size, used for zero fields of [Size].
const (
	DefaultWidth  = 6 * vg.Inch
	DefaultHeight = 4 * vg.Inch
	DefaultDPI    = 96
)

// Size is the size of a picture. Width and Height are lengths in points
// (72 to the inch; vg.Inch and vg.Centimeter convert); DPI is the resolution
// of PNG images in dots per inch, so a PNG is Width/72*DPI pixels wide.
// Zero fields take DefaultWidth, DefaultHeight and DefaultDPI.
type Size struct {
	Width, Height vg.Length
	DPI           int
}

// resolved returns s with its zero fields replaced by the defaults, or an
// error if a field is negative or not finite.
func (s Size) resolved() (Size, error) {
	if s.Width == 0 {
		s.Width = DefaultWidth
	}
	if s.Height == 0 {
		s.Height = DefaultHeight
	}
	if s.DPI == 0 {
		s.DPI = DefaultDPI
	}
	if !(s.Width > 0 && s.Height > 0) || math.IsInf(float64(s.Width), 1) || math.IsInf(float64(s.Height), 1) || s.DPI < 0 {
		return s, fmt.Errorf("plot: invalid size %vx%v points at %d dpi: need positive, finite lengths and a positive DPI",
			float64(s.Width), float64(s.Height), s.DPI)
	}
	return s, nil
}

// FormatOf returns the format that the extension of path names: ".png" gives
// PNG and ".svg" gives SVG, in any letter case. Any other extension is an
// error.
func FormatOf(path string) (Format, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		return PNG, nil
	case ".svg":
		return SVG, nil
	default:
		return "", fmt.Errorf("plot: cannot save %q: extension %q is neither .png nor .svg", path, filepath.Ext(path))
	}
}

// Encode draws p at the given size and writes it to w in the given format.
func Encode(w io.Writer, p *gplot.Plot, format Format, size Size) error {
	size, err := size.resolved()
	if err != nil {
		return err
	}
	var c vg.CanvasWriterTo
	switch format {
	case PNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(size.Width, size.Height), vgimg.UseDPI(size.DPI))}
	case SVG:
		c = vgsvg.New(size.Width, size.Height)
	default:
		return fmt.Errorf("plot: unknown format %q: want %q or %q", string(format), string(PNG), string(SVG))
	}
	p.Draw(draw.New(c))
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("plot: encoding %s: %w", string(format), err)
	}
	return nil
}

// Save draws p at the given size and writes it to path, as PNG or SVG
// according to the extension of path (see [FormatOf]). The file is replaced
// atomically; on error no file is created and an existing one is untouched.
func Save(path string, p *gplot.Plot, size Size) error {
	format, err := FormatOf(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := Encode(&buf, p, format, size); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes())
}

// writeFileAtomic writes data to a temporary file next to path, flushes it
// to disk and renames it to path. On any error the temporary file is removed.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("plot: saving %q: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close() // a second Close after a successful one only reports an error, which we drop
			os.Remove(tmp)
			err = fmt.Errorf("plot: saving %q: %w", path, err)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	// CreateTemp makes the file readable by its owner only; a picture is
	// meant to be shared like any file the process creates.
	if err := f.Chmod(0o644); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
