package ladder

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// maxImportMessage bounds the description of an import error: it goes back
// to the client and into logs, so a hostile document must not make it grow
// with its size.
const maxImportMessage = 4 << 10

// checkImport is what every document, however hostile, must satisfy: no
// panic, and either a framework or one invalid-argument violation on
// "content" with a message of bounded size.
func checkImport(t *testing.T, doc string) {
	t.Helper()
	f, err := importYAML(doc)
	if err == nil {
		if f == nil {
			t.Fatalf("importYAML(%.200q) = nil, nil", doc)
		}
		return
	}
	var invalid *apierr.InvalidArgumentError
	if !errors.As(err, &invalid) {
		t.Fatalf("importYAML(%.200q) = %v, want an *apierr.InvalidArgumentError", doc, err)
	}
	if len(invalid.Violations) != 1 || invalid.Violations[0].Field != "content" {
		t.Fatalf("importYAML(%.200q) violations = %.500v, want one on content", doc, invalid.Violations)
	}
	if n := len(invalid.Violations[0].Description); n > maxImportMessage {
		t.Fatalf("importYAML(%.200q) description is %d bytes, want at most %d: %.300q…",
			doc, n, maxImportMessage, invalid.Violations[0].Description)
	}
}

// FuzzImportYAML feeds arbitrary documents to the import parser. The seeds
// are the sample framework and the documents of TestImportYAMLErrors; the
// corpus under testdata/fuzz/FuzzImportYAML adds anchors, aliases, merge
// keys, tags and flow style.
func FuzzImportYAML(f *testing.F) {
	f.Add(SampleFramework)
	for _, doc := range []string{
		"title: [unclosed\n",
		"title: x\ncompetencies:\n\t- id: a\n",
		"titel: Engineering\n",
		"title: x\ntracks:\n  - id: ic\n    title: IC\n    levels:\n      - id: l1\n        title: L1\n        sumary: typo\n",
		"title: [a, b]\n",
		"- just\n- a list\n",
		"",
		"  \n\n",
		"# nothing here\n",
		"title: a\n---\ntitle: b\n",
		aliasBomb(4),
		nestedAliasBomb(3),
	} {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		checkImport(t, doc)
	})
}

// aliasBomb is a "billion laughs" document: each level is a list of ten
// aliases of the previous one, so a naive decoder expands it to 10^levels
// strings.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [\"lol\"]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// nestedAliasBomb aliases whole tracks, levels, expectations and examples:
// each list holds k aliases of its first element, so a naive decoder
// expands the document's few hundred bytes into k^4 examples.
func nestedAliasBomb(k int) string {
	rest := func(anchor string) string { return strings.Repeat(", *"+anchor, k-1) }
	return "title: x\ncompetencies: [{id: c, title: C}]\ntracks: [" +
		"&T {id: t, title: T, levels: [" +
		"&L {id: l, title: L, expectations: [" +
		"&E {competency: c, description: d, examples: [&S lol" + rest("S") + "]}" +
		rest("E") + "]}" + rest("L") + "]}" + rest("T") + "]\n"
}

// An alias bomb is refused quickly and without allocating its expansion,
// whether its aliases sit in unknown fields, in the fields of a framework,
// or in a second document (which importYAML decodes only to refuse it).
func TestImportYAMLAliasBomb(t *testing.T) {
	docs := map[string]string{
		"unknown fields":        aliasBomb(9),         // 10^9 strings if expanded
		"known fields":          nestedAliasBomb(100), // 10^8 examples
		"second document":       "title: x\n---\n" + aliasBomb(9),
		"under yaml.v3's limit": nestedAliasBomb(6), // 1296 examples
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			checkImport(t, doc)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if elapsed > 2*time.Second {
				t.Errorf("importYAML(alias bomb) took %v, want well under a second", elapsed)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("importYAML(alias bomb) allocated %d MiB, want at most 64", alloc>>20)
			}
		})
	}
}

// Every unknown field is reported with its name; a document of many long
// unknown fields must not turn into an error message as large as itself.
func TestImportYAMLErrorSizeBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: x\n")
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "unknown_%d_%s: v\n", i, strings.Repeat("x", 1000))
	}
	checkImport(t, b.String())

	b.Reset()
	b.WriteString("title: x\ncompetencies:\n")
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "  - [%s]\n", strings.Repeat("y", 1000)) // wrong type, each on its own line
	}
	checkImport(t, b.String())
}
