// Package urlsecret holds what both backend.Redact and the drivers' URL
// parsers must agree on about secrets in a store URL.
package urlsecret

import (
	"net/url"
	"strings"
)

// MisplacedUserinfo reports whether u looks like a URL whose password
// held an unencoded '/', '?' or '#', which ends the user part early:
// minio://AK:12/34@host/b parses as host "AK:12" and path "/34@host/b".
// It holds when u has no user, its host has a ':', and an '@' is in the
// path, the fragment or a query parameter's name, where no URL of this
// module puts one. A driver refuses such a URL without repeating it, and
// backend.Redact hides the whole user part of it.
func MisplacedUserinfo(u *url.URL) bool {
	if u.User != nil || !strings.Contains(u.Host, ":") {
		return false
	}
	if strings.Contains(u.Path, "@") || strings.Contains(u.Fragment, "@") {
		return true
	}
	for name := range u.Query() {
		if strings.Contains(name, "@") {
			return true
		}
	}
	return false
}
