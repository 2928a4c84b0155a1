// Package detect finds out what machine nixboard runs on and whether it is
// ready for home-manager, and explains each problem with its fix.
//
// # Reading a machine
//
// Detection reads a machine only through the Machine interface: files under
// a root (ReadFile, Stat, Lstat, ReadDir, Readlink), the environment
// (Getenv), commands on the machine's PATH (LookPath, Run), the operating
// system and architecture (GOOS, GOARCH) and whether a unix socket accepts a
// connection (DialUnix). There are three kinds of machine:
//
//   - Host() is the real machine.
//   - FromEnv(getenv) honours NIXBOARD_ROOT (a directory standing for "/"),
//     NIXBOARD_GOOS and NIXBOARD_GOARCH, so a fixture directory on this
//     machine can pass for any other. PATH keeps its meaning as the machine
//     sees it: with NIXBOARD_ROOT=/fx and PATH=/usr/bin, "nix" runs
//     /fx/usr/bin/nix (a fixture's stub script) and is reported as
//     /usr/bin/nix. Symbolic links resolve inside the root. Without
//     NIXBOARD_ROOT it is the host.
//   - Demo(name) is an in-memory machine for demos and screencasts; DemoNames
//     lists them (see demo.go for what each one is).
//
// # Detecting
//
// Run(ctx, m, Options{}) returns a Report: the platform, Nix, home-manager,
// git, the user, free disk space, the defaults the wizard offers
// (Report.Defaults, a flakegen.Answers; on a re-run the nixboard.json in the
// configuration directory wins) and the checks. Probes run concurrently, each
// bounded by Options.Timeout (DefaultTimeout); a command that hangs turns its
// check into a warning. Detection writes nothing anywhere.
//
// Each Check has a stable id (see CheckIDs), a status (ok, warn, fail), a
// one-line message and, when something is wrong, a fix to copy. A fail
// means the switch cannot succeed until it is fixed.
//
// # Installing Nix
//
// InstallAdvice(report) is the one place that decides how to install Nix on
// a machine: the options in order, the recommended one first, each with its
// exact command. The nix.installed check's fix is that advice's command
// (Advice.Fix) and its message carries the rest (Advice.FixNote); the
// wizard's install screen offers the same options.
//
// Every check's Fix is a command that runs as pasted, never prose: what the
// person must know around it goes in the Message (TestFixesPasteAsCommands).
//
// The detect/detecttest package prepares the fixture machines under
// testdata/machines for tests in any package.
package detect
