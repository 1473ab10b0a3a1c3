// Package observe holds what the observability wrappers (backend/metrics,
// backend/tracing, backend/logging) share, so that each keeps only its own
// instrumentation:
//
//   - Outcome, the one classification of an operation's error into the
//     values of their "outcome" labels and attributes;
//   - Compose, which gives a wrapper exactly the optional capabilities
//     (BatchRemover, HealthChecker, Presigner, Lifecycler, Composer,
//     Copier) of the backend it wraps, so that backend.As finds the same
//     capabilities with and without the wrapper; it is generated, with
//     Caps, CapsOf and ServedBy, from one list (gen_compose.go), which
//     also generates the compose functions of backend/prefix and
//     backend/failover;
//   - Name, a wrapper's default name for the backend it wraps.
//
// The package is internal: the wrappers' public API (for instance
// metrics.Outcome) is where users see these.
package observe
