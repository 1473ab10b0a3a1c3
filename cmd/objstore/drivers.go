package main

// Every driver of the module that builds, so that the command opens any of
// their URL schemes. backend/fs and backend/mem come with package objstore.
import (
	_ "github.com/objstore-dev/objstore/backend/fs"
	_ "github.com/objstore-dev/objstore/backend/gcs"
	_ "github.com/objstore-dev/objstore/backend/gocloud"
	_ "github.com/objstore-dev/objstore/backend/mem"
	_ "github.com/objstore-dev/objstore/backend/minio"
	_ "github.com/objstore-dev/objstore/backend/s3"
)
