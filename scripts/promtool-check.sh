#!/usr/bin/env bash
# The Prometheus rules: syntax (promtool check rules), their unit tests
# (promtool test rules: every alert fires and stays quiet on synthetic
# series), and a runbook in docs/operations/ for every alert. `make
# promtool` and CI run it. promtool comes from Debian's prometheus package
# (.ci/run installs it; `apt-get install prometheus` by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v promtool >/dev/null; then
  echo "promtool not found: apt-get install prometheus (Debian's package has it)"; exit 1
fi
promtool check rules deploy/prometheus/slo_rules.yaml deploy/prometheus/alerts.yaml
promtool test rules deploy/prometheus/alerts_test.yaml
# Each alert's runbook_url must name a runbook that exists, under the
# alert's own name.
missing=0
for alert in $(awk '$1 == "-" && $2 == "alert:" {print $3}' deploy/prometheus/alerts.yaml); do
  if [ ! -f "docs/operations/$alert.md" ]; then
    echo "alert $alert has no runbook docs/operations/$alert.md"; missing=1
  fi
  if ! grep -q "runbook_url: .*/docs/operations/$alert.md$" deploy/prometheus/alerts.yaml; then
    echo "alert $alert: no runbook_url pointing at docs/operations/$alert.md"; missing=1
  fi
done
exit "$missing"
