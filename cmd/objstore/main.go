// Command objstore puts, gets, lists, streams, copies and removes objects
// in any store the objstore library opens by URL: a local directory
// (file://), memory (mem://, useful only within one process), MinIO
// (minio://), S3 (s3://), GCS (gs://) and Azure (azblob://).
//
// The store is the --url flag, else the OBJSTORE_URL environment variable,
// else file://./objstore-data. Run objstore help for the commands and
// docs/cli.md for the full reference.
//
// Exit codes: 0 success; 1 failure (an object not found, a store error, a
// failed conformance check, an unhealthy endpoint); 2 a usage error (bad
// flags or arguments, an invalid key or URL, rm --prefix refused without
// --force); 130 interrupted (SIGINT or SIGTERM).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// interruptGrace is how long the command may take to wind down after
// SIGINT or SIGTERM before it exits regardless. The first signal cancels
// the command's context: a put stops reading (a wait on stdin included),
// removes what it had written and returns, and the command exits 130
// after that cleanup. stream put keeps storing what its producer still
// sends, within this bound. A second signal exits at once.
const interruptGrace = 3 * time.Second

func main() {
	os.Exit(run(interruptContext(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// interruptContext returns a context that SIGINT or SIGTERM cancels, as
// signal.NotifyContext does; a second signal, or interruptGrace after the
// first, ends the process with exitInterrupted.
func interruptContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		select {
		case <-sigs:
		case <-time.After(interruptGrace):
		}
		os.Exit(exitInterrupted)
	}()
	return ctx
}
