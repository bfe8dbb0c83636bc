#include "runtime/sweep/checkpoint_testing.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "runtime/sweep/checkpoint_format.h"

namespace parsweep {

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
  ::unlink(path.c_str());
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::vector<size_t> RecordBounds(absl::string_view bytes) {
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(bytes);
  if (!contents.ok()) return {};
  // Records are encoded the same way every time: their sizes, counted back from the end.
  std::vector<size_t> bounds(contents->records.size() + 1);
  bounds.back() = contents->intact_bytes;
  for (size_t i = contents->records.size(); i-- > 0;) {
    const CheckpointRecord& record = contents->records[i];
    bounds[i] =
        bounds[i + 1] - EncodeCheckpointRecord(record.task_index(), record.partial()).size();
  }
  return bounds;
}

}  // namespace parsweep
