package main

import "runtime/debug"

// version names this binary in what it writes for later (a backup's
// manifest, an export's header), so that a file can be traced to the code
// that wrote it: the module version Go stamped at build time ("(devel)" for
// a build from a checkout) and the commit, when the build recorded one.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
