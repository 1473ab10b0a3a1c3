package minio

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// MinIO's unauthenticated health endpoints.
const (
	healthLive    = "/minio/health/live"    // the process answers
	healthReady   = "/minio/health/ready"   // the node accepts requests
	healthCluster = "/minio/health/cluster" // the deployment has write quorum
)

// Health checks the endpoint with MinIO's health endpoints: Live is
// /minio/health/live answering 200; Ready needs /minio/health/ready and
// /minio/health/cluster (write quorum of the whole deployment, also on a
// single server) to answer 200 as well. Latency is the round trip of the
// liveness request. When the endpoint is not live or not ready, Err says
// why: an ErrUnavailable *backend.Error when it does not answer (or not
// within ctx), ErrServerBusy when it answers but is not ready.
//
// The one entry is always returned; the error is non-nil only when the
// driver is closed or ctx had ended before the check began, so that a
// live endpoint of a cluster without write quorum (still good for reads)
// is reported as live, not as failed.
func (d *Driver) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	if err := d.check(ctx, "health", d.endpoint); err != nil {
		return nil, err
	}
	h := backend.EndpointHealth{Endpoint: d.endpoint}
	start := time.Now()
	status, err := d.probe(ctx, healthLive)
	h.Latency = time.Since(start)
	switch {
	case err != nil:
		h.Err = backend.NewError("health", d.endpoint, backend.ErrUnavailable, err)
		return []backend.EndpointHealth{h}, nil
	case status != http.StatusOK:
		h.Err = backend.NewError("health", d.endpoint, backend.ErrUnavailable, fmt.Errorf("%s answered %d", healthLive, status))
		return []backend.EndpointHealth{h}, nil
	}
	h.Live = true
	for _, path := range []string{healthReady, healthCluster} {
		status, err := d.probe(ctx, path)
		if err != nil {
			h.Err = backend.NewError("health", d.endpoint, backend.ErrUnavailable, fmt.Errorf("%s: %w", path, err))
			return []backend.EndpointHealth{h}, nil
		}
		if status != http.StatusOK {
			h.Err = backend.NewError("health", d.endpoint, backend.ErrServerBusy, fmt.Errorf("%s answered %d", path, status))
			return []backend.EndpointHealth{h}, nil
		}
	}
	h.Ready = true
	return []backend.EndpointHealth{h}, nil
}

// probe GETs a health path and returns the status.
func (d *Driver) probe(ctx context.Context, path string) (int, error) {
	u := *d.base
	u.Path = path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := d.httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return resp.StatusCode, nil
}
