package fs

import (
	"fmt"
	"os"
	"time"
)

// Option configures New.
type Option func(*config) error

type config struct {
	staleTempAge time.Duration
	fileMode     os.FileMode
	dirMode      os.FileMode
	attrs        bool // objects keep content type, metadata, HTTP attributes and checksum in an extended attribute
}

// DefaultStaleTempAge is how old a temp file must be before New removes it
// as the leftover of a crashed writer. A live writer touches its temp file
// with every write, so only writers idle for this long can lose theirs.
const DefaultStaleTempAge = time.Hour

func defaultConfig() config {
	return config{staleTempAge: DefaultStaleTempAge, fileMode: 0o644, dirMode: 0o755, attrs: true}
}

// WithStaleTempAge sets the age after which New removes temp files left by
// crashed writers (DefaultStaleTempAge by default). Zero removes every temp
// file, which is safe only when no other process writes to the directory;
// a negative age turns the cleanup at New off (RemoveStaleTemps still
// works).
func WithStaleTempAge(d time.Duration) Option {
	return func(c *config) error {
		c.staleTempAge = d
		return nil
	}
}

// WithPermissions sets the permission bits of new object files (default
// 0644) and directories (default 0755), before the umask.
func WithPermissions(file, dir os.FileMode) Option {
	return func(c *config) error {
		if file&^os.ModePerm != 0 || dir&^os.ModePerm != 0 {
			return fmt.Errorf("permissions %v and %v must hold only permission bits", file, dir)
		}
		if dir&0o300 != 0o300 {
			return fmt.Errorf("directory permissions %v must let the owner write and search", dir)
		}
		c.fileMode, c.dirMode = file, dir
		return nil
	}
}

// WithoutMetadata opens a store on a file system without user extended
// attributes (ramfs, vfat, some network and FUSE file systems), where New
// otherwise fails with ErrNotSupported. Objects are still plain files,
// with the same atomicity and durability, but they cannot keep a content
// type, metadata, HTTP attributes or a checksum: a Put that gives
// metadata, HTTP attributes or a content type other than
// application/octet-stream fails with ErrNotSupported, and so does a Put
// whose data starts with the line "objstore/fs v1" (it would read back as
// a file in the format of earlier versions). Stat and Get report every
// object as application/octet-stream without metadata and without a
// checksum (so full reads are not verified). The URL form is
// ?metadata=none.
func WithoutMetadata() Option {
	return func(c *config) error {
		c.attrs = false
		return nil
	}
}
