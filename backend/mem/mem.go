// Package mem is an in-memory Backend: fast, safe for concurrent use, and
// the store to swap into unit tests.
//
// # URLs
//
// mem:// opens a fresh, empty store. mem://NAME opens the store called
// NAME, shared by every Open of that name in the process (until the
// process ends), so that code under test and the test itself can open the
// same store by URL. Closing one handle does not empty a named store.
//
// # Errors
//
// Errors are *backend.Error values with the sentinels of package backend.
// Data is copied on Put, and stored bytes are never modified afterwards
// (an overwrite stores a new slice), so a Get reads them in place and
// callers never alias the store.
package mem

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

func init() {
	backend.Register("mem", func(_ context.Context, u *url.URL) (backend.Backend, error) {
		name := u.Host + u.Path
		if name == "" {
			return New(), nil
		}
		return Named(name), nil
	})
}

var _ backend.Backend = (*Backend)(nil)
var _ backend.BatchRemover = (*Backend)(nil)

// Backend is a handle on an in-memory store.
type Backend struct {
	s      *store
	closed atomic.Bool
}

// store holds the objects. sorted caches the keys in order for List; it
// is rebuilt lazily after a key is added or removed.
type store struct {
	mu      sync.RWMutex
	objects map[string]*object
	sorted  []string
}

type object struct {
	data []byte
	info backend.ObjectInfo
}

// New returns a fresh, empty in-memory store.
func New() *Backend {
	return &Backend{s: &store{objects: map[string]*object{}}}
}

var (
	namedMu sync.Mutex
	named   = map[string]*store{}
)

// Named returns a handle on the process-wide store called name, creating
// it empty on first use.
func Named(name string) *Backend {
	namedMu.Lock()
	defer namedMu.Unlock()
	s, ok := named[name]
	if !ok {
		s = &store{objects: map[string]*object{}}
		named[name] = s
	}
	return &Backend{s: s}
}

func (b *Backend) check(op, key string) error {
	if b.closed.Load() {
		return backend.NewError(op, key, backend.ErrClosed, nil)
	}
	return nil
}

// Put reads r to the end before it touches the store, so a failing reader
// or a cancelled context leaves the key unchanged.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, opts backend.PutOptions) (backend.ObjectInfo, error) {
	opts, err := backend.CheckPut(key, r, opts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.check("put", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	var buf bytes.Buffer
	if opts.Size > 0 {
		buf.Grow(int(opts.Size))
	}
	if _, err := io.Copy(&buf, backend.ContextReader(ctx, backend.ExactReader(key, r, opts.Size))); err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError("put", key, nil, err)
	}
	sum := md5.Sum(buf.Bytes())
	info := backend.ObjectInfo{
		Key:          key,
		Size:         int64(buf.Len()),
		LastModified: time.Now().UTC(),
		ETag:         hex.EncodeToString(sum[:]),
		ContentType:  opts.ContentType,
		Metadata:     opts.Metadata,
		// The bytes are immutable once stored: the checksum holds for
		// as long as the object does.
		HTTPAttributes: opts.HTTPAttributes,
		Checksum:       backend.ChecksumOf(backend.CRC32C, buf.Bytes()),
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, exists := s.objects[key]
	if exists && opts.IfNotExist {
		return backend.ObjectInfo{}, backend.NewError("put", key, backend.ErrExist, nil)
	}
	if opts.IfMatch != "" {
		// Checked under the lock that the write takes: a compare-and-swap.
		var curInfo backend.ObjectInfo
		if exists {
			curInfo = cur.info
		}
		if err := backend.CheckIfMatch(key, opts.IfMatch, curInfo, exists); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	if !exists {
		s.sorted = nil
	}
	s.objects[key] = &object{data: buf.Bytes(), info: info}
	return cloneInfo(info), nil
}

func (b *Backend) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if err := backend.CheckGet(key, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := b.check("get", key); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, backend.ObjectInfo{}, backend.NewError("get", key, nil, err)
	}
	b.s.mu.RLock()
	o, ok := b.s.objects[key]
	b.s.mu.RUnlock()
	if !ok {
		return nil, backend.ObjectInfo{}, backend.NewError("get", key, backend.ErrNotFound, nil)
	}
	// o is immutable: the conditions hold for the very bytes returned.
	if err := backend.CheckConditions("get", key, o.info, opts); err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	off, n, err := backend.ResolveRange(key, o.info.Size, opts)
	if err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	return body{bytes.NewReader(o.data[off : off+n])}, cloneInfo(o.info), nil
}

// body reads a stored slice in place. Stored slices are never modified
// after Put (an overwrite stores a new one), and a bytes.Reader never
// hands out its slice but to an io.Writer, which must not modify it. So
// its bytes are the ones Put checksummed, and the client need not check
// them again (backend.ChecksumVerified).
type body struct{ *bytes.Reader }

func (body) Close() error { return nil }

func (body) ChecksumVerified() {}

func (b *Backend) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	if err := backend.ValidateKey("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := b.check("stat", key); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ObjectInfo{}, backend.NewError("stat", key, nil, err)
	}
	b.s.mu.RLock()
	o, ok := b.s.objects[key]
	b.s.mu.RUnlock()
	if !ok {
		return backend.ObjectInfo{}, backend.NewError("stat", key, backend.ErrNotFound, nil)
	}
	return cloneInfo(o.info), nil
}

