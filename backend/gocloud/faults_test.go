package gocloud_test

import (
	"testing"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/conformance/retrytest"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestAzuriteUnderFaults runs, on one Azurite: the retry layer over
// planned faults over the backend, each check on a fresh container
// (retried puts store the source's bytes, broken reads resume whole
// against the same ETag, listings list every key once, and every planned
// fault fires); and busy answers with a Retry-After through a proxy
// (retryafter_test.go).
func TestAzuriteUnderFaults(t *testing.T) {
	az := testserver.StartAzurite(t)
	t.Run("retries", func(t *testing.T) {
		retrytest.Run(t, func(t *testing.T) backend.Backend { return openAzure(t, az) })
	})
	t.Run("retry-after", func(t *testing.T) { retryAfterAzurite(t, az) })
}

// TestRetriesUnderFaultsMemblob does the same over gocloud's memblob.
func TestRetriesUnderFaultsMemblob(t *testing.T) {
	retrytest.Run(t, func(t *testing.T) backend.Backend { return newMem(t) })
}
