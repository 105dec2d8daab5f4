package results

import (
	"reflect"
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// resultField is the dynamics.Result field (path) a metric column holds, derived from the
// column's name by the naming rule of the schema (snake_case -> CamelCase, "loss" and "penalty"
// kept whole), with the few abbreviations spelled out; "" for columns that are not a Result
// field. The rule is written here, not taken from SweepRow, so that a column wired to the
// wrong field fails.
func resultField(column string) string {
	special := map[string]string{
		"nnz": "NNZ", "gf_err": "GFErr", "hb_gap": "HBGap", "hb_gap_w": "HBGapW", "l1": "L1", "l2": "L2", "gain_l1": "GainL1", "max_gamma_g": "MaxGammaG",
		"aux_train_loss": "MultiTask.AuxTrainLoss", "aux_test_loss": "MultiTask.AuxTestLoss",
		"mtl_penalty": "MultiTask.MTLPenalty", "ptft_penalty": "MultiTask.PTFTPenalty",
		"status": "Status", "steps": "Steps", ErrorColumn: "",
	}
	if f, ok := special[column]; ok {
		return f
	}
	var b strings.Builder
	for _, part := range strings.Split(column, "_") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// TestSweepRowColumnsByName fills every field of a Result with a value of its own and checks
// that each metric column of SweepRow holds the field its name names. Swapping two columns
// (gain_on and gain_off, say) fails here, whereas a test comparing a sweep with SweepRow
// applied directly would not.
func TestSweepRowColumnsByName(t *testing.T) {
	var r dynamics.Result
	r.MultiTask = &dynamics.MultiTaskMetrics{}
	want := map[string]Value{}
	next := 1.0
	var fill func(prefix string, v reflect.Value)
	fill = func(prefix string, v reflect.Value) {
		for i := range v.NumField() {
			f, x := v.Type().Field(i), v.Field(i)
			name := prefix + f.Name
			switch x.Kind() {
			case reflect.Float64:
				x.SetFloat(next + 0.25)
				want[name] = Value{F: next + 0.25}
			case reflect.Int:
				x.SetInt(int64(next))
				want[name] = Value{I: int64(next)}
			case reflect.String:
				x.SetString("s" + strings.Repeat("x", int(next)))
				want[name] = Value{S: x.String()}
			case reflect.Slice:
				x.Set(reflect.ValueOf([]float64{next, next + 0.5}))
				want[name] = Value{S: JSONFloats([]float64{next, next + 0.5})}
			case reflect.Pointer:
				fill(name+".", x.Elem())
			}
			next++
		}
	}
	fill("", reflect.ValueOf(&r).Elem())
	fields := SweepFields(nil)
	row := SweepRow(7, nil, r)
	if len(row) != len(fields) {
		t.Fatalf("SweepRow has %d values for %d columns", len(row), len(fields))
	}
	seen := map[string]bool{}
	for j, f := range fields[1:] {
		name := resultField(f.Name)
		if name == "" {
			continue
		}
		w, ok := want[name]
		if !ok {
			t.Errorf("column %s: no Result field %s", f.Name, name)
			continue
		}
		seen[name] = true
		if got := row[j+1]; got != w {
			t.Errorf("column %s = %+v, want Result.%s = %+v", f.Name, got, name, w)
		}
	}
	// Fields the table does not carry (the pretraining phase's own steps and status).
	noColumn := map[string]bool{"MultiTask.PretrainSteps": true, "MultiTask.PretrainStatus": true}
	for name := range want {
		if !seen[name] && !noColumn[name] {
			t.Errorf("Result.%s has no column", name)
		}
	}
}
