package fs

// Hooks and internals for the external tests (package fs_test), compiled
// only into the test binary.

// SetBeforeCommit installs f to run right before a Put renames or links its
// complete temp file over the key; the returned func removes it. Not safe
// to call while Puts run.
func SetBeforeCommit(f func(tmpPath string)) (restore func()) {
	old := beforeCommit
	beforeCommit = f
	return func() { beforeCommit = old }
}

var (
	KeyToPath  = keyToPath
	PathToKey  = pathToKey
	IsTempName = isTempName
)

const (
	TempPrefix     = tempPrefix
	ReservedPrefix = reservedPrefix
	Magic          = magic
	MaxNameLen     = maxNameLen
)
