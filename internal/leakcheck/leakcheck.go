// Package leakcheck counts what a process holds (goroutines, open file
// descriptors, sockets, TCP connections) so that a test can take a
// baseline, do a lot of work, and check that the counts come back.
//
// goleak answers "is any goroutine left when the test binary ends"; this
// package answers "did N operations leave N of anything behind", in the
// middle of a run, also for file descriptors and connections, which
// goleak does not see. Counts come from runtime.NumGoroutine and, on
// Linux, /proc/self/fd and /proc/self/net/tcp{,6}; elsewhere the file
// counts are -1 and the checks on them pass vacuously (Supported says
// which).
//
// Counts are of the whole process: a test that uses this package must not
// run in parallel with tests that open files or start goroutines.
package leakcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Snapshot is what the process holds at one moment.
type Snapshot struct {
	Goroutines int
	FDs        int // open file descriptors, sockets included; -1 if unknown
	Sockets    int // how many of FDs are sockets; -1 if unknown

	targets map[string]int // FDs by kind of target, for Diff
}

// Supported reports whether file descriptors can be counted here (Linux,
// with /proc mounted).
func Supported() bool {
	_, err := os.Stat("/proc/self/fd")
	return err == nil
}

// Take counts the goroutines and open file descriptors of the process now.
func Take() Snapshot {
	s := Snapshot{Goroutines: runtime.NumGoroutine(), FDs: -1, Sockets: -1}
	fds, err := FDs()
	if err != nil {
		return s
	}
	s.FDs, s.Sockets = len(fds), 0
	s.targets = map[string]int{}
	for _, fd := range fds {
		if fd.IsSocket() {
			s.Sockets++
		}
		s.targets[fd.kind()]++
	}
	return s
}

func (s Snapshot) String() string {
	return fmt.Sprintf("%d goroutines, %d open files of which %d sockets", s.Goroutines, s.FDs, s.Sockets)
}

// FD is one open file descriptor of the process.
type FD struct {
	Num    int
	Target string // what /proc/self/fd/N links to: a path, "socket:[INODE]", "pipe:[INODE]", "anon_inode:[eventpoll]", ...
}

// IsSocket reports whether the descriptor is a socket.
func (f FD) IsSocket() bool { return strings.HasPrefix(f.Target, "socket:") }

// inode returns the inode of a socket or pipe target, or 0.
func (f FD) inode() uint64 {
	i := strings.IndexByte(f.Target, '[')
	if i < 0 || !strings.HasSuffix(f.Target, "]") {
		return 0
	}
	n, _ := strconv.ParseUint(f.Target[i+1:len(f.Target)-1], 10, 64)
	return n
}

// kind groups targets for Diff: "socket", "pipe", "anon_inode:[eventpoll]",
// or the directory of a file ("/tmp/store/a/*"), so that files leaked by
// many different keys add up.
func (f FD) kind() string {
	for _, p := range []string{"socket:", "pipe:"} {
		if strings.HasPrefix(f.Target, p) {
			return strings.TrimSuffix(p, ":")
		}
	}
	if strings.HasPrefix(f.Target, "/") {
		return filepath.Join(filepath.Dir(strings.TrimSuffix(f.Target, " (deleted)")), "*")
	}
	return f.Target
}

// FDs lists the open file descriptors of the process, in order. The
// descriptor that reads the list is not included.
func FDs() ([]FD, error) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	self := int(d.Fd())
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	out := make([]FD, 0, len(names))
	for _, name := range names {
		n, err := strconv.Atoi(name)
		if err != nil || n == self {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + name)
		if err != nil {
			continue // closed since the directory was read
		}
		out = append(out, FD{Num: n, Target: target})
	}
	slices.SortFunc(out, func(a, b FD) int { return a.Num - b.Num })
	return out, nil
}

// Diff describes the open files that after has more of than before, by
// kind of target, most first ("+12 socket, +1 /tmp/x/y"); empty when none.
func Diff(before, after Snapshot) string {
	type grow struct {
		kind string
		n    int
	}
	var list []grow
	for k, n := range after.targets {
		if d := n - before.targets[k]; d > 0 {
			list = append(list, grow{k, d})
		}
	}
	slices.SortFunc(list, func(a, b grow) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.kind, b.kind)
	})
	parts := make([]string, 0, min(len(list), 8))
	for i, g := range list {
		if i == 8 {
			parts = append(parts, fmt.Sprintf("and %d more kinds", len(list)-8))
			break
		}
		parts = append(parts, fmt.Sprintf("+%d %s", g.n, g.kind))
	}
	return strings.Join(parts, ", ")
}

