package testserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Process is one server process started for a test. Every server type
// embeds it, so each has Stop, Cont, Kill, Restart and Log. The process is
// killed (SIGKILL to its process group) and reaped by t.Cleanup, and also
// dies if the test binary dies (parent-death signal).
type Process struct {
	name    string
	argv    []string
	env     []string
	dir     string
	logPath string
	ready   func(context.Context) error
	timeout time.Duration

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited and been reaped
	err  error         // cmd.Wait's result, valid after done
}

// newProcess describes a process without starting it. Its log goes to
// NAME.log in dir, and t.Cleanup kills it. ready reports whether the server
// answers (nil when ready).
func newProcess(t testing.TB, name, dir string, env []string, ready func(context.Context) error, timeout time.Duration, argv ...string) *Process {
	t.Helper()
	p := &Process{
		name:    name,
		argv:    argv,
		env:     append(os.Environ(), env...),
		dir:     dir,
		logPath: filepath.Join(dir, name+".log"),
		ready:   ready,
		timeout: timeout,
	}
	t.Cleanup(func() { p.Kill(t) })
	return p
}

// Pid returns the process id of the running (or last) process, or 0.
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Log returns everything the server printed so far (stdout and stderr).
func (p *Process) Log() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// logTail returns the last part of the log, for failure messages.
func (p *Process) logTail() string {
	const max = 16 << 10
	s := p.Log()
	if len(s) > max {
		s = "...\n" + s[len(s)-max:]
	}
	return s
}

// Stop freezes the server with SIGSTOP, and waits until all its threads
// are stopped: it keeps its connections (the kernel even accepts new ones)
// but answers nothing, like a hung host.
func (p *Process) Stop(t testing.TB) {
	t.Helper()
	p.signal(t, syscall.SIGSTOP)
	deadline := time.Now().Add(5 * time.Second)
	for !p.allStopped() {
		if time.Now().After(deadline) {
			t.Fatalf("testserver: %s: not stopped 5s after SIGSTOP", p.name)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// allStopped reports whether every thread of the process is in the
// stopped state ("T" in /proc/PID/task/TID/stat).
func (p *Process) allStopped() bool {
	dir := fmt.Sprintf("/proc/%d/task", p.Pid())
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, task.Name(), "stat"))
		if err != nil {
			continue // the thread has just exited
		}
		// "pid (comm) S ...": the state follows the last ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || i+2 >= len(b) || b[i+2] != 'T' {
			return false
		}
	}
	return true
}

// Cont resumes a server frozen by Stop (SIGCONT).
func (p *Process) Cont(t testing.TB) { t.Helper(); p.signal(t, syscall.SIGCONT) }

func (p *Process) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	pid := p.Pid()
	if pid == 0 || p.exited() {
		t.Fatalf("testserver: %s: cannot send %v: not running", p.name, sig)
	}
	if err := syscall.Kill(-pid, sig); err != nil {
		t.Fatalf("testserver: %s: %v: %v", p.name, sig, err)
	}
}

// Kill kills the server with SIGKILL and waits until it is gone. Killing a
// server that is not running does nothing.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || p.exited() {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the whole process group
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Errorf("testserver: %s (pid %d) still running 30s after SIGKILL", p.name, cmd.Process.Pid)
	}
}

// Restart kills the server if it runs, starts it again with the same
// command line (same address, credentials and data directory) and waits
// until it is ready.
func (p *Process) Restart(t testing.TB) {
	t.Helper()
	p.Kill(t)
	if err := p.start(); err != nil {
		t.Fatalf("testserver: restart %s: %v", p.name, err)
	}
	p.mustBeReady(t)
}

func (p *Process) exited() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// start starts the process; its output is appended to the log file.
func (p *Process) start() error {
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own copy
	fmt.Fprintf(logf, "### %s: %q\n", time.Now().Format(time.RFC3339Nano), p.argv)

	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Env = p.env
	cmd.Dir = p.dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // Kill/Stop/Cont reach any child too
		Pdeathsig: syscall.SIGKILL, // no server outlives a crashed test binary
	}
	onSpawnThread(func() { err = cmd.Start() })
	if err != nil {
		return err
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// waitReady polls p.ready until it succeeds, the process exits or the
// timeout passes.
func (p *Process) waitReady() error {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	deadline := time.Now().Add(p.timeout)
	var last error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		last = p.ready(ctx)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-done:
			p.mu.Lock()
			err := p.err
			p.mu.Unlock()
			return fmt.Errorf("%w (%v)", errExited, err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %v", p.timeout, last)
		}
	}
}

var errExited = errors.New("exited before it was ready")

func (p *Process) mustBeReady(t testing.TB) {
	t.Helper()
	if err := p.waitReady(); err != nil {
		p.Kill(t)
		t.Fatalf("testserver: %s: %v\n--- %s log (%s) ---\n%s", p.name, err, p.name, p.logPath, p.logTail())
	}
}

// startOnFreePort starts a loopback server on a free port: argv and ready
// are built for a port. If the server exits before it is ready (typically
// because another process took the port in between), it is tried again on
// another port, up to three times.
func startOnFreePort(t testing.TB, name, dir string, env []string, timeout time.Duration,
	argv func(port int) []string, ready func(ctx context.Context, port int) error) (*Process, int) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		p := newProcess(t, name, dir, env, func(ctx context.Context) error { return ready(ctx, port) }, timeout, argv(port)...)
		if err := p.start(); err != nil {
			t.Fatalf("testserver: start %s: %v", name, err)
		}
		err := p.waitReady()
		if err == nil {
			return p, port
		}
		p.Kill(t)
		if !errors.Is(err, errExited) || attempt == 3 {
			t.Fatalf("testserver: %s: %v\n--- %s log (%s) ---\n%s", name, err, name, p.logPath, p.logTail())
		}
	}
}

// spawnCh feeds the spawn thread; see onSpawnThread.
var (
	spawnOnce sync.Once
	spawnCh   = make(chan func())
)

// onSpawnThread runs f on one OS thread that never exits. Processes are
// started there because Linux sends the parent-death signal when the
// *thread* that forked the child exits, and Go does end threads: the
// cluster's DialContext deliberately discards the threads it moves into a
// network namespace.
func onSpawnThread(f func()) {
	spawnOnce.Do(func() { go spawnLoop() })
	done := make(chan struct{})
	spawnCh <- func() { defer close(done); f() }
	<-done
}

// spawnLoop is the goroutine of the spawn thread.
func spawnLoop() {
	runtime.LockOSThread() // never unlocked, and this goroutine never returns
	for f := range spawnCh {
		f()
	}
}

// IgnoreSpawnThread is the goleak option that every test binary using
// this package passes to goleak.VerifyTestMain or VerifyNone: the spawn
// thread lives as long as the binary on purpose (see onSpawnThread).
func IgnoreSpawnThread() goleak.Option {
	return goleak.IgnoreAnyFunction("github.com/objstore-dev/objstore/internal/testserver.spawnLoop")
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testserver: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// randomHex returns n random bytes from crypto/rand, hex-encoded.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testserver: random: %v", err)
	}
	return hex.EncodeToString(b)
}

// probeClient is used for readiness probes: no proxy, no keep-alive.
var probeClient = &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}

// httpReady returns a probe that GETs url with client and succeeds when the
// answer has status want, or any status if want is 0.
func httpReady(client *http.Client, url string, want int) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if want != 0 && resp.StatusCode != want {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	}
}
