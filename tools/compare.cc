#include "tools/compare.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/base/status_macros.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/registry.h"
#include "runtime/scheduling/pool.h"
#include "runtime/sweep/sweep_workload.h"
#include "tools/flag_checks.h"
#include "tools/report_format.h"
#include "tools/scaling/stats.h"

namespace parsweep {
namespace {

absl::StatusOr<ExecutorChoice> ParseChoice(absl::string_view entry, const ExecutorSpec& base,
                                           const std::string& start_method) {
  std::vector<std::string> parts = absl::StrSplit(entry, ':');
  if (parts.empty() || parts.size() > 3 || parts[0].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--compare entry '", entry, "': expected NAME[:WORKERS[:START_METHOD]], e.g. process:4"));
  }
  ExecutorChoice choice;
  choice.spec.set_name(parts[0]);
  choice.spec.set_split(base.split());
  choice.spec.set_chunk(base.chunk());
  uint32_t workers = 0;
  if (parts.size() >= 2) {
    if (!absl::SimpleAtoi(parts[1], &workers) || workers == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--compare entry '", entry, "': workers '",
                                                     parts[1], "' must be a positive number"));
    }
    choice.spec.set_workers(workers);
  }
  std::string method = parts.size() == 3 ? parts[2] : "";
  if (method.empty() && parts[0] == "process") method = start_method;
  if (!method.empty()) (*choice.spec.mutable_params())["start_method"] = method;
  // The tool's short forms (--max_retries, --task_timeout, --data_on_all_ranks, ...) apply
  // to every entry whose executor has that option.
  for (const PluginInfo& plugin : Registry<Executor>::Global().Plugins()) {
    if (plugin.name != parts[0]) continue;
    for (const OptionSpec& option : plugin.options) {
      const auto given = base.params().find(option.name);
      if (given != base.params().end() && !choice.spec.params().contains(option.name)) {
        (*choice.spec.mutable_params())[option.name] = given->second;
      }
    }
  }
  choice.label = std::string(entry);
  if (parts.size() < 3 && !method.empty() && method != "fork") {
    absl::StrAppend(&choice.label, ":", method);
  }
  return choice;
}

}  // namespace

absl::StatusOr<std::vector<ExecutorChoice>> ParseExecutorList(absl::string_view text,
                                                              const ExecutorSpec& base,
                                                              const std::string& start_method) {
  std::vector<ExecutorChoice> choices;
  bool has_serial = false;
  ASSIGN_OR_RETURN(const std::vector<std::string> entries, SplitFlagList("--compare", text));
  for (const std::string& entry : entries) {
    ASSIGN_OR_RETURN(ExecutorChoice choice, ParseChoice(entry, base, start_method));
    if (choice.spec.name() == "serial") {
      if (has_serial) {
        return absl::InvalidArgumentError(
            absl::StrCat("--compare='", text, "' lists serial twice (", entry, ")"));
      }
      has_serial = true;
      choices.insert(choices.begin(), std::move(choice));
    } else {
      choices.push_back(std::move(choice));
    }
  }
  if (!has_serial) {
    ASSIGN_OR_RETURN(ExecutorChoice serial, ParseChoice("serial", base, start_method));
    choices.insert(choices.begin(), std::move(serial));
  }
  for (const auto& [name, value] : base.params()) {
    bool taken = false;
    for (const ExecutorChoice& choice : choices) taken |= choice.spec.params().contains(name);
    if (!taken) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " applies to none of the executors of --compare='", text, "'"));
    }
  }
  return choices;
}

absl::Status CheckRepeat(int repeat) {
  if (repeat < 1 || repeat > kMaxRepeat) {
    return absl::InvalidArgumentError(
        absl::StrCat("--repeat=", repeat, ": must be from 1 to ", kMaxRepeat));
  }
  return absl::OkStatus();
}

double ExecutorTiming::min() const {
  return seconds.empty() ? 0 : *std::min_element(seconds.begin(), seconds.end());
}
double ExecutorTiming::median() const { return Median(seconds); }
double ExecutorTiming::max() const {
  return seconds.empty() ? 0 : *std::max_element(seconds.begin(), seconds.end());
}

