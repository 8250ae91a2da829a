# Yardstick. `make help` lists the targets.
.DEFAULT_GOAL := help

# The one test command: CI runs exactly this (through .ci/run).
TEST := go test -race -timeout 20m ./...

.PHONY: help run test test-postgresql bench scale perf robustness screenshots fuzz generate lint promtool breaking fmt image

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: ## run every service and the REST gateway on the embedded database
	go run ./cmd/yardstick dev

image: ## build the container image without a daemon: dist/oci (OCI layout) and dist/yardstick-image.tar
	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o dist/yardstick ./cmd/yardstick
	go run ./internal/cmd/image --binary dist/yardstick --layout dist/oci --tarball dist/yardstick-image.tar \
	  --version "$$(git describe --always --dirty 2>/dev/null || echo dev)" --revision "$$(git rev-parse HEAD 2>/dev/null)" \
	  --created "$$(git log -1 --format=%ct 2>/dev/null || echo 0)"

test: ## run every test (embedded database; YARDSTICK_TEST_MONGO_URI for a real MongoDB)
	$(TEST)

test-postgresql: ## the store's and services' tests, and a database outage, on FerretDB over PostgreSQL (installs postgresql if missing)
	./scripts/postgresql-backend.sh bash -c 'go test -count=1 ./pkg/... ./services/... && go test -count=1 -run TestDatabaseOutage -v ./cmd/yardstick/'

bench: ## run the benchmarks (ratios against direct gRPC, the raw driver, the bare database)
	go test -run '^$$' -bench . -benchtime 300x ./gateway/
	go test -run '^$$' -bench 'VsRaw|VsLadder' -benchtime 300x ./services/...
	go test -run '^$$' -bench . -benchtime 10x ./cmd/yardstick/

scale: ## the stores at scale against the raw driver, and the calibration report (about 10 minutes)
	go test -run '^$$' -bench AtScale -benchtime 1s -timeout 60m ./services/ladder/
	go test -run '^$$' -bench FeedbackAtScale -benchtime 1s -timeout 30m ./services/feedback/
	go test -run '^$$' -bench CalibrationReport -benchtime 3x -timeout 60m ./services/feedback/

perf: ## the load tool at 1,000 scorecards: gRPC and REST at 1-64 clients, a Markdown table (10-15 minutes on two cores)
	go run ./cmd/yardstick bench --scorecards 1000

robustness: ## random clients and kill -9 against the real binary, twelve rounds (about a minute) (YARDSTICK_ROBUSTNESS_SEED to replay)
	YARDSTICK_ROBUSTNESS=long go test -count=1 -run TestRobustness -timeout 30m -v ./cmd/yardstick/

screenshots: ## take the README's screenshots again (the web app's browser journeys, in Chromium)
	YARDSTICK_SCREENSHOTS=docs/screenshots go test -count=1 -run 'Browser|Journey|Phone' ./web/

fuzz: ## fuzz every target for FUZZTIME each (default 10s), as CI does
	./scripts/fuzz.sh

generate: ## regenerate Go, gateway and OpenAPI code from the protos
	./scripts/generate.sh

lint: ## gofmt, go vet, staticcheck and buf lint
	./scripts/lint.sh

promtool: ## check the Prometheus rules and run their unit tests (needs promtool: apt-get install prometheus)
	./scripts/promtool-check.sh

breaking: ## buf breaking against HEAD~1 (BREAKING_AGAINST=<rev>; a Proto-Breaking: trailer skips)
	./scripts/breaking.sh

fmt: ## format the Go code
	gofmt -w $$(git ls-files '*.go')
