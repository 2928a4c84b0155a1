// Package wizardlogic is the wizard's plain logic, kept out of the screens
// so it is tested without a terminal: the answers as the questions edit them
// (module and release choices, NAME=VALUE lists, the configuration directory,
// one field validated as it is typed), the review's rows (the answers in
// words, what changed since the last run, the plan's files) and the done
// screen's text. It imports no bubbletea, huh or lipgloss; tui/wizard draws
// what it returns.
package wizardlogic
