package ladder

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Frameworks in the formats people already publish them in, read into our
// content (the interchange format is interchange.go's). Each reader maps
// the format's parts onto competencies, tracks, levels and expectations,
// and reports what it cannot read against the "content" field; the result
// is then validated like any other framework. The example files in
// testdata/formats were written for the tests from the formats' public
// descriptions.

// importFormat reads content in format; id names the framework being
// imported, for formats that carry no title.
func importFormat(format ladderv1.ImportFrameworkRequest_Format, doc, id string) (*ladderv1.Framework, error) {
	switch format {
	case ladderv1.ImportFrameworkRequest_FORMAT_UNSPECIFIED, ladderv1.ImportFrameworkRequest_FORMAT_YARDSTICK_YAML:
		return importYAML(doc)
	case ladderv1.ImportFrameworkRequest_FORMAT_PROGRESSION_MARKDOWN:
		return importProgression(doc)
	case ladderv1.ImportFrameworkRequest_FORMAT_FT_JOB_FAMILY:
		return importFTJobFamily(doc)
	case ladderv1.ImportFrameworkRequest_FORMAT_SNOWFLAKE:
		return importSnowflake(doc, id)
	}
	return nil, apierr.Invalid("format", "unknown format %v", format)
}

// progression.fyi / Monzo: a Markdown page whose front matter holds
//
//	title: "Engineering Framework"
//	levels: 6
//	topics:
//	  - name: "Impact"
//	    title: "💥 Impact"
//	    content:
//	      - level: 1
//	        criteria: ["…", "…"]
//
// A topic is a competency; the page is one track, with levels 1..levels;
// a level's criteria of a topic are its expectation, one criterion a line.
type progressionPage struct {
	Title        string             `yaml:"title"`
	SidebarTitle string             `yaml:"sidebarTitle"`
	Path         string             `yaml:"path"`
	Levels       int                `yaml:"levels"`
	Topics       []progressionTopic `yaml:"topics"`
}

type progressionTopic struct {
	Name    string `yaml:"name"`
	Title   string `yaml:"title"`
	Content []struct {
		Level    int      `yaml:"level"`
		Criteria []string `yaml:"criteria"`
	} `yaml:"content"`
}

func importProgression(doc string) (*ladderv1.Framework, error) {
	front, ok := frontMatter(doc)
	if !ok {
		return nil, apierr.Invalid("content", "a progression page starts with YAML front matter between two --- lines")
	}
	var p progressionPage
	if err := yaml.Unmarshal([]byte(front), &p); err != nil {
		return nil, apierr.Invalid("content", "the front matter is not YAML: %s", yamlMessage(err))
	}
	if len(p.Topics) == 0 {
		return nil, apierr.Invalid("content", "the front matter lists no topics: a page without yaml topics (one Markdown page of prose per level) cannot be read into expectations")
	}
	levels := p.Levels
	for _, t := range p.Topics {
		for _, c := range t.Content {
			levels = max(levels, c.Level)
		}
	}
	if levels > maxLevels { // before making them: the number is the document's to choose
		return nil, apierr.Invalid("content", "a track has at most %d levels; the page has %d", maxLevels, levels)
	}
	trackTitle := firstOf(strings.TrimSpace(p.SidebarTitle), strings.TrimSpace(p.Title), "Track")
	tr := &ladderv1.Track{Id: slug(firstOf(strings.Trim(p.Path, "/"), trackTitle), "track"), Title: trackTitle}
	for n := 1; n <= levels; n++ {
		tr.Levels = append(tr.Levels, &ladderv1.Level{Id: fmt.Sprintf("l%d", n), Title: fmt.Sprintf("Level %d", n)})
	}
	f := &ladderv1.Framework{Title: firstOf(strings.TrimSpace(p.Title), trackTitle), Tracks: []*ladderv1.Track{tr}}
	for _, t := range p.Topics {
		name := firstOf(strings.TrimSpace(t.Name), strings.TrimSpace(t.Title))
		id := slug(name, "competency")
		f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: id, Title: name})
		for _, c := range t.Content {
			if c.Level < 1 || len(c.Criteria) == 0 {
				continue
			}
			lv := tr.Levels[c.Level-1]
			lv.Expectations = append(lv.Expectations, &ladderv1.Expectation{Competency: id, Description: strings.Join(trimAll(c.Criteria), "\n")})
		}
	}
	return f, nil
}

