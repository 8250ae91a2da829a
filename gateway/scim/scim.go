// Package scim serves the people directory to identity providers (Okta,
// Entra ID, Google) over SCIM 2.0 (RFC 7643 and 7644), at /scim/v2: the
// provisioning client creates, reads, filters by userName, replaces,
// patches and deactivates users, and the ladder service keeps them. The
// protocol is github.com/elimity-com/scim's; this package maps its User
// resource onto the directory's users/{user} entries, calling the ladder
// service over gRPC with the provisioning client's own bearer token, which
// the ladder service accepts as the `provisioner` role (--scim-token-file).
//
// A SCIM user's id and userName are the directory's user ID: the subject
// the identity provider's tokens carry for that person. So userName cannot
// change (the subject does not); a DELETE deactivates, and keeps the entry
// so that past scorecards still show the name.
package scim

import (
	"context"
	"errors"
	"net/http"
	"strings"

	scimlib "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// Prefix is where the SCIM service is served.
const Prefix = "/scim/v2"

// maxResults bounds a page of users.
const maxResults = 200

// New returns the SCIM service over the ladder service's connection.
func New(ladder grpc.ClientConnInterface) (http.Handler, error) {
	h := &users{ladder: ladderv1.NewLadderServiceClient(ladder)}
	srv, err := scimlib.NewServer(&scimlib.ServerArgs{
		ServiceProviderConfig: &scimlib.ServiceProviderConfig{
			DocumentationURI: optional.NewString("https://github.com/yardstick-dev/yardstick#people-from-the-identity-provider-scim"),
			AuthenticationSchemes: []scimlib.AuthenticationScheme{{
				Type: scimlib.AuthenticationTypeOauthBearerToken, Name: "Bearer token", Primary: true,
				Description: "The token given to the ladder service with --scim-token-file.",
			}},
			MaxResults: maxResults, SupportFiltering: true, SupportPatch: true,
		},
		ResourceTypes: []scimlib.ResourceType{{
			ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
			Description: optional.NewString("People of the directory"),
			Schema:      schema.CoreUserSchema(), Handler: h,
		}},
	})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix(Prefix, srv), nil
}

// callContext passes the provisioning client's bearer token on: the ladder
// service decides what it may do.
func callContext(r *http.Request) context.Context {
	ctx := r.Context()
	if a := r.Header.Get("Authorization"); a != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", a)
	}
	return ctx
}

// scimError turns the ladder service's answer into SCIM's.
func scimError(err error, id string) error {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.NotFound:
		return scimerrors.ScimErrorResourceNotFound(id)
	case codes.AlreadyExists:
		return scimerrors.ScimErrorUniqueness
	case codes.InvalidArgument:
		e := scimerrors.ScimErrorInvalidValue
		e.Detail = st.Message()
		return e
	case codes.Unauthenticated:
		return scimerrors.ScimError{Status: http.StatusUnauthorized, Detail: "a valid bearer token is required: the one the ladder service has in --scim-token-file"}
	case codes.PermissionDenied:
		return scimerrors.ScimError{Status: http.StatusForbidden, Detail: "this token may not provision users"}
	case codes.Aborted:
		return scimerrors.ScimError{Status: http.StatusPreconditionFailed, Detail: "the user changed meanwhile: read it again"}
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return scimerrors.ScimError{Status: http.StatusServiceUnavailable, Detail: "the directory is unavailable: retry later"}
	}
	return errors.New("the directory failed: " + strings.ToLower(st.Code().String()))
}
