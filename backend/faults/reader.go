package faults

import "io"

// breakingReader delivers left bytes of r, then fails with err (also when
// r ends first: the fault was planned, so it happens).
type breakingReader struct {
	r    io.Reader
	left int64
	err  error
}

func (b *breakingReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, b.err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err == io.EOF {
		return n, b.err
	}
	return n, err
}

// breakingBody is a Get body that breaks; Close closes the inner body.
type breakingBody struct {
	breakingReader
	c io.Closer
}

func (b *breakingBody) Close() error { return b.c.Close() }
