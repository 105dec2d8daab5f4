package grid

// DataFile is one dataset a spec names, pinned at submission: the value of the data parameter,
// its resolved path and its content hash (dataset.Set.Hash; "unreadable" when it cannot be
// read).
type DataFile struct {
	Value string
	Path  string
	Hash  string
}

// DataFiles lists the datasets the spec names, in the order Hash hashes them; nil when the
// spec sets no data.
func (g *Grid) DataFiles() []DataFile {
	var files []DataFile
	for _, v := range g.dataValues() {
		f := DataFile{Value: v, Path: g.DataPath(v), Hash: "unreadable"}
		if set, err := g.dataset(f.Path); err == nil {
			f.Hash = set.Hash
		}
		files = append(files, f)
	}
	return files
}

// Changed returns the first of the datasets pinned (DataFiles at submission) whose content
// this grid reads differently now, and false when none changed.
func (g *Grid) Changed(pinned []DataFile) (DataFile, bool) {
	now := map[string]string{}
	for _, f := range g.DataFiles() {
		now[f.Value] = f.Hash
	}
	for _, f := range pinned {
		if h, ok := now[f.Value]; !ok || h != f.Hash {
			return f, true
		}
	}
	return DataFile{}, false
}
