#include "runtime/stats/bandwidth_method.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace parsweep {
namespace {

constexpr BandwidthMethod kMethods[] = {BandwidthMethod::kScott, BandwidthMethod::kSilverman,
                                        BandwidthMethod::kNrd0, BandwidthMethod::kLooCv};

}  // namespace

absl::StatusOr<std::vector<BandwidthMethod>> ParseBandwidthMethods(absl::string_view text) {
  std::vector<BandwidthMethod> methods;
  for (absl::string_view name : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    name = absl::StripAsciiWhitespace(name);
    bool known = false;
    for (BandwidthMethod method : kMethods) {
      if (name == MethodName(method)) {
        methods.push_back(method);
        known = true;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("--select='", name, "': known methods: scott, silverman, nrd0, loo_cv"));
    }
  }
  return methods;
}

std::string MethodName(BandwidthMethod method) {
  switch (method) {
    case BandwidthMethod::kScott:
      return "scott";
    case BandwidthMethod::kSilverman:
      return "silverman";
    case BandwidthMethod::kNrd0:
      return "nrd0";
    case BandwidthMethod::kLooCv:
      return "loo_cv";
  }
  return "unknown";
}

}  // namespace parsweep
