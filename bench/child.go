package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Peak memory is measured in child processes: the benchmark runs itself
// again with -child, the contestant opens a fresh client, does one thing,
// and prints a childResult as JSON on stdout, with its own peak resident
// set size: VmHWM of /proc/self/status, the high-water mark of the
// process's memory since its exec. (getrusage's ru_maxrss of the child
// would not do: Linux carries the parent's high-water mark into it, since
// Go starts children with a clone that shares the parent's memory until
// the exec.) The server's address and credentials go to the child in an
// environment variable, never on a command line.

const targetEnv = "OBJSTORE_BENCH_TARGET"

// childFlags are the flags of a child run.
type childFlags struct {
	mode   string // "bigput" or "list"
	store  string
	size   int64
	prefix string
	want   int
}

func registerChildFlags(fs *flag.FlagSet) *childFlags {
	c := &childFlags{}
	fs.StringVar(&c.mode, "child", "", "internal: run one measured operation in a child process (bigput, list)")
	fs.StringVar(&c.store, "child-store", "", "internal: the child's contestant")
	fs.Int64Var(&c.size, "child-size", 0, "internal: bytes of the child's unknown-size put")
	fs.StringVar(&c.prefix, "child-prefix", "", "internal: prefix of the child's listing")
	fs.IntVar(&c.want, "child-want", 0, "internal: keys the child's listing must find")
	return c
}

// childResult is what a child reports.
type childResult struct {
	Seconds     float64 `json:"seconds"`      // of the measured operation
	Count       int     `json:"count"`        // keys listed
	BaselineKiB int64   `json:"baseline_kib"` // peak RSS before the operation
	MaxRSSKiB   int64   `json:"max_rss_kib"`  // peak RSS at the end
}

// runChild is the child's side.
func runChild(ctx context.Context, cf *childFlags) error {
	var t target
	if err := json.Unmarshal([]byte(os.Getenv(targetEnv)), &t); err != nil {
		return fmt.Errorf("$%s: %w", targetEnv, err)
	}
	s, err := openStore(ctx, cf.store, t)
	if err != nil {
		return err
	}
	defer s.Close()
	res := childResult{BaselineKiB: selfMaxRSS()}
	start := time.Now()
	switch cf.mode {
	case "bigput":
		err = s.PutUnknown(ctx, "bigput/"+slug(cf.store), newPattern(cf.size))
	case "list":
		res.Count, err = s.List(ctx, cf.prefix)
		if err == nil && res.Count != cf.want {
			err = fmt.Errorf("listed %d keys under %q, want %d", res.Count, cf.prefix, cf.want)
		}
	default:
		err = fmt.Errorf("unknown child mode %q", cf.mode)
	}
	if err != nil {
		return err
	}
	res.Seconds = time.Since(start).Seconds()
	if res.MaxRSSKiB = selfMaxRSS(); res.MaxRSSKiB == 0 {
		return errors.New("no VmHWM in /proc/self/status")
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// spawnChild runs a child for the contestant store and returns its
// result with its peak RSS.
func spawnChild(ctx context.Context, t target, store string, args ...string) (childResult, error) {
	self, err := childBinary(store)
	if err != nil {
		return childResult{}, err
	}
	args = append([]string{"-child-store", store}, args...)
	tj, err := json.Marshal(t)
	if err != nil {
		return childResult{}, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(os.Environ(), targetEnv+"="+string(tj))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return childResult{}, fmt.Errorf("child %v: %w", args, err)
	}
	var res childResult
	if err := json.Unmarshal(out, &res); err != nil {
		return childResult{}, fmt.Errorf("child %v: undecodable result %q: %w", args, out, err)
	}
	return res, nil
}

// The program a child runs. A contestant on the MinIO server runs in the
// benchmark built again with -tags leanchild, which leaves out the GCS and
// Azure SDKs and their contestants: their package initialisation alone
// holds some 12 MiB, which an S3 user's program does not have, and which
// would count in every S3 contestant's peak. The emulators' contestants
// run in the benchmark itself.
var lean struct {
	once sync.Once
	path string
	err  error
}

func childBinary(store string) (string, error) {
	if serverOf(store) != serverMinIO {
		return os.Executable()
	}
	lean.once.Do(func() {
		dir, err := os.MkdirTemp("", "objstore-bench-")
		if err != nil {
			lean.err = err
			return
		}
		lean.path = filepath.Join(dir, "bench-lean")
		// The bench module is the working directory (make bench and the
		// README run it from bench/).
		out, err := exec.Command("go", "build", "-tags", "leanchild", "-o", lean.path, ".").CombinedOutput()
		if err != nil {
			lean.err = fmt.Errorf("building the lean child (go build -tags leanchild in bench/): %w: %s", err, out)
		}
	})
	return lean.path, lean.err
}

// removeChildBinary removes the lean child's program, if one was built.
func removeChildBinary() {
	if lean.path != "" {
		os.RemoveAll(filepath.Dir(lean.path))
	}
}

// serverOf returns the server of the contestant store ("" if unknown).
func serverOf(store string) string {
	for _, s := range allStores {
		if s.name == store {
			return s.server
		}
	}
	return ""
}

// selfMaxRSS returns this process's peak RSS since its exec, in KiB
// (VmHWM), or 0 if it cannot be read.
func selfMaxRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v) // "123456 kB"
			if len(f) == 2 && f[1] == "kB" {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// pattern is a reader of n bytes of unknown size to its consumer: it
// implements nothing but Read (no Len, Seek, ReadAt or WriteTo), as a pipe
// or a socket. It repeats a random 1 MiB block, generated once, so making
// the bytes costs the benchmark almost nothing.
type pattern struct {
	left  int64
	block []byte
	off   int
}

func newPattern(n int64) *pattern {
	return &pattern{left: n, block: randomData(1 << 20)}
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n := 0
	for n < len(b) {
		c := copy(b[n:], p.block[p.off:])
		n += c
		p.off = (p.off + c) % len(p.block)
	}
	p.left -= int64(n)
	return n, nil
}
