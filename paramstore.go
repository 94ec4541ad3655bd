package vigo

import (
	"fmt"
	"regexp"
	"sync"

	"github.com/vigo-ppl/vigo/constraint"
	"github.com/vigo-ppl/vigo/tensor"
	"github.com/vigo-ppl/vigo/transform"
)

// ParamStore holds learnable parameters by name. Each parameter lives as an
// unconstrained leaf tensor that optimizers update; reads return the
// constrained value transform.TransformTo(constraint)(leaf), freshly computed
// so gradients flow back to the leaf. A ParamStore is safe for concurrent use.
type ParamStore struct {
	mu      sync.RWMutex
	entries map[string]*paramEntry
	order   []string
}

type paramEntry struct {
	leaf *tensor.Tensor
	cons constraint.Constraint
	tr   transform.Transform
}

// NewParamStore returns an empty store.
func NewParamStore() *ParamStore { return &ParamStore{entries: map[string]*paramEntry{}} }

func (s *ParamStore) lazyInit() {
	if s.entries == nil {
		s.entries = map[string]*paramEntry{}
	}
}

// getOrCreate returns the constrained value of name, creating the parameter
// from init (or initFn) if it does not exist. Missing parameters without an
// initial value raise a KeyError; invalid initial values a ValueError.
func (s *ParamStore) getOrCreate(name string, init *tensor.Tensor, initFn func() *tensor.Tensor, cons constraint.Constraint, noGrad bool) *tensor.Tensor {
	s.mu.RLock()
	e := s.entries[name]
	s.mu.RUnlock()
	if e == nil {
		if init == nil && initFn != nil {
			init = initFn()
		}
		if init == nil {
			raise(KeyError, name, "parameter %q is not in the parameter store and no initial value was given", name)
		}
		ne, err := newParamEntry(name, init, cons)
		if err != nil {
			panic(err)
		}
		s.mu.Lock()
		s.lazyInit()
		if e = s.entries[name]; e == nil { // another goroutine may have won
			e = ne
			s.put(name, e)
		}
		s.mu.Unlock()
	}
	return e.constrained(noGrad)
}

func newParamEntry(name string, init *tensor.Tensor, cons constraint.Constraint) (*paramEntry, *Error) {
	if cons == nil {
		cons = constraint.Real
	}
	tr, err := transform.TransformTo(cons)
	if err != nil {
		return nil, &Error{Kind: ValueError, Site: name, Err: err, Msg: fmt.Sprintf("parameter %q: %v", name, err)}
	}
	if init == nil {
		return nil, Errorf(ValueError, name, "parameter %q: nil value", name)
	}
	init = init.Detach()
	if init.Dim() < cons.EventDim() {
		return nil, Errorf(ValueError, name, "parameter %q: initial value of shape %v has fewer dims than the %d event dims of constraint %s", name, init.Shape(), cons.EventDim(), cons.Name())
	}
	if !init.AllFinite() {
		return nil, Errorf(ValueError, name, "parameter %q: initial value of shape %v contains NaN or Inf", name, init.Shape())
	}
	if ok := cons.Check(init); !ok.All() {
		return nil, Errorf(ValueError, name, "parameter %q: initial value of shape %v lies outside constraint %s", name, init.Shape(), cons.Name())
	}
	u := tr.Inverse(init)
	if !u.AllFinite() {
		return nil, Errorf(ValueError, name, "parameter %q: initial value of shape %v maps to a non-finite unconstrained value under constraint %s", name, init.Shape(), cons.Name())
	}
	return newEntry(u, cons, tr), nil
}

// newEntry returns an entry whose leaf is a fresh copy of the unconstrained
// value u, so the store shares no storage with the caller.
func newEntry(u *tensor.Tensor, cons constraint.Constraint, tr transform.Transform) *paramEntry {
	return &paramEntry{leaf: u.Clone().SetRequiresGrad(true), cons: cons, tr: tr}
}

// put stores e under name, appending name to the creation order if it is
// new. The caller holds the write lock and has called lazyInit.
func (s *ParamStore) put(name string, e *paramEntry) {
	if s.entries[name] == nil {
		s.order = append(s.order, name)
	}
	s.entries[name] = e
}

func (e *paramEntry) constrained(noGrad bool) *tensor.Tensor {
	u := e.leaf
	if noGrad {
		u = u.Detach()
	}
	return e.tr.Forward(u)
}

// Get returns the constrained value of name, or nil if there is none.
func (s *ParamStore) Get(name string) *tensor.Tensor {
	s.mu.RLock()
	e := s.entries[name]
	s.mu.RUnlock()
	if e == nil {
		return nil
	}
	return e.constrained(true)
}

// Unconstrained returns the leaf tensor that optimizers update, or nil.
func (s *ParamStore) Unconstrained(name string) *tensor.Tensor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e := s.entries[name]; e != nil {
		return e.leaf
	}
	return nil
}

// Constraint returns the constraint of name, or nil if there is no such parameter.
func (s *ParamStore) Constraint(name string) constraint.Constraint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e := s.entries[name]; e != nil {
		return e.cons
	}
	return nil
}

// Set gives name a new constrained value, keeping its constraint (Real for a
// new parameter). It returns an error if the value lies outside the constraint.
func (s *ParamStore) Set(name string, value *tensor.Tensor) error {
	cons := s.Constraint(name)
	if cons == nil {
		cons = constraint.Real
	}
	e, err := newParamEntry(name, value, cons)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lazyInit()
	s.put(name, e)
	return nil
}

// SetWithConstraint gives name a new constrained value and constraint.
func (s *ParamStore) SetWithConstraint(name string, value *tensor.Tensor, cons constraint.Constraint) error {
	e, err := newParamEntry(name, value, cons)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lazyInit()
	s.put(name, e)
	return nil
}

// Delete removes name; deleting a missing name does nothing.
func (s *ParamStore) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries[name] == nil {
		return
	}
	delete(s.entries, name)
	for i, n := range s.order {
		if n == name {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
}

// Names returns the parameter names in creation order.
func (s *ParamStore) Names() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.order...)
}

// Len returns the number of parameters.
func (s *ParamStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.order)
}

// Clear removes every parameter.
func (s *ParamStore) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = map[string]*paramEntry{}
	s.order = nil
}

// Match returns the constrained values of the parameters whose names match
// the regular expression pattern.
func (s *ParamStore) Match(pattern string) (map[string]*tensor.Tensor, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	out := map[string]*tensor.Tensor{}
	for _, n := range s.Names() {
		if re.MatchString(n) {
			out[n] = s.Get(n)
		}
	}
	return out, nil
}

// ParamName returns the name of the parameter whose unconstrained leaf is t
// (the tensor Unconstrained returns), and false if t is none of them.
func (s *ParamStore) ParamName(t *tensor.Tensor) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, n := range s.order {
		if s.entries[n].leaf == t {
			return n, true
		}
	}
	return "", false
}

// Scope runs fn with the store temporarily holding only the parameters of st
// (none when st is nil), then puts the previous parameters back, the same
// leaf tensors, whatever fn did or however it ended. Parameters created
// inside the scope are dropped. It returns fn's error, or the error of
// loading st, in which case fn does not run.
func (s *ParamStore) Scope(st *ParamState, fn func() error) error {
	s.mu.Lock()
	s.lazyInit()
	entries, order := s.entries, s.order
	s.entries, s.order = map[string]*paramEntry{}, nil
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.entries, s.order = entries, order
		s.mu.Unlock()
	}()
	if st != nil {
		if err := s.SetState(*st); err != nil {
			return err
		}
	}
	return fn()
}
