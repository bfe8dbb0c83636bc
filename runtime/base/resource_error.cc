#include "runtime/base/resource_error.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace parsweep {
namespace {

// "the open file limit, ulimit -n, is 64", or nothing if `resource` is unlimited.
void AddLimit(int resource, absl::string_view name, char ulimit_letter, rlim_t unit,
              absl::string_view unit_name, std::vector<std::string>& limits) {
  struct rlimit limit;
  if (getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  limits.push_back(absl::StrCat("the ", name, ", ulimit -", std::string(1, ulimit_letter), ", is ",
                                limit.rlim_cur / unit, unit_name));
}

}  // namespace

std::string DescribeErrno(int error) {
  std::vector<std::string> limits;
  switch (error) {
    case EAGAIN:
      // The kernel never applies the process limit to root.
      if (getuid() != 0) AddLimit(RLIMIT_NPROC, "process and thread limit", 'u', 1, "", limits);
      // A thread's stack is a mapping, which the address space limit may refuse.
      AddLimit(RLIMIT_AS, "address space limit", 'v', 1024, " KiB", limits);
      break;
    case ENOMEM:
      AddLimit(RLIMIT_AS, "address space limit", 'v', 1024, " KiB", limits);
      break;
    case EMFILE:
      AddLimit(RLIMIT_NOFILE, "open file limit", 'n', 1, "", limits);
      break;
    case EFBIG:
      AddLimit(RLIMIT_FSIZE, "file size limit", 'f', 1, " bytes", limits);
      break;
    default:
      break;
  }
  std::string text = std::strerror(error);
  if (!limits.empty()) absl::StrAppend(&text, " (", absl::StrJoin(limits, "; "), ")");
  return text;
}

absl::Status ResourceError(int error, absl::string_view what) {
  absl::StatusCode code = absl::ErrnoToStatusCode(error);
  switch (error) {
    case EAGAIN:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case EFBIG:
    case ENOSPC:
      code = absl::StatusCode::kResourceExhausted;
      break;
    default:
      break;
  }
  return absl::Status(code, absl::StrCat(what, ": ", DescribeErrno(error)));
}

absl::StatusOr<std::thread> StartThread(absl::string_view what, std::function<void()> body) {
  try {
    return std::thread(std::move(body));
  } catch (const std::system_error& error) {
    return ResourceError(error.code().value(), what);
  } catch (const std::bad_alloc&) {
    return ResourceError(ENOMEM, what);
  }
}

}  // namespace parsweep
