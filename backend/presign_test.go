package backend_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/objstore-dev/objstore/backend"
)

func TestCheckPresign(t *testing.T) {
	ok := backend.PresignOptions{}
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		assert.NoError(t, backend.CheckPresign(m, "a/b", time.Second, time.Hour, ok), m)
	}
	assert.NoError(t, backend.CheckPresign(http.MethodPut, "k", time.Hour, time.Hour, backend.PresignOptions{ContentType: "text/csv"}))
	assert.NoError(t, backend.CheckPresign(http.MethodGet, "k", 1000*time.Hour, 0, ok), "0: no longest expiry")
	for name, err := range map[string]error{
		"POST":         backend.CheckPresign(http.MethodPost, "k", time.Minute, 0, ok),
		"lower case":   backend.CheckPresign("get", "k", time.Minute, 0, ok),
		"zero":         backend.CheckPresign(http.MethodGet, "k", 0, 0, ok),
		"sub-second":   backend.CheckPresign(http.MethodGet, "k", 999*time.Millisecond, 0, ok),
		"over max":     backend.CheckPresign(http.MethodGet, "k", time.Hour+time.Second, time.Hour, ok),
		"type on GET":  backend.CheckPresign(http.MethodGet, "k", time.Minute, 0, backend.PresignOptions{ContentType: "text/csv"}),
		"type with CR": backend.CheckPresign(http.MethodPut, "k", time.Minute, 0, backend.PresignOptions{ContentType: "a\rb"}),
	} {
		assert.ErrorIs(t, err, backend.ErrInvalidArgument, name)
	}
	assert.ErrorIs(t, backend.CheckPresign(http.MethodGet, "a//b", time.Minute, 0, ok), backend.ErrInvalidKey)
	err := backend.CheckPresign(http.MethodGet, "k", 8*24*time.Hour, 7*24*time.Hour, ok)
	assert.ErrorContains(t, err, "7 days")
	assert.ErrorContains(t, err, `presign-get "k"`)
}

func TestPresignOp(t *testing.T) {
	assert.Equal(t, "presign-get", backend.PresignOp(http.MethodGet))
	assert.Equal(t, "presign-head", backend.PresignOp(http.MethodHead))
	assert.Equal(t, "presign-put", backend.PresignOp(http.MethodPut))
	assert.Equal(t, "presign-delete", backend.PresignOp(http.MethodDelete))
	assert.Equal(t, "presign", backend.PresignOp("X-ANYTHING"), "a caller's string never becomes a label value")
}
