package fieldcheck

import (
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/yardstick-dev/yardstick/pkg/apierr"
)

// UpdateMask is what an update (AIP-134) of one kind of resource may name.
type UpdateMask struct {
	// Updatable are the fields an update may replace, in message order.
	Updatable []string
	// Ignored are identity and output-only fields: a mask may name them (the
	// gateway derives the mask from the JSON body, etag included), and they
	// are not updated.
	Ignored map[string]bool
}

// Paths turns a request's mask into the fields to replace: "*" is every
// updatable field, an empty mask the updatable fields isSet reports set in
// the request, and a mask naming anything else, or nothing to update, is
// INVALID_ARGUMENT on update_mask.
func (u UpdateMask) Paths(mask []string, isSet func(field string) bool) ([]string, error) {
	if len(mask) == 0 {
		for _, p := range u.Updatable {
			if isSet(p) {
				mask = append(mask, p)
			}
		}
	}
	var paths []string
	for _, p := range mask {
		switch {
		case p == "*":
			return u.Updatable, nil
		case slices.Contains(u.Updatable, p):
			paths = append(paths, p)
		case u.Ignored[p]:
		default:
			return nil, apierr.Invalid("update_mask", "cannot update %q: the mask may name %s, or *", apierr.Clip(p, 100), strings.Join(u.Updatable, ", "))
		}
	}
	if len(paths) == 0 {
		return nil, apierr.Invalid("update_mask", "names no field to update (%s)", strings.Join(u.Updatable, ", "))
	}
	return paths, nil
}

// ChangedFields names the fields among names (top-level fields of one
// message type) whose values differ between before and after, in the order
// of names: what a change record says a change touched.
func ChangedFields(before, after proto.Message, names []string) []string {
	b, a := before.ProtoReflect(), after.ProtoReflect()
	fields := b.Descriptor().Fields()
	var changed []string
	for _, name := range names {
		fd := fields.ByName(protoreflect.Name(name))
		if fd == nil {
			panic("ChangedFields: no field " + name + " in " + string(b.Descriptor().FullName()))
		}
		if !b.Get(fd).Equal(a.Get(fd)) {
			changed = append(changed, name)
		}
	}
	return changed
}
