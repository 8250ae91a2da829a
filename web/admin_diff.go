package web

import (
	"fmt"
	"strings"
)

// A line diff for the admin pages: what a draft changes against its last
// published revision. A plain longest-common-subsequence table is enough:
// drafts are a few hundred lines, and the table is O(n·m) only for the part
// between the common head and tail, which is usually small.

// adminDiffOp says where a line of a diff is.
type adminDiffOp string

const (
	adminDiffSame    adminDiffOp = "same"
	adminDiffAdded   adminDiffOp = "added"   // only in the new text (the draft)
	adminDiffRemoved adminDiffOp = "removed" // only in the old text (the revision)
	adminDiffGap     adminDiffOp = "gap"     // unchanged lines a page leaves out
)

// adminDiffLine is one line of a diff.
type adminDiffLine struct {
	Op   adminDiffOp
	Text string
}

// adminMaxDiffCells bounds the LCS table, so a huge paste cannot exhaust memory:
// beyond it the middle is shown as all removed, then all added (still a
// correct diff, only not a minimal one).
const adminMaxDiffCells = 4_000_000

// adminDiffLines returns the lines of old and new in order, each marked same,
// removed (only in old) or added (only in new), with as many lines kept the
// same as possible.
func adminDiffLines(old, new []string) []adminDiffLine {
	// The common head and tail need no table.
	head := 0
	for head < len(old) && head < len(new) && old[head] == new[head] {
		head++
	}
	tail := 0
	for tail < len(old)-head && tail < len(new)-head && old[len(old)-1-tail] == new[len(new)-1-tail] {
		tail++
	}
	out := make([]adminDiffLine, 0, len(old)+len(new)-head-tail)
	for _, l := range old[:head] {
		out = append(out, adminDiffLine{adminDiffSame, l})
	}
	out = append(out, adminDiffMiddle(old[head:len(old)-tail], new[head:len(new)-tail])...)
	for _, l := range old[len(old)-tail:] {
		out = append(out, adminDiffLine{adminDiffSame, l})
	}
	return out
}

// adminDiffMiddle diffs what lies between the common head and tail.
func adminDiffMiddle(a, b []string) []adminDiffLine {
	var out []adminDiffLine
	if len(a)*len(b) > adminMaxDiffCells || len(a) == 0 || len(b) == 0 {
		for _, l := range a {
			out = append(out, adminDiffLine{adminDiffRemoved, l})
		}
		for _, l := range b {
			out = append(out, adminDiffLine{adminDiffAdded, l})
		}
		return out
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:], so the walk below can go forwards.
	w := len(b) + 1
	lcs := make([]int, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, adminDiffLine{adminDiffSame, a[i]})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			// Removals first, as readers of diffs expect.
			out = append(out, adminDiffLine{adminDiffRemoved, a[i]})
			i++
		default:
			out = append(out, adminDiffLine{adminDiffAdded, b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, adminDiffLine{adminDiffRemoved, a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, adminDiffLine{adminDiffAdded, b[j]})
	}
	return out
}

// adminSplitLines splits a text into lines for adminDiffLines, without the empty line
// a final newline would make, and with Windows line ends (as browsers send
// textareas) read as plain ones.
func adminSplitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// adminDiffView is a diff as a page shows it: the lines, and whether anything
// changed at all.
type adminDiffView struct {
	// Name names the box the lines scroll in, for a screen reader: unique
	// on its page, and not the heading's (a landmark each).
	Name    string
	Lines   []adminDiffLine
	Changed bool
	Added   int
	Removed int
}

// adminDiffContext is how many unchanged lines a page shows around each
// change: enough to see where it is, few enough to keep a page small.
const adminDiffContext = 3

// newAdminDiffView diffs two texts for a page: the changes with a few lines
// around each, longer unchanged runs left out as one gap line.
func newAdminDiffView(old, new string) adminDiffView {
	var v adminDiffView
	lines := adminDiffLines(adminSplitLines(old), adminSplitLines(new))
	for i := 0; i < len(lines); {
		if lines[i].Op != adminDiffSame {
			if lines[i].Op == adminDiffAdded {
				v.Added++
			} else {
				v.Removed++
			}
			v.Lines = append(v.Lines, lines[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && lines[j].Op == adminDiffSame {
			j++
		}
		keepHead, keepTail := adminDiffContext, adminDiffContext
		if i == 0 {
			keepHead = 0 // no change above to give context to
		}
		if j == len(lines) {
			keepTail = 0
		}
		if j-i <= keepHead+keepTail+1 {
			v.Lines = append(v.Lines, lines[i:j]...)
		} else {
			v.Lines = append(v.Lines, lines[i:i+keepHead]...)
			v.Lines = append(v.Lines, adminDiffLine{adminDiffGap, fmt.Sprintf("… %d unchanged lines …", j-i-keepHead-keepTail)})
			v.Lines = append(v.Lines, lines[j-keepTail:j]...)
		}
		i = j
	}
	v.Changed = v.Added+v.Removed > 0
	return v
}
