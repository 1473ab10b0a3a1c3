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
// SIGINT or SIGTERM before it exits regardless. A read of the terminal or
// of a pipe cannot be cancelled; puts are atomic, so exiting is safe.
const interruptGrace = 3 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		time.Sleep(interruptGrace)
		os.Exit(exitInterrupted)
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
