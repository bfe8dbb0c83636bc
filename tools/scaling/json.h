// A scaling study (tools/scaling/study.proto) as JSON: written by `--scaling_json=FILE`, read
// back by `--baseline=FILE`. The format is protobuf's JSON mapping with the proto's field
// names; doubles are printed so that they read back to the same bits, so a study survives
// a round trip exactly (64-bit integers such as `size` are strings, as in the tool's other
// JSON).
//
// Example:
//   ASSIGN_OR_RETURN(std::string json, StudyToJson(study));
//   ASSIGN_OR_RETURN(ScalingStudy baseline, ReadStudyFile("/tmp/old.json"));
#ifndef PARSWEEP_TOOLS_SCALING_JSON_H_
#define PARSWEEP_TOOLS_SCALING_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/scaling/study.pb.h"

namespace parsweep {

// A study file larger than this is not one (a study of thousands of cells is a few MB).
inline constexpr uint64_t kMaxStudyFileBytes = uint64_t{64} << 20;

// StudyToJson prints `study`, indented, ending with a newline.
absl::StatusOr<std::string> StudyToJson(const ScalingStudy& study);

// StudyFromJson parses a study; `name` (the file) is named in InvalidArgument for text
// that is not a study's JSON (with the parser's reason), or a study with no cells.
absl::StatusOr<ScalingStudy> StudyFromJson(absl::string_view json, absl::string_view name);

// ReadStudyFile reads and parses the study at `path`: NotFound for a file that cannot be
// opened, InvalidArgument for one over kMaxStudyFileBytes (read no further) or one that is
// not a study, DataLoss for a failed read; each error names `path`.
absl::StatusOr<ScalingStudy> ReadStudyFile(const std::string& path);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_SCALING_JSON_H_
