package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/phasesweep/phasesweep/pkg/dynamics"
)

// Key identifies a finished point: the first 16 bytes of a SHA-256 of everything that decides
// its metrics (see KeyOf).
type Key [16]byte

// String is the key in hex (32 characters), as cache files store it.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// ParseKey reads a key written by String.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, fmt.Errorf("bad cache key %q", s)
	}
	copy(k[:], b)
	return k, nil
}

// keyDomain versions the key's layout: changing what KeyOf hashes means changing it.
const keyDomain = "phasesweep-cache/1"

// KeyOf is the key of a point that runs c on data with content hash dataHash ("" for
// generated data), under the options extra (structs of scalar fields, e.g. the spec's record
// options, which decide columns such as gamma_max), with this program's dynamics.Version.
//
// It hashes SHA-256 over keyDomain, dynamics.Version, dataHash, then name=value for every
// field of c in declaration order, then of each extra: floats by their exact bits, so that two
// keys are equal only for bit-identical inputs. c.DataFile (a path) is left out: the data's
// content is dataHash, and c's seeds already hash it (grid.Seeds). The seeds DataSeed and
// RunSeed hash the spec seed and the point's values, so they are part of the key too. A field
// added to dynamics.Config enters every key: entries written before it are no longer found
// (recomputed, never wrongly reused).
func KeyOf(c dynamics.Config, dataHash string, extra ...any) Key {
	return keyOf(dynamics.Version, c, dataHash, extra...)
}

// keyOf is KeyOf with the dynamics version given (tests change it).
func keyOf(version string, c dynamics.Config, dataHash string, extra ...any) Key {
	h := sha256.New()
	write := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	write(keyDomain)
	write(version)
	write("data_hash=" + dataHash)
	fields := func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if t == configType && f.Name == "DataFile" {
				continue
			}
			write(prefix + f.Name + "=" + scalar(v.Field(i)))
		}
	}
	fields("", reflect.ValueOf(c))
	for i, x := range extra {
		v := reflect.ValueOf(x)
		if v.Kind() != reflect.Struct {
			panic(fmt.Sprintf("cache.KeyOf: extra %d is a %s, not a struct", i, v.Kind()))
		}
		fields(fmt.Sprintf("%d.%s.", i, v.Type().Name()), v)
	}
	var k Key
	copy(k[:], h.Sum(nil))
	return k
}

var configType = reflect.TypeOf(dynamics.Config{})

// scalar formats a field's value exactly; a kind KeyOf cannot hash is a programmer error.
func scalar(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return "f" + strconv.FormatUint(math.Float64bits(v.Float()), 16)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "i" + strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "u" + strconv.FormatUint(v.Uint(), 10)
	case reflect.String:
		return "s" + strconv.Quote(v.String())
	case reflect.Bool:
		return "b" + strconv.FormatBool(v.Bool())
	}
	panic(fmt.Sprintf("cache.KeyOf: cannot hash a field of kind %s", v.Kind()))
}
