package s3test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
)

// TrickyKeys returns keys near the edges of backend.ValidateKey: the ones
// MinIO once refused although ValidateKey accepted them (a '.' or '..'
// between backslashes, or padded with spaces), and n more made of pieces
// such as ".", "..", `\`, " " and "/" put together at random (fixed seed).
// Some are valid keys, some are not.
func TrickyKeys(n int) []string {
	keys := []string{
		`a\..\b`, `a\.\b`, `..\b`, `a\..`, `.\a`, `\..\`, `a/\../b`, "a/ . /b", "a/.. ", " ..",
		`a\b`, `\a`, `a\`, `a\\b`, `a\.b`, `a\..b`, `a\...\b`, "a/.. x", "a/. .", "a/\u00a0..",
		".hidden", "a/...", "..dots", "with space", "plus+percent%20hash#question?", "ключ/😀",
	}
	pieces := []string{".", "..", "...", " ", `\`, "/", "a", ".a", "b.", "é", "+", "%", "#", "?", "~", " . ", `..\`, `\.`, "\u00a0"}
	r := rand.New(rand.NewPCG(14, 14))
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		keys = append(keys, b.String())
	}
	return keys
}

// CheckTrickyKeys puts, stats, gets, lists and removes every tricky key
// that ValidateKey accepts, under a prefix of its own: a valid key never
// gets ErrInvalidKey or ErrInvalidArgument from the driver, and a missing
// one gives ErrNotFound on Stat and Get and nil on Remove. A key that
// ValidateKey refuses gets ErrInvalidKey from every operation.
func CheckTrickyKeys(t *testing.T, d backend.Backend) {
	ctx := context.Background()
	valid := 0
	for i, k := range TrickyKeys(150) {
		key := fmt.Sprintf("t%03d/%s", i, k)
		if backend.ValidateKey("put", key) != nil {
			_, err := d.Put(ctx, key, strings.NewReader("x"), backend.PutOptions{Size: 1})
			assert.ErrorIs(t, err, backend.ErrInvalidKey, "put %q", key)
			_, err = d.Stat(ctx, key)
			assert.ErrorIs(t, err, backend.ErrInvalidKey, "stat %q", key)
			assert.ErrorIs(t, d.Remove(ctx, key), backend.ErrInvalidKey, "remove %q", key)
			continue
		}
		valid++
		checkValidKey(t, d, key)
	}
	t.Logf("%d valid keys stored and removed", valid)
	assert.Greater(t, valid, 50)
}

// checkValidKey runs every operation on a valid key, missing and stored.
func checkValidKey(t *testing.T, b backend.Backend, key string) {
	t.Helper()
	ctx := context.Background()
	noKeyErr := func(op string, err error) {
		t.Helper()
		assert.NotErrorIs(t, err, backend.ErrInvalidKey, "%s %q", op, key)
		assert.NotErrorIs(t, err, backend.ErrInvalidArgument, "%s %q", op, key)
	}
	_, err := b.Stat(ctx, key)
	noKeyErr("stat (missing)", err)
	assert.ErrorIs(t, err, backend.ErrNotFound, "stat (missing) %q", key)
	_, _, err = b.Get(ctx, key, backend.WholeObject)
	noKeyErr("get (missing)", err)
	assert.ErrorIs(t, err, backend.ErrNotFound, "get (missing) %q", key)
	assert.NoError(t, b.Remove(ctx, key), "remove (missing) %q", key)

	data := "data of " + key
	_, err = b.Put(ctx, key, strings.NewReader(data), backend.PutOptions{Size: int64(len(data))})
	noKeyErr("put", err)
	if !assert.NoError(t, err, "put %q", key) {
		return
	}
	info, err := b.Stat(ctx, key)
	noKeyErr("stat", err)
	if assert.NoError(t, err, "stat %q", key) {
		assert.Equal(t, key, info.Key)
	}
	rc, _, err := b.Get(ctx, key, backend.WholeObject)
	noKeyErr("get", err)
	if assert.NoError(t, err, "get %q", key) {
		got, err := io.ReadAll(rc)
		rc.Close()
		assert.NoError(t, err)
		assert.Equal(t, data, string(got), "get %q", key)
	}
	prefix := key[:strings.IndexByte(key, '/')+1]
	page, err := b.List(ctx, backend.ListOptions{Prefix: prefix})
	noKeyErr("list", err)
	if assert.NoError(t, err, "list %q", prefix) && assert.Len(t, page.Objects, 1, "list %q", prefix) {
		assert.Equal(t, key, page.Objects[0].Key)
	}
	assert.NoError(t, b.Remove(ctx, key), "remove %q", key)
	_, err = b.Stat(ctx, key)
	assert.ErrorIs(t, err, backend.ErrNotFound, "stat after remove %q", key)
}
