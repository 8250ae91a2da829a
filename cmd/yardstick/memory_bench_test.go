package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/yardstick-dev/yardstick/pkg/auth"
	"github.com/yardstick-dev/yardstick/pkg/principal"
)

var (
	memoryRequests = flag.Int("memory-requests", 10000, "how many requests BenchmarkMemoryUnderLoad sends")
	memoryClients  = flag.Int("memory-clients", 64, "how many at a time")
	memoryIdle     = flag.Duration("memory-idle", 150*time.Second, "how long it then waits, idle, before measuring again (Go collects an idle heap every 2 minutes)")
)

// BenchmarkMemoryUnderLoad runs the real binary (`yardstick dev`, with
// --debug-addr) and sends it mixed requests, most of them bad — no token,
// a forged one, unknown paths, malformed and oversized bodies, names that
// do not exist — among lists, creates and pages, as 2,000 callers, several
// at a time. It reports the process's resident memory, goroutines and open
// SQLite connections at the start, after the load and after an idle
// while, with the Go heap's figures in the log.
//
//	go test -run '^$' -bench MemoryUnderLoad -benchtime 1x ./cmd/yardstick/
//	# (-args -memory-requests N -memory-clients N -memory-idle 150s)
func BenchmarkMemoryUnderLoad(b *testing.B) {
	bin := buildYardstick(b)
	for range b.N {
		dir := b.TempDir()
		httpAddr, grpcAddr, debugAddr := freeAddr(b), freeAddr(b), freeAddr(b)
		cmd := exec.Command(bin, "dev", "--data-dir", dir, "--http-addr", httpAddr, "--grpc-addr", grpcAddr, "--debug-addr", debugAddr)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		waitReady(b, httpAddr)
		start := sampleMemory(b, cmd.Process.Pid, debugAddr)
		loadMixed(b, "http://"+httpAddr, dir, *memoryRequests, *memoryClients)
		loaded := sampleMemory(b, cmd.Process.Pid, debugAddr)
		time.Sleep(*memoryIdle)
		idle := sampleMemory(b, cmd.Process.Pid, debugAddr)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			b.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			b.Fatalf("yardstick dev stopped with %v", err)
		}
		for _, s := range []struct {
			when string
			m    memorySample
		}{{"start", start}, {"loaded", loaded}, {"idle", idle}} {
			b.Logf("%-6s %s", s.when, s.m)
		}
		b.ReportMetric(float64(start.rss)/1e6, "start-RSS-MB")
		b.ReportMetric(float64(loaded.rss)/1e6, "loaded-RSS-MB")
		b.ReportMetric(float64(idle.rss)/1e6, "idle-RSS-MB")
		b.ReportMetric(float64(idle.goroutines), "idle-goroutines")
		b.ReportMetric(float64(idle.sqlite), "idle-sqlite-conns")
	}
}

// memorySample is what the process holds at one moment.
type memorySample struct {
	rss, anon  int64            // resident bytes, and those not backed by a file (the binary's)
	goroutines int              // running in the process
	sqlite     int              // open SQLite database files: FerretDB's connections
	memStats   map[string]int64 // the Go runtime's figures
}

func (m memorySample) String() string {
	mb := func(n int64) string { return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB" }
	return fmt.Sprintf("RSS %s (anonymous %s), %d goroutines, %d SQLite connections; Go: heap in use %s, idle %s, released %s, runtime in all %s",
		mb(m.rss), mb(m.anon), m.goroutines, m.sqlite, mb(m.memStats["HeapInuse"]),
		mb(m.memStats["HeapIdle"]-m.memStats["HeapReleased"]), mb(m.memStats["HeapReleased"]), mb(m.memStats["Sys"]))
}

func sampleMemory(b *testing.B, pid int, debugAddr string) memorySample {
	b.Helper()
	m := memorySample{memStats: map[string]int64{}}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 3 && (fields[0] == "VmRSS:" || fields[0] == "RssAnon:") {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			if fields[0] == "VmRSS:" {
				m.rss = kb << 10
			} else {
				m.anon = kb << 10
			}
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name())); err == nil && strings.HasSuffix(target, ".sqlite") {
			m.sqlite++
		}
	}
	goroutines := debugGet(b, debugAddr, "/debug/pprof/goroutine?debug=1")
	if _, err := fmt.Sscanf(goroutines, "goroutine profile: total %d", &m.goroutines); err != nil {
		b.Fatalf("goroutine profile: %v", err)
	}
	heap := bufio.NewScanner(strings.NewReader(debugGet(b, debugAddr, "/debug/pprof/heap?debug=1")))
	for heap.Scan() {
		var name string
		var value int64
		if n, _ := fmt.Sscanf(heap.Text(), "# %s = %d", &name, &value); n == 2 {
			m.memStats[name] = value
		}
	}
	return m
}

