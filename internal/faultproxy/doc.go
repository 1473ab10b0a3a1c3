// Package faultproxy puts faults between a client and a real server, for
// tests of retries and failover: Proxy is a TCP proxy that can cut a
// connection after N bytes, add latency, stop forwarding (a hung server) or
// refuse connections (a dead one); HTTPProxy is a reverse proxy that
// answers scripted S3-style errors (429, 500, 503 SlowDown, 403, 412, ...)
// instead of forwarding, and counts the requests it sees; CorruptPuts is
// a client transport that damages one byte of every PUT body after the
// request was signed, for tests of end-to-end checksums.
//
// Both listen on 127.0.0.1 on a free port and forward to a target
// "host:port". They never mock the server: every request that is not
// faulted reaches the real one. Start and StartHTTP close the proxy on
// test cleanup; Close waits until every goroutine of the proxy is gone.
package faultproxy
