package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/yardstick-dev/yardstick/pkg/principal"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// OIDCConfig says how the app signs people in with an OpenID Connect
// provider: the authorization-code flow with PKCE. The services must trust
// the tokens it gets: --oidc-issuer the same, and --oidc-audience the
// app's client ID (the ID token's audience).
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is the app's /signin/callback as the provider calls it.
	RedirectURL string
}

type oidcFlow struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	refresh  *refresher
	// revocationURL is the provider's token revocation endpoint (RFC
	// 7009), "" when it has none.
	revocationURL string
}

func newOIDCFlow(ctx context.Context, cfg OIDCConfig) (*oidcFlow, error) {
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("web sign-in: discover %s: %w", cfg.Issuer, err)
	}
	scopes := []string{oidc.ScopeOpenID, "profile", "email"}
	// A refresh token keeps people signed in past their ID token's
	// lifetime (refresh.go); ask for one where the provider offers it.
	var offers struct {
		Scopes     []string `json:"scopes_supported"`
		Revocation string   `json:"revocation_endpoint"`
	}
	if err := provider.Claims(&offers); err == nil && slices.Contains(offers.Scopes, oidc.ScopeOfflineAccess) {
		scopes = append(scopes, oidc.ScopeOfflineAccess)
	}
	refresh, err := newRefresher(cfg.ClientSecret)
	if err != nil {
		return nil, err
	}
	return &oidcFlow{
		cfg: cfg,
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: provider.Endpoint(), Scopes: scopes,
		},
		verifier:      provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		refresh:       refresh,
		revocationURL: offers.Revocation,
	}, nil
}

const (
	stateCookie    = "ys_oidc_state"
	nonceCookie    = "ys_oidc_nonce"
	verifierCookie = "ys_oidc_verifier"
	nextCookie     = "ys_oidc_next"
	flowTTL        = 10 * time.Minute
)

// oidcStart sends the browser to the provider, with a state (against
// forged callbacks) and a PKCE challenge (against stolen codes).
func (a *App) oidcStart(w http.ResponseWriter, r *http.Request) {
	if a.oidc == nil {
		http.NotFound(w, r)
		return
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	a.setCookie(w, stateCookie, state, flowTTL)
	a.setCookie(w, nonceCookie, nonce, flowTTL)
	a.setCookie(w, verifierCookie, verifier, flowTTL)
	a.setCookie(w, nextCookie, safeNext(r.URL.Query().Get("next")), flowTTL)
	http.Redirect(w, r, a.oidc.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusFound)
}

// oidcCallback exchanges the code for tokens and signs the user in with
// the verified ID token.
func (a *App) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if a.oidc == nil {
		http.NotFound(w, r)
		return
	}
	refuse := func(msg string) {
		a.fail(w, nil, apiError{status: http.StatusBadRequest, message: msg})
	}
	state, err := a.cookie(r, stateCookie)
	if err != nil || state.Value == "" || r.URL.Query().Get("state") != state.Value {
		refuse("the sign-in expired or was not started here: sign in again")
		return
	}
	verifier, err := a.cookie(r, verifierCookie)
	if err != nil {
		refuse("the sign-in expired: sign in again")
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		refuse("the identity provider refused the sign-in")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	tok, err := a.oidc.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(verifier.Value))
	if err != nil {
		a.log.Warn("oidc code exchange failed", "error", err)
		refuse("the identity provider did not confirm the sign-in: sign in again")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idToken, err := a.oidc.verifier.Verify(ctx, raw)
	if err != nil {
		a.log.Warn("oidc id token refused", "error", err)
		refuse("the identity provider's token could not be verified")
		return
	}
	// The nonce ties the token to this sign-in, whether or not the
	// provider enforces PKCE.
	if nonce, err := a.cookie(r, nonceCookie); err != nil || nonce.Value == "" || idToken.Nonce != nonce.Value {
		refuse("the identity provider's token is not for this sign-in: sign in again")
		return
	}
	for _, c := range []string{stateCookie, verifierCookie, nonceCookie} {
		a.setCookie(w, c, "", -1)
	}
	next := "/"
	if c, err := a.cookie(r, nextCookie); err == nil {
		next = safeNext(c.Value)
	}
	a.setCookie(w, nextCookie, "", -1)
	var refresh *kept
	if tok.RefreshToken != "" {
		refresh = &kept{Subject: idToken.Subject, Token: tok.RefreshToken, Until: time.Now().Add(sessionMaxAge).Unix()}
	}
	a.startSession(w, raw, time.Until(idToken.Expiry), refresh)
	a.syncDirectory(ctx, raw, idToken)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// syncDirectory copies what the identity provider says about the person
// (the ID token's name and email) into their directory entry, adding it
// on the first sign-in, so that every page names them. A directory that
// cannot be written does not stop the sign-in: pages then show the
// subject until the next one.
func (a *App) syncDirectory(ctx context.Context, raw string, idToken *oidc.IDToken) {
	var claims struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := idToken.Claims(&claims); err != nil || (claims.Name == "" && claims.Email == "") {
		return
	}
	ref := principal.Principal{Subject: idToken.Subject}.User()
	if !userRef.MatchString(ref) {
		return
	}
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+raw)
	u := &ladderv1.User{Name: ref, DisplayName: claims.Name, Email: claims.Email}
	var paths []string
	if claims.Name != "" {
		paths = append(paths, "display_name")
	}
	if claims.Email != "" {
		paths = append(paths, "email")
	}
	if _, err := a.ladder.UpdateUser(ctx, &ladderv1.UpdateUserRequest{User: u, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}, AllowMissing: true}); err != nil {
		a.log.Warn("directory entry not updated at sign-in", "user", ref, "error", err)
		return
	}
	a.people.forget(ref)
}
