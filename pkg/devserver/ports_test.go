package devserver

import "testing"

// TestFreePortNeverRepeats: 500 ports drawn in one process are all different. Drawn at
// random from 12768 ports with the probe closed at once, the old freePort gave some port twice
// in nearly every such run (about 9.8 repeats expected), and a server given one port for two
// services died in its gRPC listener: CI's `sweep run` and `sweep retry` exiting 1 silently.
func TestFreePortNeverRepeats(t *testing.T) {
	seen := map[int]bool{}
	for range 500 {
		p, err := freePort("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("port %d given twice", p)
		}
		if p < 20000 || p >= 32768 {
			t.Fatalf("port %d outside [20000, 32768)", p)
		}
		seen[p] = true
	}
}
