package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/yardstick-dev/yardstick/internal/bench"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

// benchCommand is the load tool: it seeds a database of a chosen size and
// measures what people do over gRPC and REST (internal/bench), against a
// `yardstick dev` it starts in this process on a fresh data directory, or
// against a running deployment (--target).
type benchCommand struct {
	common
	cfg        bench.Config
	asJSON     bool
	mongoURI   string // in-process: a MongoDB instead of the embedded database
	target     string // gRPC address of a running deployment
	targetHTTP string // its REST gateway's base URL
	targetCA   string
	token      string
	dataDir    string // a running dev server's data dir, whose key mints tokens
	out        io.Writer
}

func parseBench(args []string, stderr io.Writer) (*benchCommand, error) {
	c := &benchCommand{out: os.Stdout}
	fs := newFlagSet("bench", stderr)
	c.common.register(fs)
	fs.IntVar(&c.cfg.Scorecards, "scorecards", 1000, "submitted scorecards to seed, in panels of 5 interviews (scorecards/5 candidates)")
	fs.IntVar(&c.cfg.Roles, "roles", 10, "roles the candidates are spread over")
	fs.IntVar(&c.cfg.Interviewers, "interviewers", 100, "interviewers who share the interviews")
	fs.IntVar(&c.cfg.SeedConcurrency, "seed-concurrency", 8, "candidates seeded at once")
	clients := fs.String("clients", "1,4,16,64", "comma-separated numbers of concurrent clients to measure at")
	fs.DurationVar(&c.cfg.Duration, "duration", 5*time.Second, "how long each run lasts (one scenario, transport and client count)")
	fs.IntVar(&c.cfg.Writes, "writes", 200, "at most this many draft-and-submit operations per run (fresh interviews are made for each run)")
	fs.IntVar(&c.cfg.Calibrations, "calibrations", 20, "at most this many calibrations per run")
	scenarios := fs.String("scenarios", "", "comma-separated scenarios to run (default all: "+strings.Join(bench.ScenarioIDs(), ", ")+")")
	rates := fs.String("rate", "", "soaks instead of runs of clients: comma-separated operations a second; at each, the --mix is sent for --duration whatever the answers (open loop), over gRPC then REST")
	mix := fs.String("mix", bench.FormatMix(bench.DefaultMix), "with --rate: the soak's scenarios and their weights, scenario=weight,…")
	fs.StringVar(&c.cfg.RunID, "run-id", "", "lower-case letters and digits that start every ID the run creates (default random)")
	fs.BoolVar(&c.asJSON, "json", false, "print the results as JSON instead of a Markdown table")
	fs.StringVar(&c.mongoURI, "mongo-uri", "", "run the in-process server on this MongoDB (in databases of the run's own) instead of the embedded database")
	fs.StringVar(&c.target, "target", "", "gRPC address of a running deployment to load instead of an in-process server (needs --target-http)")
	fs.StringVar(&c.targetHTTP, "target-http", "", "base URL of the deployment's REST gateway, such as http://127.0.0.1:8080")
	fs.StringVar(&c.targetCA, "target-ca", "", "PEM certificate(s) to trust for TLS to --target; plaintext when empty")
	fs.StringVar(&c.token, "token", "", "with --target: the bearer token of every call; its subject plays every person, so it needs the admin, recruiter and interviewer roles")
	fs.StringVar(&c.dataDir, "data-dir", "", "with --target: the data directory of a dev-auth deployment, whose dev key mints a token per person instead of --token")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, field := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil {
			return nil, fmt.Errorf("--clients: %q is not a number", field)
		}
		c.cfg.Clients = append(c.cfg.Clients, n)
	}
	if *scenarios != "" {
		for _, s := range strings.Split(*scenarios, ",") {
			c.cfg.Scenarios = append(c.cfg.Scenarios, strings.TrimSpace(s))
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["mix"] && !set["rate"]:
		return nil, errors.New("--mix goes with --rate (a soak)")
	case set["rate"] && (set["scenarios"] || set["clients"]):
		return nil, errors.New("--scenarios and --clients are for runs of clients; a soak (--rate) takes --mix")
	}
	if set["rate"] {
		for field := range strings.SplitSeq(*rates, ",") {
			rate, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
			if err != nil {
				return nil, fmt.Errorf("--rate: %q is not a number", field)
			}
			c.cfg.Rates = append(c.cfg.Rates, rate)
		}
		var err error
		if c.cfg.Mix, err = bench.ParseMix(*mix); err != nil {
			return nil, err
		}
	}
	if c.cfg.RunID == "" {
		c.cfg.RunID = strings.ToLower(rand.Text()[:6])
	}
	if err := c.cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case c.target == "" && (c.targetHTTP != "" || c.targetCA != "" || c.token != "" || c.dataDir != ""):
		return nil, errors.New("--target-http, --target-ca, --token and --data-dir go with --target")
	case c.target != "" && c.targetHTTP == "":
		return nil, errors.New("--target needs --target-http, the REST gateway's URL")
	case c.target != "" && (c.token == "") == (c.dataDir == ""):
		return nil, errors.New("--target needs --token or --data-dir (one of them)")
	case c.target != "" && c.mongoURI != "":
		return nil, errors.New("--mongo-uri is for the in-process server, not --target")
	}
	return c, nil
}

