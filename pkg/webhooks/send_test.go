package webhooks

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The specification's own example: secret, message ID, timestamp and body,
// and the signature it gives for them.
func TestSignMatchesTheSpecificationsExample(t *testing.T) {
	at := time.Unix(1614265330, 0)
	got, err := sign([]string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "msg_p5jXN8AQM9LWM0D4loKWxJek", at, []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

// During a rotation a delivery carries a signature per secret, and a
// receiver that knows either one accepts it.
func TestRotationSignsWithEverySecret(t *testing.T) {
	old, cur := NewSecret(), NewSecret()
	now := time.Now()
	body := []byte(`{"type":"loop.completed"}`)
	sigs, err := sign([]string{cur, old}, "msg_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(sigs)); n != 2 {
		t.Fatalf("%d signatures, want 2: %s", n, sigs)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", sigs)
	for _, s := range []string{old, cur} {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, h); err != nil {
			t.Fatalf("a receiver with one of the secrets: %v", err)
		}
	}
	if _, err := sign(nil, "msg_1", now, body); err == nil {
		t.Fatal("signed without a secret")
	}
}

// The back-off doubles from FirstRetry up to MaxRetry, within ±20 %, and
// the default schedule gives up after about 24 hours of attempts.
func TestBackoff(t *testing.T) {
	d := &Dispatcher{}
	d.opts.defaults()
	for n, base := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 5: 80 * time.Second, 12: time.Hour, 40: time.Hour} {
		for range 50 {
			got := d.backoff(n)
			if got < base*8/10 || got > base*12/10 {
				t.Fatalf("backoff(%d) = %v, want %v ± 20 %%", n, got, base)
			}
		}
	}
	attempts, elapsed := 1, time.Duration(0)
	for elapsed+d.opts.FirstRetry < d.opts.GiveUpAfter {
		elapsed += d.backoff(attempts)
		attempts++
	}
	if attempts < 25 || attempts > 40 {
		t.Fatalf("%d attempts in a day, want about 30", attempts)
	}
}

func TestMessageIDIsStableAndOpaque(t *testing.T) {
	a, b := MessageID("scorecard.submitted/candidates/ada/interviews/i1/scorecard#3"), MessageID("scorecard.submitted/candidates/ada/interviews/i1/scorecard#3")
	if a != b || strings.Contains(a, "ada") || !strings.HasPrefix(a, "msg_") || len(a) != 28 {
		t.Fatalf("MessageID = %s, %s", a, b)
	}
}
