package dynamics

import "fmt"

// ParamError is one invalid parameter of a Config, as Config.Validate reports it (joined with
// errors.Join when there are several): Param names the spec parameter that is wrong, as the
// spec writes it ("stepsize", "n", "k_main", ...), and Msg says what is wrong with it. Its
// Error is "<Param> <Msg>", e.g. "stepsize must be > 0, got -1", or "<Subject> <Msg>" for a
// bound on a product of parameters, e.g. "n*d must be <= 134217728, got n = ..., d = ..."
// (Param "n", its first factor: where a spec error is located). Use errors.As to get it.
type ParamError struct {
	Param   string // the spec parameter, e.g. "batch"
	Subject string // what the message is about when not Param alone: "n*d", "test*d", "n_aux*d"; "" means Param
	Msg     string // what is wrong, without the subject: "must be > 0, got -1"
}

// Error returns the subject (Subject, or else Param) and Msg, separated by a space.
func (e *ParamError) Error() string {
	subject := e.Subject
	if subject == "" {
		subject = e.Param
	}
	return subject + " " + e.Msg
}

// paramErrorf returns the ParamError of param with the message format, args.
func paramErrorf(param, format string, args ...any) *ParamError {
	return &ParamError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// productErrorf returns the ParamError of a bound on the product subject ("n*d") whose first
// factor is param ("n").
func productErrorf(param, subject, format string, args ...any) *ParamError {
	return &ParamError{Param: param, Subject: subject, Msg: fmt.Sprintf(format, args...)}
}
