package services_test

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/yardstick-dev/yardstick/internal/services"
)

// TestEveryYardstickRPCHasARule walks the service descriptors of every
// Yardstick API linked into the binary (the table links them all): each RPC
// needs a rule in its service's table, so a new RPC without one fails here,
// served or not, and no rule names an RPC that does not exist.
func TestEveryYardstickRPCHasARule(t *testing.T) {
	rules, err := services.Rules()
	if err != nil {
		t.Fatalf("Rules() = %v", err)
	}
	var methods []string
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "yardstick.") {
			return true
		}
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				methods = append(methods, "/"+string(sd.FullName())+"/"+string(sd.Methods().Get(j).Name()))
			}
		}
		return true
	})
	if len(methods) == 0 {
		t.Fatal("no Yardstick RPC in the descriptors")
	}
	for _, m := range methods {
		if _, ok := rules[m]; !ok {
			t.Errorf("%s has no authorization rule", m)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(rules)) {
		if !slices.Contains(methods, m) {
			t.Errorf("the rule for %s names no RPC of the descriptors", m)
		}
	}
}

// TestTable checks what the commands rely on: every entry is complete, and
// names and databases are unique and usable as flag names and in database
// names.
func TestTable(t *testing.T) {
	all := services.All()
	if len(all) == 0 {
		t.Fatal("All() is empty")
	}
	simple := regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	names, databases := map[string]bool{}, map[string]bool{}
	for _, s := range all {
		if !simple.MatchString(s.Name) || !simple.MatchString(s.Database) {
			t.Errorf("service %q, database %q: want lower-case letters and digits", s.Name, s.Database)
		}
		if names[s.Name] || databases[s.Database] {
			t.Errorf("service %q or database %q listed twice", s.Name, s.Database)
		}
		names[s.Name], databases[s.Database] = true, true
		if s.Start == nil || s.RegisterGateway == nil || s.Rules == nil {
			t.Errorf("service %q lacks Start, RegisterGateway or Rules", s.Name)
		}
		got, err := services.Lookup(s.Name)
		if err != nil || got.Name != s.Name {
			t.Errorf("Lookup(%q) = %q, %v; want the entry", s.Name, got.Name, err)
		}
	}
	if _, err := services.Lookup("payroll"); err == nil {
		t.Error(`Lookup("payroll") = nil error, want one`)
	}
	if got := all[0].DatabaseName(services.DefaultDatabasePrefix); got != "yardstick_ladder" {
		t.Errorf("ladder's default database = %q, want yardstick_ladder", got)
	}
}
