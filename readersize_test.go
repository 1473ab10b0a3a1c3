package objstore

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReaderSize: the readers whose remaining size is known without
// reading them, from their current position on.
func TestReaderSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, []byte("0123456789"), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	assert.EqualValues(t, 10, readerSize(f))
	_, err = f.Seek(4, io.SeekStart)
	require.NoError(t, err)
	assert.EqualValues(t, 6, readerSize(f), "a file from its offset")

	sr := io.NewSectionReader(f, 2, 5)
	assert.EqualValues(t, 5, readerSize(sr))
	_, err = sr.Seek(3, io.SeekStart)
	require.NoError(t, err)
	assert.EqualValues(t, 2, readerSize(sr), "a section from its position")

	br := bytes.NewReader([]byte("abc"))
	_, _ = br.Seek(1, io.SeekStart)
	assert.EqualValues(t, 2, readerSize(br))
	assert.EqualValues(t, 3, readerSize(strings.NewReader("abc")))

	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pr.Close()
	defer pw.Close()
	assert.EqualValues(t, -1, readerSize(pr), "a pipe has no size")
	assert.EqualValues(t, -1, readerSize((*os.File)(nil)))
	assert.EqualValues(t, -1, readerSize(io.LimitReader(f, 3)))
}
