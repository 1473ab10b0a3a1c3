package fs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// TestRecordRoundTrip: every record encodeAttrs writes decodes to what it
// was made of, values that look like the format's separators included.
func TestRecordRoundTrip(t *testing.T) {
	sum := backend.ChecksumOf(backend.CRC32C, []byte("data"))
	for i, a := range []attrs{
		{contentType: backend.DefaultContentType, checksum: sum},
		{contentType: "text/plain; charset=utf-8", checksum: backend.ChecksumOf(backend.CRC32C, nil)},
		{contentType: "a: b", metadata: map[string]string{"k": "v=w: x", "e": "", "ü": "ünïcode"}},
		{contentType: "x", checksum: sum, http: backend.HTTPAttributes{
			CacheControl:       "public, max-age=3600",
			ContentDisposition: `attachment; filename="a: b=c.pcap"`,
			ContentEncoding:    "gzip",
			ContentLanguage:    "en-GB",
		}, metadata: map[string]string{"host": "web-1"}},
		{contentType: "y", http: backend.HTTPAttributes{ContentLanguage: "de"}},
		{contentType: "z", checksum: backend.ChecksumOf(backend.MD5, []byte("data"))},
	} {
		rec := encodeAttrs(a)
		got, ok := decodeAttrs(rec)
		require.True(t, ok, "record %d %q does not decode", i, rec)
		assert.Equal(t, a, got, "record %d %q", i, rec)
	}
}

// TestRecordFitsInInode: the record of an object with the default content
// type, a checksum and nothing else is at most 64 bytes, what ext4 keeps
// inside an inode of 256 bytes (a longer one costs a block per object).
func TestRecordFitsInInode(t *testing.T) {
	rec := encodeAttrs(attrs{contentType: backend.DefaultContentType, checksum: crc32cChecksum(0xffffffff)})
	assert.LessOrEqual(t, len(rec), 64, "record %q", rec)
	rec = encodeAttrs(attrs{contentType: "application/vnd.tcpdump.pcap", checksum: crc32cChecksum(0)})
	assert.LessOrEqual(t, len(rec), 64, "record %q", rec)
}

// TestRecordLargest: the largest record a Put can write (every value at
// its limit) fits the buffer that reads records, and decodes.
func TestRecordLargest(t *testing.T) {
	long := strings.Repeat("v", backend.MaxHeaderValue)
	md := map[string]string{}
	for i := 0; backend.MetadataSize(md) < backend.MaxMetadataSize-40; i++ {
		md[fmt.Sprintf("k%02d", i)] = strings.Repeat("m", 20)
	}
	_, err := backend.NormalizeMetadata("put", "k", md)
	require.NoError(t, err)
	a := attrs{contentType: long, metadata: md, checksum: crc32cChecksum(1),
		http: backend.HTTPAttributes{CacheControl: long, ContentDisposition: long, ContentEncoding: long, ContentLanguage: long}}
	rec := encodeAttrs(a)
	assert.LessOrEqual(t, len(rec), maxAttrLen)
	assert.Greater(t, len(rec), smallAttrLen, "such a record may be refused by ext4 (setAttr's error)")
	got, ok := decodeAttrs(rec)
	require.True(t, ok)
	assert.Equal(t, a, got)
}

// TestRecordV2: records of the previous version read as before, with no
// HTTP attributes and no checksum.
func TestRecordV2(t *testing.T) {
	a, ok := decodeAttrs([]byte("objstore/fs v2\napplication/vnd.tcpdump.pcap\nhost=web-1\nnote=a=b\n"))
	require.True(t, ok)
	assert.Equal(t, attrs{contentType: "application/vnd.tcpdump.pcap", metadata: map[string]string{"host": "web-1", "note": "a=b"}}, a)
	a, ok = decodeAttrs([]byte("objstore/fs v2\napplication/octet-stream\n"))
	require.True(t, ok)
	assert.Equal(t, attrs{contentType: "application/octet-stream"}, a)
}

// TestRecordLaterVersion: a named field or a checksum algorithm this
// version does not know is ignored, the rest read.
func TestRecordLaterVersion(t *testing.T) {
	a, ok := decodeAttrs([]byte("objstore/fs v3\ntext/plain\nsha512:AAAA\ncache-control: no-store\nx-new-field: 1\n\nk=v\n"))
	require.True(t, ok)
	assert.Equal(t, attrs{contentType: "text/plain", http: backend.HTTPAttributes{CacheControl: "no-store"}, metadata: map[string]string{"k": "v"}}, a)
}

// TestRecordForeign: what encodeAttrs cannot have written is no record:
// the file is then read as a plain file.
func TestRecordForeign(t *testing.T) {
	for _, rec := range []string{
		"",
		"objstore/fs v3",
		"objstore/fs v3\n",
		"objstore/fs v3\ntext/plain\n",   // no checksum line
		"objstore/fs v3\ntext/plain\n\n", // no end of the fields
		"objstore/fs v3\n\n\n\n",         // no content type
		"objstore/fs v3\ntext/plain\ncrc32c:AAAA\n\n",                          // a digest of the wrong length
		"objstore/fs v3\ntext/plain\ncrc32c:!!!!!!==\n\n",                      // no base64
		"objstore/fs v3\ntext/plain\n\ncache-control\n\n",                      // a field without ": "
		"objstore/fs v3\ntext/plain\n\ncache-control: a\ncache-control: b\n\n", // twice
		"objstore/fs v3\ntext/plain\n\n\nk=v",                                  // no final newline
		"objstore/fs v3\ntext/plain\n\n\n=v\n",                                 // no key
		"objstore/fs v3\ntext/plain\n\n\nkv\n",                                 // no "="
		"objstore/fs v2\ntext/plain",
		"objstore/fs v2\n\n",
		"objstore/fs v2\ntext/plain\n\nk=v\n",
		"objstore/fs v4\ntext/plain\n\n\n",
		"user data",
	} {
		_, ok := decodeAttrs([]byte(rec))
		assert.False(t, ok, "%q decodes", rec)
	}
}
