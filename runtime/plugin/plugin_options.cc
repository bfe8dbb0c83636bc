#include "runtime/plugin/plugin_options.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace parsweep {
namespace {

std::string Expectation(const OptionSpec& option) {
  switch (option.type) {
    case OptionType::kEnum: {
      if (option.choices.size() == 2) {
        return absl::StrCat(option.choices[0], " or ", option.choices[1]);
      }
      return absl::StrCat("one of ", absl::StrJoin(option.choices, ", "));
    }
    case OptionType::kInt:
      return absl::StrCat("an integer from ", option.min, " to ", option.max);
    case OptionType::kBool:
      return "true or false";
    case OptionType::kDuration:
      return option.timeout ? "a positive duration such as 10s or 250ms, or inf for no limit"
                            : "a duration such as 10s or 250ms";
    case OptionType::kString:
      return "text";
  }
  return "";
}

std::string TypeText(const OptionSpec& option) {
  switch (option.type) {
    case OptionType::kEnum:
      return absl::StrJoin(option.choices, "|");
    case OptionType::kInt:
      return absl::StrCat(option.min, "..", option.max);
    case OptionType::kBool:
      return "true|false";
    case OptionType::kDuration:
      return option.timeout ? "DURATION|inf" : "DURATION";
    case OptionType::kString:
      return "TEXT";
  }
  return "";
}

// ParseValue reads `text` as `option`'s type; false if it is not a valid value.
template <typename Value>
bool ParseValue(const OptionSpec& option, const std::string& text, Value& value) {
  switch (option.type) {
    case OptionType::kEnum:
      for (const std::string& choice : option.choices) {
        if (text == choice) {
          value = text;
          return true;
        }
      }
      return false;
    case OptionType::kInt: {
      int64_t parsed = 0;
      if (!absl::SimpleAtoi(text, &parsed) || parsed < option.min || parsed > option.max) {
        return false;
      }
      value = parsed;
      return true;
    }
    case OptionType::kBool: {
      bool parsed = false;
      if (!absl::SimpleAtob(text, &parsed)) return false;
      value = parsed;
      return true;
    }
    case OptionType::kDuration: {
      absl::Duration parsed;
      if (!absl::ParseDuration(text, &parsed)) return false;
      if (option.timeout ? parsed <= absl::ZeroDuration()
                         : parsed < absl::ZeroDuration() || parsed == absl::InfiniteDuration()) {
        return false;
      }
      value = parsed;
      return true;
    }
    case OptionType::kString:
      value = text;
      return true;
  }
  return false;
}

[[noreturn]] void Misuse(absl::string_view what, absl::string_view name) {
  std::fprintf(stderr, "parsweep: option '%.*s' %.*s\n", static_cast<int>(name.size()), name.data(),
               static_cast<int>(what.size()), what.data());
  std::abort();
}

// MakeOption is what every builder below shares.
OptionSpec MakeOption(std::string name, OptionType type, std::string fallback, std::string help) {
  OptionSpec option;
  option.name = std::move(name);
  option.type = type;
  option.default_value = std::move(fallback);
  option.help = std::move(help);
  return option;
}

}  // namespace

OptionSpec EnumOption(std::string name, std::vector<std::string> choices, std::string fallback,
                      std::string help) {
  OptionSpec option =
      MakeOption(std::move(name), OptionType::kEnum, std::move(fallback), std::move(help));
  option.choices = std::move(choices);
  return option;
}

OptionSpec IntOption(std::string name, int64_t fallback, int64_t min, int64_t max,
                     std::string help) {
  OptionSpec option =
      MakeOption(std::move(name), OptionType::kInt, absl::StrCat(fallback), std::move(help));
  option.min = min;
  option.max = max;
  return option;
}

OptionSpec BoolOption(std::string name, bool fallback, std::string help) {
  return MakeOption(std::move(name), OptionType::kBool, fallback ? "true" : "false",
                    std::move(help));
}

OptionSpec DurationOption(std::string name, absl::Duration fallback, std::string help) {
  return MakeOption(std::move(name), OptionType::kDuration, absl::FormatDuration(fallback),
                    std::move(help));
}

OptionSpec TimeoutOption(std::string name, absl::Duration fallback, std::string help) {
  OptionSpec option = DurationOption(std::move(name), fallback, std::move(help));
  option.timeout = true;
  return option;
}

OptionSpec StringOption(std::string name, std::string fallback, std::string help) {
  return MakeOption(std::move(name), OptionType::kString, std::move(fallback), std::move(help));
}

std::string DescribeOption(const OptionSpec& option) {
  return absl::StrCat(option.name, "=", TypeText(option), " (default ",
                      option.default_value.empty() ? "empty" : option.default_value,
                      "): ", option.help);
}

absl::StatusOr<PluginOptions> PluginOptions::Parse(
    absl::string_view kind, absl::string_view plugin, const OptionList& declared,
    const std::map<std::string, std::string>& params) {
  for (const auto& [key, value] : params) {
    bool known = false;
    for (const OptionSpec& option : declared) known = known || option.name == key;
    if (known) continue;
    std::vector<absl::string_view> names;
    for (const OptionSpec& option : declared) names.push_back(option.name);
    return absl::InvalidArgumentError(
        absl::StrCat(kind, " '", plugin, "' has no parameter '", key, "'",
                     names.empty() ? std::string("; it takes none")
                                   : absl::StrCat("; it takes: ", absl::StrJoin(names, ", "))));
  }
  PluginOptions options;
  for (const OptionSpec& option : declared) {
    const auto given = params.find(option.name);
    const std::string& text = given != params.end() ? given->second : option.default_value;
    Value value;
    if (!ParseValue(option, text, value)) {
      if (given == params.end()) Misuse("has a default that is not one of its values", option.name);
      return absl::InvalidArgumentError(absl::StrCat(kind, " '", plugin, "': parameter ",
                                                     option.name, " must be ", Expectation(option),
                                                     ", not '", text, "'"));
    }
    options.values_.emplace(option.name, std::move(value));
  }
  return options;
}

template <typename T>
const T& PluginOptions::Get(absl::string_view name, absl::string_view type) const {
  const auto it = values_.find(name);
  if (it == values_.end()) Misuse("is not declared", name);
  if (!std::holds_alternative<T>(it->second)) Misuse(absl::StrCat("is not ", type), name);
  return std::get<T>(it->second);
}

int64_t PluginOptions::Int(absl::string_view name) const {
  return Get<int64_t>(name, "an integer");
}

bool PluginOptions::Bool(absl::string_view name) const { return Get<bool>(name, "a bool"); }

absl::Duration PluginOptions::Duration(absl::string_view name) const {
  return Get<absl::Duration>(name, "a duration");
}

const std::string& PluginOptions::String(absl::string_view name) const {
  return Get<std::string>(name, "text");
}

}  // namespace parsweep
