package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"maps"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/yardstick-dev/yardstick/internal/services"
	"github.com/yardstick-dev/yardstick/internal/testenv"
	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/mongodb"
	"github.com/yardstick-dev/yardstick/pkg/mongodb/mongotest"
	"github.com/yardstick-dev/yardstick/pkg/principal"
	feedbackv1 "github.com/yardstick-dev/yardstick/proto/yardstick/feedback/v1"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
	rubricv1 "github.com/yardstick-dev/yardstick/proto/yardstick/rubric/v1"
)

// startAsDev builds the gRPC server with every service of the table
// exactly as `yardstick dev` does (its security options included), over
// databases of the test's own, and serves it until the test ends. It returns
// the server and a client connection without credentials, and the data
// directory whose dev key the server trusts.
func startAsDev(t *testing.T) (*running, *grpc.ClientConn, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	sec := &security{devAuth: true}
	opts, err := sec.serverOptions(ctx, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	conn := &mongodb.Conn{Client: mongotest.Client(t)}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	self, err := dialPeer(lis.Addr().String(), insecure.NewCredentials())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = self.Close() })
	peers := services.Peers{}
	for _, s := range services.All() {
		peers[s.Name] = self
	}
	r, err := startGRPC(ctx, slog.New(slog.DiscardHandler), conn, testenv.DatabasePrefix(t), services.All(), peers, services.Settings{}, opts, nil, lis)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-r.done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return r, testenv.Dial(t, lis.Addr().String()), dir
}

// TestEveryServedRPCHasARule walks every method the server of `yardstick
// dev` serves: each one must be public (health, reflection) or have a rule
// in its service's table. A new RPC without a rule fails here.
func TestEveryServedRPCHasARule(t *testing.T) {
	r, _, _ := startAsDev(t)
	rules, err := services.Rules()
	if err != nil {
		t.Fatal(err)
	}
	methods := 0
	for service, info := range r.server.GetServiceInfo() {
		for _, m := range info.Methods {
			full := "/" + service + "/" + m.Name
			methods++
			_, ruled := rules[full]
			switch {
			case auth.Public(full) && ruled:
				t.Errorf("%s is public and has a rule: pick one", full)
			case !auth.Public(full) && !ruled:
				t.Errorf("%s is served without an authorization rule", full)
			}
		}
	}
	if methods < len(rules) {
		t.Errorf("the server serves %d methods, fewer than the %d rules: a rule names a method nobody serves", methods, len(rules))
	}
}

