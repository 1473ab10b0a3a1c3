package leakcheck_test

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/internal/leakcheck"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func requireProc(t *testing.T) {
	t.Helper()
	if !leakcheck.Supported() {
		t.Skip("no /proc/self/fd on this system: file descriptors cannot be counted")
	}
}

func TestFilesAreCountedAndNamed(t *testing.T) {
	requireProc(t)
	dir := t.TempDir()
	base := leakcheck.Take()
	var files []*os.File
	for i := range 5 {
		f, err := os.Create(filepath.Join(dir, "f"+string(rune('a'+i))))
		require.NoError(t, err)
		files = append(files, f)
	}
	s := leakcheck.Take()
	assert.Equal(t, base.FDs+5, s.FDs)
	assert.Equal(t, base.Sockets, s.Sockets)
	assert.False(t, s.Within(base, leakcheck.Slack{FDs: 4}))
	assert.True(t, s.Within(base, leakcheck.Slack{FDs: 5}))
	assert.Equal(t, "+5 "+filepath.Join(dir, "*"), leakcheck.Diff(base, s))

	fds, err := leakcheck.FDs()
	require.NoError(t, err)
	var named int
	for _, fd := range fds {
		if strings.HasPrefix(fd.Target, dir+"/") {
			named++
		}
	}
	assert.Equal(t, 5, named, "every open file is listed with its path: %v", fds)

	_, err = leakcheck.WaitBack(base, leakcheck.Slack{}, 50*time.Millisecond)
	require.Error(t, err, "5 files are still open")
	assert.Contains(t, err.Error(), "+5 "+filepath.Join(dir, "*"))
	for _, f := range files {
		require.NoError(t, f.Close())
	}
	back, err := leakcheck.WaitBack(base, leakcheck.Slack{}, time.Second)
	require.NoError(t, err)
	assert.Equal(t, base.FDs, back.FDs)
}

func TestGoroutinesAreCountedAndSummarised(t *testing.T) {
	base := leakcheck.Take()
	stop := make(chan struct{})
	for range 7 {
		go parkedForTheTest(stop)
	}
	_, err := leakcheck.WaitBack(base, leakcheck.Slack{Goroutines: 2}, 50*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "leakcheck_test.parkedForTheTest")
	assert.Contains(t, err.Error(), "7 × ")
	close(stop)
	_, err = leakcheck.WaitBack(base, leakcheck.Slack{}, 2*time.Second)
	require.NoError(t, err)
}

func parkedForTheTest(stop chan struct{}) { <-stop }

func TestPeakRemembersWhatWasClosed(t *testing.T) {
	requireProc(t)
	var p leakcheck.Peak
	base := p.Sample()
	f, err := os.Open(os.DevNull)
	require.NoError(t, err)
	p.Sample()
	require.NoError(t, f.Close())
	now := p.Sample()
	assert.Equal(t, base.FDs, now.FDs)
	assert.Equal(t, base.FDs+1, p.Max.FDs)
	assert.Equal(t, 3, p.Samples)
	assert.Equal(t, "+1 /dev/*", leakcheck.Diff(base, p.Max))
}

func TestTCPConnections(t *testing.T) {
	requireProc(t)
	for _, network := range []string{"tcp4", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if network == "tcp6" {
				addr = "[::1]:0"
			}
			l, err := net.Listen(network, addr)
			if err != nil && network == "tcp6" {
				t.Skipf("no IPv6 loopback here: %v", err)
			}
			require.NoError(t, err)
			defer l.Close()
			base := leakcheck.Take()
			accepted := make(chan net.Conn, 1)
			go func() {
				c, err := l.Accept()
				if err == nil {
					accepted <- c
				}
				close(accepted)
			}()
			c, err := net.Dial(network, l.Addr().String())
			require.NoError(t, err)
			srv := <-accepted
			require.NotNil(t, srv)

			s := leakcheck.Take()
			assert.Equal(t, base.Sockets+2, s.Sockets, "both ends are sockets of this process")
			assert.Equal(t, "+2 socket", leakcheck.Diff(base, s))

			conns, err := leakcheck.TCPConns()
			require.NoError(t, err)
			want := netip.MustParseAddrPort(l.Addr().String())
			var listen, toServer, fromClient bool
			for _, c2 := range conns {
				switch {
				case c2.State == "LISTEN" && c2.Local == want:
					listen = true
				case c2.State == "ESTABLISHED" && c2.Remote == want:
					toServer = c2.Local == netip.MustParseAddrPort(c.LocalAddr().String())
				case c2.State == "ESTABLISHED" && c2.Local == want:
					fromClient = true
				}
			}
			assert.True(t, listen, "the listener is listed: %v", conns)
			assert.True(t, toServer, "the client's end is listed with both addresses: %v", conns)
			assert.True(t, fromClient, "the server's end is listed: %v", conns)
			n, err := leakcheck.CountTCP()
			require.NoError(t, err)
			assert.GreaterOrEqual(t, n["ESTABLISHED"], 2)

			require.NoError(t, c.Close())
			require.NoError(t, srv.Close())
			_, err = leakcheck.WaitBack(base, leakcheck.Slack{}, 2*time.Second)
			require.NoError(t, err)
		})
	}
}
