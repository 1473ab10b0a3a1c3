package reliability_test

// Cross-driver reliability tests: the rows of RELIABILITY.md that no one
// driver's package can prove alone. docs/reliability.md maps every row to
// its tests. Run them with `go test -race ./internal/reliability/`.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/fs"
	"github.com/objstore-dev/objstore/backend/gcs"
	"github.com/objstore-dev/objstore/backend/gocloud"
	"github.com/objstore-dev/objstore/backend/logging"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/minio"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/conformance"
	"github.com/objstore-dev/objstore/internal/leakcheck"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// ---- secrets ----------------------------------------------------------------

// shown collects every text the library shows about a store opened with
// a planted secret: error messages, String() and the %v, %+v and %#v of
// clients, configurations and errors, and what the driver and the logging
// wrapper write to slog at debug level. noSecrets then fails for any of
// them that holds a secret, in any of the forms a URL or header gives it.
type shown struct {
	t     *testing.T
	texts []string // "what: text"
	logs  bytes.Buffer
}

func newShown(t *testing.T) *shown { return &shown{t: t} }

// logger writes JSON records at every level into s.logs.
func (s *shown) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(&s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// value records every way fmt shows v, a value that nothing changes
// while it is printed (a configuration, an error, a string).
func (s *shown) value(what string, v any) {
	s.texts = append(s.texts, fmt.Sprintf("%s: %v | %+v | %#v | %s", what, v, v, v, v))
}

// live records how fmt shows a backend or client in use: %v, %+v and %s,
// which use its String method. (%#v of a type without GoString would read
// its fields by reflection while its goroutines change them.)
func (s *shown) live(what string, v any) {
	s.texts = append(s.texts, fmt.Sprintf("%s: %v | %+v | %s", what, v, v, v))
}

// err records a failed operation's error, which must be there.
func (s *shown) err(what string, err error) {
	s.t.Helper()
	require.Error(s.t, err, what)
	s.value(what, err)
}

// forms are the ways a secret appears in text: as is, and escaped for a
// URL's query or path.
func forms(secret string) []string {
	out := []string{secret}
	for _, f := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		if f != secret {
			out = append(out, f)
		}
	}
	return out
}

// noSecrets asserts that no text, and no log line, holds any secret.
func (s *shown) noSecrets(secrets ...string) {
	s.t.Helper()
	all := append(s.texts, "slog: "+s.logs.String())
	for _, secret := range secrets {
		require.GreaterOrEqual(s.t, len(secret), 8, "a planted secret must be long enough not to match by chance")
		for _, form := range forms(secret) {
			for _, text := range all {
				if strings.Contains(text, form) {
					s.t.Errorf("a secret (%.4s...) is shown in %.400s", form, text)
				}
			}
		}
	}
}

func randomSecret(t *testing.T, prefix string) string {
	var b [12]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return prefix + hex.EncodeToString(b[:])
}

// signatureOf returns the value of the signature parameter of a presigned
// URL, which must be there.
func signatureOf(t *testing.T, raw, param string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	sig := u.Query().Get(param)
	require.NotEmpty(t, sig, "the presigned URL has no %s: %s", param, raw)
	return sig
}

// signatureParam names the signature's query parameter of a presigned
// URL: SigV4's, GCS V4's, or an Azure SAS's.
func signatureParam(raw string) string {
	switch {
	case strings.Contains(raw, "X-Goog-Signature="):
		return "X-Goog-Signature"
	case strings.Contains(raw, "X-Amz-Signature="):
		return "X-Amz-Signature"
	}
	return "sig"
}

