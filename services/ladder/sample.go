package ladder

import _ "embed"

// SampleFramework is a realistic engineering framework in the interchange
// format: two tracks, five IC levels, six competencies. `yardstick dev` seeds
// it on first start so that a newcomer sees something at once.
//
//go:embed sample/engineering.yaml
var SampleFramework string

// SampleFrameworkID is the ID the sample framework is seeded under.
const SampleFrameworkID = "engineering"
