package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/objstore-dev/objstore/backend"
)

func (a *app) putCommand() *cobra.Command {
	var contentType, sizeFlag string
	var meta []string
	cmd := &cobra.Command{
		Use:   "put KEY [FILE|-]",
		Short: "Store a file, or stdin, as the object KEY",
		Long: `put stores FILE as the object KEY, replacing any object there. Without
FILE, or with -, it stores stdin. The put is atomic: readers see the old
object or the whole new one. The content type is --content-type, else
guessed from FILE's extension, else application/octet-stream.

A pipe cannot tell put that its producer failed: put sees an end of input
and stores what came. With --size N, put stores the object only if the
input is exactly N bytes (exit 1 otherwise, nothing stored). Or run the
pipeline with 'set -o pipefail' and check its status, or put from a file.`,
		Example: `  objstore put captures/a.pcap ./a.pcap --meta host=h1
  tcpdump -w - | objstore put captures/live.pcap
  curl -sf "$URL" | objstore put backups/db.dump --size "$EXPECTED_BYTES"`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			key, src := args[0], "-"
			if len(args) == 2 {
				src = args[1]
			}
			if err := backend.ValidateKey("put", key); err != nil {
				return err
			}
			if len(args) == 1 && isTerminal(a.in) {
				// Reading the terminal is almost never meant: it would
				// wait for typing, and store what was typed (or nothing).
				return usagef("put %q: no FILE given and stdin is a terminal: give the FILE to store, "+
					"or - to store what you type (end it with Ctrl-D)", key)
			}
			md, err := parseMeta(meta)
			if err != nil {
				return err
			}
			if err := checkContentType(contentType); err != nil {
				return err
			}
			want := int64(-1)
			if cmd.Flags().Changed("size") {
				if want, err = parseExactSize(sizeFlag); err != nil {
					return err
				}
			}
			if contentType == "" {
				contentType = guessContentType(src)
			}
			ctx := cmd.Context()
			r, size, done, err := a.openLocal(ctx, "put", key, src)
			if err != nil {
				return err
			}
			defer done()
			input := "stdin"
			if src != "-" {
				input = src
			}
			if want >= 0 {
				if size >= 0 && size != want {
					return backend.NewError("put", key, backend.ErrInvalidArgument,
						fmt.Errorf("%s is %d bytes, but --size says %d bytes (nothing stored)", input, size, want))
				}
				size = want
				r = &sizedReader{r: r, input: input, want: want}
			}
			c, err := a.client(ctx, "put", createStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			r, finish := a.track(r, size, "put "+key)
			info, err := c.PutObjectWith(ctx, key, r, backend.PutOptions{Size: size, ContentType: contentType, Metadata: md})
			finish(err == nil)
			var se *sizeError
			if errors.As(err, &se) {
				// The driver's wrapping adds nothing: say it once.
				return backend.NewError("put", key, backend.ErrInvalidArgument, se)
			}
			if err != nil {
				return err
			}
			if a.asJSON {
				if info.Key == "" {
					info.Key = key
				}
				return a.emit(infoJSON(info))
			}
			a.status(a.out, "put %s (%s)\n", key, plural(info.Size, "byte"))
			return nil
		},
	}
	cmd.Flags().StringVar(&contentType, "content-type", "", "MIME type of the object (default: from FILE's extension)")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "user metadata KEY=VALUE (repeatable; keys are lower-cased)")
	cmd.Flags().StringVar(&sizeFlag, "size", "", "store only if the input is exactly this many bytes (e.g. 1048576, 1MiB)")
	return cmd
}

// parseExactSize parses --size: 0, or a byte count as parseSize reads it.
func parseExactSize(s string) (int64, error) {
	if s == "0" {
		return 0, nil
	}
	return parseSize("--size", s)
}

// sizedReader delivers r, which must hold exactly want bytes: it fails
// with a *sizeError when r ends early, or has a byte more (it reads one
// byte ahead to know, before it reports the end). The put then fails and
// stores nothing: a short input is what a pipe delivers when its
// producer dies, and the pipe cannot say so.
type sizedReader struct {
	r     io.Reader
	input string // "stdin" or the file name, for errors
	want  int64
	got   int64
	err   error // sticky
}

// sizeError is an input of the wrong size.
type sizeError struct {
	input     string
	want, got int64
	more      bool // got is a lower bound: the input went on
}

func (e *sizeError) Error() string {
	if e.more {
		return fmt.Sprintf("%s holds more than the %d bytes that --size says (nothing stored)", e.input, e.want)
	}
	return fmt.Sprintf("%s ended after %d bytes, but --size says %d bytes (nothing stored; did its producer fail?)", e.input, e.got, e.want)
}

func (s *sizedReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.got == s.want {
		var one [1]byte
		for {
			n, err := s.r.Read(one[:])
			switch {
			case n > 0:
				s.err = &sizeError{input: s.input, want: s.want, got: s.got + 1, more: true}
				return 0, s.err
			case err == io.EOF:
				return 0, io.EOF
			case err != nil:
				s.err = err
				return 0, err
			}
		}
	}
	if left := s.want - s.got; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := s.r.Read(p)
	s.got += int64(n)
	switch {
	case err == io.EOF && s.got < s.want:
		s.err = &sizeError{input: s.input, want: s.want, got: s.got}
		return n, s.err
	case err == io.EOF:
		// Exactly want bytes: the next Read makes sure nothing follows.
		return n, nil
	case err != nil:
		s.err = err
	}
	return n, err
}