// Slack is how much more than a baseline a later Snapshot may hold and
// still count as back: idle keep-alive connections (one socket and two
// goroutines each, in net/http) and lazily started helpers are not leaks,
// while one of anything left per operation grows far past a small slack.
type Slack struct {
	Goroutines int
	FDs        int
}

// Within reports whether s holds at most base+slack goroutines and file
// descriptors (the latter only where they can be counted).
func (s Snapshot) Within(base Snapshot, slack Slack) bool {
	if s.Goroutines > base.Goroutines+slack.Goroutines {
		return false
	}
	return s.FDs < 0 || base.FDs < 0 || s.FDs <= base.FDs+slack.FDs
}

// WaitBack waits up to wait for the process to hold at most base+slack
// goroutines and file descriptors, polling, and returns the last
// Snapshot. The error, when it did not come back in time, says what
// grew: the goroutines by the function they are parked in, and the open
// files by kind.
func WaitBack(base Snapshot, slack Slack, wait time.Duration) (Snapshot, error) {
	deadline := time.Now().Add(wait)
	for {
		s := Take()
		if s.Within(base, slack) {
			return s, nil
		}
		if time.Now().After(deadline) {
			return s, Excess(base, s, slack)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Excess describes how s exceeds base+slack, for a failure message.
func Excess(base, s Snapshot, slack Slack) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s; baseline %s; allowed %d more goroutines and %d more open files",
		s, base, slack.Goroutines, slack.FDs)
	if d := Diff(base, s); d != "" {
		fmt.Fprintf(&sb, "\nopen files grown: %s", d)
	}
	if s.Goroutines > base.Goroutines+slack.Goroutines {
		fmt.Fprintf(&sb, "\ngoroutines by where they wait:\n%s", GoroutineSummary(10))
	}
	return fmt.Errorf("%s", sb.String())
}

// Peak keeps the largest counts among the Snapshots it is given, so that
// a leak that a garbage collection later hides (a finalizer closes a
// leaked *os.File) is still seen. It is not safe for concurrent use.
type Peak struct {
	Max     Snapshot
	Samples int
}

// Sample takes a Snapshot, folds it into the peak and returns it.
func (p *Peak) Sample() Snapshot {
	s := Take()
	if p.Samples == 0 {
		p.Max = s
	} else {
		if s.Goroutines > p.Max.Goroutines {
			p.Max.Goroutines = s.Goroutines
		}
		if s.FDs > p.Max.FDs {
			p.Max.FDs, p.Max.targets = s.FDs, s.targets
		}
		p.Max.Sockets = max(p.Max.Sockets, s.Sockets)
	}
	p.Samples++
	return s
}

// GoroutineSummary counts the live goroutines by the function at the top
// of their stack and their state, most frequent first, at most top lines.
func GoroutineSummary(top int) string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	counts := map[string]int{}
	for block := range bytes.SplitSeq(buf, []byte("\n\n")) {
		sc := bufio.NewScanner(bytes.NewReader(block))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		if !sc.Scan() {
			continue
		}
		state := sc.Text() // "goroutine N [state, 2 minutes]:"
		if i := strings.IndexByte(state, '['); i >= 0 {
			state = state[i:]
		}
		if j := strings.IndexByte(state, ','); j >= 0 {
			state = state[:j] + "]"
		}
		state = strings.TrimSuffix(state, ":")
		fn := "?"
		if sc.Scan() {
			fn = sc.Text()
			if i := strings.LastIndexByte(fn, '('); i > 0 {
				fn = fn[:i]
			}
		}
		counts[fn+" "+state]++
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	var sb strings.Builder
	for i, k := range keys {
		if i == top {
			fmt.Fprintf(&sb, "\t... and %d more\n", len(keys)-top)
			break
		}
		fmt.Fprintf(&sb, "\t%4d × %s\n", counts[k], k)
	}
	return sb.String()
}
