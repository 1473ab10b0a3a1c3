package faultproxy

import (
	"io"
	"net/http"
	"sync/atomic"
)

// CorruptGets is an http.RoundTripper that flips one byte in the middle of
// the body of every successful GET answer (200 or 206) whose
// Content-Length is more than 2: an object damaged on the server's disk or
// on its way back. The status, the length and every header (the checksum
// the server sends included) are unchanged, so only a check of the bytes
// against the checksum can tell. Answers of unknown length are passed
// through unchanged.
type CorruptGets struct {
	Base    http.RoundTripper // the transport that fetches the answers
	damaged atomic.Int64
}

// RoundTrip fetches the answer and arranges for its body to be damaged as
// it is read.
func (c *CorruptGets) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.Base.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || resp.ContentLength <= 2 ||
		(resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent) {
		return resp, err
	}
	resp.Body = &flipper{rc: resp.Body, at: resp.ContentLength / 2, c: c}
	return resp, nil
}

// Damaged returns the number of bodies damaged so far: those read past
// their middle.
func (c *CorruptGets) Damaged() int64 { return c.damaged.Load() }

// flipper flips the byte at offset at of the body it reads.
type flipper struct {
	rc io.ReadCloser
	at int64 // offset of the byte to flip from the next Read on; < 0 once flipped
	c  *CorruptGets
}

func (f *flipper) Read(p []byte) (int, error) {
	n, err := f.rc.Read(p)
	if f.at >= 0 {
		if f.at < int64(n) {
			p[f.at] ^= 0x55
			f.at = -1
			f.c.damaged.Add(1)
		} else {
			f.at -= int64(n)
		}
	}
	return n, err
}

func (f *flipper) Close() error { return f.rc.Close() }
