// Package bench is the load tool behind `yardstick bench`: it seeds a
// database of a chosen size through the public gRPC API, then measures what
// people do — interviewers writing scorecards and reading their interviews,
// recruiters running debriefs, comparisons and calibrations, everyone
// reading frameworks and rubrics — at several numbers of concurrent
// clients, over gRPC and over the REST gateway, and reports both side by
// side.
//
// The files have one job each: seed.go writes the data, scenarios.go is
// what people do and how a run is timed, api.go the two transports,
// report.go the statistics and the table.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// Config says how big a database to seed and how to load it.
type Config struct {
	// Scorecards is how many submitted scorecards to seed, in panels of
	// PanelSize (the last panel may be smaller): Scorecards/PanelSize
	// candidates.
	Scorecards int
	// Roles is how many roles (openings) the candidates are spread over.
	Roles int
	// Interviewers is how many interviewers share the interviews.
	Interviewers int
	// SeedConcurrency is how many candidates are seeded at once.
	SeedConcurrency int
	// Clients are the numbers of concurrent clients to measure at.
	Clients []int
	// Duration bounds each run (one scenario, transport and client count).
	Duration time.Duration
	// Writes bounds the draft-and-submit runs: that many fresh interviews
	// are made for each, before it starts.
	Writes int
	// Calibrations bounds the calibration runs, which are costly.
	Calibrations int
	// Scenarios, when not empty, are the only scenarios to run (by ID).
	Scenarios []string
	// RunID prefixes every ID the run creates, so that runs against the
	// same deployment do not collide: lower-case letters and digits.
	RunID string
	// Rates, when set, make the run soaks (soak.go) instead of runs of
	// concurrent clients: at each rate in turn, Mix's operations arrive
	// at that many a second for Duration, over gRPC and then over REST.
	// Clients and Scenarios are then unused.
	Rates []float64
	Mix   []MixPart
}

// PanelSize is the number of interviews of each seeded candidate.
const PanelSize = 5

// Validate reports a configuration the tool cannot run.
func (c Config) Validate() error {
	var errs []error
	if c.Scorecards < 1 {
		errs = append(errs, errors.New("--scorecards must be at least 1"))
	}
	if c.Roles < 1 {
		errs = append(errs, errors.New("--roles must be at least 1"))
	}
	if c.Interviewers < PanelSize {
		errs = append(errs, fmt.Errorf("--interviewers must be at least %d, the panel size", PanelSize))
	}
	if c.SeedConcurrency < 1 {
		errs = append(errs, errors.New("--seed-concurrency must be at least 1"))
	}
	if len(c.Clients) == 0 || slices.ContainsFunc(c.Clients, func(n int) bool { return n < 1 }) {
		errs = append(errs, errors.New("--clients must list positive numbers"))
	}
	if c.Duration <= 0 {
		errs = append(errs, errors.New("--duration must be positive"))
	}
	if c.Writes < 1 || c.Calibrations < 1 {
		errs = append(errs, errors.New("--writes and --calibrations must be at least 1"))
	}
	for _, id := range c.Scenarios {
		if !slices.Contains(ScenarioIDs(), id) {
			errs = append(errs, fmt.Errorf("unknown scenario %q (known: %s)", id, strings.Join(ScenarioIDs(), ", ")))
		}
	}
	for _, rate := range c.Rates {
		if !(rate > 0) || math.IsInf(rate, 0) || soakOperations(rate, c.Duration) < 1 {
			errs = append(errs, fmt.Errorf("--rate %g: want a positive number of operations a second that makes at least one operation in --duration", rate))
		}
	}
	if len(c.Rates) > 0 {
		if len(c.Mix) == 0 {
			errs = append(errs, errors.New("a soak (--rate) needs a --mix"))
		}
		errs = append(errs, validateMix(c.Mix))
	}
	if c.RunID == "" || strings.Trim(c.RunID, "abcdefghijklmnopqrstuvwxyz0123456789") != "" || len(c.RunID) > 12 {
		errs = append(errs, errors.New("the run ID must be 1 to 12 lower-case letters and digits"))
	}
	return errors.Join(errs...)
}

// Tokens are how the tool gets a bearer token for each person it plays.
type Tokens struct {
	// Mint makes a token for subject with roles: with the dev key of the
	// server's data directory, as `yardstick token` does.
	Mint func(subject string, roles []principal.Role) (string, error)
	// Fixed, when Mint is nil, is the only token: its subject (FixedSubject)
	// plays every person, so it needs the admin, recruiter and interviewer
	// roles, and every seeded interview is that subject's.
	Fixed        string
	FixedSubject string
}

func (t Tokens) token(subject string, roles ...principal.Role) (person, error) {
	if t.Mint == nil {
		return person{subject: t.FixedSubject, token: t.Fixed}, nil
	}
	tok, err := t.Mint(subject, roles)
	return person{subject: subject, token: tok}, err
}

// person is someone the tool plays: who, and their token.
type person struct {
	subject string
	token   string
}

