package leakcheck

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Conn is one TCP socket of the process.
type Conn struct {
	Local, Remote netip.AddrPort
	State         string // "ESTABLISHED", "LISTEN", "CLOSE_WAIT", ...
}

func (c Conn) String() string { return fmt.Sprintf("%s->%s %s", c.Local, c.Remote, c.State) }

// tcpStates are the kernel's TCP states, by the hex code /proc shows.
var tcpStates = map[string]string{
	"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1",
	"05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT",
	"09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
}

// TCPConns lists the TCP sockets that this process holds open (by its
// file descriptors), with their addresses and state. Sockets of another
// network namespace (a test's MinIO cluster) are not in this namespace's
// tables and are left out; Snapshot.Sockets still counts them. A socket
// in TIME_WAIT belongs to no process any more and is never listed.
func TCPConns() ([]Conn, error) {
	fds, err := FDs()
	if err != nil {
		return nil, err
	}
	mine := map[uint64]bool{}
	for _, fd := range fds {
		if fd.IsSocket() {
			mine[fd.inode()] = true
		}
	}
	var out []Conn
	for _, table := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		conns, err := readTCPTable(table, mine)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		out = append(out, conns...)
	}
	return out, nil
}

// CountTCP counts the TCP sockets of the process by state.
func CountTCP() (map[string]int, error) {
	conns, err := TCPConns()
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, c := range conns {
		n[c.State]++
	}
	return n, nil
}

// readTCPTable reads one /proc/net/tcp{,6} table and keeps the sockets
// whose inode is in mine.
func readTCPTable(path string, mine map[uint64]bool) ([]Conn, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Conn
	sc := bufio.NewScanner(f)
	sc.Scan() // the header line
	for sc.Scan() {
		// sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		inode, err := strconv.ParseUint(fields[9], 10, 64)
		if err != nil || !mine[inode] {
			continue
		}
		local, err1 := parseProcAddr(fields[1])
		remote, err2 := parseProcAddr(fields[2])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("leakcheck: %s: cannot parse %q", path, sc.Text())
		}
		state, ok := tcpStates[fields[3]]
		if !ok {
			state = "0x" + fields[3]
		}
		out = append(out, Conn{Local: local, Remote: remote, State: state})
	}
	return out, sc.Err()
}

// parseProcAddr parses "0100007F:1F90" (IPv4) or a 32-hex-digit IPv6
// address and a port: the address is written as 32-bit words in host
// (little-endian) byte order, the port in big-endian hex.
func parseProcAddr(s string) (netip.AddrPort, error) {
	host, port, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("no port in %q", s)
	}
	raw, err := hex.DecodeString(host)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", host)
	}
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port %q", port)
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(p)), nil
}
