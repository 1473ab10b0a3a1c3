package s3core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// answer is a server's error answer as a fake SDK returns it.
type answer struct {
	code   string
	status int
}

func (a answer) Error() string { return a.code }

// fakeBuckets is an adapter that makes only the bucket requests (the
// embedded Adapter is nil: any other request panics), answering from its
// fields and recording the requests made.
type fakeBuckets struct {
	s3core.Adapter
	exists       []bool // the answers of successive HeadBuckets
	headErr      error
	createErr    error
	deleteErr    error
	getErr       error
	rules, wrote []s3core.Rule
	calls        []string
}

func (f *fakeBuckets) BucketExists(context.Context) (bool, error) {
	f.calls = append(f.calls, "head")
	ok := len(f.exists) > 0 && f.exists[0]
	if len(f.exists) > 0 {
		f.exists = f.exists[1:]
	}
	return ok, f.headErr
}

func (f *fakeBuckets) CreateBucket(context.Context) error {
	f.calls = append(f.calls, "create")
	return f.createErr
}

func (f *fakeBuckets) DeleteBucket(context.Context) error {
	f.calls = append(f.calls, "delete")
	return f.deleteErr
}

func (f *fakeBuckets) GetLifecycle(context.Context) ([]s3core.Rule, error) {
	f.calls = append(f.calls, "get-lifecycle")
	return f.rules, f.getErr
}

func (f *fakeBuckets) PutLifecycle(_ context.Context, rules []s3core.Rule) error {
	f.calls = append(f.calls, "put-lifecycle")
	f.wrote = append([]s3core.Rule(nil), rules...)
	return nil
}

func (f *fakeBuckets) AnswerOf(err error) s3core.Answer {
	var a answer
	if errors.As(err, &a) {
		return s3core.Answer{Code: a.code, Status: a.status}
	}
	return s3core.Answer{}
}

func (f *fakeBuckets) Kind(err error) error { return s3core.Kind(err, f.AnswerOf(err)) }

func (f *fakeBuckets) Err(op, key string, err error) error {
	return backend.NewError(op, key, f.Kind(err), err)
}

func TestEnsureBucket(t *testing.T) {
	taken := answer{"BucketAlreadyExists", 409}
	for _, c := range []struct {
		name  string
		f     fakeBuckets
		want  error // nil, or the sentinel
		calls []string
	}{
		{"exists", fakeBuckets{exists: []bool{true}}, nil, []string{"head"}},
		{"created", fakeBuckets{}, nil, []string{"head", "create"}},
		{"created meanwhile by us", fakeBuckets{createErr: answer{"BucketAlreadyOwnedByYou", 409}}, nil, []string{"head", "create"}},
		{"created meanwhile (MinIO's answer)", fakeBuckets{exists: []bool{false, true}, createErr: taken}, nil, []string{"head", "create", "head"}},
		{"another account's", fakeBuckets{createErr: taken}, backend.ErrPermission, []string{"head", "create", "head"}},
		{"head refused", fakeBuckets{headErr: answer{"Forbidden", 403}}, backend.ErrPermission, []string{"head"}},
		{"create refused", fakeBuckets{createErr: answer{"SlowDown", 503}}, backend.ErrServerBusy, []string{"head", "create"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := s3core.EnsureBucket(t.Context(), &c.f, "bkt")
			assert.Equal(t, c.calls, c.f.calls)
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, c.want)
			var be *backend.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, "create-bucket", be.Op)
			assert.Equal(t, "bkt", be.Key)
		})
	}
}

