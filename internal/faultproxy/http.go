package faultproxy

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is one scripted answer of an HTTPProxy: a request that matches is
// answered with Status and an S3 error document carrying Code, instead of
// being forwarded.
type Fault struct {
	Method string                   // "" matches every method
	Match  func(*http.Request) bool // optional further condition
	Status int                      // e.g. 503
	Code   string                   // S3 error code, e.g. "SlowDown"; empty: from the status
	Times  int                      // requests it answers: 0 means 1, -1 means every one
	Header http.Header              // extra headers of the answer, e.g. Retry-After
}

// HTTPProxy is a reverse proxy in front of an S3 server (MinIO) that
// answers scripted errors and forwards everything else unchanged,
// including the Host header, so that request signatures stay valid.
type HTTPProxy struct {
	srv       *http.Server
	ln        net.Listener
	transport *http.Transport
	done      chan struct{}

	mu       sync.Mutex
	faults   []*Fault
	requests map[string]int // per method, every request seen
	injected map[string]int // per method, requests answered by a fault
}

// NewHTTP starts an HTTPProxy on 127.0.0.1:0 in front of target
// ("host:port", plain HTTP).
func NewHTTP(target string) (*HTTPProxy, error) {
	u, err := url.Parse("http://" + target)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: target %q: %w", target, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	h := &HTTPProxy{
		ln:        ln,
		transport: &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 32},
		done:      make(chan struct{}),
		requests:  map[string]int{},
		injected:  map[string]int{},
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host // signed by the client
		},
		Transport:     h.transport,
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	h.srv = &http.Server{
		Handler:           h.handler(rp),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(h.done)
		h.srv.Serve(ln)
	}()
	return h, nil
}

// StartHTTP is NewHTTP that fails the test on error and closes the proxy on
// cleanup.
func StartHTTP(t testing.TB, target string) *HTTPProxy {
	t.Helper()
	h, err := NewHTTP(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// Addr is the proxy's "127.0.0.1:PORT".
func (h *HTTPProxy) Addr() string { return h.ln.Addr().String() }

// Inject appends faults; each request takes the first that matches.
func (h *HTTPProxy) Inject(fs ...Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range fs {
		f := fs[i]
		h.faults = append(h.faults, &f)
	}
}

// Clear removes every fault not used up yet.
func (h *HTTPProxy) Clear() {
	h.mu.Lock()
	h.faults = nil
	h.mu.Unlock()
}

// Requests is the number of requests seen with method ("" for all),
// answered by a fault or forwarded.
func (h *HTTPProxy) Requests(method string) int { return h.count(h.requests, method) }

// Injected is the number of requests with method ("" for all) that a fault
// answered.
func (h *HTTPProxy) Injected(method string) int { return h.count(h.injected, method) }

func (h *HTTPProxy) count(m map[string]int, method string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if method != "" {
		return m[method]
	}
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// ResetCounts sets the request counters back to zero.
func (h *HTTPProxy) ResetCounts() {
	h.mu.Lock()
	h.requests, h.injected = map[string]int{}, map[string]int{}
	h.mu.Unlock()
}

// Close stops the proxy and waits for it.
func (h *HTTPProxy) Close() error {
	err := h.srv.Close()
	<-h.done
	h.transport.CloseIdleConnections()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (h *HTTPProxy) take(r *http.Request) *Fault {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests[r.Method]++
	for i, f := range h.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if f.Match != nil && !f.Match(r) {
			continue
		}
		switch {
		case f.Times < 0:
		case f.Times <= 1:
			h.faults = append(h.faults[:i:i], h.faults[i+1:]...)
		default:
			f.Times--
		}
		h.injected[r.Method]++
		return f
	}
	return nil
}

// s3Error is the error document of S3 and MinIO.
type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
}

func (h *HTTPProxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := h.take(r)
		if f == nil {
			next.ServeHTTP(w, r)
			return
		}
		// Read the body as a server does before it answers, so that the
		// client sees the answer and not a broken upload.
		io.Copy(io.Discard, r.Body)
		code := f.Code
		if code == "" {
			code = strings.ReplaceAll(http.StatusText(f.Status), " ", "")
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("X-Amz-Request-Id", "faultproxy")
		for name, values := range f.Header {
			w.Header()[http.CanonicalHeaderKey(name)] = values
		}
		w.WriteHeader(f.Status)
		if r.Method == http.MethodHead {
			return
		}
		body, _ := xml.Marshal(s3Error{Code: code, Message: "injected by faultproxy", Resource: r.URL.Path, RequestID: "faultproxy"})
		w.Write(append([]byte(xml.Header), body...))
	})
}