// exercise runs the operations whose errors and logs may carry what a
// store was opened with: a put, a missing key, an invalid key, a failing
// reader, a listing, and presigned URLs where the store has them. It
// returns the signatures of the presigned URLs, which must never appear in
// an error or a log line.
func exercise(t *testing.T, s *shown, b backend.Backend) (signatures []string) {
	ctx := t.Context()
	lb := logging.New(b, s.logger())
	s.live("backend", b)
	s.live("logging backend", lb)
	_, err := lb.Put(ctx, "secret-test/k", strings.NewReader("v"), backend.PutOptions{Size: 1})
	require.NoError(t, err)
	_, err = lb.Stat(ctx, "secret-test/missing")
	require.ErrorIs(t, err, backend.ErrNotFound)
	s.err("stat of a missing key", err)
	_, _, err = lb.Get(ctx, "secret-test/missing", backend.WholeObject)
	s.err("get of a missing key", err)
	_, err = lb.Stat(ctx, "../escape")
	s.err("an invalid key", err)
	_, err = lb.Put(ctx, "secret-test/failing", io.MultiReader(strings.NewReader("abc"), iotestErr{}), backend.PutOptions{Size: -1})
	s.err("a failing reader", err)
	_, err = lb.List(ctx, backend.ListOptions{Prefix: "secret-test/"})
	require.NoError(t, err)

	c := objstore.New(b)
	s.live("client", c)
	_, err = c.StatObject(ctx, "secret-test/missing")
	s.err("client stat", err)

	if p, ok := backend.As[backend.Presigner](lb); ok {
		get, err := p.Presign(ctx, http.MethodGet, "secret-test/k", time.Minute, backend.PresignOptions{})
		if errors.Is(err, backend.ErrNotSupported) {
			// The store has presigned URLs but was opened without a key
			// to sign with (GCS with an API key): the error must not show
			// what it was opened with either.
			s.err("presign without a signing key", err)
			return signatures
		}
		require.NoError(t, err)
		put, err := p.Presign(ctx, http.MethodPut, "secret-test/k", time.Minute, backend.PresignOptions{})
		require.NoError(t, err)
		// A presigned URL carries a signature (that is what it is for),
		// never the secret it was made with.
		s.value("presigned get URL", get)
		s.value("presigned put URL", put)
		signatures = append(signatures, signatureOf(t, get, signatureParam(get)), signatureOf(t, put, signatureParam(put)))
		_, err = p.Presign(ctx, http.MethodGet, "../escape", time.Minute, backend.PresignOptions{})
		s.err("presign of an invalid key", err)
	}
	return signatures
}

// iotestErr is the error of a failing source reader.
type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("the source failed") }

// noSignatures asserts that no error or log line holds a signature of a
// presigned URL (the URLs themselves, recorded by exercise, may).
func (s *shown) noSignatures(signatures []string) {
	s.t.Helper()
	var texts []string
	for _, text := range s.texts {
		if !strings.HasPrefix(text, "presigned ") {
			texts = append(texts, text)
		}
	}
	texts = append(texts, "slog: "+s.logs.String())
	for _, sig := range signatures {
		for _, text := range texts {
			if strings.Contains(text, sig) {
				s.t.Errorf("a presigned URL's signature is shown in %.400s", text)
			}
		}
	}
}

// deadEndpoint is a loopback address where nothing listens.
const deadEndpoint = "127.0.0.1:1"

