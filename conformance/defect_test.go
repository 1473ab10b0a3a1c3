package conformance_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/conformance"
)

// broken is mem with one deliberate defect: each field, when set, replaces
// one method. The defect tests run the suite through Check, which records
// failures in Results instead of failing the test, and assert that the
// checks aimed at the defect fail.
type broken struct {
	*mem.Backend
	put    func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error)
	get    func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error)
	stat   func(ctx context.Context, key string) (backend.ObjectInfo, error)
	list   func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error)
	remove func(ctx context.Context, key string) error
	close  func() error
	copy   func(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) // copy_defect_test.go
	// stop ends the goroutines that leaky defects leave behind, once the
	// check is over, so that this package's goleak check stays meaningful.
	stop chan struct{}
}

func (b *broken) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	if b.put != nil {
		return b.put(ctx, key, r, opts)
	}
	return b.Backend.Put(ctx, key, r, opts)
}

func (b *broken) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if b.get != nil {
		return b.get(ctx, key, opts)
	}
	return b.Backend.Get(ctx, key, opts)
}

func (b *broken) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if b.stat != nil {
		return b.stat(ctx, key)
	}
	return b.Backend.Stat(ctx, key)
}

func (b *broken) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	if b.list != nil {
		return b.list(ctx, opts)
	}
	return b.Backend.List(ctx, opts)
}

func (b *broken) Remove(ctx context.Context, key string) error {
	if b.remove != nil {
		return b.remove(ctx, key)
	}
	return b.Backend.Remove(ctx, key)
}

func (b *broken) Close() error {
	if b.close != nil {
		return b.close()
	}
	return b.Backend.Close()
}

