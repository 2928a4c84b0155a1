// Package theme holds nixboard's colours and styles. Every screen takes its
// styles from here so light and dark terminals and NO_COLOR are handled once.
package theme

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// NoColor reports whether colour is switched off: any non-empty NO_COLOR
// value counts, as https://no-color.org asks (colorprofile itself only
// understands boolean values, so nixboard normalises it here).
func NoColor(getenv func(string) string) bool {
	return getenv("NO_COLOR") != ""
}

// Styles are the lipgloss styles shared by all screens.
type Styles struct {
	Title    lipgloss.Style
	Subtle   lipgloss.Style
	OK       lipgloss.Style
	Warn     lipgloss.Style
	Fail     lipgloss.Style
	Accent   lipgloss.Style
	Key      lipgloss.Style
	Selected lipgloss.Style
}

// New builds the styles for a dark or light background. With noColor every
// style is plain (bold and similar attributes are kept, colours are not).
func New(isDark, noColor bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	return Styles{
		Title:    lipgloss.NewStyle().Bold(true).Foreground(c("#5A3FC0", "#B4A0FF")),
		Subtle:   lipgloss.NewStyle().Foreground(c("#6B6B6B", "#9A9A9A")),
		OK:       lipgloss.NewStyle().Foreground(c("#1A7F37", "#3FB950")),
		Warn:     lipgloss.NewStyle().Foreground(c("#9A6700", "#D29922")),
		Fail:     lipgloss.NewStyle().Bold(true).Foreground(c("#CF222E", "#F85149")),
		Accent:   lipgloss.NewStyle().Foreground(c("#0969DA", "#58A6FF")),
		Key:      lipgloss.NewStyle().Bold(true).Foreground(c("#24292F", "#E6EDF3")),
		Selected: lipgloss.NewStyle().Bold(true).Foreground(c("#5A3FC0", "#B4A0FF")),
	}
}

// Help is the key help (bubbles/help) drawn in these styles, its entries
// joined by sep: every screen's key help looks the same.
func (s Styles) Help(sep string) help.Model {
	h := help.New()
	h.ShortSeparator = sep
	h.Styles = help.Styles{
		ShortKey:       s.Key,
		ShortDesc:      s.Subtle,
		ShortSeparator: s.Subtle,
		Ellipsis:       s.Subtle,
	}
	return h
}
