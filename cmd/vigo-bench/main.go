// Command vigo-bench times SVI steps of vigo on the seven reference cases
// that Pyro's timings are taken on, printing one line per case:
//
//	name<TAB>µs<TAB>us/step<TAB>loss=...
//
// Each case takes warm-up steps, then three timed repeats; the median is
// reported. Name cases as arguments to run only those.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"
)

func main() {
	warmup := flag.Int("warmup", 10, "warm-up steps before timing")
	repeats := flag.Int("repeats", 3, "timed repeats (the median is reported)")
	steps := flag.Int("steps", 0, "timed steps per repeat (0: the case's default)")
	flag.Parse()
	only := flag.Args()
	d := newData()
	for _, c := range cases(d) {
		if len(only) > 0 && !slices.Contains(only, c.name) {
			continue
		}
		n := c.steps
		if *steps > 0 {
			n = *steps
		}
		us, loss, err := timeCase(c, *warmup, *repeats, n)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vigo-bench: %s: %v\n", c.name, err)
			os.Exit(1)
		}
		fmt.Printf("%s\t%.1f\tus/step\tloss=%.3f\n", c.name, us, loss)
	}
}

// timeCase returns the median µs per step over repeats and the last loss.
func timeCase(c benchCase, warmup, repeats, steps int) (float64, float64, error) {
	step := c.newStep()
	var loss float64
	var err error
	for i := 0; i < warmup; i++ {
		if loss, err = step(); err != nil {
			return 0, 0, err
		}
	}
	reps := make([]float64, repeats)
	for r := range reps {
		start := time.Now()
		for i := 0; i < steps; i++ {
			if loss, err = step(); err != nil {
				return 0, 0, err
			}
		}
		reps[r] = float64(time.Since(start).Microseconds()) / float64(steps)
	}
	sort.Float64s(reps)
	return reps[len(reps)/2], loss, nil
}
