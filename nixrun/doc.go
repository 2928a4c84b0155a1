// Package nixrun runs a home-manager switch: it builds the command line and
// environment in one place (NewPlan), prepares the directory (Prepare: git
// add, the profile directory), and starts the run in its own process group
// (Start), handing its output over in batches of lines (a nixlog.LineSource)
// and saving the full log, which `nixboard replay` plays back. Reading what
// the run printed is package nixlog's job.
package nixrun
