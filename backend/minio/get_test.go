package minio_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/testserver"
)

func TestGetRanges(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	ctx := context.Background()
	data := payload(9, 1000)
	_, err := d.Put(ctx, "r", bytes.NewReader(data), backend.PutOptions{Size: 1000})
	require.NoError(t, err)
	_, err = d.Put(ctx, "empty", bytes.NewReader(nil), backend.PutOptions{Size: 0})
	require.NoError(t, err)

	for _, c := range []struct {
		key          string
		off, n       int64
		want         []byte
		wantErr      error
		wantInfoSize int64
	}{
		{"r", 0, -1, data, nil, 1000},
		{"r", 10, 20, data[10:30], nil, 1000},
		{"r", 990, 100, data[990:], nil, 1000}, // cut at the end
		{"r", 999, -1, data[999:], nil, 1000},
		{"r", 1000, -1, nil, nil, 1000}, // at the end: empty (the server answers 416)
		{"r", 1000, 5, nil, nil, 1000},
		{"r", 500, 0, nil, nil, 1000}, // zero length: no body request
		{"r", 1001, -1, nil, backend.ErrInvalidArgument, 0},
		{"r", 1001, 0, nil, backend.ErrInvalidArgument, 0},
		{"empty", 0, -1, nil, nil, 0},
		{"empty", 0, 10, nil, nil, 0},
		{"empty", 1, -1, nil, backend.ErrInvalidArgument, 0},
		{"missing", 0, -1, nil, backend.ErrNotFound, 0},
		{"missing", 5, 0, nil, backend.ErrNotFound, 0},
		{"missing", 5, 10, nil, backend.ErrNotFound, 0},
	} {
		rc, info, err := d.Get(ctx, c.key, backend.GetOptions{Offset: c.off, Length: c.n})
		if c.wantErr != nil {
			require.ErrorIs(t, err, c.wantErr, "%s [%d, +%d)", c.key, c.off, c.n)
			assert.Contains(t, err.Error(), c.key)
			continue
		}
		require.NoError(t, err, "%s [%d, +%d)", c.key, c.off, c.n)
		assert.Equal(t, c.wantInfoSize, info.Size, "%s [%d, +%d): info of the whole object", c.key, c.off, c.n)
		assert.Equal(t, len(c.want), len(readAll(t, rc)), "%s [%d, +%d)", c.key, c.off, c.n)
	}
}

// TestGetBrokenConnection kills the server in the middle of a download:
// the reader must fail, never end cleanly with short data.
func TestGetBrokenConnection(t *testing.T) {
	srv := testserver.StartMinIO(t)
	d := openDriver(t, srv, nil)
	ctx := context.Background()
	const size = 64 * mib
	_, err := d.Put(ctx, "big", &failAfter{r: zeroes{}, n: size, err: io.EOF}, backend.PutOptions{Size: size})
	require.NoError(t, err)
	rc, info, err := d.Get(ctx, "big", backend.WholeObject)
	require.NoError(t, err)
	defer rc.Close()
	require.EqualValues(t, size, info.Size)
	_, err = io.ReadFull(rc, make([]byte, mib))
	require.NoError(t, err)
	srv.Kill(t)
	n, err := io.Copy(io.Discard, rc)
	require.Error(t, err, "read %d more bytes and ended cleanly", n)
	assert.ErrorIs(t, err, backend.ErrUnavailable)
	assert.Less(t, n, int64(size-mib))
}

// TestTLS talks HTTPS with a custom certificate authority, through a TLS
// proxy in front of the real server.
func TestTLS(t *testing.T) {
	srv := testserver.StartMinIO(t)
	target, err := url.Parse(srv.URL())
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	ptr := &http.Transport{DisableCompression: true}
	t.Cleanup(ptr.CloseIdleConnections)
	proxy.Transport = ptr
	ts := httptest.NewTLSServer(proxy)
	t.Cleanup(ts.Close)
	endpoint := strings.TrimPrefix(ts.URL, "https://")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600))
	ctx := context.Background()

	use := func(cfg minio.Config, ep string) error {
		d, err := minio.NewEndpoint(ctx, cfg, ep)
		if err != nil {
			return err
		}
		defer d.Close()
		if _, err := d.Put(ctx, "tls", strings.NewReader("over tls"), backend.PutOptions{Size: 8}); err != nil {
			return err
		}
		rc, _, err := d.Get(ctx, "tls", backend.WholeObject)
		if err != nil {
			return err
		}
		assert.Equal(t, "over tls", string(readAll(t, rc)))
		return nil
	}
	base := baseConfig(t, srv)

	withCA := base
	withCA.Secure, withCA.CAFile = true, caFile
	require.NoError(t, use(withCA, endpoint), "Secure with CAFile")

	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	withConf := base
	withConf.CreateBucket = false
	withConf.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	require.NoError(t, use(withConf, "https://"+endpoint), "an https:// endpoint with TLSConfig")

	noCA := base
	noCA.Secure, noCA.CreateBucket = true, false
	err = use(noCA, endpoint)
	require.Error(t, err, "the proxy's certificate is not trusted without the CA")
	var uerr x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &uerr)

	plainWithCA := base
	plainWithCA.CAFile = caFile
	_, err = minio.NewEndpoint(ctx, plainWithCA, srv.Endpoint)
	assert.ErrorIs(t, err, backend.ErrInvalidArgument, "a CA file for a plain http endpoint")
}
