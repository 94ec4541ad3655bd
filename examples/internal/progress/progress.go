// Package progress draws a one-line progress bar with the running loss on
// a terminal, or prints plain periodic lines when output is not a terminal.
// Only the examples and commands use it; the library prints nothing.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Bar reports SVI progress to a writer.
type Bar struct {
	w        io.Writer
	total    int
	terminal bool
	every    int
	last     time.Time
}

// New returns a bar for total steps writing to w. It draws in place when w
// is a terminal and otherwise prints about ten plain lines.
func New(w io.Writer, total int) *Bar {
	b := &Bar{w: w, total: total, every: max(total/10, 1)}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.terminal = true
		}
	}
	return b
}

// Update reports that step (1-based) finished with the given loss.
func (b *Bar) Update(step int, loss float64, elapsed time.Duration) {
	if !b.terminal {
		if step%b.every == 0 || step == b.total {
			fmt.Fprintf(b.w, "step %*d/%d  elbo loss %12.4f  %v\n", len(fmt.Sprint(b.total)), step, b.total, loss, elapsed.Round(time.Millisecond))
		}
		return
	}
	if step != b.total && time.Since(b.last) < 50*time.Millisecond {
		return
	}
	b.last = time.Now()
	const width = 30
	filled := width * step / max(b.total, 1)
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d  elbo loss %.4f  %v ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		step, b.total, loss, elapsed.Round(time.Millisecond))
	if step == b.total {
		fmt.Fprintln(b.w)
	}
}
