package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/minio/minio-go/v7/pkg/signer"
)

// profileServer starts the CPU profiler of the MinIO server s through its
// admin API (POST /minio/admin/v3/profiling/start, as `mc admin profile`
// does), for -serverprofile. The returned stop downloads the profile
// (a zip holding one file per node) and writes the server's CPU profile
// to path, for `go tool pprof -top path`.
func profileServer(ctx context.Context, s *server, path string) (stop func() error, err error) {
	if _, err := adminCall(ctx, s, http.MethodPost, "/minio/admin/v3/profiling/start?profilerType=cpu"); err != nil {
		return nil, fmt.Errorf("starting the MinIO server's CPU profile: %w", err)
	}
	return func() error {
		archive, err := adminCall(context.WithoutCancel(ctx), s, http.MethodGet, "/minio/admin/v3/profiling/download")
		if err != nil {
			return fmt.Errorf("downloading the MinIO server's CPU profile: %w", err)
		}
		z, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
		if err != nil {
			return fmt.Errorf("the MinIO server's profile archive: %w", err)
		}
		for _, f := range z.File {
			if !strings.Contains(f.Name, "cpu") {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return err
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return err
			}
			return os.WriteFile(path, data, 0o644)
		}
		return fmt.Errorf("the MinIO server's profile archive holds no CPU profile")
	}, nil
}

// adminCall sends one signed request of MinIO's admin API and returns
// the body of its 200 answer.
func adminCall(ctx context.Context, s *server, method, pathAndQuery string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.URL()+pathAndQuery, http.NoBody)
	if err != nil {
		return nil, err
	}
	empty := sha256.Sum256(nil)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(empty[:]))
	req = signer.SignV4(*req, s.AccessKey, s.SecretKey, "", s.Region)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s: %s", method, pathAndQuery, resp.Status, body)
	}
	return body, nil
}