// defects maps a defect to the checks that must catch it. Each defect is
// one a real driver could plausibly have.
var defects = []struct {
	name  string
	catch []string
	apply func(b *broken)
}{
	{"list in reverse order", []string{"list-order", "list-prefix", "list-pagination"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			p, err := b.Backend.List(ctx, opts)
			slices.Reverse(p.Objects)
			return p, err
		}
	}},
	{"list in directory-walk order", []string{"list-order"}, func(b *broken) {
		// A tree walk sorts "a/b" (inside directory "a") before "a-b".
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			p, err := b.Backend.List(ctx, opts)
			slices.SortStableFunc(p.Objects, func(x, y backend.ObjectInfo) int {
				return strings.Compare(strings.ReplaceAll(x.Key, "/", "\x00"), strings.ReplaceAll(y.Key, "/", "\x00"))
			})
			return p, err
		}
	}},
	{"a token that repeats the last key", []string{"list-pagination"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			p, err := b.Backend.List(ctx, opts)
			if p.NextToken != "" && len(p.Objects) > 1 {
				p.NextToken = p.Objects[len(p.Objects)-2].Key
			}
			return p, err
		}
	}},
	{"a listing cached for a second", []string{"list-after-write"}, func(b *broken) {
		var mu sync.Mutex
		cache := map[backend.ListOptions]backend.ListPage{}
		var at time.Time
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			mu.Lock()
			defer mu.Unlock()
			if time.Since(at) > time.Second {
				clear(cache)
				at = time.Now()
			}
			if p, ok := cache[opts]; ok {
				return p, nil
			}
			p, err := b.Backend.List(ctx, opts)
			if err == nil {
				cache[opts] = p
			}
			return p, err
		}
	}},
	{"a listing that misses keys being overwritten", []string{"list-during-overwrites"}, func(b *broken) {
		// As a readdir pass on tmpfs did: an entry renamed during the
		// listing moves past the position the listing has reached.
		var mu sync.Mutex
		busy := map[string]int{}
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			mu.Lock()
			busy[key]++
			mu.Unlock()
			defer func() { mu.Lock(); busy[key]--; mu.Unlock() }()
			time.Sleep(time.Millisecond)
			return b.Backend.Put(ctx, key, r, opts)
		}
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			p, err := b.Backend.List(ctx, opts)
			mu.Lock()
			defer mu.Unlock()
			p.Objects = slices.DeleteFunc(p.Objects, func(o backend.ObjectInfo) bool { return busy[o.Key] > 0 })
			return p, err
		}
	}},
	{"HTTP attributes dropped by put", []string{"http-attributes"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			opts.HTTPAttributes = backend.HTTPAttributes{}
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"a get that decodes ContentEncoding gzip", []string{"http-attributes"}, func(b *broken) {
		b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
			rc, info, err := b.Backend.Get(ctx, key, opts)
			if err != nil || info.ContentEncoding != "gzip" || opts.Offset != 0 {
				return rc, info, err
			}
			zr, zerr := gzip.NewReader(rc)
			if zerr != nil {
				return rc, info, err
			}
			return readCloser{zr, rc}, info, nil
		}
	}},
	{"no checksum in Stat", []string{"checksums"}, func(b *broken) {
		b.stat = func(ctx context.Context, key string) (backend.ObjectInfo, error) {
			info, err := b.Backend.Stat(ctx, key)
			info.Checksum = backend.Checksum{}
			return info, err
		}
	}},
	{"a checksum of other bytes in Get", []string{"checksums"}, func(b *broken) {
		b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
			rc, info, err := b.Backend.Get(ctx, key, opts)
			info.Checksum = backend.ChecksumOf(backend.CRC32C, []byte("other bytes"))
			return rc, info, err
		}
	}},
	{"invalid list prefixes accepted", []string{"invalid-prefixes"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			if backend.ValidatePrefix("list", opts.Prefix) != nil {
				return backend.ListPage{}, nil
			}
			return b.Backend.List(ctx, opts)
		}
	}},
	{"a listing that leaves a goroutine", []string{"list-stopped-early"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			go func() { <-b.stop }() // a prefetcher nobody stops
			return b.Backend.List(ctx, opts)
		}
	}},
	{"Stat returns a plain error for a missing key", []string{"missing-key"}, func(b *broken) {
		b.stat = func(ctx context.Context, key string) (backend.ObjectInfo, error) {
			info, err := b.Backend.Stat(ctx, key)
			if errors.Is(err, backend.ErrNotFound) {
				return info, errors.New("stat: no such object")
			}
			return info, err
		}
	}},
	{"a not-found error that does not name the key", []string{"missing-key"}, func(b *broken) {
		b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
			rc, info, err := b.Backend.Get(ctx, key, opts)
			if errors.Is(err, backend.ErrNotFound) {
				return nil, info, backend.NewError("get", "", backend.ErrNotFound, nil)
			}
			return rc, info, err
		}
	}},
	{"Remove of a missing key fails", []string{"remove-idempotent"}, func(b *broken) {
		b.remove = func(ctx context.Context, key string) error {
			if _, err := b.Backend.Stat(ctx, key); err != nil {
				return err
			}
			return b.Backend.Remove(ctx, key)
		}
	}},
	{"Put stores what it read when the reader fails", []string{"put-failing-reader"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			if r == nil {
				return b.Backend.Put(ctx, key, r, opts)
			}
			data, rerr := io.ReadAll(r)
			opts.Size = -1
			info, err := b.Backend.Put(ctx, key, bytes.NewReader(data), opts)
			if rerr != nil {
				return info, backend.NewError("put", key, nil, rerr)
			}
			return info, err
		}
	}},
	{"Put ignores its context", []string{"put-cancelled", "context-cancelled"}, func(b *broken) {
		b.put = func(_ context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			return b.Backend.Put(context.Background(), key, r, opts)
		}
	}},
	{"Put ignores the declared size", []string{"size-mismatch"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			if opts.Size >= 0 {
				opts.Size = -1
			}
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"Put ignores IfNotExist", []string{"if-not-exist", "if-not-exist-race"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			opts.IfNotExist = false
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"IfNotExist checked, then written", []string{"if-not-exist-race"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			if opts.IfNotExist {
				if _, err := b.Backend.Stat(ctx, key); err == nil {
					return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrExist, nil)
				}
				time.Sleep(20 * time.Millisecond) // the window a HEAD-then-PUT driver has
				opts.IfNotExist = false
			}
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"Put ignores IfMatch", []string{"if-match", "if-match-race", "if-match-multipart"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			opts.IfMatch = ""
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"IfMatch checked, then written", []string{"if-match-race"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			if opts.IfMatch != "" {
				st, err := b.Backend.Stat(ctx, key)
				if err != nil || !backend.ETagsEqual(st.ETag, opts.IfMatch) {
					return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrPreconditionFailed, err)
				}
				time.Sleep(20 * time.Millisecond) // the window a HEAD-then-PUT driver has
				opts.IfMatch = ""
			}
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"IfMatch dropped on multipart puts", []string{"if-match-multipart"}, func(b *broken) {
		// As peers do: the precondition goes on the single PUT only.
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			if opts.Size < 0 || opts.Size > 5<<20 {
				opts.IfMatch = ""
			}
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"a failed IfMatch reported as ErrExist", []string{"if-match"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			info, err := b.Backend.Put(ctx, key, r, opts)
			if errors.Is(err, backend.ErrPreconditionFailed) {
				err = backend.NewError("put", key, backend.ErrExist, nil)
			}
			return info, err
		}
	}},
	{"Get ignores its preconditions", []string{"conditional-get"}, func(b *broken) {
		b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
			opts.IfMatch, opts.IfNoneMatch, opts.IfModifiedSince = "", "", time.Time{}
			return b.Backend.Get(ctx, key, opts)
		}
	}},
	{"Get checks IfMatch only", []string{"conditional-get"}, func(b *broken) {
		b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
			opts.IfNoneMatch, opts.IfModifiedSince = "", time.Time{}
			return b.Backend.Get(ctx, key, opts)
		}
	}},
	{"an overwrite that shows a partial object", []string{"concurrent-same-key"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			data, err := io.ReadAll(r)
			if err != nil {
				return backend.ObjectInfo{}, err
			}
			half := data[:len(data)/2]
			if _, err := b.Backend.Put(ctx, key, bytes.NewReader(half), backend.PutOptions{Size: -1}); err != nil {
				return backend.ObjectInfo{}, err
			}
			time.Sleep(time.Millisecond)
			return b.Backend.Put(ctx, key, bytes.NewReader(data), opts)
		}
	}},
	{"a key unescaped on the way in", []string{"odd-keys"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			if k, err := url.PathUnescape(key); err == nil && backend.ValidateKey("put", k) == nil {
				key = k
			}
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"invalid keys cleaned instead of refused", []string{"invalid-keys"}, func(b *broken) {
		clean := func(key string) string {
			if backend.ValidateKey("", key) == nil {
				return key
			}
			k := strings.Trim(path.Clean("/"+key), "/")
			if backend.ValidateKey("", k) != nil {
				return "cleaned"
			}
			return k
		}
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			return b.Backend.Put(ctx, clean(key), r, opts)
		}
		b.stat = func(ctx context.Context, key string) (backend.ObjectInfo, error) {
			return b.Backend.Stat(ctx, clean(key))
		}
	}},
	{"a parent key removed by a put below it", []string{"key-prefix-of-key"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			info, err := b.Backend.Put(ctx, key, r, opts)
			for dir := path.Dir(key); err == nil && dir != "."; dir = path.Dir(dir) {
				_ = b.Backend.Remove(ctx, dir)
			}
			return info, err
		}
	}},
	{"a nil reader panics", []string{"invalid-arguments"}, func(b *broken) {
		b.put = func(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
			if r == nil {
				_, _ = r.Read(nil)
			}
			return b.Backend.Put(ctx, key, r, opts)
		}
	}},
	{"a range past the end reads as empty", []string{"range-read"}, func(b *broken) {
		b.get = func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
			rc, info, err := b.Backend.Get(ctx, key, opts)
			if errors.Is(err, backend.ErrInvalidArgument) && opts.Offset > 0 {
				return io.NopCloser(bytes.NewReader(nil)), info, nil
			}
			return rc, info, err
		}
	}},
	{"a Get reader that leaves a goroutine when closed early", []string{"get-closed-early"}, func(b *broken) {
		b.get = pipedGet(b)
	}},
	{"metadata keys returned in canonical header case", []string{"metadata-round-trip"}, func(b *broken) {
		b.stat = func(ctx context.Context, key string) (backend.ObjectInfo, error) {
			info, err := b.Backend.Stat(ctx, key)
			md := map[string]string{}
			for k, v := range info.Metadata {
				md[strings.ToUpper(k[:1])+k[1:]] = v
			}
			info.Metadata = md
			return info, err
		}
	}},
	{"an empty ETag", []string{"round-trip"}, func(b *broken) {
		b.stat = func(ctx context.Context, key string) (backend.ObjectInfo, error) {
			info, err := b.Backend.Stat(ctx, key)
			info.ETag = ""
			return info, err
		}
	}},
	{"Close that does nothing", []string{"closed"}, func(b *broken) {
		b.close = func() error { return nil }
	}},
	{"Copy ignores IfNotExist", []string{"copy"}, func(b *broken) {
		b.copy = func(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
			opts.IfNotExist = false
			return b.Backend.Copy(ctx, dst, src, opts)
		}
	}},
	{"a delimiter ignored (a flat listing instead)", []string{"list-delimiter", "list-start-after"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			if opts.Delimiter == "/" {
				opts.Delimiter = ""
			}
			return b.Backend.List(ctx, opts)
		}
	}},
	{"a prefix listed again on the page after it", []string{"list-delimiter"}, func(b *broken) {
		// As a driver that rolls keys up into prefixes page by page does.
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			p, err := b.Backend.List(ctx, opts)
			if opts.Delimiter != "" && strings.HasSuffix(opts.Token, "/") && len(p.Objects)+len(p.Prefixes) < max(opts.PageSize, 1) {
				p.Prefixes = append([]string{opts.Token}, p.Prefixes...) // mem's token is the last entry
			}
			return p, err
		}
	}},
	{"a page size that counts objects only", []string{"list-delimiter"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			if opts.Delimiter != "" && opts.PageSize > 0 && opts.PageSize < backend.DefaultPageSize {
				opts.PageSize++
			}
			return b.Backend.List(ctx, opts)
		}
	}},
	{"StartAfter ignored", []string{"list-start-after"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			opts.StartAfter = ""
			return b.Backend.List(ctx, opts)
		}
	}},
	{"StartAfter lists the folder it lies in (S3's own answer)", []string{"list-start-after"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			p, err := b.Backend.List(ctx, opts)
			rest, ok := strings.CutPrefix(opts.StartAfter, opts.Prefix)
			if i := strings.Index(rest, "/"); ok && opts.Delimiter != "" && opts.Token == "" && i >= 0 && i < len(rest)-1 {
				p.Prefixes = append([]string{opts.Prefix + rest[:i+1]}, p.Prefixes...)
			}
			return p, err
		}
	}},
	{"StartAfter wins over a token", []string{"list-start-after"}, func(b *broken) {
		b.list = func(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
			if opts.StartAfter != "" {
				opts.Token = ""
			}
			return b.Backend.List(ctx, opts)
		}
	}},
}

