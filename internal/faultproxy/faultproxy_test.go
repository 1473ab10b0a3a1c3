package faultproxy

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sink is a TCP server that records what it receives and echoes it.
type sink struct {
	ln   net.Listener
	mu   sync.Mutex
	got  []byte
	wg   sync.WaitGroup
	echo bool
}

func startSink(t *testing.T, echo bool) *sink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &sink{ln: ln, echo: echo}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					s.mu.Lock()
					s.got = append(s.got, buf[:n]...)
					s.mu.Unlock()
					if n > 0 && s.echo {
						c.Write(buf[:n])
					}
					if err != nil {
						return
					}
				}
			})
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *sink) received() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.got...)
}

func roundTrip(t *testing.T, addr, msg string, timeout time.Duration) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	buf := make([]byte, len(msg))
	_, err = io.ReadFull(c, buf)
	return string(buf), err
}

func TestPassHangRefuseLatency(t *testing.T) {
	s := startSink(t, true)
	p := Start(t, s.ln.Addr().String())

	got, err := roundTrip(t, p.Addr(), "hello", time.Second)
	require.NoError(t, err)
	assert.Equal(t, "hello", got)

	p.Hang()
	_, err = roundTrip(t, p.Addr(), "stuck", 200*time.Millisecond)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "a hung proxy accepts but never answers: %v", err)

	require.NoError(t, p.Pass())
	got, err = roundTrip(t, p.Addr(), "again", time.Second)
	require.NoError(t, err)
	assert.Equal(t, "again", got)

	p.Refuse()
	_, err = net.Dial("tcp", p.Addr())
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	require.NoError(t, p.Pass())
	got, err = roundTrip(t, p.Addr(), "back", time.Second)
	require.NoError(t, err)
	assert.Equal(t, "back", got)

	p.SetLatency(100 * time.Millisecond)
	start := time.Now()
	_, err = roundTrip(t, p.Addr(), "slow", time.Second)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "both directions are delayed")
	assert.GreaterOrEqual(t, p.Accepted(), 5)
}

func TestCutAfter(t *testing.T) {
	s := startSink(t, false)
	p := Start(t, s.ln.Addr().String())
	p.CutAfter(Upstream, 10)
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte(strings.Repeat("x", 100)))
	require.NoError(t, err)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = c.Read(make([]byte, 1))
	require.Error(t, err)
	assert.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF), "%v", err)
	require.Eventually(t, func() bool { return len(s.received()) == 10 }, time.Second, 5*time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, strings.Repeat("x", 10), string(s.received()), "exactly n bytes went through")
	assert.Equal(t, 1, p.Cuts())
	assert.Equal(t, int64(10), p.Forwarded(Upstream))

	// One shot: the next connection passes whole.
	echo := startSink(t, true)
	p2 := Start(t, echo.ln.Addr().String())
	p2.CutAfter(Downstream, 3)
	got, err := roundTrip(t, p2.Addr(), "abcdef", time.Second)
	require.Error(t, err)
	assert.Equal(t, "abc", strings.TrimRight(got, "\x00"))
	got, err = roundTrip(t, p2.Addr(), "abcdef", time.Second)
	require.NoError(t, err)
	assert.Equal(t, "abcdef", got)
}

func TestDeadTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	p := Start(t, addr)
	_, err = roundTrip(t, p.Addr(), "x", time.Second)
	require.Error(t, err, "the client's connection is dropped when the target refuses")
}

func TestHTTPProxyInjectsAndForwards(t *testing.T) {
	var hosts []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		io.Copy(io.Discard, r.Body)
		w.Write([]byte("real"))
	}))
	defer srv.Close()
	h := StartHTTP(t, strings.TrimPrefix(srv.URL, "http://"))
	h.Inject(
		Fault{Method: http.MethodPut, Status: 503, Code: "SlowDown", Times: 2},
		Fault{Method: http.MethodGet, Status: 403, Match: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/secret") }},
	)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	do := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, "http://"+h.Addr()+path, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	for range 2 {
		status, body := do(http.MethodPut, "/b/k", strings.Repeat("d", 100000))
		assert.Equal(t, 503, status)
		assert.Contains(t, body, "<Code>SlowDown</Code>")
	}
	status, body := do(http.MethodPut, "/b/k", "data")
	assert.Equal(t, 200, status)
	assert.Equal(t, "real", body)
	status, body = do(http.MethodGet, "/b/secret", "")
	assert.Equal(t, 403, status)
	assert.Contains(t, body, "<Code>Forbidden</Code>")
	status, _ = do(http.MethodGet, "/b/secret", "")
	assert.Equal(t, 200, status)

	assert.Equal(t, 3, h.Requests(http.MethodPut))
	assert.Equal(t, 2, h.Injected(http.MethodPut))
	assert.Equal(t, 2, h.Requests(http.MethodGet))
	assert.Equal(t, 3, h.Injected(""))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, hosts, 2)
	assert.Equal(t, h.Addr(), hosts[0], "the Host header the client signed reaches the server")
}
