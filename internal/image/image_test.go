package image_test

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/yardstick-dev/yardstick/internal/image"
)

// TestImage builds the real binary statically, makes the image twice (the
// same digest: reproducible), writes it as `make image` does, opens the
// tarball and the layout again, and checks what a container runtime would
// use: one layer, the non-root user, the entrypoint, the labels, and that
// the binary in the layer runs.
func TestImage(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "yardstick")
	// As cmd/yardstick's process tests build it (Go's cache serves both);
	// `make image` adds -trimpath and strips the symbols.
	build := exec.Command("go", "build", "-o", bin, "github.com/yardstick-dev/yardstick/cmd/yardstick")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the static binary: %v\n%s", err, out)
	}
	opts := image.Options{Version: "v9.9.9-test", Revision: "abc123", Source: "https://example.com/yardstick", Created: time.Unix(1700000000, 0).UTC()}
	first, err := image.Build(bin, opts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := image.Build(bin, opts)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := first.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Fatalf("two builds of one binary: %s and %s", d1, d2)
	}
	tarPath, layoutDir := filepath.Join(dir, "image.tar"), filepath.Join(dir, "oci")
	if err := image.WriteTarball(first, tarPath, "yardstick:v9.9.9-test"); err != nil {
		t.Fatal(err)
	}
	if err := image.WriteLayout(first, layoutDir, "yardstick:v9.9.9-test"); err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(layoutDir)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := idx.IndexManifest(); err != nil || len(m.Manifests) != 1 || m.Manifests[0].Digest != d1 {
		t.Fatalf("the layout's index: %v, %v; want the one image %s", m, err, d1)
	}

	img, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Config
	if c.User != "65532:65532" || strings.Join(c.Entrypoint, " ") != "/yardstick" || c.WorkingDir != "/data" ||
		c.Labels["org.opencontainers.image.version"] != "v9.9.9-test" || c.Labels["org.opencontainers.image.source"] != "https://example.com/yardstick" ||
		cfg.OS != "linux" || !cfg.Created.Time.Equal(opts.Created) {
		t.Fatalf("config: %+v", cfg)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers: %d, %v; want one", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string]*tar.Header{}
	extracted := filepath.Join(dir, "from-layer")
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h
		if h.Name == "yardstick" {
			f, err := os.OpenFile(extracted, os.O_CREATE|os.O_WRONLY, 0o755)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				t.Fatal(err)
			}
			_ = f.Close()
		}
	}
	if len(files) != 2 || files["yardstick"].Mode != 0o755 || files["data/"] == nil || files["data/"].Uid != image.NonRoot {
		t.Fatalf("the layer holds %v; want the binary (0755) and /data owned by the non-root user", files)
	}
	for _, h := range files {
		if !h.ModTime.Equal(opts.Created) {
			t.Errorf("%s has time %v, want %v", h.Name, h.ModTime, opts.Created)
		}
	}
	// No shell in the image, and none needed: the binary runs as it is.
	out, _ := exec.Command(extracted, "--help").CombinedOutput()
	if !strings.Contains(string(out), "yardstick dev") {
		t.Fatalf("the binary from the layer, --help:\n%s", out)
	}
}
