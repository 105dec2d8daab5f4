package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// npyMagic starts every .npy file (the NumPy format specification, "NEP 1").
const npyMagic = "\x93NUMPY"

// npyArray is a decoded .npy array of float64, always in C (row-major) order.
type npyArray struct {
	shape []int
	data  []float64
}

// Header fields, matched inside the header's Python dict literal, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }.
var (
	npyDescr   = regexp.MustCompile(`['"]descr['"]\s*:\s*['"]([^'"]*)['"]`)
	npyFortran = regexp.MustCompile(`['"]fortran_order['"]\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`['"]shape['"]\s*:\s*\(([^)]*)\)`)
)

// parseNpy decodes a .npy file of format version 1.0, 2.0 or 3.0 holding float64
// little-endian values ("<f8") in C or Fortran order, with 0 to 2 dimensions (a 0-d array has
// shape []). Fortran-order data is transposed to C order.
//
// Layout (numpy.lib.format): the magic "\x93NUMPY", major and minor version bytes, the header
// length (uint16 little-endian for version 1, uint32 for versions 2 and 3), the header (an
// ASCII, for version 3 UTF-8, Python dict literal padded with spaces and a newline), then the
// raw data.
func parseNpy(b []byte) (*npyArray, error) {
	if len(b) < 10 || string(b[:6]) != npyMagic {
		return nil, fmt.Errorf("not a .npy file (no \\x93NUMPY magic)")
	}
	major := b[6]
	var hlen, start int
	switch major {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, fmt.Errorf("truncated .npy header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return nil, fmt.Errorf("unsupported .npy format version %d.%d", major, b[7])
	}
	if hlen < 0 || start+hlen > len(b) {
		return nil, fmt.Errorf("truncated .npy header (%d bytes announced, %d in the file)", hlen, len(b)-start)
	}
	header := string(b[start : start+hlen])
	body := b[start+hlen:]

	m := npyDescr.FindStringSubmatch(header)
	if m == nil {
		return nil, fmt.Errorf("no 'descr' in .npy header %q", strings.TrimSpace(header))
	}
	if m[1] != "<f8" {
		return nil, fmt.Errorf("dtype %q is not supported: save float64 little-endian ('<f8'), e.g. np.save(f, a.astype('<f8'))", m[1])
	}
	m = npyFortran.FindStringSubmatch(header)
	if m == nil {
		return nil, fmt.Errorf("no 'fortran_order' in .npy header %q", strings.TrimSpace(header))
	}
	fortran := m[1] == "True"
	m = npyShape.FindStringSubmatch(header)
	if m == nil {
		return nil, fmt.Errorf("no 'shape' in .npy header %q", strings.TrimSpace(header))
	}
	var shape []int
	count := 1
	for _, f := range strings.Split(m[1], ",") {
		f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "L"))
		if f == "" {
			continue
		}
		k, err := strconv.Atoi(f)
		if err != nil || k < 0 {
			return nil, fmt.Errorf("bad dimension %q in .npy shape (%s)", f, m[1])
		}
		shape = append(shape, k)
		if k > 0 && count > math.MaxInt32/k {
			return nil, fmt.Errorf("array of shape (%s) is too large", m[1])
		}
		count *= k
	}
	if len(shape) > 2 {
		return nil, fmt.Errorf("array has %d dimensions (shape (%s)); want 1 or 2", len(shape), m[1])
	}
	if len(body) != 8*count {
		return nil, fmt.Errorf("data is %d bytes, shape (%s) of float64 needs %d", len(body), m[1], 8*count)
	}
	a := &npyArray{shape: shape, data: make([]float64, count)}
	for k := range a.data {
		a.data[k] = math.Float64frombits(binary.LittleEndian.Uint64(body[8*k:]))
	}
	if fortran && len(shape) == 2 {
		rows, cols := shape[0], shape[1]
		c := make([]float64, count)
		for j := 0; j < cols; j++ {
			for i := 0; i < rows; i++ {
				c[i*cols+j] = a.data[j*rows+i]
			}
		}
		a.data = c
	}
	return a, nil
}

// encodeNpy writes a as a version 1.0 .npy file of "<f8" in C order (shape rows x cols, or a
// 1-d array of length rows when cols < 0). The header is padded so the data starts at a
// multiple of 64 bytes, as numpy writes it.
func encodeNpy(data []float64, rows, cols int) []byte {
	shape := fmt.Sprintf("(%d,)", rows)
	if cols >= 0 {
		shape = fmt.Sprintf("(%d, %d)", rows, cols)
	}
	header := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape)
	pad := 64 - (10+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	var buf bytes.Buffer
	buf.WriteString(npyMagic)
	buf.Write([]byte{1, 0})
	_ = binary.Write(&buf, binary.LittleEndian, uint16(len(header)))
	buf.WriteString(header)
	var w [8]byte
	for _, v := range data {
		binary.LittleEndian.PutUint64(w[:], math.Float64bits(v))
		buf.Write(w[:])
	}
	return buf.Bytes()
}
