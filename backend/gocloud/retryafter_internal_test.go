package gocloud

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"google.golang.org/api/googleapi"

	"github.com/objstore-dev/objstore/backend"
)

// The GCS driver of gocloud (gcsblob) reports googleapi.Error, whose
// headers carry the Retry-After too.
func TestWrapRetryAfterOfGoogleAPIErrors(t *testing.T) {
	busy := &googleapi.Error{Code: 429, Header: http.Header{"Retry-After": {"6"}}}
	err := wrap("put", "k", fmt.Errorf("blob (key %q) (code=Unknown): %w", "k", busy))
	assert.ErrorIs(t, err, backend.ErrServerBusy)
	d, ok := backend.RetryAfter(err)
	assert.True(t, ok)
	assert.Equal(t, 6*time.Second, d)

	denied := &googleapi.Error{Code: 403, Header: http.Header{"Retry-After": {"6"}}}
	_, ok = backend.RetryAfter(wrap("put", "k", denied))
	assert.False(t, ok, "only busy answers")
	_, ok = backend.RetryAfter(wrap("put", "k", errors.New("local failure")))
	assert.False(t, ok)
	assert.NoError(t, wrap("put", "k", nil))
}
