package tensor

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The fuzz targets here drive the tensor layer with arbitrary shapes and
// arguments and compare every result with a deliberately naive model
// (fzArr): one multi-index at a time, no strides, no fast paths. An input
// the model calls invalid must make the operation panic with a "tensor: "
// message; a valid one must give the model's values and gradients exactly
// (all values are small integers, so sums are exact in float64).

// fzSizes maps fuzz bytes to dim sizes: mostly small, sometimes 1 (to
// broadcast) and sometimes 0 (empty tensors).
var fzSizes = [...]int{1, 2, 3, 1, 2, 4, 0, 1}

// fzShape decodes a shape of at most 5 dims from b.
func fzShape(b []byte) []int {
	if len(b) == 0 {
		return []int{}
	}
	nd := min(int(b[0])%6, len(b)-1)
	s := make([]int, nd)
	for i := range s {
		s[i] = fzSizes[int(b[1+i])%len(fzSizes)]
	}
	return s
}

// fzArr is the reference model of a tensor: a shape and row-major values.
type fzArr struct {
	shape []int
	data  []float64
}

func fzNumel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// fzUnravel returns the multi-index of flat position p in shape.
func fzUnravel(p int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = p % shape[d]
		p /= shape[d]
	}
	return idx
}

func (a fzArr) at(idx []int) float64 {
	p := 0
	for d, i := range idx {
		if i < 0 || i >= a.shape[d] {
			panic(fmt.Sprintf("fzArr.at: index %v out of shape %v", idx, a.shape))
		}
		p = p*a.shape[d] + i
	}
	return a.data[p]
}

// fzBuild returns the array of shape whose value at idx is f(idx).
func fzBuild(shape []int, f func(idx []int) float64) fzArr {
	n := fzNumel(shape)
	out := fzArr{shape: slices.Clone(shape), data: make([]float64, n)}
	for p := range n {
		out.data[p] = f(fzUnravel(p, shape))
	}
	return out
}

// fzBroadcast is broadcasting by its definition: align on the right, sizes
// equal or one of them 1.
func fzBroadcast(shapes ...[]int) ([]int, bool) {
	n := 0
	for _, s := range shapes {
		n = max(n, len(s))
	}
	out := make([]int, n)
	for i := range n {
		size := 1
		for _, s := range shapes {
			k := i - (n - len(s))
			if k < 0 || s[k] == 1 {
				continue
			}
			if size != 1 && size != s[k] {
				return nil, false
			}
			size = s[k]
		}
		out[i] = size
	}
	return out, true
}

// fzSource returns the index in an array of shape in that output index idx
// reads under broadcasting.
func fzSource(idx, in []int) []int {
	off := len(idx) - len(in)
	src := make([]int, len(in))
	for k := range in {
		if in[k] != 1 {
			src[k] = idx[off+k]
		}
	}
	return src
}

// fzIota returns the model of the tensor of shape holding start, start+1, ...
func fzIota(shape []int, start float64) fzArr {
	a := fzArr{shape: slices.Clone(shape), data: make([]float64, fzNumel(shape))}
	for i := range a.data {
		a.data[i] = start + float64(i)
	}
	return a
}

func (a fzArr) tensor() *Tensor { return New(a.data, a.shape...) }

// fzTry runs f and returns the message of a panic, "" if none. A panic
// whose value is not a string (a runtime error, say) is re-raised: only the
// tensor layer's own "tensor: ..." messages are allowed.
func fzTry(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			s, ok := r.(string)
			if !ok {
				panic(r)
			}
			msg = s
		}
	}()
	f()
	return ""
}

// fzSame fails t unless got has the model's shape and values exactly.
func fzSame(t *testing.T, what string, got *Tensor, want fzArr) {
	t.Helper()
	if !slices.Equal(got.Shape(), want.shape) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape(), want.shape)
	}
	for i, v := range got.Data() {
		if v != want.data[i] && !(v != v && want.data[i] != want.data[i]) {
			t.Fatalf("%s: value %d is %v, want %v\ngot  %v\nwant %v", what, i, v, want.data[i], got.Data(), want.data)
		}
	}
}

