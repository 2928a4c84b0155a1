package detect

import (
	"path"
	"slices"
	"strings"
)

// confResult is experimental-features as Nix's configuration files and
// NIX_CONFIG set it, read the way Nix reads them. It is the fallback when
// nix itself cannot be asked.
type confResult struct {
	features []string
	// sources are the files (and NIX_CONFIG) that set the features, in the
	// order they were applied.
	sources []string
}

// confFiles lists Nix's configuration files in the order Nix applies them:
// the system file, then the user files with XDG_CONFIG_HOME's last, so it
// wins (Nix reads its list of user files backwards).
func confFiles(getenv func(string) string, home string) []string {
	sysDir := "/etc/nix"
	if d := getenv("NIX_CONF_DIR"); path.IsAbs(d) {
		sysDir = d
	}
	files := []string{path.Join(sysDir, "nix.conf")}
	var user []string
	if v := getenv("NIX_USER_CONF_FILES"); v != "" {
		user = strings.Split(v, ":")
	} else {
		configHome := getenv("XDG_CONFIG_HOME")
		if !path.IsAbs(configHome) && home != "" {
			configHome = path.Join(home, ".config")
		}
		if configHome != "" {
			user = append(user, path.Join(configHome, "nix/nix.conf"))
		}
		dirs := getenv("XDG_CONFIG_DIRS")
		if dirs == "" {
			dirs = "/etc/xdg"
		}
		for _, d := range strings.Split(dirs, ":") {
			if path.IsAbs(d) {
				user = append(user, path.Join(d, "nix/nix.conf"))
			}
		}
	}
	for i := len(user) - 1; i >= 0; i-- {
		if path.IsAbs(user[i]) {
			files = append(files, user[i])
		}
	}
	return files
}

func readNixConf(p *prober) confResult {
	var c confResult
	for _, f := range confFiles(p.m.Getenv, p.home()) {
		if s, ok := p.read(f); ok {
			c.apply(p, s, f, 0)
		}
	}
	if env := p.m.Getenv("NIX_CONFIG"); env != "" {
		c.apply(p, env, "NIX_CONFIG", 0)
	}
	return c
}

// apply applies one configuration text: "experimental-features" replaces the
// list, "extra-experimental-features" adds to it, and "include" and
// "!include" read another file relative to this one ("!include" quietly
// skips a missing file).
func (c *confResult) apply(p *prober, text, source string, depth int) {
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if (fields[0] == "include" || fields[0] == "!include") && len(fields) == 2 {
			if depth >= 8 || source == "NIX_CONFIG" {
				continue
			}
			inc := fields[1]
			if !path.IsAbs(inc) {
				inc = path.Join(path.Dir(source), inc)
			}
			if s, ok := p.read(inc); ok {
				c.apply(p, s, inc, depth+1)
			}
			continue
		}
		if len(fields) < 2 || fields[1] != "=" {
			continue
		}
		switch fields[0] {
		case "experimental-features":
			c.features = slices.Clone(fields[2:])
		case "extra-experimental-features":
			c.features = append(c.features, fields[2:]...)
		default:
			continue
		}
		if !slices.Contains(c.sources, source) {
			c.sources = append(c.sources, source)
		}
	}
}
