package testserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Cluster is a distributed (erasure-coded) MinIO cluster started for one
// test, one node per address inside a network namespace of its own.
//
// MinIO refuses a multi-node cluster on loopback addresses on these
// machines, so the nodes listen on 10.77.X.N addresses that exist only
// inside the cluster's namespace. The test process stays outside it: reach
// the nodes through DialContext, Transport or HTTPClient, which open their
// sockets inside the namespace. Creating the namespace needs root.
type Cluster struct {
	Nodes     []*ClusterNode
	AccessKey string // root user
	SecretKey string // root password
	Region    string // "us-east-1"
	Namespace string // network namespace name, "objstore-PID-HEX" (PID: the test process)
	Dir       string // parent of every node's drive

	ns        *os.File // /var/run/netns/<Namespace>
	transport *http.Transport
}

// ClusterNode is one MinIO node of a Cluster. The embedded Process gives
// Stop, Cont, Kill, Restart (same address and drive) and Log.
type ClusterNode struct {
	*Process
	Endpoint string // "10.77.X.N:PORT", reachable only through the Cluster's dialer
}

// URL returns the node's base URL, "http://10.77.X.N:PORT".
func (n *ClusterNode) URL() string { return "http://" + n.Endpoint }

// StartMinIOCluster starts a MinIO cluster of the given number of nodes
// (at least 2; 4 gives the usual erasure set that survives one lost node
// for reads and writes), each node with one drive, and waits (up to 90s)
// until every node answers 200 on GET /minio/health/cluster. t.Cleanup
// kills the nodes and deletes the namespace.
func StartMinIOCluster(t testing.TB, nodes int) *Cluster {
	t.Helper()
	if nodes < 2 || nodes > 250 {
		t.Fatalf("testserver: StartMinIOCluster: %d nodes; want 2 to 250", nodes)
	}
	bin := toolPath(t, "bin/minio")
	ipBin, err := exec.LookPath("ip")
	if err != nil {
		t.Fatalf("testserver: the MinIO cluster needs iproute2's `ip` (apt-get install iproute2): %v", err)
	}
	dir := t.TempDir()
	c := &Cluster{
		AccessKey: "ak" + randomHex(t, 8),
		SecretKey: randomHex(t, 16),
		Region:    "us-east-1",
		Namespace: fmt.Sprintf("objstore-%d-%s", os.Getpid(), randomHex(t, 4)),
		Dir:       dir,
	}

	removeStaleNamespaces(ipBin)
	// The namespace goes last: cleanups run in reverse order, so the nodes
	// registered below are killed before it is deleted.
	run(t, ipBin, "netns", "add", c.Namespace)
	t.Cleanup(func() {
		if out, err := exec.Command(ipBin, "netns", "del", c.Namespace).CombinedOutput(); err != nil {
			t.Errorf("testserver: ip netns del %s: %v: %s", c.Namespace, err, out)
		}
	})
	run(t, ipBin, "-n", c.Namespace, "link", "set", "lo", "up")
	var b [1]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("testserver: random: %v", err)
	}
	var endpoints, urls []string
	for i := 1; i <= nodes; i++ {
		ip := fmt.Sprintf("10.77.%d.%d", b[0], i)
		run(t, ipBin, "-n", c.Namespace, "addr", "add", ip+"/32", "dev", "lo")
		endpoints = append(endpoints, fmt.Sprintf("%s:%d", ip, 9000+i))
		urls = append(urls, fmt.Sprintf("http://%s:%d%s", ip, 9000+i, filepath.Join(dir, fmt.Sprintf("node%d", i))))
	}
	if c.ns, err = os.Open(filepath.Join("/var/run/netns", c.Namespace)); err != nil {
		t.Fatalf("testserver: %v", err)
	}
	t.Cleanup(func() { c.ns.Close() })

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = c.DialContext
	c.transport = tr
	t.Cleanup(tr.CloseIdleConnections)
	probe := &http.Client{Transport: tr}

	env := minioEnv(c.AccessKey, c.SecretKey, c.Region)
	for i, ep := range endpoints {
		argv := append([]string{ipBin, "netns", "exec", c.Namespace, bin, "server", "--quiet",
			"--address", ep,
			"--certs-dir", filepath.Join(dir, fmt.Sprintf("certs%d", i+1))}, urls...)
		name := fmt.Sprintf("minio-node%d", i+1)
		p := newProcess(t, name, dir, env, httpReady(probe, "http://"+ep+"/minio/health/cluster", 200), 90*time.Second, argv...)
		if err := p.start(); err != nil {
			t.Fatalf("testserver: start %s: %v", name, err)
		}
		c.Nodes = append(c.Nodes, &ClusterNode{Process: p, Endpoint: ep})
	}
	for _, n := range c.Nodes {
		n.mustBeReady(t)
	}
	return c
}

// DialContext dials addr from inside the cluster's network namespace; it
// has the signature of net.Dialer.DialContext. A socket stays in the
// namespace it was created in, so the connection works from any goroutine.
func (c *Cluster) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		// Never unlocked: once the thread has joined the namespace, Go must
		// discard it when this goroutine returns instead of reusing it.
		runtime.LockOSThread()
		if err := unix.Setns(int(c.ns.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{nil, fmt.Errorf("testserver: setns %s: %w", c.Namespace, err)}
			return
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		ch <- result{conn, err}
	}()
	r := <-ch
	return r.conn, r.err
}

// Transport returns the cluster's shared HTTP transport, which dials
// through DialContext (no proxy). Pass it to minio-go as
// minio.Options.Transport, or to any other client as its RoundTripper.
func (c *Cluster) Transport() *http.Transport { return c.transport }

// HTTPClient returns an HTTP client using Transport.
func (c *Cluster) HTTPClient() *http.Client { return &http.Client{Transport: c.transport} }

// removeStaleNamespaces deletes the namespaces left by test processes that
// died without cleaning up (for instance on a test timeout): those named
// objstore-PID-* whose PID no longer exists. Their nodes died with them.
func removeStaleNamespaces(ipBin string) {
	entries, _ := os.ReadDir("/var/run/netns")
	for _, e := range entries {
		var pid int
		var rest string
		if n, _ := fmt.Sscanf(e.Name(), "objstore-%d-%s", &pid, &rest); n != 2 || pid <= 0 {
			continue
		}
		if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
			_ = exec.Command(ipBin, "netns", "del", e.Name()).Run()
		}
	}
}

// run runs a short command and fails the test if it fails.
func run(t testing.TB, argv ...string) {
	t.Helper()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("testserver: %s: %v: %s", strings.Join(argv, " "), err, out)
	}
}