// Target is the deployment under load.
type Target struct {
	// Conn reaches the gRPC services (all three behind one address).
	Conn grpc.ClientConnInterface
	// HTTP is the REST gateway's base URL, such as http://127.0.0.1:8080.
	HTTP string
	// Client sends the REST calls; nil for one made for up to the most
	// clients of the run (kept-alive connections, no redirects).
	Client *http.Client
	Tokens Tokens
	// RSS, when the server runs in this process, reads its resident memory
	// in bytes; nil otherwise.
	RSS func() (int64, error)
	// Describe is a line saying what the target is, for the report.
	Describe string
}

// transport is one way to call the deployment, named for the report.
type transport struct {
	name string
	api  api
}

// Run seeds the target and measures every scenario at every client count,
// over gRPC then REST, logging progress to log; the report comes back
// even with failed calls in it (their count is in the report), and an
// error only when the tool itself could not go on.
func Run(ctx context.Context, cfg Config, target Target, log *slog.Logger) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client := target.Client
	if client == nil {
		most := slices.Max(cfg.Clients)
		for _, rate := range cfg.Rates {
			most = max(most, int(math.Ceil(rate)))
		}
		client = &http.Client{Transport: &http.Transport{
			MaxIdleConns: 2 * most, MaxIdleConnsPerHost: 2 * most, IdleConnTimeout: time.Minute,
		}}
		defer client.CloseIdleConnections()
	}
	transports := []transport{
		{"gRPC", newGRPCAPI(target.Conn)},
		{"REST", &restAPI{base: strings.TrimSuffix(target.HTTP, "/"), client: client}},
	}

	start := time.Now()
	data, err := seed(ctx, cfg, target, log)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	seeded := time.Since(start)
	log.Info("seeded", "scorecards", cfg.Scorecards, "candidates", len(data.candidates), "took", seeded.Round(time.Millisecond))

	report := &Report{Setup: []string{
		fmt.Sprintf("database: %d submitted scorecards, %d candidates in panels of %d, %d roles, %d interviewers (seeded over gRPC in %s, %d at a time: %.0f scorecards/s)",
			cfg.Scorecards, len(data.candidates), PanelSize, cfg.Roles, len(data.interviewers), seeded.Round(time.Second), cfg.SeedConcurrency, float64(cfg.Scorecards)/seeded.Seconds()),
		"target: " + target.Describe,
		fmt.Sprintf("machine: %d CPUs (GOMAXPROCS %d), %s %s/%s", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH),
		"latencies are of one operation (see the calls of each scenario), in ms, successful operations only; req/s counts every operation",
	}}
	if len(cfg.Rates) > 0 {
		if err := runSoaks(ctx, cfg, data, transports, target, report, log); err != nil {
			return nil, err
		}
		return report, nil
	}
	report.Setup = append(report.Setup, fmt.Sprintf("each run: at most %s; draft + submit at most %d operations, calibration at most %d; one untimed operation first", cfg.Duration, cfg.Writes, cfg.Calibrations))
	for _, sc := range scenarios(data) {
		if len(cfg.Scenarios) > 0 && !slices.Contains(cfg.Scenarios, sc.id) {
			continue
		}
		report.Setup = append(report.Setup, fmt.Sprintf("`%s` (%s): %s", sc.id, sc.who, sc.calls))
		limit := 0
		switch sc.id {
		case scenarioSubmit:
			limit = cfg.Writes
		case scenarioCalibration:
			limit = cfg.Calibrations
		}
		for _, clients := range cfg.Clients {
			res := Result{Scenario: sc.id, Clients: clients}
			for _, t := range transports {
				op := sc.op
				if sc.prepare != nil {
					// Fresh data for this run alone, made before the timer.
					if op, err = sc.prepare(ctx, t.api, limit+1); err != nil {
						return nil, fmt.Errorf("prepare %s: %w", sc.id, err)
					}
				}
				s := measure(ctx, clients, cfg.Duration, limit, func(ctx context.Context, i int) error { return op(ctx, t.api, i) })
				if s.Errors > 0 {
					log.Warn("calls failed", "scenario", sc.id, "transport", t.name, "clients", clients, "errors", s.Errors, "first", s.FirstError)
				}
				if t.name == "gRPC" {
					res.GRPC = s
				} else {
					res.REST = s
				}
				log.Info("measured", "scenario", sc.id, "transport", t.name, "clients", clients,
					"requests", s.Requests, "per_second", fmt.Sprintf("%.1f", s.PerSecond), "p50_ms", fmt.Sprintf("%.2f", s.P50))
			}
			if target.RSS != nil {
				if n, err := target.RSS(); err == nil { // unknown otherwise
					res.RSSBytes = n
				}
			}
			report.Results = append(report.Results, res)
		}
	}
	return report, nil
}

// WriteReport writes the report as Markdown, or as JSON when asked.
func WriteReport(w io.Writer, r *Report, asJSON bool) error {
	if asJSON {
		return r.WriteJSON(w)
	}
	return r.WriteMarkdown(w)
}
