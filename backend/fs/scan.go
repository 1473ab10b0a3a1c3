package fs

// entryKind is what a directory entry is, as far as the store cares.
type entryKind uint8

const (
	kindOther entryKind = iota // symbolic link, pipe, device, socket: never an object
	kindFile                   // a regular file: an object, a temp file or a foreign file
	kindDir                    // a directory: holds the keys with its name and a '/'
)

// scanBatch is how many entries scanDir reads before it calls its
// callback's context check (see lister.readDir).
const scanBatch = 512
