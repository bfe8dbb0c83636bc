// Typed plugin options: each kernel and executor declares the options it takes once (name,
// type, default, help), and this file parses a spec's `params` (strings, as they come from
// flags, JSON or the wire) against that declaration. Unknown options, malformed values and
// values out of range are InvalidArgument errors that name the plugin, the option and what it
// takes; the same declaration prints the plugin's options for `sweep --list`.
//
// Example:
//   const OptionList kOptions = {
//       EnumOption("start_method", {"fork", "spawn"}, "fork", "how workers start"),
//       IntOption("max_retries", 2, 0, 100, "re-runs of a batch whose worker died"),
//   };
//   ASSIGN_OR_RETURN(PluginOptions options,
//                    PluginOptions::Parse("executor", "process", kOptions, spec.params()));
//   const int retries = options.Int("max_retries");
#ifndef PARSWEEP_RUNTIME_PLUGIN_PLUGIN_OPTIONS_H_
#define PARSWEEP_RUNTIME_PLUGIN_PLUGIN_OPTIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace parsweep {

enum class OptionType { kEnum, kInt, kBool, kDuration, kString };

// OptionSpec declares one option. Build it with the functions below.
struct OptionSpec {
  std::string name;
  OptionType type = OptionType::kString;
  std::string default_value;  // As the user would type it.
  std::string help;
  std::vector<std::string> choices;  // kEnum.
  int64_t min = 0;                   // kInt.
  int64_t max = 0;                   // kInt.
  bool timeout = false;              // kDuration: positive, or inf for no limit.
};

using OptionList = std::vector<OptionSpec>;

// One of `choices`; `fallback` must be one of them.
OptionSpec EnumOption(std::string name, std::vector<std::string> choices, std::string fallback,
                      std::string help);
// An integer in [min, max].
OptionSpec IntOption(std::string name, int64_t fallback, int64_t min, int64_t max,
                     std::string help);
// true/false (also 1/0, yes/no).
OptionSpec BoolOption(std::string name, bool fallback, std::string help);
// An Abseil duration ("10s", "250ms"), at least zero.
OptionSpec DurationOption(std::string name, absl::Duration fallback, std::string help);
// A limit of time: a positive Abseil duration, or "inf" for none.
OptionSpec TimeoutOption(std::string name, absl::Duration fallback, std::string help);
// Any text.
OptionSpec StringOption(std::string name, std::string fallback, std::string help);

// DescribeOption is one line for --list: "name=fork|spawn (default fork): help".
std::string DescribeOption(const OptionSpec& option);

// PluginOptions: the parsed values of a plugin's declared options, defaults filled in.
class PluginOptions {
 public:
  PluginOptions() = default;

  // PluginOptions::Parse checks `params` against `declared`. `kind` and `plugin` ("executor",
  // "process") name the plugin in error messages.
  static absl::StatusOr<PluginOptions> Parse(absl::string_view kind, absl::string_view plugin,
                                             const OptionList& declared,
                                             const std::map<std::string, std::string>& params);
  // Parse for any map of strings to strings (a protobuf map, say).
  template <typename Map>
  static absl::StatusOr<PluginOptions> Parse(absl::string_view kind, absl::string_view plugin,
                                             const OptionList& declared, const Map& params) {
    return Parse(kind, plugin, declared,
                 std::map<std::string, std::string>(params.begin(), params.end()));
  }

  // The accessors require `name` to be declared with that type (a programming error
  // otherwise, which aborts).
  int64_t Int(absl::string_view name) const;
  bool Bool(absl::string_view name) const;
  absl::Duration Duration(absl::string_view name) const;
  // String is the value of a kEnum or kString option.
  const std::string& String(absl::string_view name) const;

 private:
  using Value = std::variant<int64_t, bool, absl::Duration, std::string>;
  // Get is the value of `name` as a T (`type` names T for the abort message).
  template <typename T>
  const T& Get(absl::string_view name, absl::string_view type) const;
  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PLUGIN_PLUGIN_OPTIONS_H_
