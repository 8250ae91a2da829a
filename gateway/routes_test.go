package gateway_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// The tests that must hold for every route of the API take the routes from
// the OpenAPI document the gateway serves: a route added to a proto is
// covered without touching them.

// apiRoute is one operation of the OpenAPI document.
type apiRoute struct {
	method, template, operationID string
	query                         []string // query parameter names, as documented
}

// apiRoutes reads the routes of the OpenAPI document served by c.
func apiRoutes(c client) []apiRoute {
	c.t.Helper()
	resp, err := http.Get(c.base + "/openapi.json")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct{ Name, In string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		c.t.Fatal(err)
	}
	var routes []apiRoute
	for template, ops := range doc.Paths {
		for method, op := range ops {
			r := apiRoute{method: strings.ToUpper(method), template: template, operationID: op.OperationID}
			for _, p := range op.Parameters {
				if p.In == "query" {
					r.query = append(r.query, p.Name)
				}
			}
			routes = append(routes, r)
		}
	}
	if len(routes) == 0 {
		c.t.Fatal("the OpenAPI document has no routes")
	}
	slices.SortFunc(routes, func(a, b apiRoute) int { return strings.Compare(a.template+a.method, b.template+b.method) })
	return routes
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// path fills the route's path parameters: each with value, or with ok when
// value is empty.
func (r apiRoute) path(value string) string {
	return pathParam.ReplaceAllStringFunc(r.template, func(string) string {
		if value != "" {
			return value
		}
		return "ok"
	})
}

// body is a request body the route accepts, so that only the parameter
// under test can be wrong.
func (r apiRoute) body() string {
	if r.method == "POST" || r.method == "PATCH" {
		return `{}`
	}
	return ""
}

var bindingField = regexp.MustCompile(`\{([^=}]+)`)

// pathField is the request field that the route's path parameters fill, as
// the proto's HTTP rule binds it ({name=frameworks/*} fills name), found
// from the operation ID (Service_Method, a digit suffix for an additional
// binding) among the linked proto services.
func pathField(t *testing.T, operationID string) string {
	t.Helper()
	serviceName, methodName, _ := strings.Cut(strings.TrimRight(operationID, "0123456789"), "_")
	var field string
	protoregistry.GlobalFiles.RangeFiles(func(f protoreflect.FileDescriptor) bool {
		for i := range f.Services().Len() {
			s := f.Services().Get(i)
			m := s.Methods().ByName(protoreflect.Name(methodName))
			if string(s.Name()) != serviceName || m == nil {
				continue
			}
			rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
			for _, r := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
				pattern := r.GetGet() + r.GetPost() + r.GetPatch() + r.GetDelete() + r.GetPut()
				if sub := bindingField.FindStringSubmatch(pattern); sub != nil {
					field = sub[1]
				}
			}
			return false
		}
		return true
	})
	return field
}
