//go:build !race

package tests

// raceEnabled: the suite runs without -race (see race_test.go).
const raceEnabled = false
