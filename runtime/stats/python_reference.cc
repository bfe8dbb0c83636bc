#include "runtime/stats/python_reference.h"

#include <sys/wait.h>

#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace parsweep {
namespace {

constexpr char kPython[] = "/usr/bin/python3";
// Relative to the test's working directory, the workspace's root in its runfiles.
constexpr char kScript[] = "runtime/stats/testdata/stats_reference.py";

// `text` in single quotes for the shell.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

absl::StatusOr<double> ParseDouble(absl::string_view text) {
  double value;
  if (!absl::SimpleAtod(text, &value)) {
    return absl::InternalError(absl::StrCat("the reference printed '", text, "', not a number"));
  }
  return value;
}

}  // namespace

absl::StatusOr<std::string> RunReference(const std::vector<std::string>& args) {
  return RunPythonScript(kScript, args);
}

absl::StatusOr<std::string> RunPythonScript(const std::string& script,
                                            const std::vector<std::string>& args) {
  std::string command = absl::StrCat(kPython, " ", Quoted(script));
  for (const std::string& arg : args) absl::StrAppend(&command, " ", Quoted(arg));
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError(absl::StrCat("cannot run ", command));
  std::string out;
  char buffer[4096];
  for (size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, got);
  const int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(command, " failed (wait status ", status, ")"));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::map<std::string, double>>> ReferenceRules(
    const std::vector<std::string>& data) {
  std::vector<std::string> args = {"rules"};
  args.insert(args.end(), data.begin(), data.end());
  absl::StatusOr<std::string> out = RunReference(args);
  if (!out.ok()) return out.status();
  std::map<std::string, std::map<std::string, double>> rules;
  for (absl::string_view line : absl::StrSplit(*out, '\n', absl::SkipEmpty())) {
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    if (fields.size() != 3) return absl::InternalError(absl::StrCat("bad line '", line, "'"));
    absl::StatusOr<double> value = ParseDouble(fields[2]);
    if (!value.ok()) return value.status();
    rules[std::string(fields[0])][std::string(fields[1])] = *value;
  }
  return rules;
}

absl::StatusOr<std::vector<LooReference>> ReferenceLoo(const std::string& data,
                                                       const std::string& kernel,
                                                       absl::Span<const double> widths,
                                                       absl::Span<const uint64_t> rows) {
  std::vector<std::string> args = {"loo", data, kernel, ExactList(widths)};
  if (!rows.empty()) args.push_back(absl::StrJoin(rows, ","));
  absl::StatusOr<std::string> out = RunReference(args);
  if (!out.ok()) return out.status();
  std::vector<LooReference> scores;
  for (absl::string_view line : absl::StrSplit(*out, '\n', absl::SkipEmpty())) {
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    LooReference score;
    if (fields.size() != 4 || !absl::SimpleAtoi(fields[3], &score.isolated)) {
      return absl::InternalError(absl::StrCat("bad line '", line, "'"));
    }
    for (auto [text, value] : {std::pair{fields[0], &score.width},
                               {fields[1], &score.score},
                               {fields[2], &score.standard_error}}) {
      absl::StatusOr<double> parsed = ParseDouble(text);
      if (!parsed.ok()) return parsed.status();
      *value = *parsed;
    }
    scores.push_back(score);
  }
  if (scores.size() != widths.size()) {
    return absl::InternalError(
        absl::StrCat("the reference scored ", scores.size(), " of ", widths.size(), " widths"));
  }
  return scores;
}

std::string ExactList(absl::Span<const double> values) {
  return absl::StrJoin(values, ",",
                       [](std::string* out, double v) { absl::StrAppendFormat(out, "%.17g", v); });
}

}  // namespace parsweep
