package drivertest

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
)

// Marker is the run of bytes Damaging looks for in an upload: a run of
// 'A's, which JSON metadata and multipart framing never hold.
var Marker = []byte("AAAAAAAA")

// Damaging is an HTTP transport that flips one byte in transit: at offset
// 100 of the body of every successful answer (2xx) to a request Download
// accepts, when Reads is set, and in the middle of the first Marker of
// the body of every request Upload accepts, when Uploads is set. It
// counts what it damaged. Observe, if not nil, sees every request first.
type Damaging struct {
	Reads, Uploads   bool
	Download, Upload func(*http.Request) bool
	Observe          func(*http.Request)

	base    *http.Transport
	damaged atomic.Int32
}

// NewDamaging returns a Damaging over a clone of the default transport,
// whose connections are closed on cleanup; download and upload tell the
// requests whose bodies to damage.
func NewDamaging(t testing.TB, reads, uploads bool, download, upload func(*http.Request) bool) *Damaging {
	d := &Damaging{Reads: reads, Uploads: uploads, Download: download, Upload: upload,
		base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(d.base.CloseIdleConnections)
	return d
}

// Damaged returns how many bodies were damaged so far.
func (d *Damaging) Damaged() int32 { return d.damaged.Load() }

// RoundTrip sends req, damaging what it must.
func (d *Damaging) RoundTrip(req *http.Request) (*http.Response, error) {
	if d.Observe != nil {
		d.Observe(req)
	}
	if d.Uploads && req.Body != nil && d.Upload(req) {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if i := bytes.Index(body, Marker); i >= 0 {
			body = bytes.Clone(body)
			body[i+len(Marker)/2] ^= 0x01
			d.damaged.Add(1)
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	resp, err := d.base.RoundTrip(req)
	if err == nil && d.Reads && d.Download(req) && resp.StatusCode/100 == 2 {
		resp.Body = &flipAt{ReadCloser: resp.Body, at: 100, d: d}
	}
	return resp, err
}

// flipAt flips the byte at offset at of a body.
type flipAt struct {
	io.ReadCloser
	at, off int64
	d       *Damaging
}

func (f *flipAt) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	if i := f.at - f.off; i >= 0 && i < int64(n) {
		p[i] ^= 0x01
		f.d.damaged.Add(1)
	}
	f.off += int64(n)
	return n, err
}