func debugGet(b *testing.B, addr, path string) string {
	b.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return string(body)
}

// loadMixed sends n requests, clients at a time, as 2,000 callers with
// tokens of the dev key and as callers without a valid one.
func loadMixed(b *testing.B, base, dir string, n, clients int) {
	b.Helper()
	key, err := auth.ReadDevKey(dir)
	if err != nil {
		b.Fatal(err)
	}
	roles := []principal.Role{principal.Recruiter, principal.Interviewer, principal.Admin, principal.Employee}
	tokens := make([]string, 2000)
	for i := range tokens {
		if tokens[i], err = auth.MintDev(key, fmt.Sprintf("users/load-%05d", i), []principal.Role{roles[i%len(roles)]}, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(1, uint64(c)))
			for next.Add(1) <= int64(n) {
				resp, err := client.Do(mixedRequest(rng, base, tokens))
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	client.CloseIdleConnections()
	if failed.Load() > 0 {
		b.Logf("%d of %d requests got no answer", failed.Load(), n)
	}
}

func mixedRequest(rng *rand.Rand, base string, tokens []string) *http.Request {
	junk := func(n int) string {
		const chars = "abcdefghijklmnopqrstuvwxyz0123456789-_/%.{}\"'<>"
		s := make([]byte, rng.IntN(n)+1)
		for i := range s {
			s[i] = chars[rng.IntN(len(chars))]
		}
		return string(s)
	}
	id := func() string { return fmt.Sprintf("x%x", rng.Uint64()) }
	token := tokens[rng.IntN(len(tokens))]
	method, path, body, form := "GET", "", "", false
	switch rng.IntN(20) {
	case 0, 1, 2:
		path = []string{"/v1/frameworks", "/v1/rubrics", "/v1/candidates", "/v1/roles", "/v1/users", "/v1/candidates/-/interviews"}[rng.IntN(6)] +
			"?page_size=" + strconv.Itoa(rng.IntN(1200)-100)
		if rng.IntN(3) == 0 {
			path += "&page_token=" + url.QueryEscape(junk(40))
		}
	case 3:
		method, path = "POST", "/v1/candidates?candidate_id="+id()
		body = fmt.Sprintf(`{"display_name":"%s","role":"ic","level":"l3","external_id":%q}`, strings.Repeat("N", rng.IntN(200)), junk(30))
	case 4:
		method, path = "POST", "/v1/frameworks?framework_id="+id()
		body = `{"title":"` + strings.Repeat("T", rng.IntN(100)) + `","competencies":[{"id":"c","title":"C"}],"tracks":[{"id":"ic","title":"IC","levels":[{"id":"l1","title":"L","expectations":[{"competency":"c","description":"d"}]}]}]}`
	case 5:
		method, path, body = "POST", "/v1/candidates", junk(300) // not JSON
	case 6:
		path = "/v1/" + url.PathEscape(junk(60))
	case 7:
		path = "/v1/candidates/" + id() + "/interviews/" + id() + "/scorecard"
	case 8:
		method, path = "PATCH", "/v1/candidates/"+id()+"/interviews/i1/scorecard?update_mask=ratings"
		body = `{"ratings":[{"competency":"c","score":` + strconv.Itoa(rng.IntN(10)) + `,"evidence":"` + strings.Repeat("e", rng.IntN(5000)) + `"}]}`
	case 9:
		method, path, body = "POST", "/v1/frameworks:import", strings.Repeat("x", rng.IntN(2<<20)) // often over the body limit
	case 10:
		path = "/v1/frameworks/engineering/revisions/1:export"
	case 11:
		path = "/v1/candidates:compare?names=candidates/" + id() + "&names=candidates/" + id()
	case 12:
		token, path = "", "/v1/frameworks"
	case 13:
		token, path = "eyJ"+junk(400), "/v1/rubrics" // forged
	case 14:
		path = []string{"/", "/ladder", "/interviews", "/candidates", "/roles", "/admin", "/admin/people", "/calibration", "/me/calibration"}[rng.IntN(9)]
	case 15:
		token, method, path, form = "", "POST", "/signin", true
		body = url.Values{"subject": {[]string{"users/rita", "users/ivan", "users/adam", junk(20)}[rng.IntN(4)]}, "next": {"/" + junk(20)}}.Encode()
	case 16:
		path = "/v1/users:batchGet?names=users/" + id() + "&names=users/load-00001"
	case 17:
		path = "/interviews/" + id() + "/" + id()
	case 18:
		method, path = "DELETE", "/v1/roles/"+id()
	default:
		path = "/v1/candidates/" + id() + ":summarize"
	}
	req, err := http.NewRequest(method, base+path, bytes.NewBufferString(body))
	if err != nil {
		req, _ = http.NewRequest("GET", base+"/v1/frameworks", nil)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	switch {
	case form:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
	case body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}
