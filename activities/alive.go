package activities

import "context"

// keepAlive heartbeats every heartbeatEvery until the returned stop is called, for activities
// such as MergeShards that have no progress to record but must let the server notice a dead
// worker within the heartbeat timeout (the retry then runs on another worker; the activity is
// idempotent). Its heartbeats carry point -1: no point finished.
func keepAlive(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	go heartbeat(ctx, done, nil)
	return func() { close(done) }
}
