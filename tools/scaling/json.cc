#include "tools/scaling/json.h"

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "runtime/base/status_macros.h"
#include "runtime/data/data_file.h"
#include "tools/report_format.h"

namespace parsweep {

absl::StatusOr<std::string> StudyToJson(const ScalingStudy& study) {
  return MessageToJson(study, "study");
}

absl::StatusOr<ScalingStudy> StudyFromJson(absl::string_view json, absl::string_view name) {
  ScalingStudy study;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &study);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        name,
        " is not a scaling study's JSON (sweep --scaling_json): ", std::string(status.message())));
  }
  if (study.cells().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, " holds a scaling study with no cells"));
  }
  return study;
}

absl::StatusOr<ScalingStudy> ReadStudyFile(const std::string& path) {
  ASSIGN_OR_RETURN(const std::unique_ptr<DataFile> file, DataFile::Open(path));
  std::string text;
  std::vector<char> buffer(64 * 1024);
  while (true) {
    ASSIGN_OR_RETURN(const size_t n, file->Read(buffer.data(), buffer.size()));
    if (n == 0) break;
    if (text.size() + n > kMaxStudyFileBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " is larger than ", kMaxStudyFileBytes >> 20, " MiB: not a scaling study's JSON"));
    }
    text.append(buffer.data(), n);
  }
  return StudyFromJson(text, path);
}

}  // namespace parsweep
