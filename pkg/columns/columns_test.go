package columns

import (
	"strings"
	"testing"

	"github.com/phasesweep/phasesweep/pkg/results"
)

func TestIndexDidYouMean(t *testing.T) {
	fs := []results.Field{{Name: "optimizer"}, {Name: "stepsize"}, {Name: "test_loss"}, {Name: "train_loss"}}
	if j, err := Index(fs, "stepsize", ""); err != nil || j != 1 {
		t.Fatalf("Index(stepsize) = %d, %v", j, err)
	}
	_, err := Index(fs, "optimiser", "grouping")
	if err == nil || !strings.Contains(err.Error(), `no grouping column "optimiser"`) || !strings.Contains(err.Error(), `did you mean "optimizer"?`) {
		t.Errorf("optimiser: %v", err)
	}
	// Several close names.
	if _, err := Index(fs, "loss", ""); err == nil || !strings.Contains(err.Error(), `did you mean "test_loss" or "train_loss"?`) {
		t.Errorf("loss: %v", err)
	}
	fs3 := append(fs, results.Field{Name: "int_loss"})
	if _, err := Index(fs3, "loss", ""); err == nil || !strings.Contains(err.Error(), `did you mean "test_loss", "train_loss" or "int_loss"?`) {
		t.Errorf("loss: %v", err)
	}
	// Nothing close: the columns are listed.
	_, err = Index(fs, "zzz", "")
	if err == nil || !strings.Contains(err.Error(), "columns: optimizer, stepsize") {
		t.Errorf("zzz: %v", err)
	}
}