func newBroken(apply func(*broken)) func(context.Context) (backend.Backend, func(), error) {
	return func(context.Context) (backend.Backend, func(), error) {
		b := &broken{Backend: mem.New(), stop: make(chan struct{})}
		apply(b)
		return b, func() { close(b.stop); b.Backend.Close() }, nil
	}
}

func TestDefectiveDriversFail(t *testing.T) {
	conformance.SetLeakWait(t, time.Second) // the leaks here are certain
	for _, d := range defects {
		t.Run(d.name, func(t *testing.T) {
			results := conformance.Check(t.Context(), newBroken(d.apply), conformance.Only(d.catch...))
			require.Len(t, results, len(d.catch))
			for _, r := range results {
				assert.True(t, r.Failed(), "check %s passed a driver with the defect %q", r.Name, d.name)
				assert.NotEmpty(t, r.Message, "check %s failed without saying why", r.Name)
				t.Logf("%s\n%s", r, indent(r.Message))
			}
			require.Error(t, conformance.Err(results))
		})
	}
}

// TestHealthyDriverPasses is the control of the defect tests: the same
// checks, on mem without defects, pass, so each failure above is the
// defect's doing.
func TestHealthyDriverPasses(t *testing.T) {
	results := conformance.Check(t.Context(), newBroken(func(*broken) {}), conformance.Short())
	require.Len(t, results, len(conformance.Checks()))
	for _, r := range results {
		if r.Name == "large-unknown-size" {
			assert.True(t, r.Skipped, "Short must skip %s", r.Name)
			continue
		}
		assert.True(t, r.Passed, "%s\n%s", r, r.Message)
	}
	assert.NoError(t, conformance.Err(results))
}

