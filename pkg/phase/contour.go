package phase

import "math"

// Segment is a piece of a contour line, in axis coordinates (parameter values).
type Segment struct {
	X0, Y0, X1, Y1 float64
	// IX, IY is the square of the grid it crosses: between cell centres (Xs[IX], Ys[IY]) and
	// (Xs[IX+1], Ys[IY+1]).
	IX, IY int
}

// Contour returns the contour of g at level by marching squares over the cell centres: squares
// with a Bad corner are skipped, so the line never runs through diverged cells. Interpolation
// is linear in the plotted coordinates (log10 of a log axis).
func Contour(g *Grid, level float64) []Segment {
	tx := func(v float64) float64 { return v }
	ty := tx
	ux, uy := tx, tx
	if g.LogX {
		tx, ux = math.Log10, func(v float64) float64 { return math.Pow(10, v) }
	}
	if g.LogY {
		ty, uy = math.Log10, func(v float64) float64 { return math.Pow(10, v) }
	}
	var segs []Segment
	for iy := 0; iy+1 < len(g.Ys); iy++ {
		for ix := 0; ix+1 < len(g.Xs); ix++ {
			// Corners counter-clockwise from (ix, iy).
			cx := [4]int{ix, ix + 1, ix + 1, ix}
			cy := [4]int{iy, iy, iy + 1, iy + 1}
			skip := false
			var v [4]float64
			for c := range 4 {
				if g.Bad[cy[c]][cx[c]] {
					skip = true
				}
				v[c] = g.Z[cy[c]][cx[c]]
			}
			if skip {
				continue
			}
			var pts [][2]float64
			for e := range 4 {
				a, b := e, (e+1)%4
				if (v[a] >= level) == (v[b] >= level) {
					continue
				}
				s := (level - v[a]) / (v[b] - v[a])
				xa, xb := tx(g.Xs[cx[a]]), tx(g.Xs[cx[b]])
				ya, yb := ty(g.Ys[cy[a]]), ty(g.Ys[cy[b]])
				pts = append(pts, [2]float64{ux(xa + s*(xb-xa)), uy(ya + s*(yb-ya))})
			}
			for p := 0; p+1 < len(pts); p += 2 {
				segs = append(segs, Segment{pts[p][0], pts[p][1], pts[p+1][0], pts[p+1][1], ix, iy})
			}
		}
	}
	return segs
}
