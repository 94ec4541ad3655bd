package main

import "testing"

// BenchmarkSVIStep times one SVI step of each reference case; run with
// go test -bench . -benchmem ./cmd/vigo-bench.
func BenchmarkSVIStep(b *testing.B) {
	d := newData()
	for _, c := range cases(d) {
		b.Run(c.name, func(b *testing.B) {
			step := c.newStep()
			for i := 0; i < 5; i++ {
				if _, err := step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := step(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCasesRun takes a few steps of every case so CI keeps them working.
func TestCasesRun(t *testing.T) {
	d := newData()
	for _, c := range cases(d) {
		step := c.newStep()
		for i := 0; i < 3; i++ {
			if _, err := step(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
	}
}
