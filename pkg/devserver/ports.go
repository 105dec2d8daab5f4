package devserver

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
)

// given holds the ports freePort has returned in this process. The probe's listener is closed
// before the server binds the port, so without it two services of one server (or two servers
// of one process) could be given the same port; the server's gRPC listener then fails, and
// Temporal's logger exits the process (see fatalLogger). A port is never given twice.
var given = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePort finds a port that is free on ip right now, below 32768: Temporal's SQL schemas
// store membership ports as SMALLINT (PostgreSQL rejects the kernel's ephemeral ports, which
// start at 32768), so the port is drawn at random from [20000, 32768), skipping those given
// before in this process, and tried.
func freePort(ip string) (int, error) {
	given.Lock()
	defer given.Unlock()
	var err error
	for range 200 {
		port := 20000 + rand.IntN(32768-20000)
		if given.ports[port] {
			continue
		}
		var l net.Listener
		if l, err = net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port))); err == nil {
			l.Close()
			given.ports[port] = true
			return port, nil
		}
	}
	return 0, fmt.Errorf("devserver: find a free port on %s: %w", ip, err)
}
