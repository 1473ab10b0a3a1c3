// Package reliability holds the cross-driver reliability tests, the rows
// of RELIABILITY.md that no one driver's package can prove alone: secrets
// in every driver's errors, logs and String(); the load checks at full
// size; the memory of a large put of unknown size on every network
// driver. docs/reliability.md maps every row to its tests. It has no API.
package reliability
