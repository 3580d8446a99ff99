//go:build race

package cluster

// raceEnabled: the suite runs with -race, so the server binary it builds is
// built with -race too, and a data race in the server fails its process.
const raceEnabled = true
