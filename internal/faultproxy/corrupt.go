package faultproxy

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
)

// CorruptPuts is an http.RoundTripper that flips one byte in the middle of
// the body of every PUT (whole objects and multipart parts) after the
// client has signed the request: a body damaged between the client and
// the server's disk. Its length is unchanged, so only a checksum can tell.
type CorruptPuts struct {
	Base    http.RoundTripper // the transport that sends the damaged request
	damaged atomic.Int64
}

// RoundTrip damages the body of a PUT of more than 2 bytes and sends it.
func (c *CorruptPuts) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && req.Body != nil && req.Body != http.NoBody && req.ContentLength > 2 {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body[len(body)/2] ^= 0x55
		c.damaged.Add(1)
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	return c.Base.RoundTrip(req)
}

// Damaged returns the number of bodies damaged so far.
func (c *CorruptPuts) Damaged() int64 { return c.damaged.Load() }
