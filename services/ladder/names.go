package ladder

import (
	"strconv"
	"strings"
)

// Resource names. Requests' protovalidate rules (proto/yardstick/type/v1)
// have already checked their form; these functions only take them apart.

const (
	frameworksPrefix = "frameworks/"
	revisionsInfix   = "/revisions/"
	// latestRevision is the revision ID alias for the newest published revision.
	latestRevision = "latest"
)

// splitName splits `frameworks/{f}` or `frameworks/{f}/revisions/{r}` into
// the framework's name and the revision ID (empty for the framework itself).
func splitName(name string) (framework, revisionID string) {
	framework, revisionID, _ = strings.Cut(name, revisionsInfix)
	return framework, revisionID
}

// revisionName names revision number n of a framework.
func revisionName(framework string, n int64) string {
	return framework + revisionsInfix + strconv.FormatInt(n, 10)
}

// latestRevisionName names a draft's newest revision; empty when it has none.
func latestRevisionName(framework string, d draft) string {
	if d.LatestRevision == "" {
		return ""
	}
	return framework + revisionsInfix + d.LatestRevision
}
