#include "tools/flag_checks.h"

#include <map>
#include <set>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace parsweep {
namespace {

// A flag as typed: its registered name, whether it is boolean, the value given with `=`.
struct TypedFlag {
  const absl::CommandLineFlag* flag = nullptr;
  std::string name;
  bool is_bool = false;
  bool has_value = false;  // `--name=value`, as opposed to `--name` (and maybe a next argument).
  absl::string_view value;
};

// Identify reads "--name=value", "-name", "--noname" (a boolean's negation) as Abseil does;
// `flag` stays null for what is not a registered flag.
TypedFlag Identify(absl::string_view arg) {
  TypedFlag typed;
  arg.remove_prefix(absl::StartsWith(arg, "--") ? 2 : 1);
  const size_t eq = arg.find('=');
  absl::string_view name = arg.substr(0, eq);
  if (eq != absl::string_view::npos) {
    typed.has_value = true;
    typed.value = arg.substr(eq + 1);
  }
  typed.flag = absl::FindCommandLineFlag(name);
  if (typed.flag == nullptr && absl::ConsumePrefix(&name, "no")) {
    const absl::CommandLineFlag* negated = absl::FindCommandLineFlag(name);
    if (negated != nullptr && negated->IsOfType<bool>()) typed.flag = negated;
  }
  if (typed.flag != nullptr) {
    typed.name = std::string(name);
    typed.is_bool = typed.flag->IsOfType<bool>();
  }
  return typed;
}

}  // namespace

absl::Status CheckCommandLine(int argc, char** argv) {
  std::map<std::string, std::string> given;  // Flag name -> the argument that gave it.
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;  // The rest are positional arguments.
    if (arg.size() < 2 || arg[0] != '-') continue;
    const TypedFlag typed = Identify(arg);
    if (typed.flag == nullptr) continue;  // Abseil names unknown flags.
    const auto [earlier, first] = given.emplace(typed.name, std::string(arg));
    if (!first) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", typed.name, " is given twice (", earlier->second, " and ", arg, "); give it once"));
    }
    if (typed.is_bool) continue;
    absl::string_view value = typed.value;
    if (!typed.has_value) {
      if (i + 1 >= argc) continue;  // Abseil reports the missing value.
      value = argv[++i];            // `--name value`: Abseil takes the next argument.
    }
    if (absl::StripAsciiWhitespace(value).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", typed.name,
                       " has an empty value; give a value, or leave the flag "
                       "out for its default"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SplitFlagList(absl::string_view flag,
                                                       absl::string_view text) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " is an empty list"));
  }
  std::vector<std::string> entries;
  std::set<std::string> seen;
  for (absl::string_view entry : absl::StrSplit(text, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, "='", text, "': entry ", entries.size() + 1, " is empty"));
    }
    if (!seen.emplace(entry).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, "='", text, "' lists '", entry, "' twice"));
    }
    entries.emplace_back(entry);
  }
  return entries;
}

}  // namespace parsweep