// emptyRequestCodes is what each RPC answers an empty request with, once
// authorization let it through: validation refuses most, a list answers.
// A new RPC needs a row.
var emptyRequestCodes = map[string]codes.Code{
	feedbackv1.FeedbackService_GetDecision_FullMethodName:                      codes.InvalidArgument,
	feedbackv1.FeedbackService_UpdateDecision_FullMethodName:                   codes.InvalidArgument,
	feedbackv1.FeedbackService_RecordSelfIdentification_FullMethodName:         codes.InvalidArgument,
	feedbackv1.FeedbackService_GetSelfIdentification_FullMethodName:            codes.InvalidArgument,
	feedbackv1.FeedbackService_ListSelfIdentificationCategories_FullMethodName: codes.OK,
	feedbackv1.FeedbackService_ComputeAdverseImpact_FullMethodName:             codes.InvalidArgument,
	feedbackv1.FeedbackService_ComputeClosedLoop_FullMethodName:                codes.OK,
	ladderv1.LadderService_CreateAssessment_FullMethodName:                     codes.InvalidArgument,
	ladderv1.LadderService_GetAssessment_FullMethodName:                        codes.InvalidArgument,
	ladderv1.LadderService_ListAssessments_FullMethodName:                      codes.InvalidArgument,
	ladderv1.LadderService_UpdateAssessment_FullMethodName:                     codes.InvalidArgument,
	ladderv1.LadderService_SubmitAssessment_FullMethodName:                     codes.InvalidArgument,
	ladderv1.LadderService_ReviewAssessment_FullMethodName:                     codes.InvalidArgument,
	ladderv1.LadderService_GetGapReport_FullMethodName:                         codes.InvalidArgument,
	ladderv1.LadderService_GetFramework_FullMethodName:                         codes.InvalidArgument,
	ladderv1.LadderService_ListFrameworks_FullMethodName:                       codes.OK,
	feedbackv1.FeedbackService_CreateRole_FullMethodName:                       codes.InvalidArgument,
	feedbackv1.FeedbackService_GetRoleCalibration_FullMethodName:               codes.InvalidArgument,
	feedbackv1.FeedbackService_GetRole_FullMethodName:                          codes.InvalidArgument,
	feedbackv1.FeedbackService_ListRoles_FullMethodName:                        codes.OK,
	feedbackv1.FeedbackService_UpdateRole_FullMethodName:                       codes.InvalidArgument,
	feedbackv1.FeedbackService_DeleteRole_FullMethodName:                       codes.InvalidArgument,
	ladderv1.LadderService_GetUser_FullMethodName:                              codes.InvalidArgument,
	ladderv1.LadderService_BatchGetUsers_FullMethodName:                        codes.OK,
	ladderv1.LadderService_ListUsers_FullMethodName:                            codes.OK,
	ladderv1.LadderService_UpdateUser_FullMethodName:                           codes.InvalidArgument,
	ladderv1.LadderService_CreateFramework_FullMethodName:                      codes.InvalidArgument,
	ladderv1.LadderService_UpdateFramework_FullMethodName:                      codes.InvalidArgument,
	ladderv1.LadderService_DeleteFramework_FullMethodName:                      codes.InvalidArgument,
	ladderv1.LadderService_PublishFramework_FullMethodName:                     codes.InvalidArgument,
	ladderv1.LadderService_GetFrameworkRevision_FullMethodName:                 codes.InvalidArgument,
	rubricv1.RubricService_GetRubric_FullMethodName:                            codes.InvalidArgument,
	rubricv1.RubricService_ListRubrics_FullMethodName:                          codes.OK,
	rubricv1.RubricService_CreateRubric_FullMethodName:                         codes.InvalidArgument,
	rubricv1.RubricService_UpdateRubric_FullMethodName:                         codes.InvalidArgument,
	rubricv1.RubricService_DeleteRubric_FullMethodName:                         codes.InvalidArgument,
	rubricv1.RubricService_PublishRubric_FullMethodName:                        codes.InvalidArgument,
	rubricv1.RubricService_GetRubricRevision_FullMethodName:                    codes.InvalidArgument,
	rubricv1.RubricService_ListRubricRevisions_FullMethodName:                  codes.InvalidArgument,
	rubricv1.RubricService_ListRubricChanges_FullMethodName:                    codes.InvalidArgument,
	rubricv1.RubricService_DeriveRubric_FullMethodName:                         codes.InvalidArgument,
	rubricv1.RubricService_RederiveRubric_FullMethodName:                       codes.InvalidArgument,
	feedbackv1.FeedbackService_CreateCandidate_FullMethodName:                  codes.InvalidArgument,
	feedbackv1.FeedbackService_GetCandidate_FullMethodName:                     codes.InvalidArgument,
	feedbackv1.FeedbackService_ListCandidates_FullMethodName:                   codes.OK,
	feedbackv1.FeedbackService_UpdateCandidate_FullMethodName:                  codes.InvalidArgument,
	feedbackv1.FeedbackService_DeleteCandidate_FullMethodName:                  codes.InvalidArgument,
	feedbackv1.FeedbackService_CreateInterview_FullMethodName:                  codes.InvalidArgument,
	feedbackv1.FeedbackService_ImportCandidates_FullMethodName:                 codes.InvalidArgument,
	feedbackv1.FeedbackService_CreateWebhook_FullMethodName:                    codes.InvalidArgument,
	feedbackv1.FeedbackService_GetWebhook_FullMethodName:                       codes.InvalidArgument,
	feedbackv1.FeedbackService_ListWebhooks_FullMethodName:                     codes.OK,
	feedbackv1.FeedbackService_UpdateWebhook_FullMethodName:                    codes.InvalidArgument,
	feedbackv1.FeedbackService_DeleteWebhook_FullMethodName:                    codes.InvalidArgument,
	feedbackv1.FeedbackService_RotateWebhookSecret_FullMethodName:              codes.InvalidArgument,
	feedbackv1.FeedbackService_ListWebhookDeliveries_FullMethodName:            codes.InvalidArgument,
	feedbackv1.FeedbackService_RedeliverWebhookDelivery_FullMethodName:         codes.InvalidArgument,
	feedbackv1.FeedbackService_LookupCandidate_FullMethodName:                  codes.InvalidArgument,
	feedbackv1.FeedbackService_GetInterview_FullMethodName:                     codes.InvalidArgument,
	feedbackv1.FeedbackService_ListInterviews_FullMethodName:                   codes.InvalidArgument,
	feedbackv1.FeedbackService_GetScorecard_FullMethodName:                     codes.InvalidArgument,
	feedbackv1.FeedbackService_UpdateScorecard_FullMethodName:                  codes.InvalidArgument,
	feedbackv1.FeedbackService_SubmitScorecard_FullMethodName:                  codes.InvalidArgument,
	feedbackv1.FeedbackService_AmendScorecard_FullMethodName:                   codes.InvalidArgument,
	feedbackv1.FeedbackService_ListScorecardChanges_FullMethodName:             codes.InvalidArgument,
	feedbackv1.FeedbackService_SummarizeCandidate_FullMethodName:               codes.InvalidArgument,
	feedbackv1.FeedbackService_CompareCandidates_FullMethodName:                codes.InvalidArgument,
	feedbackv1.FeedbackService_ComputeCalibration_FullMethodName:               codes.InvalidArgument,
	feedbackv1.FeedbackService_GetUserCalibration_FullMethodName:               codes.InvalidArgument,
	feedbackv1.FeedbackService_GetReminderSettings_FullMethodName:              codes.InvalidArgument,
	feedbackv1.FeedbackService_UpdateReminderSettings_FullMethodName:           codes.InvalidArgument,
	ladderv1.LadderService_ListFrameworkRevisions_FullMethodName:               codes.InvalidArgument,
	ladderv1.LadderService_ListFrameworkChanges_FullMethodName:                 codes.InvalidArgument,
	ladderv1.LadderService_CompareLevels_FullMethodName:                        codes.InvalidArgument,
	ladderv1.LadderService_ExportFramework_FullMethodName:                      codes.InvalidArgument,
	ladderv1.LadderService_ImportFramework_FullMethodName:                      codes.InvalidArgument,
}

