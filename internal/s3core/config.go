package s3core

import "fmt"

// The defaults of both drivers' Configs (the protocol's limits, MinPartSize,
// MaxPartSize and MaxParts, are upload.go's).
const (
	DefaultPartSize = 8 << 20 // 8 MiB
	// DefaultConcurrency is the number of parts of one upload in flight:
	// with DefaultPartSize, 24 MiB of buffers per upload
	// (docs/benchmarks.md has the measurement).
	DefaultConcurrency = 3
	MaxConcurrency     = 16 // caps Config.Concurrency
	// DefaultRegion is AWS's default region, and MinIO's unless the server
	// sets another one (MINIO_SITE_REGION).
	DefaultRegion = "us-east-1"
)

// PartSettings checks a Config's PartSize and Concurrency, 0 meaning the
// default.
func PartSettings(partSize int64, conc int) (int64, int, error) {
	switch {
	case partSize == 0:
		partSize = DefaultPartSize
	case partSize < MinPartSize || partSize > MaxPartSize:
		return 0, 0, fmt.Errorf("part size %d is outside [%d, %d] (5 MiB to 5 GiB)", partSize, MinPartSize, MaxPartSize)
	}
	switch {
	case conc == 0:
		conc = DefaultConcurrency
	case conc < 0 || conc > MaxConcurrency:
		return 0, 0, fmt.Errorf("concurrency %d is outside [1, %d]", conc, MaxConcurrency)
	}
	return partSize, conc, nil
}
