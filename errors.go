package vigo

import (
	"errors"
	"fmt"
)

// ErrorKind classifies a vigo error the way a Pyro user knows it, so callers
// can tell a shape problem from a missing parameter.
type ErrorKind int

const (
	// ValueError is bad input: invalid arguments, shapes that disagree with plates.
	ValueError ErrorKind = iota
	// RuntimeError is an inconsistent program: duplicate site names, replay mismatches.
	RuntimeError
	// KeyError is a missing name, such as a parameter read before it was created.
	KeyError
	// NotImplementedError is a feature combination vigo does not support.
	NotImplementedError
	// WarningError is a warning raised as an error under strict warnings.
	WarningError
)

// String returns the Pyro exception name of the kind, e.g. "ValueError".
func (k ErrorKind) String() string {
	switch k {
	case ValueError:
		return "ValueError"
	case RuntimeError:
		return "RuntimeError"
	case KeyError:
		return "KeyError"
	case NotImplementedError:
		return "NotImplementedError"
	case WarningError:
		return "Warning"
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// Error is the error a model primitive raises for bad input. Primitives
// panic with *Error; every inference entry point recovers it and returns it.
type Error struct {
	Kind ErrorKind
	Site string // the site concerned, "" if none
	Msg  string // what went wrong, with the shapes involved
	Err  error  // an underlying cause, if any
}

// Error returns the message, which names the site and the shapes involved.
func (e *Error) Error() string {
	if e.Err != nil && e.Msg == "" {
		return e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind at site with a formatted message.
func Errorf(kind ErrorKind, site, format string, args ...any) *Error {
	return &Error{Kind: kind, Site: site, Msg: fmt.Sprintf(format, args...)}
}

// raise panics with an *Error; inference entry points turn it back into an error.
func raise(kind ErrorKind, site, format string, args ...any) {
	panic(Errorf(kind, site, format, args...))
}

// Recover runs f and returns the *Error it panicked with, if any. Other
// panics are bugs and propagate unchanged.
func Recover(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

// Warning is a non-fatal condition Pyro would report with warnings.warn,
// delivered as a value to a caller-chosen sink.
type Warning struct {
	Site string // the site concerned, "" if none
	Msg  string
}

// Error returns the warning's message, so a warning can be used as an error.
func (w *Warning) Error() string { return w.Msg }

// WarnFunc receives warnings. Returning a non-nil error turns the warning into
// that error (strict mode).
type WarnFunc func(w *Warning) error

// StrictWarnings is a WarnFunc that turns every warning into an error, as
// Pyro's test-suite does.
func StrictWarnings(w *Warning) error {
	return &Error{Kind: WarningError, Site: w.Site, Msg: w.Msg, Err: w}
}

// IgnoreWarnings is a WarnFunc that drops every warning.
func IgnoreWarnings(*Warning) error { return nil }

// AsError reports whether err is a *vigo.Error and returns it.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
