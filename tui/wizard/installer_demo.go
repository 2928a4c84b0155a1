package wizard

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/nixlog"
)

// DemoInstallFunc stands in for a real installer in the demo: it plays a
// canned installer transcript, handing each line to line at the
// transcript's pace, and returns when it ends or ctx ends. Nothing real
// runs.
type DemoInstallFunc func(ctx context.Context, opt InstallOption, line func(string)) error

// DemoMachine is the demo's simulated machine. Detection reads it, and its
// Install plays the installer's canned transcript (nixrun's
// DemoInstallReplay) and then puts the same machine with Nix in its place
// (detect.DemoWithNix), so the wizard's next detection finds Nix installed.
type DemoMachine struct {
	name  string
	speed float64

	mu sync.Mutex
	m  detect.Machine
}

// NewDemoMachine returns the demo machine name (see detect.DemoNames); its
// transcripts play at speed (1 is their recorded pace, 0 as fast as
// possible).
func NewDemoMachine(name string, speed float64) (*DemoMachine, error) {
	m, err := detect.Demo(name)
	if err != nil {
		return nil, err
	}
	return &DemoMachine{name: name, speed: speed, m: m}, nil
}

func (d *DemoMachine) machine() detect.Machine {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m
}

// Detect runs detection on the demo machine as it is now.
func (d *DemoMachine) Detect(ctx context.Context) detect.Report {
	return detect.Run(ctx, d.machine(), detect.Options{})
}

// Install is the demo's DemoInstallFunc: the transcript of opt's installer
// with the machine's user and home, then the machine with Nix.
func (d *DemoMachine) Install(ctx context.Context, opt InstallOption, line func(string)) error {
	m := d.machine()
	id := nixlog.DemoIdentity{User: m.Getenv("USER"), Home: m.Getenv("HOME")}
	after, err := detect.DemoWithNix(d.name, opt.ID)
	if err != nil {
		return err
	}
	rep, err := nixlog.DemoInstallReplay(opt.ID, id, d.speed)
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := rep.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		for _, l := range batch {
			line(string(l.Text))
		}
	}
	d.mu.Lock()
	d.m = after
	d.mu.Unlock()
	return nil
}