func TestRemoveBucket(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
		text string
	}{
		{answer{"BucketNotEmpty", 409}, backend.ErrExist, `the bucket "bkt" at host:9000 is not empty`},
		{answer{"NoSuchBucket", 404}, backend.ErrNotFound, "does not exist"},
		{answer{"NotFound", 404}, backend.ErrNotFound, "does not exist"},
		{answer{"AccessDenied", 403}, backend.ErrPermission, "removing the bucket"},
		{answer{"SlowDown", 503}, backend.ErrServerBusy, "removing the bucket"},
	} {
		f := &fakeBuckets{deleteErr: c.err}
		err := s3core.RemoveBucket(t.Context(), f, "bkt", "host:9000")
		require.ErrorIs(t, err, c.want, c.err)
		assert.ErrorContains(t, err, c.text)
		assert.ErrorContains(t, err, s3core.RemoveOp)
		var a answer
		assert.ErrorAs(t, err, &a, "the server's answer stays reachable")
	}
	require.NoError(t, s3core.RemoveBucket(t.Context(), &fakeBuckets{}, "bkt", "host"))

	// A configuration error takes the removal's Op, keeping its kind.
	err := s3core.RemoveErr(backend.NewError("open", "", backend.ErrInvalidArgument, errors.New("bad")))
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, s3core.RemoveOp, be.Op)
	assert.ErrorIs(t, err, backend.ErrInvalidArgument)
	assert.NoError(t, s3core.RemoveErr(nil))
}

func TestExpiry(t *testing.T) {
	// The rules a bucket holds, written by others and by SetExpiry.
	foreign := s3core.Rule{ID: "tagged", Enabled: true, Prefix: "logs/", Days: 5, Native: "tagged"}                         // not PrefixOnly
	logs := s3core.Rule{ID: "logs", Enabled: true, Prefix: "logs/", PrefixOnly: true, Days: 3, Other: true, Native: "logs"} // also moves to cold storage
	tmp := s3core.Rule{ID: "tmp", Enabled: true, Prefix: "tmp/", PrefixOnly: true, Days: 1, Native: "tmp"}                  // expiry only
	off := s3core.Rule{ID: "off", Prefix: "old/", PrefixOnly: true, Days: 9, Native: "off"}                                 // disabled
	dated := s3core.Rule{ID: "dated", Enabled: true, Prefix: "d/", PrefixOnly: true, Other: true, Native: "dated"}          // expires by date
	f := &fakeBuckets{rules: []s3core.Rule{foreign, logs, tmp, off, dated}}
	var g backend.Guard
	m := s3core.NewMethods(nil, &g, f)
	ctx := t.Context()

	got, err := m.Expiry(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"logs/": 3, "tmp/": 1}, got)

	require.NoError(t, m.SetExpiry(ctx, "logs/", 7))
	noExpiry := logs
	noExpiry.Days = 0
	added := s3core.Rule{ID: f.wrote[len(f.wrote)-1].ID, Enabled: true, Prefix: "logs/", PrefixOnly: true, Days: 7}
	assert.Regexp(t, "^"+s3core.RuleIDPrefix+"[0-9a-f]{16}$", added.ID)
	assert.Equal(t, []s3core.Rule{foreign, noExpiry, tmp, off, dated, added}, f.wrote,
		"the other actions of the logs/ rule and every other rule are kept")

	f.rules = []s3core.Rule{tmp}
	require.NoError(t, m.SetExpiry(ctx, "tmp/", 0))
	assert.Empty(t, f.wrote, "no rules: the configuration is removed")

	f.rules, f.getErr = nil, answer{"NoSuchLifecycleConfiguration", 404}
	got, err = m.Expiry(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
	require.NoError(t, m.SetExpiry(ctx, "a/", 2))
	assert.Equal(t, []string{"a/"}, []string{f.wrote[0].Prefix})

	f.getErr = answer{"NotImplemented", 501}
	_, err = m.Expiry(ctx)
	assert.ErrorIs(t, err, backend.ErrNotSupported, "versitygw has no lifecycle API")

	f.calls = nil
	assert.ErrorIs(t, m.SetExpiry(ctx, "x/", -1), backend.ErrInvalidArgument)
	assert.ErrorIs(t, m.SetExpiry(ctx, "../", 1), backend.ErrInvalidKey)
	g.Close()
	assert.ErrorIs(t, m.SetExpiry(ctx, "x/", 1), backend.ErrClosed)
	_, err = m.Expiry(ctx)
	assert.ErrorIs(t, err, backend.ErrClosed)
	assert.Empty(t, f.calls, "refused before any request")
}
