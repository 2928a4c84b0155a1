//go:build race

package nixrun

const raceEnabled = true
