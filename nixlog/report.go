package nixlog

import (
	"fmt"
	"strings"
	"time"
)

// ResultLine is the one closing line of a run: `switch ok: built N,
// downloaded M (X MiB) in Ts` or `switch failed: <reason>`.
func ResultLine(d Diagnosis, s Summary) string {
	if d.NotALog {
		// No switch was read: nothing failed.
		return d.Reason
	}
	if !d.OK {
		reason := d.Reason
		if reason == "" {
			reason = "the switch did not succeed"
		}
		return "switch failed: " + reason
	}
	return fmt.Sprintf("switch ok: built %d, downloaded %d (%s MiB) in %s",
		s.Built, s.Downloaded, mib(s.Bytes), Seconds(s.Elapsed))
}

// HintLines are the hints of a diagnosis as plain lines, for after the
// result line.
func HintLines(d Diagnosis) []string {
	var out []string
	for _, h := range d.Hints {
		out = append(out, "hint: "+h.Title)
		for _, l := range strings.Split(strings.TrimRight(h.Detail, "\n"), "\n") {
			if l != "" {
				out = append(out, "  "+l)
			}
		}
		if h.Fix != "" {
			out = append(out, "  fix: "+h.Fix)
		}
	}
	return out
}

// ProgressLine says where a run stands in one plain line, e.g.
// `downloading 2 of 3 (0.3 of 1.2 MiB, 1.1 MiB/s), building 1 of 5, 12s`.
func ProgressLine(h Header) string {
	return ProgressWords(h) + ", " + Seconds(h.Elapsed)
}

// ProgressWords is ProgressLine without the elapsed time, for a screen that
// shows the time elsewhere.
func ProgressWords(h Header) string {
	var parts []string
	switch {
	case h.PhaseText() == ToolPhase:
		// nix run builds the home-manager command: its figures follow.
		parts = append(parts, ToolPhase)
	case h.Phase == PhaseEvaluating:
		parts = append(parts, "evaluating")
	case h.Phase == PhaseActivating:
		step := "activating"
		if h.ActivationStep != "" {
			step += " (" + h.ActivationStep + ")"
		}
		parts = append(parts, step)
	case h.Phase == PhaseDone, h.Phase == PhaseFailed:
		parts = append(parts, h.Phase.String())
	}
	// Downloads and builds run side by side: each says it is going on
	// while any of it runs, whatever the phase says.
	downloading := h.Phase == PhaseDownloading || h.DownloadsRunning > 0 && h.Phase < PhaseDone
	if h.DownloadsExpected > 0 || h.DownloadsDone > 0 {
		s := fmt.Sprintf("downloaded %d of %d", h.DownloadsDone, max(h.DownloadsExpected, h.DownloadsDone))
		if downloading {
			s = fmt.Sprintf("downloading %d of %d", h.DownloadsDone, max(h.DownloadsExpected, h.DownloadsDone))
		}
		if h.BytesExpected > 0 {
			s += fmt.Sprintf(" (%s of %s MiB", mib(h.BytesDone), mib(h.BytesExpected))
		} else {
			s += fmt.Sprintf(" (%s MiB", mib(h.BytesDone))
		}
		if downloading && h.Rate > 0 {
			s += ", " + Rate(h.Rate)
		}
		parts = append(parts, s+")")
	}
	if h.BuildsExpected > 0 || h.BuildsDone > 0 {
		verb := "built"
		if h.Phase == PhaseBuilding || h.BuildsRunning > 0 && h.Phase < PhaseDone {
			verb = "building"
		}
		s := fmt.Sprintf("%s %d of %d", verb, h.BuildsDone, max(h.BuildsExpected, h.BuildsDone))
		if h.BuildsFailed > 0 {
			s += fmt.Sprintf(" (%d failed)", h.BuildsFailed)
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		parts = append(parts, h.Phase.String())
	}
	return strings.Join(parts, ", ")
}

// mib formats bytes as MiB with one decimal.
func mib(b int64) string {
	return fmt.Sprintf("%.1f", float64(b)/(1<<20))
}

// Rate formats a transfer rate in bytes per second.
func Rate(bps float64) string {
	switch {
	case bps >= 1<<20:
		return fmt.Sprintf("%.1f MiB/s", bps/(1<<20))
	case bps >= 1<<10:
		return fmt.Sprintf("%.0f KiB/s", bps/(1<<10))
	default:
		return fmt.Sprintf("%.0f B/s", bps)
	}
}

// Size formats a byte count for people: 512 B, 340 KiB, 1.2 MiB.
func Size(b int64) string {
	switch {
	case b >= 1<<20:
		return mib(b) + " MiB"
	case b >= 1<<10:
		return fmt.Sprintf("%d KiB", b>>10)
	default:
		return fmt.Sprintf("%d B", b)
	}
}

// Seconds formats an elapsed time: 0.4s, 9.5s, 83s.
func Seconds(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
}

// Clock formats an elapsed time as m:ss (or h:mm:ss).
func Clock(d time.Duration) string {
	s := int(d.Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
