//go:build !race

package cluster

// raceEnabled: the suite runs without -race (see race_test.go).
const raceEnabled = false
