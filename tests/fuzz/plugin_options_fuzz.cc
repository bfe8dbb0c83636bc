// Fuzzes PluginOptions::Parse against the options every built-in kernel and executor
// declares: whatever the params, it gives a value of the declared type within the declared
// range for every option (the given one, else the default), or an InvalidArgument error
// that names the plugin; an unknown option is never accepted; the parsed values printed
// back parse to the same values.
//
// Input: a byte picks the plugin, then lines "key=value". A key of one digit stands for
// the plugin's option of that index, so that the fuzzer reaches real option names.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/kernel.h"
#include "runtime/plugin/plugin_options.h"
#include "runtime/plugin/registry.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"

namespace parsweep {
namespace {

struct Plugin {
  std::string kind;
  PluginInfo info;
};

const std::vector<Plugin>& Plugins() {
  static const std::vector<Plugin>* plugins = [] {
    auto* all = new std::vector<Plugin>;
    for (PluginInfo& info : Registry<Kernel>::Global().Plugins()) all->push_back({"kernel", info});
    for (PluginInfo& info : Registry<Executor>::Global().Plugins()) {
      all->push_back({"executor", info});
    }
    return all;
  }();
  return *plugins;
}

// Text is an option's parsed value as a user would type it.
std::string Text(const PluginOptions& options, const OptionSpec& option) {
  switch (option.type) {
    case OptionType::kInt:
      return absl::StrCat(options.Int(option.name));
    case OptionType::kBool:
      return options.Bool(option.name) ? "true" : "false";
    case OptionType::kDuration:
      return absl::FormatDuration(options.Duration(option.name));
    case OptionType::kEnum:
    case OptionType::kString:
      return options.String(option.name);
  }
  return "";
}

void CheckValue(const PluginOptions& options, const OptionSpec& option) {
  switch (option.type) {
    case OptionType::kInt: {
      const int64_t value = options.Int(option.name);
      FUZZ_CHECK(value >= option.min && value <= option.max) << option.name << "=" << value;
      break;
    }
    case OptionType::kEnum: {
      const std::string& value = options.String(option.name);
      bool listed = false;
      for (const std::string& choice : option.choices) listed = listed || choice == value;
      FUZZ_CHECK(listed) << option.name << "=" << value;
      break;
    }
    case OptionType::kDuration: {
      const absl::Duration value = options.Duration(option.name);
      FUZZ_CHECK(option.timeout
                     ? value > absl::ZeroDuration()
                     : value >= absl::ZeroDuration() && value != absl::InfiniteDuration())
          << option.name << "=" << value;
      break;
    }
    case OptionType::kBool:
      options.Bool(option.name);  // Aborts if the value is not a bool.
      break;
    case OptionType::kString:
      options.String(option.name);
      break;
  }
}

}  // namespace
}  // namespace parsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace parsweep;
  FuzzInput input(data, size);
  const std::vector<Plugin>& plugins = Plugins();
  FUZZ_CHECK(plugins.size() >= 4) << "the built-in kernels and executors are not linked";
  const Plugin& plugin = plugins[input.TakeByte() % plugins.size()];
  const OptionList& declared = plugin.info.options;

  std::map<std::string, std::string> params;
  for (absl::string_view line : absl::StrSplit(input.rest(), '\n')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
    if (kv.first.size() == 1 && kv.first[0] >= '0' && kv.first[0] <= '9' && !declared.empty()) {
      kv.first = declared[(kv.first[0] - '0') % declared.size()].name;
    }
    params[kv.first] = kv.second;
  }

  const absl::StatusOr<PluginOptions> options =
      PluginOptions::Parse(plugin.kind, plugin.info.name, declared, params);
  if (!options.ok()) {
    FUZZ_CHECK(options.status().code() == absl::StatusCode::kInvalidArgument) << options.status();
    FUZZ_CHECK(absl::StartsWith(options.status().message(),
                                absl::StrCat(plugin.kind, " '", plugin.info.name, "'")))
        << options.status();
    return 0;
  }
  for (const auto& [key, value] : params) {
    bool known = false;
    for (const OptionSpec& option : declared) known = known || option.name == key;
    FUZZ_CHECK(known) << "unknown option '" << key << "' was accepted";
  }
  std::map<std::string, std::string> printed;
  for (const OptionSpec& option : declared) {
    CheckValue(*options, option);
    printed[option.name] = Text(*options, option);
    FUZZ_CHECK(!DescribeOption(option).empty());
  }
  const absl::StatusOr<PluginOptions> again =
      PluginOptions::Parse(plugin.kind, plugin.info.name, declared, printed);
  FUZZ_CHECK(again.ok()) << again.status();
  for (const OptionSpec& option : declared) {
    if (option.type == OptionType::kDuration) {
      FUZZ_CHECK(again->Duration(option.name) == options->Duration(option.name))
          << option.name << ": '" << printed[option.name] << "' parsed as another duration";
    }
    FUZZ_CHECK(Text(*again, option) == printed[option.name])
        << option.name << ": '" << printed[option.name] << "' parsed as '" << Text(*again, option)
        << "'";
  }
  return 0;
}
