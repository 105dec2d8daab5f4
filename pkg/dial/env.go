package dial

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

// envAnnotation is the pflag annotation that names a flag's environment variable.
const envAnnotation = "phasesweep_env"

// BindEnv makes the environment variable env the fallback of flag name in fs: ApplyEnv copies
// it into the flag when the command line does not set the flag (flags override the
// environment). The usage line gets "(env NAME)" so that --help documents it.
func BindEnv(fs *pflag.FlagSet, name, env string) {
	f := fs.Lookup(name)
	if f == nil {
		panic("dial.BindEnv: no flag --" + name) // a programmer error
	}
	f.Usage += " (env " + env + ")"
	_ = fs.SetAnnotation(name, envAnnotation, []string{env})
}

// ApplyEnv sets every flag of fs bound by BindEnv and not given on the command line from its
// environment variable, when that is set and not empty. A value the flag rejects is an error
// naming the variable. Call it after parsing, before reading the flags.
func ApplyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		envs := f.Annotations[envAnnotation]
		if err != nil || f.Changed || len(envs) == 0 {
			return
		}
		v, ok := os.LookupEnv(envs[0])
		if !ok || v == "" {
			return
		}
		if serr := f.Value.Set(v); serr != nil {
			err = fmt.Errorf("environment variable %s=%q (for --%s): %w", envs[0], v, f.Name, serr)
		}
	})
	return err
}
