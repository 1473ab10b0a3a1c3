package logging

import (
	"regexp"

	"github.com/objstore-dev/objstore/backend"
)

var (
	// urlPattern finds URLs with a scheme inside free text.
	urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)
	// userinfoPattern finds "user:password@host" without a scheme (or
	// with a forgotten "//"), which backend.Redact also understands.
	userinfoPattern = regexp.MustCompile(`[^\s"'<>:/]+:[^\s"'<>]*@[^\s"'<>]+`)
)

// scrub redacts every URL and userinfo in s with backend.Redact, so that
// an error message that quotes a request URL leaks neither a password nor
// a signature.
func scrub(s string) string {
	s = urlPattern.ReplaceAllStringFunc(s, backend.Redact)
	return userinfoPattern.ReplaceAllStringFunc(s, backend.Redact)
}

// errText is the scrubbed text of err.
func errText(err error) string { return scrub(err.Error()) }
