package gcs_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/internal/drivertest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// serviceAccount returns the JSON key of a made-up service account, with
// a private key generated for the test, and the key's public half.
func serviceAccount(t *testing.T) ([]byte, *rsa.PublicKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	js, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "objstore-test",
		"private_key_id": "test-key",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "signer@objstore-test.iam.gserviceaccount.com",
		"client_id":      "1",
		// Never asked: signing is local, and the test sends no request
		// through the signer's client.
		"token_uri": "http://127.0.0.1:1/token",
	})
	require.NoError(t, err)
	return js, &key.PublicKey
}

// openSigner opens the bucket of b a second time, with the service
// account's credentials: the Backend that signs.
func openSigner(t *testing.T, srv *testserver.FakeGCS, bucket string, creds []byte) *gcs.Backend {
	t.Helper()
	s, err := gcs.NewDriver(context.Background(), gcs.Config{
		Bucket:        bucket,
		Endpoint:      srv.URL + "/storage/v1/",
		ClientOptions: []option.ClientOption{option.WithAuthCredentialsJSON(option.ServiceAccount, creds)},
	})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// verifyV4 checks a V4 signed URL as GCS would, but for the clock: it
// rebuilds the canonical request from the URL (and the content type a
// PUT was bound to), and checks X-Goog-Signature against it with pub. It
// returns the parsed query.
func verifyV4(t *testing.T, raw, method, contentType string, pub *rsa.PublicKey) (url.Values, error) {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	for _, p := range []string{"X-Goog-Algorithm", "X-Goog-Credential", "X-Goog-Date", "X-Goog-Expires", "X-Goog-SignedHeaders", "X-Goog-Signature"} {
		require.NotEmpty(t, q.Get(p), "the URL has %s: %s", p, raw)
	}
	sig, err := hex.DecodeString(q.Get("X-Goog-Signature"))
	if err != nil {
		return q, err
	}
	signed := url.Values{}
	for k, v := range q {
		if k != "X-Goog-Signature" {
			signed[k] = v
		}
	}
	headers := map[string]string{"host": u.Hostname()}
	if contentType != "" {
		headers["content-type"] = contentType
	}
	var names, canon []string
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		canon = append(canon, k+":"+headers[k])
	}
	if got := strings.Join(names, ";"); q.Get("X-Goog-SignedHeaders") != got {
		return q, fmt.Errorf("signed headers %q, want %q", q.Get("X-Goog-SignedHeaders"), got)
	}
	canonical := strings.Join([]string{
		method,
		u.EscapedPath(),
		strings.ReplaceAll(signed.Encode(), "+", "%20"),
		strings.Join(canon, "\n") + "\n",
		q.Get("X-Goog-SignedHeaders"),
		"UNSIGNED-PAYLOAD",
	}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	cred := strings.SplitN(q.Get("X-Goog-Credential"), "/", 2)
	if len(cred) != 2 {
		return q, fmt.Errorf("credential %q has no scope", q.Get("X-Goog-Credential"))
	}
	toSign := strings.Join([]string{"GOOG4-RSA-SHA256", q.Get("X-Goog-Date"), cred[1], hex.EncodeToString(sum[:])}, "\n")
	digest := sha256.Sum256([]byte(toSign))
	return q, rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
}

// do sends one request with a plain client, no credentials.
func do(t *testing.T, method, u, contentType, body string) (*http.Response, string) {
	t.Helper()
	return drivertest.Send(t, method, u, drivertest.ContentType(contentType), body)
}

// TestPresignV4 signs each method with a service account's key and uses
// the URLs on fake-gcs-server with a plain HTTP client. fake-gcs-server
// does not check signatures, so each signature is checked here, as GCS
// would check it, with the account's public key: a tampered URL fails
// that check, and the expiry is the one asked for.
func TestPresignV4(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	anon := openFresh(t, srv, gcs.Config{})
	creds, pub := serviceAccount(t)
	s := openSigner(t, srv, anon.Bucket(), creds)
	ctx := t.Context()
	const key = "pre/sent é+1"
	sign := func(method string, opts backend.PresignOptions) string {
		t.Helper()
		u, err := s.Presign(ctx, method, key, time.Hour, opts)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(u, srv.URL+"/"+anon.Bucket()+"/"), "path-style on the emulator over http: %s", u)
		q, err := verifyV4(t, u, method, opts.ContentType, pub)
		require.NoError(t, err, "the signature of %s verifies with the public key", method)
		assert.Equal(t, "GOOG4-RSA-SHA256", q.Get("X-Goog-Algorithm"))
		assert.True(t, strings.HasPrefix(q.Get("X-Goog-Credential"), "signer@objstore-test.iam.gserviceaccount.com/"), q.Get("X-Goog-Credential"))
		assert.Equal(t, "3600", q.Get("X-Goog-Expires"))
		date, err := time.Parse("20060102T150405Z", q.Get("X-Goog-Date"))
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now(), date, time.Minute)
		assert.NotContains(t, u, "PRIVATE KEY")
		return u
	}

	put := sign(http.MethodPut, backend.PresignOptions{ContentType: "text/plain"})
	resp, _ := do(t, http.MethodPut, put, "text/plain", "presigned body")
	require.Equal(t, http.StatusOK, resp.StatusCode, "PUT stores")
	info, err := anon.Stat(ctx, key)
	require.NoError(t, err)
	assert.EqualValues(t, len("presigned body"), info.Size)
	_, err = verifyV4(t, put, http.MethodPut, "application/octet-stream", pub)
	assert.Error(t, err, "the content type is signed: another one does not verify")
	_, err = verifyV4(t, put, http.MethodPut, "", pub)
	assert.Error(t, err, "nor does none")

	get := sign(http.MethodGet, backend.PresignOptions{})
	resp, body := do(t, http.MethodGet, get, "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "presigned body", body, "GET returns the bytes")

	head := sign(http.MethodHead, backend.PresignOptions{})
	resp, _ = do(t, http.MethodHead, head, "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, strconv.Itoa(len("presigned body")), resp.Header.Get("Content-Length"), "HEAD gives the size")

	// Tampering with anything signed breaks the signature: the method,
	// the key, the expiry, the signature itself.
	_, err = verifyV4(t, get, http.MethodDelete, "", pub)
	assert.Error(t, err, "a GET URL used for a DELETE")
	_, err = verifyV4(t, strings.Replace(get, "/pre/", "/prf/", 1), http.MethodGet, "", pub)
	assert.Error(t, err, "another key")
	_, err = verifyV4(t, strings.Replace(get, "X-Goog-Expires=3600", "X-Goog-Expires=7200", 1), http.MethodGet, "", pub)
	assert.Error(t, err, "a longer expiry")
	u, _ := url.Parse(get)
	q := u.Query()
	sig := q.Get("X-Goog-Signature")
	flipped := map[bool]string{true: "1", false: "0"}[sig[0] == '0'] + sig[1:]
	q.Set("X-Goog-Signature", flipped)
	u.RawQuery = q.Encode()
	_, err = verifyV4(t, u.String(), http.MethodGet, "", pub)
	assert.Error(t, err, "another signature")

	del := sign(http.MethodDelete, backend.PresignOptions{})
	resp, _ = do(t, http.MethodDelete, del, "", "")
	require.Less(t, resp.StatusCode, 300, "DELETE removes")
	_, err = anon.Stat(ctx, key)
	require.ErrorIs(t, err, backend.ErrNotFound)
}

// TestPresignRefusals: arguments are checked before signing, and a client
// that cannot sign says so.
func TestPresignRefusals(t *testing.T) {
	srv := testserver.StartFakeGCS(t)
	anon := openFresh(t, srv, gcs.Config{})
	creds, _ := serviceAccount(t)
	s := openSigner(t, srv, anon.Bucket(), creds)
	ctx := t.Context()

	u, err := s.Presign(ctx, http.MethodGet, "k", gcs.MaxPresignExpiry, backend.PresignOptions{})
	require.NoError(t, err, "7 days is allowed")
	assert.Contains(t, u, "X-Goog-Expires=604800")
	_, err = s.Presign(ctx, http.MethodGet, "k", gcs.MaxPresignExpiry+time.Second, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "7 days")
	_, err = s.Presign(ctx, http.MethodGet, "k", 0, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = s.Presign(ctx, http.MethodPost, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidArgument)
	_, err = s.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{ContentType: "text/plain"})
	require.ErrorIs(t, err, backend.ErrInvalidArgument, "a content type binds only a PUT")
	_, err = s.Presign(ctx, http.MethodGet, "a//b", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrInvalidKey)

	_, err = anon.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrNotSupported, "an anonymous client cannot sign")

	require.NoError(t, s.Close())
	_, err = s.Presign(ctx, http.MethodGet, "k", time.Minute, backend.PresignOptions{})
	require.ErrorIs(t, err, backend.ErrClosed)
}