// TestReliabilitySecrets opens every driver that takes a secret with a
// planted one, right and wrong, by typed constructor and by URL, drives
// it through successes and failures (missing keys, invalid keys, failing
// readers, refused credentials, unreachable servers, presigning), and
// greps everything shown for the secret.
func TestReliabilitySecrets(t *testing.T) {
	t.Run("minio", func(t *testing.T) {
		srv := testserver.StartMinIO(t)
		ctx := t.Context()
		s := newShown(t)
		wrong := randomSecret(t, "wrongSecret")
		cfg := minio.Config{
			Endpoints: []string{deadEndpoint, srv.Endpoint}, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
			Bucket: "secrets-minio", CreateBucket: true, Retry: failover.Retry{AttemptTimeout: 2 * time.Second},
		}
		s.value("config", cfg)
		mb, err := minio.New(ctx, cfg)
		require.NoError(t, err)
		// The failover events (a dead endpoint, retries) reach the log
		// through the logging wrapper's attempt hook.
		b := logging.New(mb, s.logger())
		defer b.Close()
		sigs := exercise(t, s, b)

		bad := cfg
		bad.SecretKey, bad.Endpoints, bad.CreateBucket = wrong, []string{srv.Endpoint}, false
		wb, err := minio.New(ctx, bad)
		require.NoError(t, err)
		defer wb.Close()
		_, err = wb.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrPermission)
		s.err("a wrong secret", err)

		gone := cfg
		gone.Endpoints, gone.CreateBucket, gone.Retry.MaxAttempts = []string{deadEndpoint}, false, 1
		gb, err := minio.New(ctx, gone)
		require.NoError(t, err)
		defer gb.Close()
		_, err = gb.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrUnavailable)
		s.err("an unreachable server", err)

		raw := fmt.Sprintf("minio://%s:%s@%s/secrets-minio-url?create_bucket=true", srv.AccessKey, url.QueryEscape(srv.SecretKey), srv.Endpoint)
		ub, err := backend.Open(ctx, raw)
		require.NoError(t, err)
		defer ub.Close()
		exercise(t, s, ub)
		_, err = backend.Open(ctx, raw+"&bogus=1")
		s.err("a URL with an unknown parameter", err)
		_, err = backend.Open(ctx, strings.Replace(raw, srv.SecretKey, wrong, 1)+"&create_bucket=true")
		s.err("a URL with a wrong secret and a bucket to create", err)
		_, err = backend.Open(ctx, "minio://"+srv.AccessKey+":"+wrong+"@host:notaport/bucket")
		s.err("a URL that does not parse", err)
		s.value("redacted URL", backend.Redact(raw))
		c, err := objstore.Open(ctx, raw)
		require.NoError(t, err)
		s.live("client by URL", c)
		require.NoError(t, c.Close())

		s.noSecrets(srv.SecretKey, wrong)
		s.noSignatures(sigs)
	})

	t.Run("s3", func(t *testing.T) {
		srv := testserver.StartMinIO(t)
		ctx := t.Context()
		s := newShown(t)
		wrong := randomSecret(t, "wrongSecret")
		cfg := s3drv.Config{
			Bucket: "secrets-s3", Region: srv.Region, Endpoint: srv.URL(), PathStyle: true, CreateBucket: true,
			Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
		}
		s.value("config", cfg)
		b, err := s3drv.New(ctx, cfg)
		require.NoError(t, err)
		defer b.Close()
		sigs := exercise(t, s, b)
		d, err := s3drv.NewDriver(ctx, cfg)
		require.NoError(t, err)
		defer d.Close()
		sigs = append(sigs, exercise(t, s, d)...)

		bad := cfg
		bad.Credentials, bad.CreateBucket = credentials.NewStaticCredentialsProvider(srv.AccessKey, wrong, ""), false
		s.value("config with a wrong secret", bad)
		wb, err := s3drv.NewDriver(ctx, bad)
		require.NoError(t, err)
		defer wb.Close()
		_, err = wb.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrPermission)
		s.err("a wrong secret", err)

		gone := cfg
		gone.Endpoint, gone.CreateBucket = "http://"+deadEndpoint, false
		gb, err := s3drv.NewDriver(ctx, gone)
		require.NoError(t, err)
		defer gb.Close()
		_, err = gb.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrUnavailable)
		s.err("an unreachable server", err)

		// By URL, with the credentials in the standard environment.
		t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
		t.Setenv("AWS_REGION", srv.Region)
		q := url.Values{"endpoint": {srv.URL()}, "path_style": {"true"}, "create_bucket": {"true"}}
		ub, err := backend.Open(ctx, "s3://secrets-s3-url?"+q.Encode())
		require.NoError(t, err)
		defer ub.Close()
		sigs = append(sigs, exercise(t, s, ub)...)
		_, err = backend.Open(ctx, "s3://secrets-s3-url?bogus=1&"+q.Encode())
		s.err("a URL with an unknown parameter", err)
		t.Setenv("AWS_SECRET_ACCESS_KEY", wrong)
		// The bucket is created on first use (s3.New), so the wrong secret
		// shows at the first request.
		wu, err := backend.Open(ctx, "s3://secrets-s3-wrong?"+q.Encode())
		require.NoError(t, err)
		defer wu.Close()
		_, err = wu.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrPermission)
		s.err("a URL with a wrong secret and a bucket to create", err)

		s.noSecrets(srv.SecretKey, wrong)
		s.noSignatures(sigs)
	})

	t.Run("azblob", func(t *testing.T) {
		az := testserver.StartAzurite(t)
		ctx := t.Context()
		s := newShown(t)
		// A key of the right form (64 random bytes, base64) that Azurite
		// refuses, and a SAS token with a planted signature.
		wrongKey := "WrOnG" + strings.Repeat("A", 81) + "=="
		sasSig := randomSecret(t, "sasSig")
		cfg := gocloud.AzureConfig{
			Container: "secrets-azure", ServiceURL: az.Endpoint, AccountName: az.Account, AccountKey: az.Key,
			CreateContainer: true,
		}
		s.value("config", cfg)
		b, err := gocloud.NewAzure(ctx, cfg)
		require.NoError(t, err)
		defer b.Close()
		exercise(t, s, b)

		bad := cfg
		bad.AccountKey, bad.CreateContainer = wrongKey, false
		s.value("config with a wrong key", bad)
		wb, err := gocloud.NewAzure(ctx, bad)
		require.NoError(t, err)
		defer wb.Close()
		_, err = wb.Stat(ctx, "k")
		require.Error(t, err)
		s.err("a wrong key", err)

		sas := gocloud.AzureConfig{Container: "secrets-azure", ServiceURL: az.Endpoint,
			SASToken: "sv=2021-08-06&ss=b&srt=co&sp=rl&se=2099-01-01T00:00:00Z&sig=" + sasSig}
		s.value("config with a SAS token", sas)
		sb, err := gocloud.NewAzure(ctx, sas)
		require.NoError(t, err)
		defer sb.Close()
		_, err = sb.Stat(ctx, "k")
		s.err("a refused SAS token", err)
		_, err = sb.Put(ctx, "k", strings.NewReader("v"), backend.PutOptions{Size: 1})
		s.err("a put with a refused SAS token", err)

		conn := gocloud.AzureConfig{Container: "secrets-azure", ConnectionString: az.ConnectionString()}
		s.value("config with a connection string", conn)
		cb, err := gocloud.NewAzure(ctx, conn)
		require.NoError(t, err)
		defer cb.Close()
		exercise(t, s, cb)

		gone := cfg
		gone.ServiceURL, gone.CreateContainer = "http://"+deadEndpoint+"/"+az.Account, false
		gb, err := gocloud.NewAzure(ctx, gone)
		require.NoError(t, err)
		defer gb.Close()
		_, err = gb.Stat(ctx, "k")
		s.err("an unreachable server", err)

		// By URL, with the key in gocloud's environment variables.
		u, err := url.Parse(az.Endpoint)
		require.NoError(t, err)
		for _, v := range []string{"AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGEBLOB_CONNECTIONSTRING",
			"AZURE_STORAGE_IS_CDN", "AZURE_STORAGE_IS_LOCAL_EMULATOR"} {
			t.Setenv(v, "")
		}
		t.Setenv("AZURE_STORAGE_ACCOUNT", az.Account)
		t.Setenv("AZURE_STORAGE_KEY", az.Key)
		t.Setenv("AZURE_STORAGE_DOMAIN", u.Host)
		t.Setenv("AZURE_STORAGE_PROTOCOL", "http")
		ub, err := backend.Open(ctx, "azblob://secrets-azure-url?create_container=true")
		require.NoError(t, err)
		defer ub.Close()
		exercise(t, s, ub)
		_, err = backend.Open(ctx, "azblob://secrets-azure-url?bogus=1")
		s.err("a URL with an unknown parameter", err)

		s.noSecrets(az.Key, wrongKey, sasSig)
	})

	t.Run("gcs", func(t *testing.T) {
		// GCS credentials come from the environment (a service account
		// file), which would send the test to Google; an API key is the
		// one secret that can be planted here without leaving loopback.
		srv := testserver.StartFakeGCS(t)
		ctx := t.Context()
		s := newShown(t)
		apiKey := randomSecret(t, "apiKey")
		cfg := gcs.Config{Bucket: "secrets-gcs", CreateBucket: true, ProjectID: "objstore-test",
			Endpoint: srv.URL + "/storage/v1/", ClientOptions: []option.ClientOption{option.WithAPIKey(apiKey)}}
		s.value("config", cfg)
		b, err := gcs.New(ctx, cfg)
		require.NoError(t, err)
		defer b.Close()
		exercise(t, s, b)

		gone := cfg
		gone.Endpoint, gone.CreateBucket = "http://"+deadEndpoint+"/storage/v1/", false
		gone.Retry.MaxAttempts = 2 // the default 5 waits about 7s of backoff per call
		gb, err := gcs.New(ctx, gone)
		require.NoError(t, err)
		defer gb.Close()
		_, err = gb.Stat(ctx, "k")
		require.ErrorIs(t, err, backend.ErrUnavailable)
		s.err("an unreachable server", err)
		_, err = gb.Put(ctx, "k", strings.NewReader("v"), backend.PutOptions{Size: 1})
		s.err("a put to an unreachable server", err)
		_, err = gb.List(ctx, backend.ListOptions{})
		s.err("a listing of an unreachable server", err)

		s.noSecrets(apiKey)
	})
}

