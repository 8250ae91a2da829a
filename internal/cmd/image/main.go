// Command image builds Yardstick's container image from a static binary,
// without a container daemon (`make image`): an OCI image layout and a
// tarball that `podman load` and `docker load` take. See internal/image.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/yardstick-dev/yardstick/internal/image"
)

func main() {
	binary := flag.String("binary", "dist/yardstick", "the static binary (CGO_ENABLED=0)")
	layoutDir := flag.String("layout", "dist/oci", "directory to write the OCI image layout to")
	tarPath := flag.String("tarball", "dist/yardstick-image.tar", "file to write the image tarball to")
	version := flag.String("version", "dev", "the image's version (tag and label)")
	revision := flag.String("revision", "", "the source commit, for the label")
	source := flag.String("source", "https://github.com/yardstick-dev/yardstick", "the repository, for the label")
	epoch := flag.String("created", os.Getenv("SOURCE_DATE_EPOCH"), "every timestamp in the image, in seconds since 1970 (the commit's time: the same commit gives the same image)")
	flag.Parse()
	if err := run(*binary, *layoutDir, *tarPath, *version, *revision, *source, *epoch); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(binary, layoutDir, tarPath, version, revision, source, epoch string) error {
	created := time.Unix(0, 0).UTC()
	if epoch != "" {
		secs, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return fmt.Errorf("--created: %w", err)
		}
		created = time.Unix(secs, 0).UTC()
	}
	img, err := image.Build(binary, image.Options{Version: version, Revision: revision, Source: source, Created: created})
	if err != nil {
		return err
	}
	if err := os.RemoveAll(layoutDir); err != nil {
		return err
	}
	ref := "yardstick:" + version
	if err := image.WriteLayout(img, layoutDir, ref); err != nil {
		return err
	}
	if err := image.WriteTarball(img, tarPath, ref); err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("%s %s\n  layout  %s\n  tarball %s\n", ref, digest, layoutDir, tarPath)
	return nil
}
