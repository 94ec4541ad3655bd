package tensor

import "testing"

// TestPtrTableMatchesMap checks the backward pass's address table against a
// Go map through growth, overwrites and resets.
func TestPtrTableMatchesMap(t *testing.T) {
	var m ptrTable
	for round := 0; round < 3; round++ {
		ref := map[*Tensor]int32{}
		ts := make([]*Tensor, 5000)
		for i := range ts {
			ts[i] = Scalar(float64(i))
		}
		for i, x := range ts {
			if _, ok := m.get(x); ok {
				t.Fatalf("round %d: tensor %d found before it was set", round, i)
			}
			m.set(x, int32(i))
			ref[x] = int32(i)
			if i%3 == 0 { // overwrite an earlier key
				y := ts[i/2]
				m.set(y, -int32(i))
				ref[y] = -int32(i)
			}
		}
		if m.n != len(ref) {
			t.Fatalf("round %d: %d keys, want %d", round, m.n, len(ref))
		}
		for x, want := range ref {
			if got, ok := m.get(x); !ok || got != want {
				t.Fatalf("round %d: got %d, %v, want %d", round, got, ok, want)
			}
		}
		if _, ok := m.get(Scalar(1)); ok {
			t.Fatalf("round %d: a tensor never set was found", round)
		}
		m.reset()
		for _, x := range ts[:10] {
			if _, ok := m.get(x); ok {
				t.Fatalf("round %d: key survived reset", round)
			}
		}
	}
}