// ---- load at full size on mem and fs ----------------------------------------

// TestReliabilityLoadFullSize runs the load checks of the conformance
// suite with every count in full (1,000 mixed operations, 10,000 Gets
// closed early, a listing of 100,000 keys) and no time budget, on mem and
// on fs, whatever the machine's speed: the drivers' own conformance runs
// may cut the counts to fit their budget (see docs/reliability.md). fs
// runs on a tmpfs (/dev/shm) when there is one: its puts fsync, and
// 100,000 fsyncs on a disk take minutes.
func TestReliabilityLoadFullSize(t *testing.T) {
	full := conformance.Load(conformance.LoadConfig{Ops: 1000, Gets: 10_000, ListKeys: 100_000, Budget: -1})
	only := conformance.Only("load-mixed", "load-get-abandoned", "load-list-early-stop", "load-put-aborted")
	t.Run("mem", func(t *testing.T) {
		conformance.Run(t, func(t *testing.T) backend.Backend {
			b := mem.New()
			t.Cleanup(func() { b.Close() })
			return b
		}, only, full)
	})
	t.Run("fs", func(t *testing.T) {
		dir := ""
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			dir = "/dev/shm"
		}
		conformance.Run(t, func(t *testing.T) backend.Backend {
			root, err := os.MkdirTemp(dir, "objstore-reliability-")
			require.NoError(t, err)
			t.Cleanup(func() { os.RemoveAll(root) })
			b, err := fs.New(root)
			require.NoError(t, err)
			t.Cleanup(func() { b.Close() })
			return b
		}, only, full)
	})
}

