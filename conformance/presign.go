package conformance

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

var presignedGetCheck = check{name: "presigned-get", fn: checkPresignedGet,
	doc: "a presigned GET URL, fetched by a plain HTTP client that never decompresses, serves the stored bytes (gzip, not decoded) with the content type and the four HTTP attributes as headers (skipped without a Presigner, or when it gives no http(s) URL)"}

// checkPresignedGet fetches a presigned GET of an object put with every
// HTTP attribute: a browser or curl given the URL sees what Stat says.
func checkPresignedGet(t T, b backend.Backend) {
	p, ok := backend.As[backend.Presigner](b)
	if !ok {
		t.Skipf("the backend has no Presigner")
	}
	const key, ct = "presign/served.gz", "application/vnd.tcpdump.pcap"
	data := gzipped(t, bytes.Repeat([]byte("packet "), 1000))
	mustPut(t, b, key, data, backend.PutOptions{Size: int64(len(data)), ContentType: ct, HTTPAttributes: sampleAttributes})
	u, err := p.Presign(t.Context(), http.MethodGet, key, time.Minute, backend.PresignOptions{})
	switch {
	case errors.Is(err, backend.ErrNotSupported):
		t.Skipf("Presign(GET): %v", err)
	case err != nil:
		t.Fatalf("Presign(GET, %q): %v", key, err)
	case !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://"):
		t.Skipf("Presign(GET) gave a URL that is not http(s): %.40s...", u)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatalf("presigned URL of %q: %v", key, err)
	}
	resp, err := (&http.Client{Transport: tr, Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("GET of the presigned URL of %q: %v", key, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the presigned GET of %q: %v", key, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned GET of %q: %s: %.200s", key, resp.Status, body)
	}
	if !bytes.Equal(body, data) {
		t.Errorf("presigned GET of %q: %d bytes that are not the %d stored (decoded gzip?)", key, len(body), len(data))
	}
	for name, want := range map[string]string{
		"Content-Type":        ct,
		"Cache-Control":       sampleAttributes.CacheControl,
		"Content-Disposition": sampleAttributes.ContentDisposition,
		"Content-Encoding":    sampleAttributes.ContentEncoding,
		"Content-Language":    sampleAttributes.ContentLanguage,
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("presigned GET of %q: %s %q, want %q", key, name, got, want)
		}
	}
}
