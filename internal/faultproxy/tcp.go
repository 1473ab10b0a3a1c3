package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Direction is the way bytes flow through a Proxy.
type Direction int

const (
	Upstream   Direction = iota // client to server (requests, uploads)
	Downstream                  // server to client (answers, downloads)
)

func (d Direction) String() string {
	if d == Upstream {
		return "upstream"
	}
	return "downstream"
}

// Proxy is a TCP proxy from a loopback address to a target, with faults
// that tests switch on and off. It is safe for concurrent use.
type Proxy struct {
	target string
	dial   func(network, addr string) (net.Conn, error)

	mu       sync.Mutex
	addr     string
	ln       net.Listener // nil while refusing
	conns    map[*conn]struct{}
	hang     chan struct{} // non-nil while hanging; closed when it ends
	latency  time.Duration
	cut      [2]int64 // bytes left before a cut, per direction; -1: no cut armed
	cuts     int
	accepted int
	bytes    [2]int64 // forwarded, per direction
	closed   bool
	wg       sync.WaitGroup
}

// New starts a proxy on 127.0.0.1:0 that forwards to target.
func New(target string) (*Proxy, error) {
	return NewWithDialer(target, nil)
}

// NewWithDialer is New with the dialer that reaches the target (nil: a
// plain net.Dial), e.g. one that dials inside a network namespace.
func NewWithDialer(target string, dial func(network, addr string) (net.Conn, error)) (*Proxy, error) {
	if dial == nil {
		d := &net.Dialer{Timeout: 10 * time.Second}
		dial = d.Dial
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{target: target, dial: dial, addr: ln.Addr().String(), conns: map[*conn]struct{}{}, cut: [2]int64{-1, -1}}
	p.serve(ln)
	return p, nil
}

// Start is New that fails the test on error and closes the proxy on
// cleanup.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := New(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// Addr is the proxy's "127.0.0.1:PORT"; it stays the same across Refuse
// and Pass.
func (p *Proxy) Addr() string { return p.addr }

// Pass makes the proxy forward normally: it ends Hang and Refuse (listening
// again on the same address), and clears latency and armed cuts.
func (p *Proxy) Pass() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("faultproxy: closed")
	}
	if p.hang != nil {
		close(p.hang)
		p.hang = nil
	}
	p.latency = 0
	p.cut = [2]int64{-1, -1}
	if p.ln == nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return fmt.Errorf("faultproxy: listen again on %s: %w", p.addr, err)
		}
		p.serveLocked(ln)
	}
	return nil
}

// Hang stops forwarding, like a frozen server: connections (old and new)
// are accepted and kept open, but no byte goes through in either
// direction until Pass or Close.
func (p *Proxy) Hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hang == nil {
		p.hang = make(chan struct{})
	}
}

// Refuse makes the proxy a dead server: it stops listening (new
// connections are refused) and resets every open connection.
func (p *Proxy) Refuse() {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	conns := p.snapshotLocked()
	p.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	for _, c := range conns {
		c.reset()
	}
}

// SetLatency delays every forwarded chunk by d (0: none).
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	p.latency = d
	p.mu.Unlock()
}

// CutAfter arms a one-shot cut: once n more bytes have gone through in
// direction dir (counted over every connection), the connection carrying
// the next byte is reset (RST) on both sides. The cut then disarms.
func (p *Proxy) CutAfter(dir Direction, n int64) {
	p.mu.Lock()
	p.cut[dir] = n
	p.mu.Unlock()
}

// Cuts is the number of connections cut by CutAfter so far.
func (p *Proxy) Cuts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}

// Forwarded is the number of bytes forwarded in direction dir so far.
func (p *Proxy) Forwarded(dir Direction) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bytes[dir]
}

// Accepted is the number of connections accepted so far.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Close stops the proxy, resets every connection and waits for its
// goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	ln := p.ln
	p.ln = nil
	if p.hang != nil {
		close(p.hang)
		p.hang = nil
	}
	conns := p.snapshotLocked()
	p.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	for _, c := range conns {
		c.reset()
	}
	p.wg.Wait()
	return nil
}

func (p *Proxy) snapshotLocked() []*conn {
	out := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		out = append(out, c)
	}
	return out
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serveLocked(ln)
}

func (p *Proxy) serveLocked(ln net.Listener) {
	p.ln = ln
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return // closed by Refuse or Close
			}
			p.accept(client)
		}
	}()
}

// conn is one proxied connection: the client's side and the server's.
type conn struct {
	client net.Conn
	done   chan struct{} // closed by reset

	mu       sync.Mutex
	server   net.Conn // nil until dialled
	wasReset bool
}

// reset closes both sides with an RST (SO_LINGER 0), as a broken network
// or a killed server does, rather than an orderly FIN.
func (c *conn) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wasReset {
		return
	}
	c.wasReset = true
	close(c.done)
	for _, nc := range []net.Conn{c.client, c.server} {
		if nc == nil {
			continue
		}
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		nc.Close()
	}
}

// setServer records the server side; false if the conn was reset first.
func (c *conn) setServer(server net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wasReset {
		return false
	}
	c.server = server
	return true
}

func (p *Proxy) accept(client net.Conn) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		client.Close()
		return
	}
	p.accepted++
	c := &conn{client: client, done: make(chan struct{})}
	p.conns[c] = struct{}{}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		defer func() {
			p.mu.Lock()
			delete(p.conns, c)
			p.mu.Unlock()
			c.reset()
		}()
		server, err := p.dial("tcp", p.target)
		if err != nil {
			return // the client sees its connection reset, as from a dead server
		}
		if !c.setServer(server) { // reset while dialling
			server.Close()
			return
		}
		var wg sync.WaitGroup
		wg.Go(func() { p.forward(c, Upstream, client, server) })
		wg.Go(func() { p.forward(c, Downstream, server, client) })
		wg.Wait()
	}()
}

// forward copies src to dst chunk by chunk, applying the faults in force
// when each chunk arrives.
func (p *Proxy) forward(c *conn, dir Direction, src, dst net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.gate(c) {
				return
			}
			allowed, cut := p.consume(dir, n)
			if allowed > 0 {
				if _, werr := dst.Write(buf[:allowed]); werr != nil {
					c.reset()
					return
				}
			}
			if cut {
				c.reset()
				return
			}
		}
		if err != nil {
			if err == io.EOF {
				// Pass the half-close on, so request/response framing
				// that relies on it keeps working.
				if tc, ok := dst.(*net.TCPConn); ok {
					tc.CloseWrite()
					return
				}
			}
			c.reset()
			return
		}
	}
}

// gate waits while the proxy hangs and for the latency; false means the
// connection was reset meanwhile.
func (p *Proxy) gate(c *conn) bool {
	var latency time.Duration
	for {
		p.mu.Lock()
		hang := p.hang
		latency = p.latency
		p.mu.Unlock()
		if hang == nil {
			break
		}
		select {
		case <-hang:
		case <-c.done:
			return false
		}
	}
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.done:
			return false
		}
	}
	return true
}

// consume counts n bytes against an armed cut in dir: it returns how many
// may go through and whether the connection must then be cut.
func (p *Proxy) consume(dir Direction, n int) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	left := p.cut[dir]
	if left < 0 || int64(n) <= left {
		if left >= 0 {
			p.cut[dir] = left - int64(n)
		}
		p.bytes[dir] += int64(n)
		return n, false
	}
	p.cut[dir] = -1
	p.cuts++
	p.bytes[dir] += left
	return int(left), true
}
