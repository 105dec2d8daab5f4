package suggest

import (
	"slices"
	"testing"
)

func TestDistance(t *testing.T) {
	// Hand counts: kitten -> sitten -> sittin -> sitting.
	for _, c := range []struct {
		a, b string
		d    int
	}{{"kitten", "sitting", 3}, {"", "abc", 3}, {"test_loss", "test_loss", 0}, {"optimiser", "optimizer", 1}} {
		if d := Distance(c.a, c.b); d != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
	}
}

func TestClosest(t *testing.T) {
	// test_los is one edit from test_loss and two from train_loss.
	if got := Closest("test_los", []string{"test_loss", "train_loss"}); !slices.Equal(got, []string{"test_loss"}) {
		t.Errorf("Closest(test_los) = %v", got)
	}
	// A swap: two edits, close for a name of four letters; xyz is two from nnz, not close.
	if got := Closest("inti", []string{"init", "seed"}); !slices.Equal(got, []string{"init"}) {
		t.Errorf("Closest(inti) = %v", got)
	}
	if got := Closest("xyz", []string{"nnz"}); got != nil {
		t.Errorf("Closest(xyz) = %v", got)
	}
	// A part of a name.
	if got := Closest("loss", []string{"test_loss", "train_loss", "seed"}); !slices.Equal(got, []string{"test_loss", "train_loss"}) {
		t.Errorf("Closest(loss) = %v", got)
	}
}