// List pages through the sorted key cache; the token is the last entry
// (key, or prefix with its "/") of the previous page. A directory listing
// (Delimiter "/") steps over all the keys of a common prefix with one
// binary search, so its cost follows the entries listed, not the keys
// below them.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := b.check("list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ListPage{}, backend.NewError("list", opts.Prefix, nil, err)
	}
	after := opts.StartAfter // CheckList cleared it if there is a token
	if opts.Token != "" {
		after = opts.Token
	}
	keys := b.s.sortedKeys()
	i, _ := slices.BinarySearch(keys, max(after, opts.Prefix))
	var page backend.ListPage
	n, last := 0, ""
	b.s.mu.RLock()
	defer b.s.mu.RUnlock()
	for i < len(keys) && strings.HasPrefix(keys[i], opts.Prefix) {
		k := keys[i]
		if opts.Delimiter != "" {
			if d := strings.Index(k[len(opts.Prefix):], opts.Delimiter); d >= 0 {
				p := k[:len(opts.Prefix)+d+len(opts.Delimiter)]
				// Keys are valid UTF-8, which never holds the byte 0xff:
				// p+"\xff" sorts after every key under p.
				end := i + sort.SearchStrings(keys[i:], p+"\xff")
				live := slices.ContainsFunc(keys[i:end], func(k string) bool { return b.s.objects[k] != nil })
				i = end
				if p <= after || !live {
					continue // listed on an earlier page, or removed since the snapshot
				}
				if n == opts.PageSize {
					page.NextToken = last
					break
				}
				page.Prefixes = append(page.Prefixes, p)
				n, last = n+1, p
				continue
			}
		}
		i++
		o, ok := b.s.objects[k]
		if !ok || k <= after {
			continue // removed since the snapshot of keys, or on an earlier page
		}
		if n == opts.PageSize {
			page.NextToken = last
			break
		}
		page.Objects = append(page.Objects, cloneInfo(o.info))
		n, last = n+1, k
	}
	return page, nil
}

// sortedKeys returns a snapshot of the keys in order; it must not be
// modified by the caller.
func (s *store) sortedKeys() []string {
	s.mu.RLock()
	keys := s.sorted
	s.mu.RUnlock()
	if keys != nil {
		return keys
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sorted == nil {
		s.sorted = slices.Sorted(maps.Keys(s.objects))
	}
	return s.sorted
}

func (b *Backend) Remove(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		return err
	}
	if err := b.check("remove", key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return backend.NewError("remove", key, nil, err)
	}
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	if _, ok := b.s.objects[key]; ok {
		delete(b.s.objects, key)
		b.s.sorted = nil
	}
	return nil
}

// RemoveMany removes keys under one lock. A key that
// backend.CheckRemoveKeys refuses is reported (ErrInvalidKey) and the
// others are removed. A mem store only holds keys that Put accepted, so a
// listing never hands it a key ValidateKey refuses; the keys of a listing
// (backend.WithListedKeys) are still taken as they are, as every driver
// does.
func (b *Backend) RemoveMany(ctx context.Context, keys []string) error {
	if err := b.check("remove", ""); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return backend.NewError("remove", "", nil, err)
	}
	keys, refused := backend.CheckRemoveKeys(ctx, keys)
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	for _, k := range keys {
		if _, ok := b.s.objects[k]; ok {
			delete(b.s.objects, k)
			b.s.sorted = nil
		}
	}
	return errors.Join(refused...)
}

// Close marks this handle closed; a named store keeps its objects.
func (b *Backend) Close() error {
	b.closed.Store(true)
	return nil
}

func (b *Backend) String() string { return "mem" }

func cloneInfo(i backend.ObjectInfo) backend.ObjectInfo {
	i.Metadata = maps.Clone(i.Metadata)
	return i
}
