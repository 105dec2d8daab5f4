package chunkrun

import (
	"fmt"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
	"github.com/phasesweep/phasesweep/pkg/grid"
)

// datasets holds the one generated dataset a run keeps: points with the same data seed
// share it, and a point with another seed replaces it, so that memory stays bounded
// whatever the number of datasets.
type datasets struct {
	seed uint64
	data *dynamics.Data // nil: none generated yet
}

// of returns the dataset of p after checking its configuration: the data file the spec sets
// (read once by g), or the generated dataset of its data seed. Each failure is a *SpecError
// naming the point.
func (ds *datasets) of(g *grid.Grid, p grid.Point) (*dynamics.Data, error) {
	fileData, err := g.Dataset(p) // nil if generated
	if err != nil {
		return nil, &SpecError{Point: p.Index, Err: err, msg: fmt.Sprintf("point %d: %v", p.Index, err)}
	}
	if err := p.Config.Validate(); err != nil {
		return nil, specError(g, p, err)
	}
	if fileData != nil {
		return fileData, nil
	}
	if ds.data != nil && ds.seed == p.Config.DataSeed {
		return ds.data, nil
	}
	data, err := dynamics.GenerateData(p.Config)
	if err != nil {
		return nil, specError(g, p, err)
	}
	ds.seed, ds.data = p.Config.DataSeed, data
	return data, nil
}

// specError is the *SpecError of point p for err, naming p's parameters.
func specError(g *grid.Grid, p grid.Point, err error) *SpecError {
	return &SpecError{Point: p.Index, Err: err, msg: fmt.Sprintf("point %d (%s): %v", p.Index, g.Describe(p), err)}
}
