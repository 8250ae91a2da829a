package web

import (
	"reflect"
	"strings"
	"testing"
)

func TestDiffLines(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		want     string // one line per diff line: " " same, "+" added, "-" removed
	}{
		{"both empty", "", "", ""},
		{"identical", "a\nb\n", "a\nb", " a\n b"},
		{"all added", "", "a\nb", "+a\n+b"},
		{"all removed", "a\nb", "", "-a\n-b"},
		{"one changed in the middle", "a\nb\nc", "a\nx\nc", " a\n-b\n+x\n c"},
		{"inserted", "a\nc", "a\nb\nc", " a\n+b\n c"},
		{"deleted", "a\nb\nc", "a\nc", " a\n-b\n c"},
		{"moved keeps the longest common part", "a\nb\nc\nd", "b\nc\nd\na", "-a\n b\n c\n d\n+a"},
		{"crlf is a plain line end", "a\r\nb\r\n", "a\nb\n", " a\n b"},
		{"interleaved", "a\nb\nc\nd\ne", "a\nc\ne\nf", " a\n-b\n c\n-d\n e\n+f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range adminDiffLines(adminSplitLines(tc.old), adminSplitLines(tc.new)) {
				got = append(got, map[adminDiffOp]string{adminDiffSame: " ", adminDiffAdded: "+", adminDiffRemoved: "-"}[l.Op]+l.Text)
			}
			if g := strings.Join(got, "\n"); g != tc.want {
				t.Errorf("diff(%q, %q) =\n%s\nwant\n%s", tc.old, tc.new, g, tc.want)
			}
		})
	}
}

// Every diff must rebuild both texts: the same and removed lines are the old
// text, the same and added lines the new one.
func TestDiffRebuildsBothTexts(t *testing.T) {
	texts := [][]string{
		nil, {"a"}, {"a", "a", "b"}, {"b", "a", "b", "a"}, {"x", "y", "z", "a", "b"}, {"a", "b", "a", "c", "b"},
	}
	for _, old := range texts {
		for _, new := range texts {
			var gotOld, gotNew []string
			for _, l := range adminDiffLines(old, new) {
				if l.Op != adminDiffAdded {
					gotOld = append(gotOld, l.Text)
				}
				if l.Op != adminDiffRemoved {
					gotNew = append(gotNew, l.Text)
				}
			}
			if !reflect.DeepEqual(gotOld, old) || !reflect.DeepEqual(gotNew, new) {
				t.Errorf("diff(%q, %q) rebuilds %q and %q", old, new, gotOld, gotNew)
			}
		}
	}
}

func TestDiffCounts(t *testing.T) {
	v := newAdminDiffView("a\nb\nc", "a\nx\ny\nc")
	if !v.Changed || v.Added != 2 || v.Removed != 1 {
		t.Errorf("diff view = %+v, want changed, 2 added, 1 removed", v)
	}
	if v := newAdminDiffView("a", "a"); v.Changed {
		t.Errorf("diff of equal texts = %+v, want unchanged", v)
	}
}

// A page shows the changes with a few lines around them, not whole texts.
func TestDiffViewLeavesOutLongUnchangedRuns(t *testing.T) {
	var old []string
	for i := range 40 {
		old = append(old, strings.Repeat("x", i%7+1))
	}
	newer := append([]string(nil), old...)
	newer[20] = "changed"
	v := newAdminDiffView(strings.Join(old, "\n"), strings.Join(newer, "\n"))
	var ops []string
	for _, l := range v.Lines {
		ops = append(ops, string(l.Op))
	}
	want := "gap same same same removed added same same same gap"
	if got := strings.Join(ops, " "); got != want {
		t.Errorf("view = %s, want %s", got, want)
	}
	if v.Lines[0].Text != "… 17 unchanged lines …" {
		t.Errorf("first gap = %q", v.Lines[0].Text)
	}
}
