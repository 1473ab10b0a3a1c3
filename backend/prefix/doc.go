// Package prefix is a Backend wrapper confined to a key prefix: a view in
// which every key, listing and stream is relative to the prefix and
// nothing outside it can be reached (like gocloud's PrefixedBucket,
// thanos's NewPrefixedBucket and object_store's PrefixStore).
//
//	view, err := prefix.New(inner, "tenants/acme/")
//	c := objstore.New(view) // "a.pcap" is inner's "tenants/acme/a.pcap"
//
// docs/prefix.md has the whole design.
//
// The prefix must end in "/" and pass backend.ValidatePrefix; it is not
// added when missing ("logs" is refused, so that a view never shows
// "logs-old" as "-old").
//
// # Confinement
//
//   - Put, Get, Stat and Remove validate the relative key with
//     backend.ValidateKey before they add the prefix, so a key cannot
//     climb out with ".." (such keys are invalid), and no key of the view
//     is longer than backend.MaxKeyLen with the prefix: a view's keys are
//     at most MaxKeyLen-len(prefix) bytes.
//   - List adds the prefix to the listing prefix, removes it from the keys
//     it returns, and leaves out any key that is not below the prefix
//     (and the prefix itself, a "folder" object of other tools). Page
//     tokens are the inner backend's, passed through: the inner List
//     always gets the view's prefix, so no token can list anything
//     outside it.
//   - The view has no Unwrap, so backend.As never finds the inner
//     backend's capabilities, which take inner keys. Instead the view has
//     each capability exactly when the inner backend has it, confined:
//     RemoveMany maps its keys (and refuses a listed key with a "." or
//     ".." component, which a backend that resolved paths would take out
//     of the view), Presign maps its key, SetExpiry and Expiry map their
//     prefixes (Expiry shows only the rules inside the view), Health is
//     the inner backend's. CheckKey (backend.KeyChecker) is always there:
//     it adds the view's length limit to the inner backend's check.
//   - Stream objects are made by the client from plain keys, so a client
//     over a view keeps its streams inside the view too.
//
// # Close
//
// Close closes the view: every later call gives ErrClosed. The inner
// backend stays open, since several views may share it, unless New was
// given CloseInner.
//
// # URLs
//
// The package registers no URL scheme: wrap a backend opened any other
// way (backend.Open, mem.New, fs.New, ...).
//
// # Errors
//
// The inner backend's errors are returned with the Key of every
// *backend.Error made relative, so that errors name the key the caller
// gave; their kinds and causes are unchanged, so errors.Is and errors.As
// work as on the inner backend. A native cause's own text (a file path,
// a server message) may still mention the inner key. Keys the view
// refuses are *backend.Error values with Kind ErrInvalidKey.
package prefix
