// Command yardstick runs the Yardstick services:
//
//	yardstick dev                    all services and the REST gateway in one process
//	yardstick serve ladder           one service (of the table in internal/services), for split deployments
//	yardstick gateway                the REST gateway in front of split services
//	yardstick token                  a bearer token signed with the dev key
//	yardstick bench                  the load tool: seed a database of a chosen size, measure gRPC and REST
//	yardstick backup, restore        a backup of the embedded database, taken while it serves
//	yardstick export, import         every service's data as JSON lines, to move to (or from) MongoDB
//
// main only turns the command line into a config and calls run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/yardstick-dev/yardstick/internal/services"
)

const usage = `usage:
  yardstick dev [--http-addr ADDR] [--grpc-addr ADDR] [--data-dir DIR] [--mongo-uri URI] [--database-prefix yardstick_]
  yardstick serve SERVICE [--grpc-addr ADDR] [--data-dir DIR] [--mongo-uri URI] [--database-prefix yardstick_]
  yardstick gateway [--http-addr ADDR] --SERVICE-addr ADDR [--SERVICE-ca FILE] (for each service)
  yardstick token --data-dir DIR --subject users/alice --roles interviewer[,recruiter] [--ttl 12h]
  yardstick bench [--scorecards 1000] [--roles 10] [--interviewers 100] [--clients 1,4,16,64] [--duration 5s] [--json]
                  [--rate 15,30 [--mix my-interviews=4,debrief=2,…]] (soaks: a mix at fixed rates)
                  [--target GRPC-ADDR --target-http URL (--token TOKEN | --data-dir DIR)]
  yardstick backup [--data-dir DIR] --out FILE.tar.gz
  yardstick restore --in FILE.tar.gz --data-dir NEW-DIR
  yardstick export (--mongo-uri URI | --data-dir DIR) [--database-prefix yardstick_] --out FILE.jsonl
  yardstick import --in FILE.jsonl (--mongo-uri URI | --data-dir DIR)
Servers take --oidc-issuer URL --oidc-audience AUD [--roles-claim roles] (serve: or --dev-auth),
--rate-limit-rps N --rate-limit-burst N, --tls-cert FILE --tls-key FILE; all three take --metrics-addr ADDR, --otlp-endpoint HOST:PORT and --debug-addr 127.0.0.1:PORT.
dev and serve feedback email reminders of overdue scorecards with --smtp-addr HOST:PORT [--smtp-from, --smtp-username,
--smtp-password-file FILE, --smtp-tls starttls|tls|none, --reminder-after 24h, --public-url URL, --service-token-file FILE, --not-job-related-words FILE, --self-id-categories FILE].
Run a command with -h for its flags.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, err := parse(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "yardstick:", err)
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cmd.logLevel()}))
	if err := cmd.run(ctx, log); err != nil {
		log.Error("yardstick stopped", "error", err)
		os.Exit(1)
	}
}

// command is a parsed command line, ready to run.
type command interface {
	run(ctx context.Context, log *slog.Logger) error
	logLevel() slog.Level
}

// parse reads the command line into one of the command configs.
func parse(args []string, stderr io.Writer) (command, error) {
	if len(args) == 0 {
		return nil, errors.New("no command")
	}
	switch args[0] {
	case "dev":
		return parseDev(args[1:], stderr)
	case "serve":
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return nil, fmt.Errorf("serve needs a service name: %s", services.Names(services.All()))
		}
		return parseServe(args[1], args[2:], stderr)
	case "gateway":
		return parseGateway(args[1:], stderr)
	case "token":
		return parseToken(args[1:], stderr)
	case "bench":
		return parseBench(args[1:], stderr)
	case "backup":
		return parseBackup(args[1:], stderr)
	case "restore":
		return parseRestore(args[1:], stderr)
	case "export":
		return parseExport(args[1:], stderr)
	case "import":
		return parseImport(args[1:], stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stderr, usage)
		return nil, flag.ErrHelp
	default:
		return nil, fmt.Errorf("unknown command %q", args[0])
	}
}

// common holds the settings every command shares.
type common struct {
	debug bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.debug, "debug", false, "log at debug level")
}

func (c *common) logLevel() slog.Level {
	if c.debug {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
