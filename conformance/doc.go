// Package conformance is the one test suite that every Backend must pass.
//
// A driver runs it from a test with a factory that returns a fresh, empty
// namespace and registers its own cleanup:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) backend.Backend {
//			b := mem.New()
//			t.Cleanup(func() { b.Close() })
//			return b
//		})
//	}
//
// The same checks run outside go test through Check, which returns one
// Result per check (as testing/fstest.TestFS returns an error), so that a
// command can check a user's own store:
//
//	results := conformance.Check(ctx, newBackend, conformance.Short())
//	for _, r := range results {
//		fmt.Println(r)
//	}
//	if err := conformance.Err(results); err != nil { ... }
//
// There is one list of checks (Checks) and two runners. The checks are
// written against T, the small part of *testing.T they need; *testing.T
// satisfies it directly, and Check supplies its own implementation in
// which FailNow ends only the running check.
//
// # What the factory must do
//
//   - Return a Backend on an empty namespace that no other check uses: a
//     new bucket, a new directory, a new mem.New(), or a unique prefix of a
//     shared store.
//   - Register its own cleanup (t.Cleanup in Run; the returned func in
//     Check). The cleanup must not need the returned Backend to be open:
//     the "closed" check closes it, and every check leaves objects behind.
//   - Not run in parallel with other tests of the same process that start
//     goroutines: the leak checks ("list-stopped-early", "get-closed-early")
//     count the goroutines of the whole process.
//
// # Errors
//
// The checks only use errors.Is with the sentinels of package backend
// (ErrNotFound, ErrInvalidKey, ...), errors.As to *backend.Error, and
// errors.Is with the causes they inject (context.Canceled, the error of a
// failing reader). The text of an error is only checked to name the key.
package conformance