// frontMatter returns the YAML between a page's first two --- lines.
func frontMatter(doc string) (string, bool) {
	doc = strings.TrimLeft(doc, "\ufeff \t\r\n")
	rest, ok := strings.CutPrefix(doc, "---")
	if !ok {
		return "", false
	}
	front, _, ok := strings.Cut(rest, "\n---")
	return front, ok
}

// FT engineering-progression: a job family, in YAML:
//
//	name: Engineering
//	summary: …
//	levels: [{id: engineer-1, name: Engineer 1}, …]
//	themes: [{id: technical, name: Technical, summary: …}, …]
//	competencies: [{id: <uuid>, level: engineer-1, theme: technical,
//	                proficiency: Practitioner, summary: …, examples: [...]}, …]
//
// A theme is a competency; the job family is one track with its levels;
// the competencies of a level and theme are that level's expectation, one
// summary a line, with their examples.
type ftJobFamily struct {
	Name    string `yaml:"name"`
	Summary string `yaml:"summary"`
	Levels  []struct {
		ID   string `yaml:"id"`
		Name string `yaml:"name"`
	} `yaml:"levels"`
	Themes []struct {
		ID      string `yaml:"id"`
		Name    string `yaml:"name"`
		Summary string `yaml:"summary"`
	} `yaml:"themes"`
	Competencies []struct {
		Level    string   `yaml:"level"`
		Theme    string   `yaml:"theme"`
		Summary  string   `yaml:"summary"`
		Examples []string `yaml:"examples"`
	} `yaml:"competencies"`
}

func importFTJobFamily(doc string) (*ladderv1.Framework, error) {
	var j ftJobFamily
	if err := yaml.Unmarshal([]byte(doc), &j); err != nil {
		return nil, apierr.Invalid("content", "not a job family document: %s", yamlMessage(err))
	}
	if len(j.Levels) == 0 || len(j.Themes) == 0 {
		return nil, apierr.Invalid("content", "a job family lists its levels and themes; this one has %d levels and %d themes", len(j.Levels), len(j.Themes))
	}
	name := firstOf(strings.TrimSpace(j.Name), "Job family")
	f := &ladderv1.Framework{Title: name, Description: strings.TrimSpace(j.Summary)}
	themeID := map[string]string{}
	for _, t := range j.Themes {
		themeID[t.ID] = slug(firstOf(t.ID, t.Name), "theme")
		f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: themeID[t.ID], Title: firstOf(strings.TrimSpace(t.Name), t.ID), Description: strings.TrimSpace(t.Summary)})
	}
	tr := &ladderv1.Track{Id: slug(name, "track"), Title: name}
	levelAt := map[string]*ladderv1.Level{}
	for _, l := range j.Levels {
		lv := &ladderv1.Level{Id: slug(l.ID, "level"), Title: firstOf(strings.TrimSpace(l.Name), l.ID)}
		levelAt[l.ID] = lv
		tr.Levels = append(tr.Levels, lv)
	}
	f.Tracks = []*ladderv1.Track{tr}
	type cell struct{ level, theme string }
	expect := map[cell]*ladderv1.Expectation{}
	for i, c := range j.Competencies {
		lv, ok := levelAt[c.Level]
		if !ok {
			return nil, apierr.Invalid("content", "competency %d names the level %q, which the levels do not list", i+1, apierr.Clip(c.Level, 60))
		}
		comp, ok := themeID[c.Theme]
		if !ok {
			return nil, apierr.Invalid("content", "competency %d names the theme %q, which the themes do not list", i+1, apierr.Clip(c.Theme, 60))
		}
		e := expect[cell{c.Level, c.Theme}]
		if e == nil {
			e = &ladderv1.Expectation{Competency: comp}
			expect[cell{c.Level, c.Theme}] = e
			lv.Expectations = append(lv.Expectations, e)
		} else {
			e.Description += "\n"
		}
		e.Description += strings.TrimSpace(c.Summary)
		e.Examples = append(e.Examples, trimAll(c.Examples)...)
	}
	return f, nil
}

