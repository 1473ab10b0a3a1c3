package s3core

import "github.com/objstore-dev/objstore/backend"

// Driver is what every driver speaking S3 implements: Methods' methods
// and the driver's own (Close, List, Health, CheckKey). A driver states
// it once: var _ s3core.Driver = (*Driver)(nil).
type Driver interface {
	backend.Backend
	backend.BatchRemover
	backend.Copier
	backend.Composer
	backend.HealthChecker
	backend.KeyChecker
	backend.Lifecycler
	backend.Presigner
}
