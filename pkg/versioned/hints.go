package versioned

import "github.com/yardstick-dev/yardstick/pkg/lru"

// versionHints remembers the version at which this process last saw each
// resource, so that a read can ask for the change record after it at the
// same time as it reads the document (findWithPending) instead of after.
// A hint is never trusted: it only says which record to read early, and
// that read is used only when the document read beside it is at the
// hinted version. A wrong or forgotten hint costs the read it would have
// saved, nothing else.
type versionHints struct {
	cache *lru.Cache[string, int64]
}

// hintBytes bounds each store's hints: with names of about 60 bytes and
// the cache's own overhead, some 2,500 resources, the ones read most
// lately. A service has ten stores or so: a few MiB at most in all, and
// only once that many resources have been read.
const hintBytes = 256 << 10

func newVersionHints() versionHints {
	return versionHints{cache: lru.New[string, int64](hintBytes)}
}

// guess returns the version name was last seen at, if it was.
func (h versionHints) guess(name string) (int64, bool) {
	return h.cache.Get(name)
}

// saw notes the version a resource was read or written at.
func (h versionHints) saw(name string, version int64) {
	const entryOverhead = 48 // the list element, the map entry, the version
	h.cache.Add(name, version, len(name)+entryOverhead)
}
