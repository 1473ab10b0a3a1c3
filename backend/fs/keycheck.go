package fs

import "github.com/objstore-dev/objstore/backend"

var _ backend.KeyChecker = (*Backend)(nil)

// CheckKey reports, without I/O, whether the file system can hold key: it
// refuses what ValidateKey refuses and a segment whose file name would be
// longer than 255 bytes (backend.KeyChecker).
func (b *Backend) CheckKey(op, key string) error {
	_, err := keyToPath(op, key)
	return err
}
