#!/usr/bin/env bash
# buf breaking: the `proto` module of the working tree against the same module
# at the previous commit (HEAD~1), with the FILE rules buf.yaml sets, so that a
# renamed JSON field breaks the build as a renamed Go or gRPC name would.
#
#   BREAKING_AGAINST=<rev>  compare against another commit (for example
#                           origin/main for a branch); default HEAD~1.
#
# Escape hatch, for an intentional breaking change before v1 is released: a
# commit between the baseline and HEAD whose message ends with the trailer
#
#   Proto-Breaking: <reason>
#
# (in the last paragraph, like Signed-off-by) skips the check with a note.
#
# The old protos are checked out in a temporary `git worktree`, not read
# through buf's `.git#ref=` input: the third-party protos they import are
# git-ignored symlinks that scripts/protodeps.sh makes, which a git input
# never sees.
set -euo pipefail
cd "$(dirname "$0")/.."

against=${BREAKING_AGAINST:-HEAD~1}
buf() { go tool -modfile=tools/go.mod buf "$@"; }

if ! base=$(git rev-parse --verify --quiet "$against^{commit}"); then
  echo "breaking: skipped: no commit $against here (first commit, or a shallow clone: fetch with more depth)"
  exit 0
fi
short=$(git rev-parse --short "$base")

reason=$(git log --format='%(trailers:key=Proto-Breaking,valueonly,separator=%x3B )' "$base..HEAD" | sed '/^$/d')
if [ -n "$reason" ]; then
  echo "breaking: skipped: Proto-Breaking trailer since $short: $reason"
  exit 0
fi

if git diff --quiet "$base" -- proto buf.yaml &&
  [ -z "$(git ls-files --others --exclude-standard -- proto)" ]; then
  echo "breaking: no proto changes since $short"
  exit 0
fi

if ! git cat-file -e "$base:proto" 2>/dev/null; then
  echo "breaking: skipped: $short has no proto module to compare against"
  exit 0
fi

old=$(mktemp -d)
cleanup() {
  git worktree remove --force "$old/tree" >/dev/null 2>&1 || true
  rm -rf "$old"
}
trap cleanup EXIT
git worktree add --quiet --detach "$old/tree" "$base"
if [ -x "$old/tree/scripts/protodeps.sh" ]; then
  "$old/tree/scripts/protodeps.sh"
fi
./scripts/protodeps.sh

echo "breaking: proto against $short (FILE rules)"
buf breaking proto --against "$old/tree/proto"
