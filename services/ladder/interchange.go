package ladder

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// The YAML interchange format of a framework (see the README). It carries
// the content only: names, etags and revisions belong to the server. These
// types are kept apart from the stored ones in model.go on purpose: the
// format is a contract with users, the storage is ours to change.
type yamlFramework struct {
	Title        string           `yaml:"title"`
	Description  string           `yaml:"description,omitempty"`
	Competencies []yamlCompetency `yaml:"competencies"`
	Tracks       []yamlTrack      `yaml:"tracks"`
}

type yamlCompetency struct {
	ID          string `yaml:"id"`
	Title       string `yaml:"title"`
	Description string `yaml:"description,omitempty"`
}

type yamlTrack struct {
	ID     string      `yaml:"id"`
	Title  string      `yaml:"title"`
	Levels []yamlLevel `yaml:"levels"`
}

type yamlLevel struct {
	ID           string            `yaml:"id"`
	Title        string            `yaml:"title"`
	Summary      string            `yaml:"summary,omitempty"`
	Expectations []yamlExpectation `yaml:"expectations,omitempty"`
}

type yamlExpectation struct {
	Competency  string   `yaml:"competency"`
	Description string   `yaml:"description"`
	Examples    []string `yaml:"examples,omitempty"`
}

// exportYAML writes content in the interchange format.
func exportYAML(c content) (string, error) {
	y := yamlFramework{Title: c.Title, Description: c.Description}
	for _, comp := range c.Competencies {
		y.Competencies = append(y.Competencies, yamlCompetency(comp))
	}
	for _, t := range c.Tracks {
		yt := yamlTrack{ID: t.ID, Title: t.Title}
		for _, l := range t.Levels {
			yl := yamlLevel{ID: l.ID, Title: l.Title, Summary: l.Summary}
			for _, e := range l.Expectations {
				yl.Expectations = append(yl.Expectations, yamlExpectation(e))
			}
			yt.Levels = append(yt.Levels, yl)
		}
		y.Tracks = append(y.Tracks, yt)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(y); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// goTypeName matches the Go type yaml.v3 names in its errors, which means
// nothing to the author of the document.
var goTypeName = regexp.MustCompile(`( in type| into) [a-z]+\.\w+`)

// maxYAMLMessage bounds an import error's message: yaml.v3 lists every
// unknown field (with its name) and every type error, so a hostile document
// would otherwise get an error as large as itself.
const maxYAMLMessage = 1 << 10

func yamlMessage(err error) string {
	msg := goTypeName.ReplaceAllStringFunc(strings.TrimPrefix(err.Error(), "yaml: "), func(m string) string {
		if strings.HasPrefix(m, " into") {
			return " here"
		}
		return ""
	})
	if len(msg) > maxYAMLMessage {
		msg = strings.ToValidUTF8(msg[:maxYAMLMessage], "") + " … (more errors left out)"
	}
	return msg
}

// importYAML reads an interchange document into a framework message (content
// only). Broken YAML and unknown fields are reported against the "content"
// field with the line they are on; the content itself is validated later,
// like any other framework.
func importYAML(doc string) (*ladderv1.Framework, error) {
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true) // a misspelt field is an error, not silently dropped data
	var y yamlFramework
	if err := dec.Decode(&y); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apierr.Invalid("content", "empty document")
		}
		return nil, apierr.Invalid("content", "not a framework document: %s", yamlMessage(err))
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, apierr.Invalid("content", "holds more than one YAML document; import one framework at a time")
	}
	c := content{Title: y.Title, Description: y.Description}
	for _, comp := range y.Competencies {
		c.Competencies = append(c.Competencies, competency(comp))
	}
	for _, yt := range y.Tracks {
		t := track{ID: yt.ID, Title: yt.Title}
		for _, yl := range yt.Levels {
			l := level{ID: yl.ID, Title: yl.Title, Summary: yl.Summary}
			for _, e := range yl.Expectations {
				l.Expectations = append(l.Expectations, expectation(e))
			}
			t.Levels = append(t.Levels, l)
		}
		c.Tracks = append(c.Tracks, t)
	}
	return contentToProto(c), nil
}
