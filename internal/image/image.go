// Package image builds Yardstick's container image from the static binary
// with the Go toolchain alone: no daemon, no base image to pull. The image
// is one layer on an empty base (what distroless "static" gives, less what
// a static Go binary does not need):
//
//	/yardstick   the binary, 0755
//	/data/       an empty directory owned by the non-root user, for the
//	             embedded store (a volume mounted there keeps that owner)
//
// It runs as 65532:65532 (nonroot, as distroless names it), with no shell
// and no package manager. TLS roots are in the binary
// (golang.org/x/crypto/x509roots/fallback), as there is no
// /etc/ssl/certs. Every timestamp is the given one, so the same binary and
// labels give the same image, byte for byte.
package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// NonRoot is the user and group the image runs as.
const NonRoot = 65532

// Options say what the image is.
type Options struct {
	Version  string    // the image's version label, for example a git describe
	Revision string    // the source commit
	Source   string    // the repository URL
	Created  time.Time // every timestamp in the image (reproducible builds: the commit's time)
}

// Build makes the image of the static binary at binary.
func Build(binary string, o Options) (v1.Image, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	layerTar, err := filesystem(bin, o.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		return nil, err
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = "amd64", "linux"
	cfg.Created = v1.Time{Time: o.Created}
	cfg.Config.User = fmt.Sprintf("%d:%d", NonRoot, NonRoot)
	cfg.Config.Entrypoint = []string{"/yardstick"}
	cfg.Config.Cmd = []string{"dev", "--http-addr", "0.0.0.0:8080", "--grpc-addr", "0.0.0.0:9090", "--data-dir", "/data"}
	cfg.Config.WorkingDir = "/data"
	cfg.Config.ExposedPorts = map[string]struct{}{"8080/tcp": {}, "9090/tcp": {}}
	cfg.Config.Labels = map[string]string{
		"org.opencontainers.image.title":    "yardstick",
		"org.opencontainers.image.version":  o.Version,
		"org.opencontainers.image.revision": o.Revision,
		"org.opencontainers.image.source":   o.Source,
		"org.opencontainers.image.created":  o.Created.UTC().Format(time.RFC3339),
	}
	cfg.History = nil
	return mutate.ConfigFile(img, cfg)
}

// filesystem is the image's one layer, as a tar.
func filesystem(bin []byte, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	entries := []struct {
		hdr  tar.Header
		body []byte
	}{
		{tar.Header{Name: "data/", Typeflag: tar.TypeDir, Mode: 0o700, Uid: NonRoot, Gid: NonRoot}, nil},
		{tar.Header{Name: "yardstick", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bin))}, bin},
	}
	for _, e := range entries {
		e.hdr.ModTime, e.hdr.Format = at, tar.FormatPAX
		if err := tw.WriteHeader(&e.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteLayout writes the image as an OCI image layout in dir (what skopeo,
// podman and crane read as oci:DIR).
func WriteLayout(img v1.Image, dir, tag string) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag}))
}

// WriteTarball writes the image as a tarball `podman load` and `docker
// load` take, named ref (for example yardstick:v1.2.3).
func WriteTarball(img v1.Image, path, ref string) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return err
	}
	return tarball.WriteToFile(path, tag, img)
}