func (c *benchCommand) run(ctx context.Context, log *slog.Logger) error {
	var (
		target bench.Target
		stop   func() error
		err    error
	)
	if c.target == "" {
		target, stop, err = c.startInProcess(ctx, log)
	} else {
		target, stop, err = c.remote()
	}
	if err != nil {
		return err
	}
	report, err := bench.Run(ctx, c.cfg, target, log)
	if err = errors.Join(err, stop()); err != nil {
		return err
	}
	return bench.WriteReport(c.out, report, c.asJSON)
}

// startInProcess runs `yardstick dev` in this process on a fresh temporary
// data directory (or fresh databases of --mongo-uri), on ports the system
// picks, without a rate limit; tokens are minted with its dev key. stop
// ends it and removes the directory.
func (c *benchCommand) startInProcess(ctx context.Context, log *slog.Logger) (bench.Target, func() error, error) {
	dir, err := os.MkdirTemp("", "yardstick-bench-")
	if err != nil {
		return bench.Target{}, nil, err
	}
	args := []string{"--data-dir", dir, "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0", "--rate-limit-rps", "0"}
	where := "the embedded database (FerretDB on SQLite) in a fresh temporary directory"
	if c.mongoURI != "" {
		args = append(args, "--mongo-uri", c.mongoURI, "--database-prefix", "bench_"+c.cfg.RunID+"_")
		where = "MongoDB at --mongo-uri, in fresh databases bench_" + c.cfg.RunID + "_*"
	}
	dev, err := parseDev(args, io.Discard)
	if err != nil {
		return bench.Target{}, nil, errors.Join(err, os.RemoveAll(dir))
	}
	type addrs struct{ grpc, http net.Addr }
	ready := make(chan addrs, 1)
	dev.ready = func(g, h net.Addr) { ready <- addrs{g, h} }
	srvCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	// The server's own logs would drown the tool's: warnings and errors only.
	go func() { done <- dev.run(srvCtx, slog.New(atLeast{log.Handler(), slog.LevelWarn})) }()
	var a addrs
	select {
	case a = <-ready:
	case err := <-done:
		cancel()
		return bench.Target{}, nil, errors.Join(fmt.Errorf("start the server: %w", err), os.RemoveAll(dir))
	}
	log.Info("started the server in this process", "grpc", a.grpc.String(), "http", a.http.String())
	stopServer := func() error {
		cancel()
		return errors.Join(<-done, os.RemoveAll(dir))
	}
	key, err := auth.ReadDevKey(dir)
	if err != nil {
		return bench.Target{}, nil, errors.Join(err, stopServer())
	}
	conn, err := grpc.NewClient(a.grpc.String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return bench.Target{}, nil, errors.Join(err, stopServer())
	}
	target := bench.Target{
		Conn: conn,
		HTTP: "http://" + a.http.String(),
		Tokens: bench.Tokens{Mint: func(subject string, roles []principal.Role) (string, error) {
			return auth.MintDev(key, subject, roles, 12*time.Hour)
		}},
		RSS:      readRSS,
		Describe: "`yardstick dev` in the tool's own process (the clients share its CPUs) on " + where + ", rate limit off",
	}
	return target, func() error { return errors.Join(conn.Close(), stopServer()) }, nil
}

// remote reaches a running deployment at --target and --target-http.
func (c *benchCommand) remote() (bench.Target, func() error, error) {
	creds := insecure.NewCredentials()
	if c.targetCA != "" {
		var err error
		if creds, err = credentials.NewClientTLSFromFile(c.targetCA, ""); err != nil {
			return bench.Target{}, nil, err
		}
	}
	conn, err := grpc.NewClient(c.target, grpc.WithTransportCredentials(creds))
	if err != nil {
		return bench.Target{}, nil, err
	}
	target := bench.Target{
		Conn:     conn,
		HTTP:     c.targetHTTP,
		Describe: fmt.Sprintf("a running deployment, gRPC at %s, REST at %s (its rate limit applies: refusals count as errors)", c.target, c.targetHTTP),
	}
	if c.token != "" {
		subject, err := tokenSubject(c.token)
		if err != nil {
			return bench.Target{}, nil, errors.Join(err, conn.Close())
		}
		target.Tokens = bench.Tokens{Fixed: c.token, FixedSubject: subject}
		target.Describe += "; one token, whose subject " + subject + " plays every person"
	} else {
		key, err := auth.ReadDevKey(c.dataDir)
		if err != nil {
			return bench.Target{}, nil, errors.Join(err, conn.Close())
		}
		target.Tokens = bench.Tokens{Mint: func(subject string, roles []principal.Role) (string, error) {
			return auth.MintDev(key, subject, roles, 12*time.Hour)
		}}
	}
	return target, conn.Close, nil
}

// tokenSubject reads the subject of a JWT without checking it: the server
// checks it, the tool only needs to know whose interviews to make.
func tokenSubject(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("--token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", fmt.Errorf("--token: %w", err)
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Sub == "" {
		return "", errors.New("--token has no subject")
	}
	return claims.Sub, nil
}

// readRSS reads this process's resident memory (VmRSS) from /proc.
func readRSS() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}

// atLeast passes on the records of its handler at min or above.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h atLeast) WithAttrs(attrs []slog.Attr) slog.Handler {
	return atLeast{h.Handler.WithAttrs(attrs), h.min}
}

func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{h.Handler.WithGroup(name), h.min}
}