// ---- the client's listing iterator ------------------------------------------

// TestReliabilityObjectsStopsEarly: a consumer of Client.Objects that
// stops after a few thousand of 100,000 keys holds about one page: the
// live heap while it iterates stays within a few pages of where it
// started, nothing stays referenced after it stops, and no goroutine is
// left (the iterator starts none).
func TestReliabilityObjectsStopsEarly(t *testing.T) {
	ctx := t.Context()
	b := mem.New()
	c := objstore.New(b)
	defer c.Close()
	const keys = 100_000
	for i := range keys {
		_, err := b.Put(ctx, fmt.Sprintf("many/%06d", i), strings.NewReader(""), backend.PutOptions{Size: 0})
		require.NoError(t, err)
	}
	// A warm-up listing of another prefix builds mem's sorted key cache,
	// which belongs to the store, not to the listing.
	for _, err := range c.Objects(ctx, "warm/") {
		require.NoError(t, err)
	}

	goroutines := leakcheck.Take()
	base := liveHeap()
	var peak uint64
	n := 0
	for o, err := range c.Objects(ctx, "many/") {
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("many/%06d", n), o.Key)
		n++
		if n%1000 == 500 { // in the middle of a page of 1,000
			peak = max(peak, liveHeap())
		}
		if n == 10_000 {
			break
		}
	}
	after := liveHeap()
	// One page of 1,000 ObjectInfo is about 200 KiB with its strings.
	const page = 200 << 10
	t.Logf("live heap %d KiB before, up to %d KiB while iterating, %d KiB after stopping at %d of %d keys",
		base>>10, peak>>10, after>>10, n, keys)
	assert.LessOrEqual(t, peak, base+3*page, "the iterator holds more than a few pages")
	assert.LessOrEqual(t, after, base+64<<10, "what the iterator listed is still referenced after the consumer stopped")
	_, err := leakcheck.WaitBack(goroutines, leakcheck.Slack{}, 2*time.Second)
	assert.NoError(t, err, "a goroutine is left after the consumer stopped")
}

// liveHeap returns the bytes of live heap objects after two collections.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
