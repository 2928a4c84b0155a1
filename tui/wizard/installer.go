package wizard

import "github.com/nixboard/nixboard/detect"

// InstallOption is one way to install Nix, as detect advises it.
type InstallOption = detect.InstallOption

// InstallAdvice is what the Nix-missing screen offers.
type InstallAdvice = detect.Advice

// AdviseInstall is detect.InstallAdvice: the one place that decides how to
// install Nix on a machine, whose recommendation the doctor's nix.installed
// fix shows too. The wizard only presents it.
func AdviseInstall(r detect.Report) InstallAdvice { return detect.InstallAdvice(r) }
