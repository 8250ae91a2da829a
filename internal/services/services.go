// Package services is the table of Yardstick services: for each, its name,
// its database, how to start it and register its gRPC server, how to
// register its REST handler in the gateway, and its authorization rules.
// `yardstick dev`, `yardstick serve <name>`, `yardstick gateway` and the test
// environment all read it, so a new service is one entry in All.
//
// It lives under internal/ because it names every service: pkg/ never
// imports services, and services never import each other.
package services

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/grpc"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	"github.com/yardstick-dev/yardstick/services/feedback"
)

// DefaultDatabasePrefix is the default of --database-prefix: a service's
// database is the prefix followed by its Database suffix.
const DefaultDatabasePrefix = "yardstick_"

// Service is one entry of the table.
type Service struct {
	// Name is what `yardstick serve` takes, the gateway's --NAME-addr flag
	// and the backend name in logs and readiness.
	Name string
	// Database is the suffix of the service's database name: the service
	// owns {prefix}{Database} and nothing else.
	Database string
	// Start initialises the service's store over db (its indexes are created
	// here) and registers its gRPC server on reg.
	// Its calls to other services go through peers, client connections that
	// forward the caller's credentials (see Calls). Metrics of its own that
	// no RPC shows (background work: webhook deliveries) go to
	// settings.Metrics, when not nil.
	Start func(ctx context.Context, db *mongo.Database, reg grpc.ServiceRegistrar, peers Peers, log *slog.Logger, settings Settings) error
	// Jobs, when set, starts the service's background work that needs the
	// process's Settings (the feedback service's reminders); StartAll calls
	// it after Start. `serve` offers the settings' flags to such services.
	Jobs func(ctx context.Context, db *mongo.Database, peers Peers, settings Settings, log *slog.Logger) error
	// Calls names the services this one calls through their gRPC clients:
	// `serve` takes --NAME-addr (and --NAME-ca) for each, and the start order
	// of All puts them first.
	Calls []string
	// Seed, when set, writes the sample data `yardstick dev` starts with,
	// calling the service in-process, into databases Start has initialised
	// (dbs gives each service's by name: a seed may call the services it
	// depends on in-process too). It must leave data that was seeded before
	// alone.
	Seed func(ctx context.Context, dbs func(service string) *mongo.Database, log *slog.Logger) error
	// RegisterGateway registers the service's REST handler on mux against a
	// client connection to the service (a generated Register…Handler, never
	// Register…HandlerServer: that would skip every interceptor).
	RegisterGateway func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error
	// Rules returns who may call each RPC of the service (full method name →
	// roles); every RPC it serves needs one.
	Rules func() map[string][]principal.Role
}

// Settings are what a process's flags say to the services' background jobs.
type Settings struct {
	// Token is the feedback service's own bearer token, for its background
	// jobs' calls (they have no caller): the publication watch runs only
	// with one, and the reminders need one.
	Token func(ctx context.Context) (string, error)
	// Reminders are the feedback service's emails about overdue
	// scorecards, off without Mail. The feedback entry reaches the people
	// directory through its ladder peer, with Token.
	Reminders feedback.Reminders
	// Metrics receives the services' own metrics; nil when --metrics-addr
	// is off.
	Metrics prometheus.Registerer
	// NotJobRelated replaces the feedback service's list of words its
	// evidence checks flag as not job-related (feedback.DefaultNotJobRelated).
	NotJobRelated []string
	// SelfIDCategories replaces the categories of voluntary
	// self-identification (feedback.DefaultSelfIDCategories).
	SelfIDCategories []*feedbackv1.SelfIdentificationCategory
}

// Peers are client connections to other services, by service name.
type Peers map[string]grpc.ClientConnInterface

// DatabaseName is the name of the service's database under prefix.
func (s Service) DatabaseName(prefix string) string { return prefix + s.Database }

// All lists every service, in start order.
func All() []Service {
	return []Service{
		ladderService(),
		rubricService(),   // calls the ladder
		feedbackService(), // calls the rubric
	}
}

// Names lists the names of services, for messages.
func Names(list []Service) string {
	names := make([]string, len(list))
	for i, s := range list {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// Lookup returns the service called name.
func Lookup(name string) (Service, error) {
	all := All()
	i := slices.IndexFunc(all, func(s Service) bool { return s.Name == name })
	if i < 0 {
		return Service{}, fmt.Errorf("unknown service %q (known: %s)", name, Names(all))
	}
	return all[i], nil
}

// Rules merges the rules of every service in the table: the one table the
// authorization guard checks, whichever services a process serves (a rule
// for an RPC that is not served is never consulted).
func Rules() (map[string][]principal.Role, error) {
	all := All()
	tables := make([]map[string][]principal.Role, len(all))
	for i, s := range all {
		tables[i] = s.Rules()
	}
	return auth.MergeRules(tables...)
}

// StartAll starts every service of list over the databases under prefix
// and registers them on reg; peers reach the services they call. Their
// background jobs get settings.
func StartAll(ctx context.Context, client *mongo.Client, prefix string, list []Service, reg grpc.ServiceRegistrar, peers Peers, settings Settings, log *slog.Logger) error {
	for _, s := range list {
		for _, name := range s.Calls {
			if peers[name] == nil {
				return fmt.Errorf("start %s service: it calls the %s service, and no connection to it was given", s.Name, name)
			}
		}
		db := client.Database(s.DatabaseName(prefix))
		if err := s.Start(ctx, db, reg, peers, log, settings); err != nil {
			return fmt.Errorf("start %s service: %w", s.Name, err)
		}
		if s.Jobs == nil {
			continue
		}
		if err := s.Jobs(ctx, db, peers, settings, log); err != nil {
			return fmt.Errorf("start %s service's jobs: %w", s.Name, err)
		}
	}
	return nil
}

// SeedAll writes every service's sample data, in start order.
func SeedAll(ctx context.Context, client *mongo.Client, prefix string, list []Service, log *slog.Logger) error {
	all := All()
	dbs := func(name string) *mongo.Database {
		i := slices.IndexFunc(all, func(s Service) bool { return s.Name == name })
		return client.Database(all[i].DatabaseName(prefix))
	}
	for _, s := range list {
		if s.Seed == nil {
			continue
		}
		if err := s.Seed(ctx, dbs, log.With("service", s.Name)); err != nil {
			return fmt.Errorf("seed the %s service's sample data: %w", s.Name, err)
		}
	}
	return nil
}
