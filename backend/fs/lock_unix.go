//go:build unix && !linux

package fs

import "syscall"

// lockExclusive takes an exclusive flock(2) on the file; closing the
// handle releases it.
func (h fileHandle) lockExclusive() error {
	for {
		err := syscall.Flock(int(h.f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}
