package conformance

import (
	"bytes"
	"compress/gzip"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// sampleAttributes are HTTP attributes with every field set, in forms
// that stores must keep byte for byte.
var sampleAttributes = backend.HTTPAttributes{
	CacheControl:       "public, max-age=3600",
	ContentDisposition: `attachment; filename="capture 1.pcap"`,
	ContentEncoding:    "gzip",
	ContentLanguage:    "en-GB",
}

// gzipped returns data compressed, so that an object stored with
// ContentEncoding gzip really is gzip: a driver (or its SDK or HTTP
// client) that decompresses on read returns other bytes.
func gzipped(t T, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return buf.Bytes()
}

func wantAttributes(t T, what string, got, want backend.HTTPAttributes, gotCT, wantCT string) {
	if got != want {
		t.Errorf("%s: HTTP attributes %+v, want %+v", what, got, want)
	}
	if gotCT != wantCT {
		t.Errorf("%s: content type %q, want %q", what, gotCT, wantCT)
	}
}

func checkHTTPAttributes(t T, b backend.Backend) {
	const key = "attrs/capture.pcap.gz"
	data := gzipped(t, payload(91, 4000))
	for _, size := range []int64{int64(len(data)), -1} {
		opts := backend.PutOptions{Size: size, ContentType: "text", HTTPAttributes: sampleAttributes}
		mustPut(t, b, key, data, opts)
		what := fmt.Sprintf("after a put of size %d with every attribute and the bare content type \"text\"", size)
		st := mustStat(t, b, key)
		wantAttributes(t, "Stat "+what, st.HTTPAttributes, sampleAttributes, st.ContentType, "text")
		got, info := mustGet(t, b, key, backend.WholeObject)
		wantAttributes(t, "Get "+what, info.HTTPAttributes, sampleAttributes, info.ContentType, "text")
		if !bytes.Equal(got, data) {
			t.Errorf("Get %s returned %s, want the %s put (stored bytes, never decoded by ContentEncoding)", what, describe(got), describe(data))
		}
		ranged, _ := mustGet(t, b, key, backend.GetOptions{Offset: 10, Length: 100})
		if !bytes.Equal(ranged, data[10:110]) {
			t.Errorf("Get(offset 10, length 100) %s returned %s, want %s", what, describe(ranged), describe(data[10:110]))
		}
	}

	mustPut(t, b, key, data, sized(data))
	st := mustStat(t, b, key)
	wantAttributes(t, "Stat after an overwrite without attributes", st.HTTPAttributes, backend.HTTPAttributes{}, st.ContentType, backend.DefaultContentType)

	cp, ok := backend.As[backend.Copier](b)
	if !ok {
		return
	}
	mustPut(t, b, key, data, backend.PutOptions{Size: int64(len(data)), ContentType: "text", HTTPAttributes: sampleAttributes})
	const dst = "attrs/copy"
	if _, err := cp.Copy(t.Context(), dst, key, backend.CopyOptions{}); err != nil && !wantErr(t, err, backend.ErrNotSupported, "Copy(%q, %q)", dst, key) {
		return
	} else if err == nil {
		st := mustStat(t, b, dst)
		wantAttributes(t, "Stat of a copy", st.HTTPAttributes, sampleAttributes, st.ContentType, "text")
	}
	other := backend.HTTPAttributes{CacheControl: "no-store"}
	_, err := cp.Copy(t.Context(), dst, key, backend.CopyOptions{ReplaceMetadata: true, ContentType: "text/x", HTTPAttributes: other})
	if err != nil {
		wantErr(t, err, backend.ErrNotSupported, "Copy(%q, %q) replacing attributes", dst, key)
		return
	}
	st = mustStat(t, b, dst)
	wantAttributes(t, "Stat of a copy that replaced the attributes", st.HTTPAttributes, other, st.ContentType, "text/x")
}

// wantChecksum checks that what (an ObjectInfo from Stat or Get) carries
// the checksum of data.
func wantChecksum(t T, what string, got backend.Checksum, data []byte) {
	if got.IsZero() {
		t.Errorf("%s: no checksum; every object a driver puts must have one (ObjectInfo.Checksum)", what)
		return
	}
	if want := backend.ChecksumOf(got.Algorithm, data); !got.Equal(want) {
		t.Errorf("%s: checksum %s, but the bytes put have %s", what, got, want)
	}
}

func checkChecksums(t T, b backend.Backend) {
	for i, c := range []struct {
		key  string
		data []byte
		size int64
	}{
		{"sum/small", payload(92, 1000), 1000},
		{"sum/empty", nil, 0},
		{"sum/unknown-size", payload(93, 70_000), -1},
		{"sum/small", payload(94, 1001), 1001}, // an overwrite gets the new bytes' checksum
	} {
		info := mustPut(t, b, c.key, c.data, backend.PutOptions{Size: c.size})
		what := fmt.Sprintf("put %d (%q, %d bytes)", i, c.key, len(c.data))
		if !info.Checksum.IsZero() {
			wantChecksum(t, "Put's info after "+what, info.Checksum, c.data)
		}
		wantChecksum(t, "Stat after "+what, mustStat(t, b, c.key).Checksum, c.data)
		_, gi := mustGet(t, b, c.key, backend.WholeObject)
		wantChecksum(t, "Get after "+what, gi.Checksum, c.data)
	}
}
