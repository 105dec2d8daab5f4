package devserver

import (
	"fmt"
	"os"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// fatalLogger is the server's logger with a Fatal that also says, on stderr, why the process
// ends. Temporal's services call Fatal on errors they cannot go on from (a gRPC listener that
// cannot bind its port, among others), and a zap logger's Fatal writes to server.log only and
// exits with status 1: a command would end without a word.
type fatalLogger struct {
	log.Logger
	file string // the log file, named in the message
}

// Fatal logs msg as an error, prints it with its tags on stderr, and exits with status 1.
func (l fatalLogger) Fatal(msg string, tags ...tag.Tag) {
	l.Logger.Error(msg, tags...)
	detail := ""
	for _, t := range tags {
		detail += fmt.Sprintf(", %s: %v", t.Key(), t.Value())
	}
	fmt.Fprintf(os.Stderr, "sweep: the embedded Temporal server stopped: %s%s (its log: %s)\n", msg, detail, l.file)
	os.Exit(1)
}