std::string AgreementWith(const Report& reference, const Report& report, bool* agrees) {
  *agrees = false;
  if (report.results_size() != reference.results_size()) {
    return absl::StrCat("DIFFERENT: ", report.results_size(), " results, serial has ",
                        reference.results_size());
  }
  double worst = 0;
  bool exact = true;
  for (int i = 0; i < report.results_size(); ++i) {
    const WidthResult& a = reference.results(i);
    const WidthResult& b = report.results(i);
    if (a.width() != b.width() || a.point_index() != b.point_index()) {
      return absl::StrCat("DIFFERENT: result ", i, " is for another width or point");
    }
    if (a.has_count()) {
      if (a.count() != b.count()) {
        return absl::StrCat("DIFFERENT: count ", b.count(), " at h = ", b.width(), ", serial has ",
                            a.count());
      }
    } else if (a.density() != b.density()) {
      exact = false;
      worst = std::max(worst, std::abs(a.density() - b.density()) / std::abs(a.density()));
    }
    // Where a density underflows to 0 its log still differs: compare the logs too, as the
    // densities' relative difference, exp(lb - la) - 1.
    if (!a.has_count() && a.log_density() != b.log_density()) {
      exact = false;
      worst = std::max(worst, std::abs(std::expm1(b.log_density() - a.log_density())));
    }
  }
  if (exact) {
    *agrees = true;
    return "identical";
  }
  const double tolerance = static_cast<double>(reference.samples()) * DBL_EPSILON;
  if (worst <= tolerance) {
    *agrees = true;
    return absl::StrFormat("equal within rounding (%.1e)", worst);
  }
  return absl::StrFormat("DIFFERENT: densities differ by up to %.1e (relative)", worst);
}

absl::StatusOr<Comparison> CompareExecutors(const Sweep& sweep,
                                            const std::vector<ExecutorChoice>& choices, int repeat,
                                            const ProgressFn& progress) {
  RETURN_IF_ERROR(CheckRepeat(repeat));
  Comparison comparison;
  comparison.repeat = repeat;
  const SweepWorkload workload(sweep);
  for (const ExecutorChoice& choice : choices) {
    auto annotate = [&choice](const absl::Status& status) {
      return absl::Status(status.code(), absl::StrCat(choice.label, ": ", status.message()));
    };
    absl::StatusOr<std::unique_ptr<Executor>> executor =
        Registry<Executor>::Global().Create(choice.spec);
    if (!executor.ok()) return annotate(executor.status());
    ExecutorTiming timing;
    timing.choice = choice;
    timing.workers = (*executor)->parallelism();
    const absl::Time started = absl::Now();
    absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(**executor, workload);
    if (!pool.ok()) return annotate(pool.status());
    timing.startup_seconds = absl::ToDoubleSeconds(absl::Now() - started);

    Report last;  // Each run reuses its memory, as a program running a sweep again would.
    for (int run = 0; run <= repeat; ++run) {  // Run 0 warms up and is not timed.
      const absl::Time start = absl::Now();
      const absl::Status ran = RunSweepOnPool(sweep, **pool, last, progress);
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      if (!ran.ok()) return annotate(ran);
      if (run > 0) timing.seconds.push_back(seconds);
    }
    timing.tasks = last.tasks();
    timing.plan = last.plan();
    if (comparison.timings.empty()) {
      comparison.serial_report = last;
      timing.agreement = "reference";
      timing.agrees = true;
    } else {
      timing.agreement = AgreementWith(comparison.serial_report, last, &timing.agrees);
    }
    comparison.timings.push_back(std::move(timing));
  }
  return comparison;
}

std::string FormatComparison(const Comparison& comparison) {
  std::string out = absl::StrFormat("%-18s %7s %10s %10s %10s %10s %8s %10s %13s  %s\n", "executor",
                                    "workers", "start (ms)", "min (ms)", "median", "max (ms)",
                                    "speedup", "efficiency", "overhead/task", "results");
  if (comparison.timings.empty()) return out;
  const ExecutorTiming& serial = comparison.timings.front();
  const double serial_median = serial.median();
  bool all_agree = true;
  for (const ExecutorTiming& t : comparison.timings) {
    const double speedup = t.median() > 0 ? serial_median / t.median() : 0;
    const double overhead =
        t.tasks > 0 ? (t.workers * t.median() - serial_median) / static_cast<double>(t.tasks) : 0;
    absl::StrAppendFormat(&out,
                          "%-18s %7d %10.2f %10.3f %10.3f %10.3f %7.2fx %9.0f%% %10.1f us  %s\n",
                          t.choice.label, t.workers, t.startup_seconds * 1e3, t.min() * 1e3,
                          t.median() * 1e3, t.max() * 1e3, speedup,
                          100.0 * speedup / std::max(1, t.workers), overhead * 1e6, t.agreement);
    all_agree = all_agree && t.agrees;
  }
  absl::StrAppend(&out, "\nplans:\n");
  for (const ExecutorTiming& t : comparison.timings) {
    absl::StrAppendFormat(&out, "%-18s %s\n", t.choice.label,
                          FormatPlan(t.plan, comparison.serial_report));
  }
  absl::StrAppendFormat(
      &out,
      "\n%d timed runs per executor after one warm-up; start = starting the workers, not "
      "included in the runs.\nspeedup = serial median / median; efficiency = speedup / "
      "workers; overhead/task = (workers x median - serial median) / tasks.\n%s\n",
      comparison.repeat,
      all_agree ? "Every executor gave serial's results."
                : "WARNING: some executors did not give serial's results (see above).");
  return out;
}

}  // namespace parsweep
