package ladder

import (
	"context"

	"github.com/yardstick-dev/yardstick/pkg/versioned"
	ladderv1 "github.com/yardstick-dev/yardstick/proto/yardstick/ladder/v1"
)

// ExportFramework writes a framework or revision in the YAML interchange format.
func (s *Server) ExportFramework(ctx context.Context, req *ladderv1.ExportFrameworkRequest) (*ladderv1.ExportFrameworkResponse, error) {
	_, c, err := s.readContent(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	out, err := exportYAML(c)
	if err != nil {
		return nil, err
	}
	return &ladderv1.ExportFrameworkResponse{Content: out}, nil
}

// ImportFramework creates a framework from a document in one of the
// formats (the interchange format unless told otherwise), or
// replaces an existing draft's content when the request carries its etag.
func (s *Server) ImportFramework(ctx context.Context, req *ladderv1.ImportFrameworkRequest) (*ladderv1.Framework, error) {
	in, err := importFormat(req.GetFormat(), req.GetContent(), req.GetFrameworkId())
	if err != nil {
		return nil, err
	}
	if err := validateContent(in, "content"); err != nil {
		return nil, err
	}
	if req.GetEtag() == "" {
		return s.create(ctx, req.GetFrameworkId(), contentFromProto(in), kindImport, req.GetRequestId())
	}
	want := versioned.Expect{ETag: req.GetEtag(), Exists: versioned.MustExist, RequestID: req.GetRequestId()}
	return s.replaceContent(ctx, "frameworks/"+req.GetFrameworkId(), want, kindImport,
		func(*ladderv1.Framework) (*ladderv1.Framework, error) { return in, nil })
}
