package constraint

import (
	"fmt"
	"strconv"
	"strings"
)

// named returns the constraint without arguments called name.
func named(name string) (Constraint, bool) {
	switch name {
	case "real":
		return Real, true
	case "positive":
		return Positive, true
	case "nonnegative":
		return Nonnegative, true
	case "unit_interval":
		return UnitInterval, true
	case "softplus_positive":
		return SoftplusPositive, true
	case "integer":
		return Integer, true
	case "nonnegative_integer":
		return NonnegativeInteger, true
	case "positive_integer":
		return PositiveInteger, true
	case "boolean":
		return Boolean, true
	case "real_vector":
		return RealVector, true
	}
	for k := range numShapeKinds {
		if c := (shaped{shapeKind(k)}); c.Name() == name {
			return c, true
		}
	}
	return nil, false
}

// withFloats returns the argument count and constructor of the constraint
// family called name that takes float arguments.
func withFloats(name string) (int, func(a []float64) Constraint) {
	switch name {
	case "greater_than":
		return 1, func(a []float64) Constraint { return GreaterThan(a[0]) }
	case "greater_than_eq":
		return 1, func(a []float64) Constraint { return GreaterThanEq(a[0]) }
	case "less_than":
		return 1, func(a []float64) Constraint { return LessThan(a[0]) }
	case "interval":
		return 2, func(a []float64) Constraint { return Interval(a[0], a[1]) }
	case "half_open_interval":
		return 2, func(a []float64) Constraint { return HalfOpenInterval(a[0], a[1]) }
	case "integer_interval":
		return 2, func(a []float64) Constraint { return IntegerInterval(a[0], a[1]) }
	case "multinomial":
		return 1, func(a []float64) Constraint { return Multinomial(a[0]) }
	}
	return 0, nil
}

// Parse returns the constraint whose Name is name, such as "positive",
// "interval(-1, 2.5)" or "independent(positive, 2)". It accepts every name
// this package produces, so Parse(c.Name()) == c, and also the long forms
// of aliases ("greater_than(0)" for "positive", "independent(real, 1)" for
// "real_vector"). Spaces around arguments are ignored.
func Parse(name string) (Constraint, error) {
	c, err := parse(strings.TrimSpace(name))
	if err != nil {
		return nil, fmt.Errorf("constraint: Parse(%q): %w", name, err)
	}
	return c, nil
}

func parse(s string) (Constraint, error) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		if c, ok := named(s); ok {
			return c, nil
		}
		return nil, fmt.Errorf("unknown constraint %q", s)
	}
	if !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("missing closing parenthesis")
	}
	head := strings.TrimSpace(s[:open])
	args, err := splitArgs(s[open+1 : len(s)-1])
	if err != nil {
		return nil, err
	}
	if head == "independent" {
		if len(args) != 2 {
			return nil, fmt.Errorf("independent takes 2 arguments, got %d", len(args))
		}
		base, err := parse(args[0])
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("independent: bad dim count %q", args[1])
		}
		return IndependentOf(base, n), nil
	}
	nargs, build := withFloats(head)
	if build == nil {
		return nil, fmt.Errorf("unknown constraint %q", head)
	}
	if len(args) != nargs {
		return nil, fmt.Errorf("%s takes %d arguments, got %d", head, nargs, len(args))
	}
	vals := make([]float64, len(args))
	for i, a := range args {
		v, err := strconv.ParseFloat(a, 64)
		if err != nil || v != v {
			return nil, fmt.Errorf("%s: bad number %q", head, a)
		}
		vals[i] = v
	}
	return build(vals), nil
}

// splitArgs splits s at the commas that are not inside parentheses and
// trims each piece.
func splitArgs(s string) ([]string, error) {
	var args []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced parentheses")
			}
		case ',':
			if depth == 0 {
				args = append(args, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced parentheses")
	}
	args = append(args, strings.TrimSpace(s[start:]))
	for _, a := range args {
		if a == "" {
			return nil, fmt.Errorf("empty argument")
		}
	}
	return args, nil
}
