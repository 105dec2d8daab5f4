package results

import "fmt"

// Equal reports whether two tables have identical fields and rows, comparing
// floats bit for bit (NaN == NaN when bits equal; 0 != -0); Meta is not
// compared. When they differ it returns a description of the first
// difference.
func Equal(a, b *Table) (bool, string) {
	if a == nil || b == nil {
		if a == b {
			return true, ""
		}
		return false, fmt.Sprintf("one table is nil (a nil: %t, b nil: %t)", a == nil, b == nil)
	}
	if len(a.Fields) != len(b.Fields) {
		return false, fmt.Sprintf("field count: %d vs %d", len(a.Fields), len(b.Fields))
	}
	for j := range a.Fields {
		if a.Fields[j] != b.Fields[j] {
			return false, fmt.Sprintf("field %d: %q (%v) vs %q (%v)", j, a.Fields[j].Name, a.Fields[j].Kind, b.Fields[j].Name, b.Fields[j].Kind)
		}
	}
	if len(a.Rows) != len(b.Rows) {
		return false, fmt.Sprintf("row count: %d vs %d", len(a.Rows), len(b.Rows))
	}
	for k := range a.Rows {
		ra, rb := a.Rows[k], b.Rows[k]
		if len(ra) != len(rb) {
			return false, fmt.Sprintf("row %d: %d values vs %d", k, len(ra), len(rb))
		}
		for j := range ra {
			// Rows wider than Fields compare their extra cells as whole Values.
			if j >= len(a.Fields) {
				if ra[j] != rb[j] {
					return false, fmt.Sprintf("row %d: extra cell %d: %+v vs %+v", k, j, ra[j], rb[j])
				}
				continue
			}
			f := a.Fields[j]
			if !sameValue(f.Kind, ra[j], rb[j]) {
				return false, fmt.Sprintf("row %d column %q: %s vs %s", k, f.Name, formatValue(f.Kind, ra[j]), formatValue(f.Kind, rb[j]))
			}
		}
	}
	return true, ""
}
