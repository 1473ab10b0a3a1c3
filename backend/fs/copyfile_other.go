//go:build !linux

package fs

import (
	"errors"
	"os"
)

// Elsewhere than on Linux every copy goes through the buffer.

func (c *fileCopier) copyKernel(fileHandle, int64, int) (int, error) { return 0, errors.ErrUnsupported }

func refusedCopy(err error) bool { return errors.Is(err, errors.ErrUnsupported) }

// cloneFile reports false: no reflinks here.
func cloneFile(*os.File, fileHandle) (bool, error) { return false, nil }