// fzWeights returns integer weights -3..3 of shape, so that weighted sums
// are exact.
func fzWeights(shape []int) fzArr {
	return fzBuild(shape, func(idx []int) float64 {
		p := 0
		for d, i := range idx {
			p = p*shape[d] + i
		}
		return float64(p%7 - 3)
	})
}

// FuzzBroadcast checks broadcasting of two and three shapes: BroadcastShapes
// against its definition; Add, Sub, Mul, Div, Maximum, Minimum, Lt, Eq,
// Where, Expand and SumTo against the naive model, with gradients for Add,
// Sub, Mul, Where and Expand; and a "tensor: " panic naming the shapes
// whenever they do not broadcast.
func FuzzBroadcast(f *testing.F) {
	f.Add([]byte{2, 1, 2}, []byte{1, 2}, []byte{0}, uint8(0))          // (1,3)+(3)
	f.Add([]byte{3, 5, 0, 1}, []byte{2, 1, 0}, []byte{1, 0}, uint8(1)) // (4,1,2)+(1,1)
	f.Add([]byte{2, 2, 1}, []byte{1, 5}, []byte{0}, uint8(2))          // (3,2)+(4): no broadcast
	f.Add([]byte{1, 6}, []byte{2, 0, 1}, []byte{1, 6}, uint8(3))       // empty dims
	f.Add([]byte{0}, []byte{5, 1, 2, 4, 5, 0}, []byte{3, 2, 0, 1}, uint8(7))
	f.Fuzz(func(t *testing.T, ab, bb, cb []byte, op uint8) {
		as, bs, cs := fzShape(ab), fzShape(bb), fzShape(cb)
		a, b := fzIota(as, 1), fzIota(bs, 2)
		cond := fzBuild(cs, func(idx []int) float64 {
			s := 0
			for _, i := range idx {
				s += i
			}
			return float64(s % 2)
		})

		got, gotOK := BroadcastShapes(as, bs)
		want, ok := fzBroadcast(as, bs)
		if gotOK != ok || ok && !slices.Equal(got, want) {
			t.Fatalf("BroadcastShapes(%v, %v) = %v, %v; want %v, %v", as, bs, got, gotOK, want, ok)
		}
		got3, got3OK := BroadcastShapes(as, bs, cs)
		want3, ok3 := fzBroadcast(as, bs, cs)
		if got3OK != ok3 || ok3 && !slices.Equal(got3, want3) {
			t.Fatalf("BroadcastShapes(%v, %v, %v) = %v, %v; want %v, %v", as, bs, cs, got3, got3OK, want3, ok3)
		}

		type binop struct {
			name string
			f    func(x, y *Tensor) *Tensor
			ref  func(x, y float64) float64
			grad bool // check gradients (exact for these ops)
		}
		ops := []binop{
			{"Add", (*Tensor).Add, func(x, y float64) float64 { return x + y }, true},
			{"Sub", (*Tensor).Sub, func(x, y float64) float64 { return x - y }, true},
			{"Mul", (*Tensor).Mul, func(x, y float64) float64 { return x * y }, true},
			{"Div", (*Tensor).Div, func(x, y float64) float64 { return x / y }, false},
			{"Maximum", (*Tensor).Maximum, func(x, y float64) float64 { return max(x, y) }, false},
			{"Minimum", (*Tensor).Minimum, func(x, y float64) float64 { return min(x, y) }, false},
			{"Lt", (*Tensor).Lt, func(x, y float64) float64 { return b2f(x < y) }, false},
			{"Eq", (*Tensor).Eq, func(x, y float64) float64 { return b2f(x == y) }, false},
		}
		o := ops[int(op)%len(ops)]
		x, y := a.tensor().SetRequiresGrad(true), b.tensor().SetRequiresGrad(true)
		var out *Tensor
		msg := fzTry(t, func() { out = o.f(x, y) })
		if !ok {
			if !strings.HasPrefix(msg, "tensor: ") || !strings.Contains(msg, fmt.Sprint(as)) || !strings.Contains(msg, fmt.Sprint(bs)) {
				t.Fatalf("%s(%v, %v): shapes do not broadcast, want a tensor: panic naming them, got %q", o.name, as, bs, msg)
			}
		} else {
			if msg != "" {
				t.Fatalf("%s(%v, %v) panicked: %s", o.name, as, bs, msg)
			}
			ref := fzBuild(want, func(idx []int) float64 {
				return o.ref(a.at(fzSource(idx, as)), b.at(fzSource(idx, bs)))
			})
			fzSame(t, o.name, out, ref)
			if o.grad && ref.shape != nil && len(ref.data) > 0 {
				w := fzWeights(want)
				out.Mul(w.tensor()).Sum().Backward()
				ga, gb := fzArr{as, make([]float64, len(a.data))}, fzArr{bs, make([]float64, len(b.data))}
				for p := range w.data {
					idx := fzUnravel(p, want)
					ia, ib := fzSource(idx, as), fzSource(idx, bs)
					da, db := 1.0, 1.0
					switch o.name {
					case "Sub":
						db = -1
					case "Mul":
						da, db = b.at(ib), a.at(ia)
					}
					ga.data[fzFlat(ia, as)] += w.data[p] * da
					gb.data[fzFlat(ib, bs)] += w.data[p] * db
				}
				fzGrad(t, o.name+" grad of a", x, ga)
				fzGrad(t, o.name+" grad of b", y, gb)
			}
		}

		// Expand a to the broadcast shape, and SumTo back.
		if ok {
			xe := a.tensor().SetRequiresGrad(true)
			var e *Tensor
			if msg := fzTry(t, func() { e = xe.Expand(want...) }); msg != "" {
				t.Fatalf("Expand(%v → %v) panicked: %s", as, want, msg)
			}
			fzSame(t, "Expand", e, fzBuild(want, func(idx []int) float64 { return a.at(fzSource(idx, as)) }))
			var s *Tensor
			if msg := fzTry(t, func() { s = e.SumTo(as) }); msg != "" {
				t.Fatalf("SumTo(%v → %v) panicked: %s", want, as, msg)
			}
			copies := 0.0
			if fzNumel(as) > 0 {
				copies = float64(fzNumel(want) / fzNumel(as))
			}
			scaled := fzArr{as, make([]float64, len(a.data))}
			for i, v := range a.data {
				scaled.data[i] = v * copies
			}
			fzSame(t, "SumTo after Expand", s, scaled)
			if len(a.data) > 0 && len(s.Data()) > 0 {
				s.Sum().Backward()
				ones := fzArr{as, make([]float64, len(a.data))}
				for i := range ones.data {
					ones.data[i] = copies
				}
				fzGrad(t, "Expand grad", xe, ones)
			}
		} else if msg := fzTry(t, func() { a.tensor().Expand(bs...) }); !slices.Equal(as, bs) && !strings.HasPrefix(msg, "tensor: ") {
			t.Fatalf("Expand(%v → %v) must panic with a tensor: message, got %q", as, bs, msg)
		}

		// Where(cond, a, b) over three shapes.
		xw, yw := a.tensor().SetRequiresGrad(true), b.tensor().SetRequiresGrad(true)
		var wo *Tensor
		msg = fzTry(t, func() { wo = Where(cond.tensor(), xw, yw) })
		if !ok3 {
			if !strings.HasPrefix(msg, "tensor: ") {
				t.Fatalf("Where(%v, %v, %v): want a tensor: panic, got %q", cs, as, bs, msg)
			}
			return
		}
		if msg != "" {
			t.Fatalf("Where(%v, %v, %v) panicked: %s", cs, as, bs, msg)
		}
		ref := fzBuild(want3, func(idx []int) float64 {
			if cond.at(fzSource(idx, cs)) != 0 {
				return a.at(fzSource(idx, as))
			}
			return b.at(fzSource(idx, bs))
		})
		fzSame(t, "Where", wo, ref)
		if len(ref.data) == 0 {
			return
		}
		w := fzWeights(want3)
		wo.Mul(w.tensor()).Sum().Backward()
		ga, gb := fzArr{as, make([]float64, len(a.data))}, fzArr{bs, make([]float64, len(b.data))}
		for p := range w.data {
			idx := fzUnravel(p, want3)
			if cond.at(fzSource(idx, cs)) != 0 {
				ga.data[fzFlat(fzSource(idx, as), as)] += w.data[p]
			} else {
				gb.data[fzFlat(fzSource(idx, bs), bs)] += w.data[p]
			}
		}
		fzGrad(t, "Where grad of a", xw, ga)
		fzGrad(t, "Where grad of b", yw, gb)
	})
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func fzFlat(idx, shape []int) int {
	p := 0
	for d, i := range idx {
		p = p*shape[d] + i
	}
	return p
}

// fzGrad fails t unless leaf's gradient is want (an absent gradient counts
// as zeros).
func fzGrad(t *testing.T, what string, leaf *Tensor, want fzArr) {
	t.Helper()
	g := leaf.Grad()
	if g == nil {
		g = Zeros(want.shape...)
	}
	fzSame(t, what, g, want)
}

// fzSigned turns a fuzz byte into a small signed number in [-lim, lim].
func fzSigned(b byte, lim int) int {
	return int(b)%(2*lim+1) - lim
}

// fzDim normalizes a possibly negative dim over n dims; ok is false when it
// is out of range.
func fzDim(d, n int) (int, bool) {
	if d < -n || d >= n {
		return 0, false
	}
	if d < 0 {
		d += n
	}
	return d, true
}

// FuzzShapeOps applies a sequence of shape operations decoded from ops
// (three bytes each: the operation and two arguments) to a tensor holding
// 0, 1, 2, ... and compares each result with the naive model. Because every
// value names the element it came from, the gradient of Σ w·y with respect
// to the input is known exactly: the sum of the weights of the outputs that
// hold each input element. Arguments range slightly outside the valid
// values, and an invalid one must panic with a "tensor: " message.
func FuzzShapeOps(f *testing.F) {
	f.Add([]byte{3, 1, 2, 5}, []byte{1, 3, 4, 2, 1, 0, 7, 5, 37, 3, 6, 0, 5, 6, 0, 8, 4, 3, 9, 50, 21,
		10, 1, 0, 11, 4, 0, 12, 2, 0, 0, 1, 0, 6, 0, 0, 4, 0, 0, 13, 35, 1}) // every operation, valid arguments
	f.Add([]byte{3, 1, 2, 5}, []byte{1, 0, 1, 2, 3, 0, 7, 0, 2})                        // transpose, permute, narrow
	f.Add([]byte{2, 2, 1}, []byte{3, 9, 0, 4, 0, 0, 5, 6, 0, 6, 0, 0})                  // unsqueeze, squeeze, flatten
	f.Add([]byte{2, 5, 2}, []byte{8, 5, 8, 9, 4, 27, 10, 0, 0, 11, 5, 0})               // select, index select, cat, stack
	f.Add([]byte{2, 1, 5}, []byte{12, 1, 2, 13, 5, 6, 0, 3, 0, 0, 4, 1})                // expand, gather, reshape
	f.Add([]byte{1, 6}, []byte{7, 5, 5, 9, 5, 3, 10, 5, 0, 0, 1, 0, 13, 0, 1})          // empty tensor
	f.Add([]byte{0}, []byte{3, 5, 0, 11, 4, 0, 1, 5, 5, 0, 0, 0})                       // from a scalar
	f.Add([]byte{4, 1, 2, 5, 1}, []byte{2, 3, 1, 8, 4, 7, 0, 2, 5, 9, 6, 200, 2, 1, 2}) // invalid arguments
	f.Fuzz(func(t *testing.T, shapeBytes, ops []byte) {
		shape := fzShape(shapeBytes)
		ref := fzIota(shape, 0)
		x := ref.tensor().SetRequiresGrad(true)
		y := x
		for k := 0; k+2 < len(ops) && k < 60; k += 3 { // at most 20 operations
			kind, p1, p2 := ops[k]%14, ops[k+1], ops[k+2]
			nd := len(ref.shape)
			if fzNumel(ref.shape) > 1<<12 || nd > 8 {
				break // keep each run small: Expand, Cat and Stack grow the tensor
			}
			var name string
			var next fzArr
			valid := true
			var apply func() *Tensor
			switch kind {
			case 0: // Reshape
				n := fzNumel(ref.shape)
				var target []int
				switch p1 % 6 {
				case 0:
					target = []int{n}
				case 1:
					target = []int{-1}
				case 2:
					target = []int{1, -1, 1}
				case 3:
					target = []int{int(p2 % 5), -1}
				case 4:
					target = []int{int(p2 % 4), int(p2/4) % 4}
				default:
					target = []int{-1, -1}
				}
				name = fmt.Sprintf("Reshape(%v)", target)
				apply = func() *Tensor { return y.Reshape(target...) }
				known, free := 1, -1
				for i, s := range target {
					if s == -1 {
						if free >= 0 {
							valid = false
						}
						free = i
					} else {
						known *= s
					}
				}
				out := slices.Clone(target)
				if free >= 0 && valid {
					if known == 0 || n%known != 0 {
						valid = false
					} else {
						out[free] = n / known
					}
				} else if known != n {
					valid = false
				}
				if valid {
					next = fzArr{out, ref.data}
				}
			case 1: // Transpose
				d0, d1 := fzSigned(p1, nd), fzSigned(p2, nd)
				name = fmt.Sprintf("Transpose(%d, %d)", d0, d1)
				apply = func() *Tensor { return y.Transpose(d0, d1) }
				a, ok0 := fzDim(d0, nd)
				b, ok1 := fzDim(d1, nd)
				if valid = ok0 && ok1; valid {
					s := slices.Clone(ref.shape)
					s[a], s[b] = s[b], s[a]
					next = fzBuild(s, func(idx []int) float64 {
						src := slices.Clone(idx)
						src[a], src[b] = idx[b], idx[a]
						return ref.at(src)
					})
				}
			case 2: // Permute: a rotation, written with negative dims if p2&1, broken if p2&2
				perm := make([]int, nd)
				for i := range perm {
					perm[i] = (i + int(p1)) % nd
					if p2&1 != 0 {
						perm[i] -= nd
					}
				}
				if p2&2 != 0 && nd > 1 {
					perm[0] = perm[1]
				}
				if p2&4 != 0 {
					perm = append(perm, 0)
				}
				name = fmt.Sprintf("Permute(%v)", perm)
				apply = func() *Tensor { return y.Permute(perm...) }
				seen := make([]bool, nd)
				valid = len(perm) == nd
				norm := make([]int, len(perm))
				for i, d := range perm {
					dd, ok := fzDim(d, nd)
					if !ok || valid && seen[dd] {
						valid = false
						break
					}
					seen[dd], norm[i] = true, dd
				}
				if valid {
					s := make([]int, nd)
					for i, d := range norm {
						s[i] = ref.shape[d]
					}
					next = fzBuild(s, func(idx []int) float64 {
						src := make([]int, nd)
						for i, d := range norm {
							src[d] = idx[i]
						}
						return ref.at(src)
					})
				}
			case 3: // Unsqueeze
				d := fzSigned(p1, nd+2)
				name = fmt.Sprintf("Unsqueeze(%d)", d)
				apply = func() *Tensor { return y.Unsqueeze(d) }
				dd, ok := fzDim(d, nd+1)
				if valid = ok; valid {
					next = fzArr{slices.Insert(slices.Clone(ref.shape), dd, 1), ref.data}
				}
			case 4: // Squeeze()
				name = "Squeeze()"
				apply = func() *Tensor { return y.Squeeze() }
				next = fzArr{slices.DeleteFunc(slices.Clone(ref.shape), func(s int) bool { return s == 1 }), ref.data}
			case 5: // Squeeze(d)
				d := fzSigned(p1, nd+1)
				name = fmt.Sprintf("Squeeze(%d)", d)
				apply = func() *Tensor { return y.Squeeze(d) }
				dd, ok := fzDim(d, nd)
				if valid = ok; valid {
					s := slices.Clone(ref.shape)
					if s[dd] == 1 {
						s = slices.Delete(s, dd, dd+1)
					}
					next = fzArr{s, ref.data}
				}
			case 6: // Flatten
				name = "Flatten()"
				apply = func() *Tensor { return y.Flatten() }
				next = fzArr{[]int{fzNumel(ref.shape)}, ref.data}
			case 7: // Narrow
				d := fzSigned(p1%16, nd)
				start, length := fzSigned(p2%16, 4), int(p2/16)%5
				name = fmt.Sprintf("Narrow(%d, %d, %d)", d, start, length)
				apply = func() *Tensor { return y.Narrow(d, start, length) }
				dd, ok := fzDim(d, nd)
				if valid = ok; valid {
					st := start
					if st < 0 {
						st += ref.shape[dd]
					}
					if valid = st >= 0 && st+length <= ref.shape[dd]; valid {
						s := slices.Clone(ref.shape)
						s[dd] = length
						next = fzBuild(s, func(idx []int) float64 {
							src := slices.Clone(idx)
							src[dd] += st
							return ref.at(src)
						})
					}
				}
			case 8: // Select
				d, i := fzSigned(p1, nd), fzSigned(p2, 4)
				name = fmt.Sprintf("Select(%d, %d)", d, i)
				apply = func() *Tensor { return y.Select(d, i) }
				dd, ok := fzDim(d, nd)
				if valid = ok; valid {
					ii, ok := fzDim(i, ref.shape[dd])
					if valid = ok; valid {
						s := slices.Delete(slices.Clone(ref.shape), dd, dd+1)
						next = fzBuild(s, func(idx []int) float64 {
							return ref.at(slices.Insert(slices.Clone(idx), dd, ii))
						})
					}
				}
			case 9: // IndexSelect with up to 3 indices, 0..4 (may repeat or be out of range)
				d := fzSigned(p1%16, nd)
				m := int(p1/16) % 4
				ix := make([]float64, m)
				for j := range ix {
					ix[j] = float64(int(p2>>(2*j)) % 5)
				}
				name = fmt.Sprintf("IndexSelect(%d, %v)", d, ix)
				apply = func() *Tensor { return y.IndexSelect(d, Vector(ix...)) }
				dd, ok := fzDim(d, nd)
				if valid = ok; valid {
					for _, v := range ix {
						valid = valid && int(v) < ref.shape[dd]
					}
				}
				if valid {
					s := slices.Clone(ref.shape)
					s[dd] = m
					next = fzBuild(s, func(idx []int) float64 {
						src := slices.Clone(idx)
						src[dd] = int(ix[idx[dd]])
						return ref.at(src)
					})
				}
			case 10: // Cat(d, y, y)
				d := fzSigned(p1, nd)
				name = fmt.Sprintf("Cat(%d, y, y)", d)
				apply = func() *Tensor { return Cat(d, y, y) }
				dd, ok := fzDim(d, nd)
				if valid = ok && nd > 0; valid {
					s := slices.Clone(ref.shape)
					s[dd] *= 2
					next = fzBuild(s, func(idx []int) float64 {
						src := slices.Clone(idx)
						src[dd] %= ref.shape[dd]
						return ref.at(src)
					})
				}
			case 11: // Stack(d, y, y)
				d := fzSigned(p1, nd+2)
				name = fmt.Sprintf("Stack(%d, y, y)", d)
				apply = func() *Tensor { return Stack(d, y, y) }
				dd, ok := fzDim(d, nd+1)
				if valid = ok; valid {
					s := slices.Insert(slices.Clone(ref.shape), dd, 2)
					next = fzBuild(s, func(idx []int) float64 {
						return ref.at(slices.Delete(slices.Clone(idx), dd, dd+1))
					})
				}
			case 12: // Expand: a new leading dim, and size-1 dims grown (or a size changed: invalid)
				target := append([]int{int(p1 % 3)}, ref.shape...)
				for i := 1; i < len(target); i++ {
					if target[i] == 1 && p2&(1<<(i%8)) != 0 {
						target[i] = 3
					} else if p2 == 255 && target[i] > 1 {
						target[i]++
					}
				}
				if fzNumel(target) > 1<<14 {
					continue
				}
				name = fmt.Sprintf("Expand(%v)", target)
				apply = func() *Tensor { return y.Expand(target...) }
				b, ok := fzBroadcast(ref.shape, target)
				if valid = ok && slices.Equal(b, target); valid {
					next = fzBuild(target, func(idx []int) float64 { return ref.at(fzSource(idx, ref.shape)) })
				}
			case 13: // Gather along d with an index of the same rank, of size m along d
				d := fzSigned(p1%16, nd)
				m := int(p1/16) % 4
				name = fmt.Sprintf("Gather(%d, m=%d, seed %d)", d, m, p2)
				dd, ok := fzDim(d, nd)
				if !ok {
					apply = func() *Tensor { return y.Gather(d, ref.tensor()) }
					valid = false
					break
				}
				is := slices.Clone(ref.shape)
				is[dd] = m
				ix := fzBuild(is, func(idx []int) float64 {
					s := int(p2)
					for _, i := range idx {
						s = s*7 + i
					}
					return float64(s % (ref.shape[dd] + 1)) // may be out of range
				})
				apply = func() *Tensor { return y.Gather(d, ix.tensor()) }
				for _, v := range ix.data {
					valid = valid && int(v) < ref.shape[dd]
				}
				if valid {
					next = fzBuild(is, func(idx []int) float64 {
						src := slices.Clone(idx)
						src[dd] = int(ix.at(idx))
						return ref.at(src)
					})
				}
			}
			var out *Tensor
			msg := fzTry(t, func() { out = apply() })
			if !valid {
				if !strings.HasPrefix(msg, "tensor: ") {
					t.Fatalf("step %d: %s on shape %v: invalid, want a tensor: panic, got %q", k/3, name, ref.shape, msg)
				}
				break
			}
			if msg != "" {
				t.Fatalf("step %d: %s on shape %v panicked: %s", k/3, name, ref.shape, msg)
			}
			fzSame(t, fmt.Sprintf("step %d: %s on shape %v", k/3, name, ref.shape), out, next)
			y, ref = out, next
		}
		if y == x || len(ref.data) == 0 {
			return
		}
		w := fzWeights(ref.shape)
		y.Mul(w.tensor()).Sum().Backward()
		want := fzArr{x.Shape(), make([]float64, x.Len())}
		for p, v := range ref.data {
			want.data[int(v)] += w.data[p]
		}
		fzGrad(t, "gradient through the sequence", x, want)
	})
}
