package optim_test

import (
	"fmt"

	"github.com/vigo-ppl/vigo/optim"
	"github.com/vigo-ppl/vigo/tensor"
)

// quadStep sets x's gradient to that of (x − 3)² summed, and steps opt.
func quadStep(opt optim.Optimizer, x *tensor.Tensor) error {
	x.ClearGrad()
	x.AddScalar(-3).Square().Sum().Backward()
	return opt.Step([]optim.Param{{Name: "x", Tensor: x}})
}

// Adam minimizes (x − 3)² starting from x = 0.
func ExampleAdam() {
	x := tensor.Param([]float64{0}, 1)
	opt := &optim.Adam{LR: 0.1}
	for range 500 {
		if err := quadStep(opt, x); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("x = %.4f\n", x.Item())
	// Output: x = 3.0000
}

// ClippedAdam with a decaying learning rate: each step uses LR·LRD^t.
func ExampleClippedAdam() {
	x := tensor.Param([]float64{0}, 1)
	opt := &optim.ClippedAdam{LR: 0.2, LRD: 0.995, ClipNorm: 1}
	for range 1000 {
		if err := quadStep(opt, x); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("x = %.3f\n", x.Item())
	// Output: x = 3.000
}

// A step that would make a parameter NaN is refused and changes nothing.
func ExampleOptimizer_refusedStep() {
	w := tensor.Param([]float64{1, 2}, 2)
	w.SetGrad(tensor.New([]float64{0.5, 0 / zero()}, 2))
	opt := &optim.Adam{}
	err := opt.Step([]optim.Param{{Name: "w", Tensor: w}})
	fmt.Println(err)
	fmt.Println(w)
	// Output:
	// optim: Adam: step refused: parameter "w" would get value NaN at index 1
	// [1 2]
}

func zero() float64 { return 0 }

// Per-parameter settings: a larger learning rate for "scale".
func ExamplePerParam() {
	opt := optim.PerParam(func(name string) optim.Optimizer {
		if name == "scale" {
			return &optim.SGD{LR: 0.5}
		}
		return &optim.SGD{LR: 0.1}
	})
	loc, scale := tensor.Param([]float64{0}, 1), tensor.Param([]float64{0}, 1)
	loc.SetGrad(tensor.Ones(1))
	scale.SetGrad(tensor.Ones(1))
	if err := opt.Step([]optim.Param{{Name: "loc", Tensor: loc}, {Name: "scale", Tensor: scale}}); err != nil {
		fmt.Println(err)
	}
	fmt.Println(loc, scale)
	// Output: [-0.1] [-0.5]
}

// Clipping each parameter's gradient to norm 1 before an SGD step.
func ExampleClip() {
	w := tensor.Param([]float64{0, 0}, 2)
	w.SetGrad(tensor.New([]float64{30, 40}, 2)) // norm 50
	opt := &optim.Clip{Optimizer: &optim.SGD{LR: 1}, Norm: 1}
	if err := opt.Step([]optim.Param{{Name: "w", Tensor: w}}); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%.6f %.6f\n", w.At(0), w.At(1))
	// Output: -0.600000 -0.800000
}

// An exponential schedule halves the learning rate after every epoch.
func ExampleNewExponentialLR() {
	sched, err := optim.NewExponentialLR(&optim.Adam{LR: 0.1}, 0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.Param([]float64{0}, 1)
	for epoch := range 3 {
		for range 10 { // the steps of one epoch
			if err := quadStep(sched, x); err != nil {
				fmt.Println(err)
				return
			}
		}
		fmt.Printf("epoch %d: lr %.4f\n", epoch, sched.LearningRate())
		sched.Advance()
	}
	// Output:
	// epoch 0: lr 0.1000
	// epoch 1: lr 0.0500
	// epoch 2: lr 0.0250
}

// Cosine annealing from 0.1 down to 0 over four epochs.
func ExampleNewCosineAnnealingLR() {
	sched, err := optim.NewCosineAnnealingLR(&optim.SGD{LR: 0.1}, 4, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 5 {
		fmt.Printf("%.4f ", sched.LearningRate())
		sched.Advance()
	}
	fmt.Println()
	// Output: 0.1000 0.0854 0.0500 0.0146 0.0000
}

// Saving an optimizer's state and resuming from it gives exactly the same
// parameters as going on without interruption.
func ExampleAdam_State() {
	x := tensor.Param([]float64{0}, 1)
	opt := &optim.Adam{LR: 0.1}
	for range 10 {
		_ = quadStep(opt, x)
	}
	saved, err := opt.State()
	if err != nil {
		fmt.Println(err)
		return
	}
	y := tensor.Param(x.Data(), 1)
	resumed := &optim.Adam{LR: 0.1}
	if err := resumed.LoadState(saved); err != nil {
		fmt.Println(err)
		return
	}
	for range 10 {
		_ = quadStep(opt, x)
		_ = quadStep(resumed, y)
	}
	fmt.Println(x.Item() == y.Item())
	// Output: true
}
