package infer

import (
	"math"
	"time"
)

// Progress is what a Fit callback sees after each step.
type Progress struct {
	Step    int           // steps taken so far (1 after the first)
	Loss    float64       // the step's loss estimate
	Elapsed time.Duration // time since Fit started
}

// FitConfig controls Fit. The zero value runs 1000 steps without early
// stopping.
type FitConfig struct {
	// Steps is the maximum number of steps (0 means 1000).
	Steps int
	// Tolerance stops early once the relative change of the smoothed loss
	// stays below it for Patience consecutive steps (0 disables).
	Tolerance float64
	// Patience is the number of quiet steps early stopping waits for (0 means 10).
	Patience int
	// Smoothing is the weight of the newest loss in the exponential moving
	// average early stopping watches (0 means 0.1).
	Smoothing float64
	// Callback, if set, is called after every step; an error stops Fit
	// and is returned.
	Callback func(Progress) error
}

// FitResult is the outcome of Fit.
type FitResult struct {
	Losses    []float64     // loss of every step taken
	Converged bool          // stopped early by the tolerance
	Elapsed   time.Duration // total time
}

// Stepper is anything that takes SVI steps on fixed arguments.
type Stepper[A any] interface {
	Step(args A) (float64, error)
}

// Fit runs SVI steps on args until cfg.Steps or convergence, recording the
// loss history. It prints nothing; use the callback to report progress. On
// error it returns the history so far with the error.
func Fit[A any](svi Stepper[A], args A, cfg FitConfig) (FitResult, error) {
	steps := cfg.Steps
	if steps <= 0 {
		steps = 1000
	}
	patience := cfg.Patience
	if patience <= 0 {
		patience = 10
	}
	alpha := cfg.Smoothing
	if alpha <= 0 || alpha > 1 {
		alpha = 0.1
	}
	start := time.Now()
	res := FitResult{Losses: make([]float64, 0, steps)}
	var ema float64
	quiet := 0
	for k := 1; k <= steps; k++ {
		loss, err := svi.Step(args)
		if err != nil {
			res.Elapsed = time.Since(start)
			return res, err
		}
		res.Losses = append(res.Losses, loss)
		if cfg.Callback != nil {
			if err := cfg.Callback(Progress{Step: k, Loss: loss, Elapsed: time.Since(start)}); err != nil {
				res.Elapsed = time.Since(start)
				return res, err
			}
		}
		if cfg.Tolerance > 0 {
			if k == 1 {
				ema = loss
				continue
			}
			prev := ema
			ema = alpha*loss + (1-alpha)*ema
			if math.Abs(ema-prev) <= cfg.Tolerance*math.Max(math.Abs(ema), 1e-12) {
				quiet++
			} else {
				quiet = 0
			}
			if quiet >= patience {
				res.Converged = true
				break
			}
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}