// Snowflake: its tracks and milestones, as JSON (the tracks object of its
// constants, alone or under "tracks"):
//
//	{"MOBILE": {"displayName": "Mobile", "category": "A", "description": "…",
//	            "milestones": [{"summary": "…", "signals": [...], "examples": [...]}, …]}}
//
// A track is a competency; the framework has one track of milestones, a
// level per milestone; a milestone's summary is the expectation, its
// signals and examples the expectation's examples.
type snowflakeTrack struct {
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	Milestones  []struct {
		Summary  string   `json:"summary"`
		Signals  []string `json:"signals"`
		Examples []string `json:"examples"`
	} `json:"milestones"`
}

func importSnowflake(doc, id string) (*ladderv1.Framework, error) {
	var wrapped struct {
		Tracks map[string]snowflakeTrack `json:"tracks"`
	}
	tracks := map[string]snowflakeTrack{}
	if err := json.Unmarshal([]byte(doc), &wrapped); err == nil && len(wrapped.Tracks) > 0 {
		tracks = wrapped.Tracks
	} else if err := json.Unmarshal([]byte(doc), &tracks); err != nil {
		return nil, apierr.Invalid("content", "not Snowflake's tracks as JSON: %s", apierr.Clip(err.Error(), 200))
	}
	keys := orderedKeys(doc, tracks)
	if len(keys) == 0 {
		return nil, apierr.Invalid("content", "holds no tracks")
	}
	milestones := 0
	for _, k := range keys {
		milestones = max(milestones, len(tracks[k].Milestones))
	}
	if milestones > maxLevels {
		return nil, apierr.Invalid("content", "a track has at most %d levels; a track here has %d milestones", maxLevels, milestones)
	}
	tr := &ladderv1.Track{Id: "milestones", Title: "Milestones"}
	for n := 1; n <= milestones; n++ {
		tr.Levels = append(tr.Levels, &ladderv1.Level{Id: fmt.Sprintf("milestone-%d", n), Title: fmt.Sprintf("Milestone %d", n)})
	}
	f := &ladderv1.Framework{Title: readableTitle(id), Tracks: []*ladderv1.Track{tr}}
	for _, k := range keys {
		t := tracks[k]
		cid := slug(k, "track")
		f.Competencies = append(f.Competencies, &ladderv1.Competency{Id: cid, Title: firstOf(strings.TrimSpace(t.DisplayName), k), Description: strings.TrimSpace(t.Description)})
		for i, m := range t.Milestones {
			tr.Levels[i].Expectations = append(tr.Levels[i].Expectations, &ladderv1.Expectation{
				Competency: cid, Description: strings.TrimSpace(m.Summary), Examples: append(trimAll(m.Signals), trimAll(m.Examples)...),
			})
		}
	}
	return f, nil
}

// orderedKeys returns the keys of tracks in the order the document has
// them (a Go map has none): the first occurrence of each quoted key.
func orderedKeys(doc string, tracks map[string]snowflakeTrack) []string {
	type at struct {
		key string
		pos int
	}
	var found []at
	for k := range tracks {
		b, _ := json.Marshal(k)
		found = append(found, at{k, strings.Index(doc, string(b)+":")})
	}
	for i := range found { // insertion sort: a few dozen tracks at most
		for j := i; j > 0 && found[j].pos < found[j-1].pos; j-- {
			found[j], found[j-1] = found[j-1], found[j]
		}
	}
	keys := make([]string, len(found))
	for i, f := range found {
		keys[i] = f.key
	}
	return keys
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes an ID our rules accept from a name or a foreign ID
// ("WEB_CLIENT" → "web-client"): lower case, hyphens, starting with a
// letter (prefix when it does not), at most 63 characters.
func slug(s, prefix string) string {
	id := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if id == "" || id[0] < 'a' || id[0] > 'z' {
		id = strings.Trim(prefix+"-"+id, "-")
	}
	if len(id) > 63 {
		id = strings.TrimRight(id[:63], "-")
	}
	return id
}

// readableTitle is a framework ID as a title: "eng-growth" → "Eng growth".
func readableTitle(id string) string {
	s := strings.ReplaceAll(id, "-", " ")
	if s == "" {
		return "Framework"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func trimAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
