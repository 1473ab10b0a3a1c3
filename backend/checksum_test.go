package backend_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

func TestChecksumOfKnownValues(t *testing.T) {
	// CRC32C of "123456789" is 0xE3069283 (RFC 3720, B.4).
	c := backend.ChecksumOf(backend.CRC32C, []byte("123456789"))
	assert.Equal(t, []byte{0xe3, 0x06, 0x92, 0x83}, c.Value)
	assert.Equal(t, "crc32c:4waSgw==", c.String())
	p, err := backend.ParseChecksum(backend.CRC32C, "4waSgw==")
	require.NoError(t, err)
	assert.True(t, p.Equal(c))
	_, err = backend.ParseChecksum(backend.CRC32C, "AAAA") // 3 bytes
	assert.Error(t, err)
	m := backend.ChecksumOf(backend.MD5, []byte(""))
	assert.Equal(t, "md5:1B2M2Y8AsgTpgAmY7PhCfg==", m.String())
	assert.True(t, backend.Checksum{}.IsZero())
	assert.Equal(t, "", backend.Checksum{}.String())
}

func TestVerifyReader(t *testing.T) {
	data := strings.Repeat("captured packets ", 1000)
	good := backend.ChecksumOf(backend.CRC32C, []byte(data))

	got, err := io.ReadAll(backend.VerifyReader("get", "k", io.NopCloser(strings.NewReader(data)), good))
	require.NoError(t, err)
	assert.Equal(t, data, string(got))

	damaged := data[:100] + "X" + data[101:]
	r := backend.VerifyReader("get", "cap/1", io.NopCloser(strings.NewReader(damaged)), good)
	_, err = io.ReadAll(r)
	require.ErrorIs(t, err, backend.ErrCorrupt)
	assert.ErrorContains(t, err, "cap/1")
	_, err = r.Read(make([]byte, 1)) // the verdict sticks
	assert.ErrorIs(t, err, backend.ErrCorrupt)

	// io.Copy goes through WriteTo: verified the same way.
	var sink bytes.Buffer
	_, err = io.Copy(&sink, backend.VerifyReader("get", "cap/1", io.NopCloser(strings.NewReader(damaged)), good))
	require.ErrorIs(t, err, backend.ErrCorrupt)
	sink.Reset()
	_, err = io.Copy(&sink, backend.VerifyReader("get", "k", io.NopCloser(strings.NewReader(data)), good))
	require.NoError(t, err)
	assert.Equal(t, data, sink.String())

	// No checksum: nothing to verify, the reader is returned as it is.
	rc := io.NopCloser(strings.NewReader(damaged))
	assert.Equal(t, rc, backend.VerifyReader("get", "k", rc, backend.Checksum{}))

	// A body marked ChecksumVerified is returned as it is; the same bytes
	// behind a reader without the mark are checked.
	marked := verifiedBody{io.NopCloser(strings.NewReader(damaged))}
	assert.Equal(t, io.ReadCloser(marked), backend.VerifyReader("get", "k", marked, good))
	_, err = io.ReadAll(backend.VerifyReader("get", "k", io.NopCloser(marked), good))
	assert.ErrorIs(t, err, backend.ErrCorrupt)
}

type verifiedBody struct{ io.ReadCloser }

func (verifiedBody) ChecksumVerified() {}
