#include "runtime/data/data_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace parsweep {

absl::StatusOr<std::string> ReadDataFile(const std::string& path) {
  // An ifstream opens a directory and then reads nothing: say what is wrong instead.
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("data file '", path, "' is a directory, not a file"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(
        absl::StrCat("cannot open data file '", path, "': ", std::strerror(errno)));
  }
  std::stringstream contents;
  contents << file.rdbuf();
  if (file.bad()) {
    return absl::DataLossError(absl::StrCat("error reading data file '", path, "'"));
  }
  return contents.str();
}

}  // namespace parsweep
