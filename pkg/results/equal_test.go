package results

import (
	"math"
	"strings"
	"testing"
)

func TestEqual(t *testing.T) {
	base := func() *Table {
		tb := metricTable(0, 1, 2)
		tb.Rows[1][3].F = math.NaN()
		return tb
	}
	if ok, diff := Equal(base(), base()); !ok {
		t.Fatalf("identical tables differ: %s", diff)
	}
	if ok, _ := Equal(nil, nil); !ok {
		t.Error("Equal(nil, nil) = false")
	}
	withMeta := base()
	withMeta.Meta = map[string]string{"a": "b"}
	if ok, diff := Equal(base(), withMeta); !ok {
		t.Errorf("Meta should not be compared: %s", diff)
	}
	cases := map[string]struct {
		edit func(*Table)
		want string
	}{
		"field name":  {func(tb *Table) { tb.Fields = append([]Field{}, tb.Fields...); tb.Fields[2].Name = "x" }, "field 2"},
		"field kind":  {func(tb *Table) { tb.Fields = append([]Field{}, tb.Fields...); tb.Fields[1].Kind = Float }, "field 1"},
		"field count": {func(tb *Table) { tb.Fields = tb.Fields[:4] }, "field count"},
		"row count":   {func(tb *Table) { tb.Rows = tb.Rows[:2] }, "row count"},
		"row width":   {func(tb *Table) { tb.Rows[2] = tb.Rows[2][:3] }, "row 2"},
		"int":         {func(tb *Table) { tb.Rows[2][1].I++ }, `row 2 column "seed"`},
		"string":      {func(tb *Table) { tb.Rows[0][4].S = "rmsprop" }, `row 0 column "optimizer"`},
		"nan payload": {func(tb *Table) { tb.Rows[1][3].F = math.Float64frombits(0x7ff8000000000002) }, `row 1 column "loss"`},
		"signed zero": {func(tb *Table) { tb.Rows[0][3].F = math.Copysign(0, -1); tb.Rows[0][2].F = 0 }, `row 0 column "lr"`},
		"nil":         {nil, "nil"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var other *Table
			if c.edit != nil {
				other = base()
				c.edit(other)
			}
			ok, diff := Equal(base(), other)
			if ok {
				t.Fatal("Equal = true, want false")
			}
			if !strings.Contains(diff, c.want) {
				t.Errorf("diff %q does not mention %q", diff, c.want)
			}
		})
	}
	// Only the member for the column's kind matters.
	a, b := base(), base()
	b.Rows[0][0].S = "ignored"
	b.Rows[0][3].I = 99
	if ok, diff := Equal(a, b); !ok {
		t.Errorf("unused Value members compared: %s", diff)
	}
}
