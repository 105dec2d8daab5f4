package main

import (
	"io"
	"os"
)

// IOStreams are the streams a command reads and writes: its input, its output (results,
// tables, JSON) and its error stream (progress bars, warnings, what it is doing, main's error
// line). main builds the process's own once (systemIO) and hands them to rootCmd, which gives
// them to every command; tests give buffers, so that a command never writes to the process's
// stdout or stderr behind its caller's back.
type IOStreams struct {
	In     io.Reader // what a command reads (none reads it yet)
	Out    io.Writer // its output: what a script reads (results, tables, JSON, CSV)
	ErrOut io.Writer // what it tells a person: progress, warnings, errors
}

// systemIO are the process's standard streams: the one place where the commands are given
// the process's own.
func systemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}
