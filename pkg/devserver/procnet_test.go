package devserver

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// listenState is the state column's value of a LISTEN socket in /proc/net/tcp (include/net/tcp_states.h:
// TCP_LISTEN = 10).
const listenState = "0A"

// listeningSockets maps the inode of every TCP socket this process has open in the LISTEN
// state to its local address, read from /proc/net/tcp and /proc/net/tcp6 (which list the
// sockets of the whole network namespace) and /proc/self/fd (whose socket:[inode] links say
// which of them this process holds).
func listeningSockets(t *testing.T) map[string]string {
	t.Helper()
	own := map[string]bool{}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("list this process's file descriptors: %v", err)
	}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			own[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	socks := map[string]string{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		rows, err := readProcNetTCP(table)
		if err != nil {
			t.Fatal(err)
		}
		for inode, addr := range rows {
			if own[inode] {
				socks[inode] = addr
			}
		}
	}
	return socks
}

// readProcNetTCP reads the LISTEN rows of a /proc/net/tcp-format table (Documentation/
// networking/proc_net_tcp.rst): inode (column 10) -> local address (column 2).
func readProcNetTCP(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	rows := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for line := 2; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			return nil, fmt.Errorf("%s:%d: %d fields, want at least 10", path, line, len(fields))
		}
		if fields[3] != listenState {
			continue
		}
		addr, err := parseProcAddr(fields[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		rows[fields[9]] = addr
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return rows, nil
}

// parseProcAddr turns a local_address of /proc/net/tcp{,6}, hex ADDR:PORT, into host:port. The
// address is the kernel's __be32 words printed as host-order integers (%08X each), so on a
// little-endian machine each 4-byte group appears byte-reversed; the port is a plain hex
// number.
func parseProcAddr(s string) (string, error) {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return "", fmt.Errorf("address %q: no port", s)
	}
	raw, err := hex.DecodeString(hexIP)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return "", fmt.Errorf("address %q: not 4 or 16 hex bytes", s)
	}
	ip := make(net.IP, len(raw))
	for w := 0; w < len(raw); w += 4 {
		for i := range 4 {
			ip[w+i] = raw[w+3-i]
		}
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return "", fmt.Errorf("address %q: port: %w", s, err)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(int(port))), nil
}

func TestParseProcAddr(t *testing.T) {
	// Rows written by hand from the format: 127.0.0.1 is the bytes 7F 00 00 01, printed as the
	// little-endian word 0100007F; port 7233 = 0x1C41; ::1 has its last word 00000001 printed
	// as 01000000.
	cases := map[string]string{
		"0100007F:1C41":                         "127.0.0.1:7233",
		"00000000:0016":                         "0.0.0.0:22",
		"00000000000000000000000001000000:1C41": "[::1]:7233",
	}
	for in, want := range cases {
		if got, err := parseProcAddr(in); err != nil || got != want {
			t.Errorf("parseProcAddr(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parseProcAddr("7F:1C41"); err == nil {
		t.Error("a 1-byte address parsed")
	}
}