// TestRoleMatrixThroughTheWiring calls every RPC of every service's rules,
// with an empty request, on the server `yardstick dev` builds, as every role
// and without a token, and checks the exact code: the wiring merged each
// service's rules into the guard that runs before validation. The services'
// own matrices check real requests.
func TestRoleMatrixThroughTheWiring(t *testing.T) {
	_, conn, dir := startAsDev(t)
	key, err := auth.ReadDevKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	callers := map[string]grpc.CallOption{"no token": grpc.EmptyCallOption{}, "garbage token": grpc.PerRPCCredentials(auth.Bearer("garbage"))}
	for _, r := range principal.Roles {
		token, err := auth.MintDev(key, "users/"+string(r), []principal.Role{r}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		callers[string(r)] = grpc.PerRPCCredentials(auth.Bearer(token))
	}
	ctx := context.Background()
	for _, s := range services.All() {
		rules := s.Rules()
		for _, full := range slices.Sorted(maps.Keys(rules)) {
			allowedCode, ok := emptyRequestCodes[full]
			if !ok {
				t.Errorf("%s has no row in emptyRequestCodes", full)
				continue
			}
			method := methodDescriptor(t, full)
			for _, who := range slices.Sorted(maps.Keys(callers)) {
				want := codes.PermissionDenied
				switch {
				case who == "no token" || who == "garbage token":
					want = codes.Unauthenticated
				case slices.Contains(rules[full], principal.Role(who)):
					want = allowedCode
				}
				err := conn.Invoke(ctx, full, dynamicpb.NewMessage(method.Input()), dynamicpb.NewMessage(method.Output()), callers[who])
				if got := status.Code(err); got != want {
					t.Errorf("%s service: %s as %s = %v, want %v", s.Name, full, who, err, want)
				}
			}
		}
	}
}

// methodDescriptor finds a method by its full gRPC name (/pkg.Service/Method).
func methodDescriptor(t *testing.T, full string) protoreflect.MethodDescriptor {
	t.Helper()
	service, method, _ := strings.Cut(strings.TrimPrefix(full, "/"), "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
	if err != nil {
		t.Fatalf("%s: %v", full, err)
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok || sd.Methods().ByName(protoreflect.Name(method)) == nil {
		t.Fatalf("%s names no RPC", full)
	}
	return sd.Methods().ByName(protoreflect.Name(method))
}

// TestSplitModeWithTLS runs the ladder service with a TLS listener and the
// gateway trusting its certificate.
func TestSplitModeWithTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSignedCert(t, dir)
	if _, err := auth.LoadOrCreateDevKey(dir); err != nil { // both services trust it
		t.Fatal(err)
	}
	ladderAddr, rubricAddr, feedbackAddr, httpAddr := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	prefix := testenv.DatabasePrefix(t)
	start(t, "serve", "ladder", "--grpc-addr", ladderAddr, "--mongo-uri", mongotest.URI(t), "--database-prefix", prefix,
		"--dev-auth", "--data-dir", dir, "--tls-cert", cert, "--tls-key", key)
	start(t, "serve", "rubric", "--grpc-addr", rubricAddr, "--ladder-addr", ladderAddr, "--ladder-ca", cert,
		"--mongo-uri", mongotest.URI(t), "--database-prefix", prefix, "--dev-auth", "--data-dir", dir, "--tls-cert", cert, "--tls-key", key)
	start(t, "serve", "feedback", "--grpc-addr", feedbackAddr, "--ladder-addr", ladderAddr, "--ladder-ca", cert, "--rubric-addr", rubricAddr, "--rubric-ca", cert,
		"--mongo-uri", mongotest.URI(t), "--database-prefix", prefix, "--dev-auth", "--data-dir", dir, "--tls-cert", cert, "--tls-key", key)
	start(t, "gateway", "--http-addr", httpAddr, "--ladder-addr", ladderAddr, "--ladder-ca", cert, "--rubric-addr", rubricAddr, "--rubric-ca", cert,
		"--feedback-addr", feedbackAddr, "--feedback-ca", cert)
	waitReady(t, httpAddr)
	checkSplit(t, httpAddr, dir)
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key, and returns their paths.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "yardstick test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
