package fs

import (
	"context"
	"errors"
	"hash/crc32"
	"io"
	"os"
)

// maxCopyRange is the most bytes one copy_file_range(2) call (or one
// step of the buffered copy) is asked for, so that a cancelled context
// is seen between calls.
const maxCopyRange = 64 << 20

// fileCopier appends byte ranges of open object files to the temp file of
// one Compose or Copy: inside the kernel where it can (copyKernel:
// copy_file_range(2) on Linux, which shares the blocks on file systems
// with reflinks, such as XFS and btrfs), and through a pooled buffer
// where the kernel or the file systems refuse (refusedCopy), or where the
// caller needs the CRC-32C of the bytes.
type fileCopier struct {
	ctx      context.Context
	out      *os.File // the temp file, written at its file offset
	buffered bool     // the kernel copy was refused: copy through a buffer
}

// appendRange appends the n bytes of f from offset off to the temp file.
// With hash the bytes pass through the buffer and crc is their CRC-32C.
// copied is less than n only when f ended first (it was truncated since
// it was opened); the caller decides what that means.
func (c *fileCopier) appendRange(f fileHandle, off, n int64, hash bool) (copied int64, crc uint32, err error) {
	for copied < n {
		if err := c.ctx.Err(); err != nil {
			return copied, crc, err
		}
		want := min(n-copied, maxCopyRange)
		var m int
		if c.buffered || hash {
			m, crc, err = c.copyBuffered(f, off+copied, want, crc)
		} else {
			m, err = c.copyKernel(f, off+copied, int(want))
			if err != nil && refusedCopy(err) {
				c.buffered, err = true, nil
				continue
			}
		}
		if err != nil {
			return copied, crc, err
		}
		if m == 0 {
			return copied, crc, nil
		}
		copied += int64(m)
	}
	return copied, crc, nil
}

// copyBuffered copies up to n bytes of f from off to the temp file
// through a pooled buffer, and returns how many (0 at the file's end) and
// crc updated with them.
func (c *fileCopier) copyBuffered(f fileHandle, off, n int64, crc uint32) (int, uint32, error) {
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	buf := (*bufp)[:min(n, int64(len(*bufp)))]
	r, err := f.ReadAt(buf, off)
	if r > 0 {
		if _, werr := c.out.Write(buf[:r]); werr != nil {
			return 0, crc, werr
		}
		return r, crc32.Update(crc, castagnoli, buf[:r]), nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, crc, err
	}
	return 0, crc, nil
}