// TestRunFailsDefectiveDriver proves that Run, the go test runner, turns a
// failed check into a failed subtest: it runs helperRunDefective in a child
// test process and reads its verdict.
func TestRunFailsDefectiveDriver(t *testing.T) {
	if os.Getenv("CONFORMANCE_HELPER") == "1" {
		t.Skip("inside the helper process")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperRunDefective$", "-test.v", "-test.short")
	cmd.Env = append(os.Environ(), "CONFORMANCE_HELPER=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the helper test must fail:\n%s", out)
	assert.Contains(t, string(out), "--- FAIL: TestHelperRunDefective/list-order")
	assert.Contains(t, string(out), "--- PASS: TestHelperRunDefective/round-trip")
	assert.Contains(t, string(out), "--- SKIP: TestHelperRunDefective/large-unknown-size")
}

func TestHelperRunDefective(t *testing.T) {
	if os.Getenv("CONFORMANCE_HELPER") != "1" {
		t.Skip("run by TestRunFailsDefectiveDriver")
	}
	conformance.Run(t, func(t *testing.T) backend.Backend {
		b := &broken{Backend: mem.New(), stop: make(chan struct{})}
		defects[0].apply(b)
		t.Cleanup(func() { close(b.stop); b.Backend.Close() })
		return b
	}, conformance.Only("round-trip", "list-order", "large-unknown-size"))
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}

// pipedGet is a Get of b whose body comes through a pipe fed by a
// goroutine, and whose Close does nothing: the goroutine blocks until the
// body is read to its end, which a reader closed early never does, so it
// stays until the test stops b (b.stop). A leak that the checks of
// readers closed early must see.
func pipedGet(b *broken) func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	return func(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
		rc, info, err := b.Backend.Get(ctx, key, opts)
		if err != nil {
			return rc, info, err
		}
		pr, pw := io.Pipe()
		go func() {
			_, err := io.Copy(pw, rc)
			pw.CloseWithError(err)
		}()
		go func() {
			<-b.stop
			pr.CloseWithError(errors.New("stopped"))
		}()
		return struct {
			io.Reader
			io.Closer
		}{pr, io.NopCloser(nil)}, info, nil
	}
}

// readCloser reads r and closes c.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error { return r.c.Close() }
