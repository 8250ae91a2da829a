package ladder

import "github.com/yardstick-dev/yardstick/pkg/publishing"

// Resource names. Requests' protovalidate rules (proto/yardstick/type/v1)
// have already checked their form.

const frameworksPrefix = "frameworks/"

// splitName splits `frameworks/{f}` or `frameworks/{f}/revisions/{r}` into
// the framework's name and the revision ID (empty for the framework itself).
func splitName(name string) (framework, revisionID string) { return publishing.SplitName(name) }
