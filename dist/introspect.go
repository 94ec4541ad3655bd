package dist

// RSampleSpecified reports whether HasRSample of d was set on the instance
// by WithRSample rather than taken from its family.
func RSampleSpecified(d Distribution) bool {
	if b, ok := d.(baser); ok {
		return b.baseOf().override != nil
	}
	return false
}

// IsUnit reports whether d is a Unit distribution, the distribution of
// factor sites.
func IsUnit(d Distribution) bool {
	if b, ok := d.(baser); ok {
		return b.baseOf().name == "Unit"
	}
	return false
}
