package failover

import "github.com/objstore-dev/objstore/backend"

var _ backend.KeyChecker = (*Backend)(nil)

// CheckKey refuses, without I/O, a key the endpoints' store cannot hold
// (Config.CheckKey), or one ValidateKey refuses.
func (b *Backend) CheckKey(op, key string) error {
	if b.cfg.CheckKey != nil {
		return b.cfg.CheckKey(op, key)
	}
	return backend.ValidateKey(op, key)
}
