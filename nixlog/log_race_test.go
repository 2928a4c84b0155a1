//go:build race

package nixlog

const raceEnabled = true
