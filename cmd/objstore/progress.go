package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressMin is the smallest known size that gets a progress bar: smaller
// transfers end before a bar would tell anything. Transfers of unknown
// size (stdin) always get one, as they may run for long.
const progressMin = 4 << 20

// track returns r wrapped so that reading it advances a progress bar on
// stderr, and a function to call when the transfer ends (ok reports
// whether it completed). There is a bar only when stderr is a terminal,
// neither --quiet nor --json is set, and size is unknown (-1) or over
// progressMin; otherwise r is returned as it is.
func (a *app) track(r io.Reader, size int64, desc string) (io.Reader, func(ok bool)) {
	if a.quiet || a.asJSON || !isTerminal(a.errw) || (size >= 0 && size <= progressMin) {
		return r, func(bool) {}
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(a.errw),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionFullWidth(),
		progressbar.OptionSpinnerType(14),
	)
	_ = bar.RenderBlank()
	return io.TeeReader(r, bar), func(ok bool) {
		if ok {
			_ = bar.Finish()
		} else {
			_ = bar.Exit()
		}
		// The bar leaves the cursor on its line.
		fprintf(a.errw, "\n")
	}
}

// stdinSize is the size of stdin when it is a regular file (a shell
// redirect), else -1.
func stdinSize(in io.Reader) int64 {
	f, ok := in.(*os.File)
	if !ok {
		return -1
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil || pos > fi.Size() {
		return -1
	}
	return fi.Size() - pos
}
