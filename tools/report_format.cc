#include "tools/report_format.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "tools/charts.h"

namespace parsweep {
namespace {

// The table shows this many points; CSV and JSON show every one.
constexpr int kMaxPointsInTable = 10;

std::string Coordinates(const Point& point) {
  return absl::StrCat("(", absl::StrJoin(point.coords(), ", "), ")");
}

std::string Plural(uint64_t count, absl::string_view noun) {
  return absl::StrCat(count, " ", noun, count == 1 ? "" : "s");
}

// Widths as typed: 1.0 rather than 1, up to 6 significant digits; whole-number widths (k)
// as integers.
std::string FormatWidth(double width, const WidthParameter& parameter) {
  if (parameter.integral) return absl::StrFormat("%.0f", width);
  std::string text = absl::StrFormat("%.6g", width);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

bool IsIdentity(const GaussianSource& source) {
  const int d = source.mean_size();
  for (int i = 0; i < d; ++i) {
    for (int j = 0; j < d; ++j) {
      if (source.covariance(i * d + j) != (i == j ? 1.0 : 0.0)) return false;
    }
  }
  return true;
}

std::string DescribeData(const Report& report) {
  const DataSpec& data = report.spec().data();
  if (data.has_file()) {
    return absl::StrFormat("%d samples in %d-D from %s", report.samples(), report.dims(),
                           data.file().path());
  }
  const GaussianSource& source = data.gaussian();
  bool zero_mean = true;
  for (double m : source.mean()) zero_mean = zero_mean && m == 0.0;
  const std::string mean = zero_mean ? "0" : absl::StrJoin(source.mean(), ", ");
  const std::string cov =
      IsIdentity(source) ? "I" : absl::StrCat("[", absl::StrJoin(source.covariance(), ", "), "]");
  return absl::StrFormat("%d samples of N(mean %s, cov %s) in %d-D, seed %d", report.samples(),
                         mean, cov, report.dims(), source.seed());
}

// A value in a column `width` characters wide (0: as narrow as it goes); see the header.
std::string Value(double value, int width) {
  const double magnitude = std::abs(value);
  // Below 999.9999999995, "%.9f" has at most 3 digits before the point: 13 characters.
  if (value == 0 || (magnitude >= 1e-3 && magnitude < 999.9999999995)) {
    return absl::StrFormat("%*.9f", width, value);
  }
  return absl::StrFormat("%*.6e", width, value);
}

// A density the double cannot hold, from its natural log (finite), in Value's scientific
// notation: m.mmmmmme-EEE = 10^(log_density / ln 10). A longer exponent takes mantissa digits
// so the text keeps Value's 13 characters (6 digits for three-digit exponents); beyond
// 10^(+-10^15) the mantissa means nothing, and the power of ten itself is shown.
std::string ValueFromLog(double log_density, int width) {
  const double log10 = log_density / std::log(10.0);
  if (std::abs(log10) >= 1e15) {
    return absl::StrFormat("%*s", width, absl::StrFormat("10^%.6g", log10));
  }
  int64_t exponent = static_cast<int64_t>(std::floor(log10));
  const int digits =
      std::clamp(9 - std::max<int>(absl::StrCat(std::abs(exponent)).size(), 2), 0, 6);
  std::string mantissa =
      absl::StrFormat("%.*f", digits, std::pow(10.0, log10 - static_cast<double>(exponent)));
  if (absl::StartsWith(mantissa, "10")) {  // 9.9999999 rounded up to the next power.
    mantissa = absl::StrFormat("%.*f", digits, 1.0);
    ++exponent;
  }
  return absl::StrFormat(
      "%*s", width,
      absl::StrFormat("%se%c%02d", mantissa, exponent < 0 ? '-' : '+', std::abs(exponent)));
}

// Whether `r`'s density is printed from its log: the double is outside the normal range
// (0 or subnormal, having underflowed; infinite or NaN, having overflowed) and the kernel
// gave a finite log_density, which holds every digit.
bool DensityFromLog(const WidthResult& r) {
  return r.has_log_density() && std::isfinite(r.log_density()) && !std::isnormal(r.density());
}

// The density column's text for `r` (see DensityFromLog).
std::string DensityText(const WidthResult& r, int width) {
  return DensityFromLog(r) ? ValueFromLog(r.log_density(), width) : Value(r.density(), width);
}

// The results for point `p`, in the report's order (by increasing width).
std::vector<const WidthResult*> RowsOf(const Report& report, uint32_t p) {
  std::vector<const WidthResult*> rows;
  for (const WidthResult& r : report.results()) {
    if (r.point_index() == p) rows.push_back(&r);
  }
  return rows;
}

// Why MeaningfulClosest found no width, for the table; empty when there is nothing to say
// (a single width).
std::string NoClosestReason(const std::vector<const WidthResult*>& rows,
                            const WidthParameter& parameter) {
  if (rows.size() < 2) return "";
  const double truth = rows.front()->true_density();
  if (!(truth > 0)) return "none (the true density here is below the smallest double)";
  bool all_zero = true;
  for (const WidthResult* r : rows) all_zero = all_zero && r->density() == 0;
  if (all_zero) return "none (every width's density is 0 here: no width is nearer than another)";
  double best = std::numeric_limits<double>::infinity();
  for (const WidthResult* r : rows) best = std::min(best, std::abs(r->density() - truth));
  std::vector<std::string> tied;
  for (const WidthResult* r : rows) {
    if (std::abs(r->density() - truth) == best) {
      tied.push_back(FormatWidth(r->width(), parameter));
    }
  }
  return absl::StrCat("none (", parameter.symbol, " = ", absl::StrJoin(tied, ", "),
                      " are equally near it)");
}

// The widths at which leave-one-out scored -infinity, with how many held-out samples
// were isolated: the first in the kernel's words, the next few as counts.
std::string IsolatedWidths(const Selection& s, const WidthParameter& parameter) {
  constexpr int kShown = 5;
  std::vector<std::string> shown;
  int infinite = 0;
  for (const Selection::WidthScore& w : s.width_scores()) {
    if (w.isolated() == 0) continue;
    ++infinite;
    if (static_cast<int>(shown.size()) == kShown) continue;
    shown.push_back(shown.empty()
                        ? absl::StrFormat("%s = %s (%d of the %d held-out samples %s)",
                                          parameter.symbol, FormatWidth(w.width(), parameter),
                                          w.isolated(), s.held_out(), s.isolated_meaning())
                        : absl::StrFormat("%s = %s (%d)", parameter.symbol,
                                          FormatWidth(w.width(), parameter), w.isolated()));
  }
  if (infinite == 0) return "";
  std::string text = absl::StrCat("\n  score -infinity at ", Plural(infinite, "width"), ": ",
                                  absl::StrJoin(shown, ", "));
  if (infinite > kShown) {
    absl::StrAppend(&text, ", and ", infinite - kShown,
                    " more (--format=json lists every width's score)");
  }
  return text;
}

// One selection by a rule or by leave-one-out, for the table: the width, and what chose
// it (the rule's own width and bandwidth; the score, its standard error and the held-out
// samples).
std::string SelectionText(const Report& report, const Selection& s,
                          const WidthParameter& parameter) {
  std::string text = absl::StrFormat("selected by %s: %s = %s", s.method(), parameter.symbol,
                                     FormatWidth(s.width(), parameter));
  if (s.has_rule_width()) {
    absl::StrAppendFormat(&text, " (the sweep's width nearest the rule's %.6g", s.rule_width());
    if (s.has_gaussian_bandwidth() && s.gaussian_bandwidth() != s.rule_width()) {
      absl::StrAppendFormat(&text, ", this kernel's equivalent of the Gaussian bandwidth %.6g",
                            s.gaussian_bandwidth());
    }
    absl::StrAppend(&text, ")");
  }
  if (s.has_score()) {
    absl::StrAppendFormat(&text, " (mean leave-one-out log-likelihood %.6g", s.score());
    if (s.has_standard_error()) {
      absl::StrAppendFormat(&text, ", standard error %.2g", s.standard_error());
    }
    if (s.has_held_out()) {
      if (s.held_out() == report.samples()) {
        absl::StrAppendFormat(&text, ", over all %d samples", report.samples());
      } else {
        absl::StrAppendFormat(&text, ", over %d of the %d samples, drawn with --loo_seed=%d",
                              s.held_out(), report.samples(), s.loo_seed());
      }
    }
    absl::StrAppend(&text, ")", IsolatedWidths(s, parameter));
  }
  return text;
}

}  // namespace

const WidthResult* MeaningfulClosest(const std::vector<const WidthResult*>& rows) {
  if (rows.size() < 2 || !(rows.front()->true_density() > 0)) return nullptr;
  const double truth = rows.front()->true_density();
  const WidthResult* closest = nullptr;
  bool tie = false;
  for (const WidthResult* r : rows) {
    const double error = std::abs(r->density() - truth);
    if (!std::isfinite(error)) continue;
    const double best = closest == nullptr ? 0 : std::abs(closest->density() - truth);
    if (closest == nullptr || error < best) {
      closest = r;
      tie = false;
    } else if (error == best) {
      tie = true;
    }
  }
  return tie ? nullptr : closest;
}

void KeepMeaningfulSelections(Report& report) {
  auto& selections = *report.mutable_selections();
  for (int i = selections.size() - 1; i >= 0; --i) {
    const Selection& s = selections.Get(i);
    if (s.method() == "closest_to_true" &&
        MeaningfulClosest(RowsOf(report, s.point_index())) == nullptr) {
      selections.DeleteSubrange(i, 1);
    }
  }
}

uint64_t FormattedBytesPerResult(absl::string_view format) { return format == "json" ? 3100 : 100; }

std::string FormatPlan(const TaskPlanSummary& plan, const Report& report) {
  const uint64_t widths = static_cast<uint64_t>(report.spec().widths_size());
  const uint64_t points = widths == 0 ? 0 : report.results_size() / widths;
  const bool by_samples = plan.split() == SPLIT_SAMPLES;
  const char* item = by_samples ? "sample" : "width";
  const bool cut_items = plan.chunk() < (by_samples ? report.samples() : widths);
  const bool cut_points = plan.points_per_task() < points;
  const auto count = [](uint64_t n, absl::string_view noun) {
    return absl::StrCat(GroupThousands(absl::StrCat(n)), " ", noun, n == 1 ? "" : "s");
  };
  std::string out;
  if (cut_points && cut_items) {
    out = absl::StrCat("split by points and ", item, "s, ", count(plan.tasks(), "task"), " of ",
                       count(plan.points_per_task(), "point"), " and ", count(plan.chunk(), item));
  } else if (cut_points) {
    out = absl::StrCat("split by points, ", count(plan.tasks(), "task"), " of ",
                       count(plan.points_per_task(), "point"));
  } else if (cut_items) {
    out = absl::StrCat("split by ", item, "s, ", count(plan.tasks(), "task"), " of ",
                       count(plan.chunk(), item));
  } else {
    out = count(plan.tasks(), "task");
  }
  absl::StrAppend(&out, plan.automatic() ? absl::StrCat(" (auto: ", plan.reason(), ")")
                                         : " (as --split and --chunk ask)");
  return out;
}

std::string FormatTable(const Report& report, const TableNotes& notes) {
  const SweepSpec& spec = report.spec();
  std::string out = absl::StrFormat(
      "parsweep: kernel %s, executor %s, %d widths, %s\n"
      "data: %s\n"
      "plan: %s\n",
      spec.kernel().name(), spec.executor().name(), spec.widths_size(),
      Plural(report.tasks(), "task"), DescribeData(report), FormatPlan(report.plan(), report));

  bool any_count = false, any_tutorial = false, any_expected = false, any_from_log = false;
  for (const WidthResult& r : report.results()) {
    any_count |= r.has_count();
    any_tutorial |= r.has_tutorial_density();
    any_expected |= r.has_expected_density();
  }

  const int shown = std::min(spec.points_size(), kMaxPointsInTable);
  // The widths' column: 10 characters, or the kernel's name for them if that is longer.
  const int width_column = std::max<int>(10, notes.width.name.size());
  for (int p = 0; p < shown; ++p) {
    const std::vector<const WidthResult*> rows = RowsOf(report, p);
    const bool has_truth = !rows.empty() && rows.front()->has_true_density();
    absl::StrAppend(&out, "\npoint ", Coordinates(spec.points(p)));
    if (has_truth) {
      absl::StrAppend(&out, ", true density ", Value(rows.front()->true_density(), 0));
    }
    absl::StrAppend(&out, "\n");

    absl::StrAppendFormat(&out, "%*s", width_column, notes.width.name);
    if (any_count) absl::StrAppendFormat(&out, " %10s", "count k");
    absl::StrAppendFormat(&out, " %13s", "density");
    if (has_truth) absl::StrAppendFormat(&out, " %13s %13s", "expected", "true");
    if (any_tutorial) absl::StrAppendFormat(&out, " %17s", "tutorial k/(n*h)");
    absl::StrAppend(&out, "\n");
    for (const WidthResult* r : rows) {
      absl::StrAppendFormat(&out, "%*s", width_column, FormatWidth(r->width(), notes.width));
      if (any_count) absl::StrAppendFormat(&out, " %10.0f", r->count());
      absl::StrAppend(&out, " ", DensityText(*r, 13));
      any_from_log |= DensityFromLog(*r);
      if (has_truth) {
        absl::StrAppend(&out, " ",
                        r->has_expected_density() ? Value(r->expected_density(), 13)
                                                  : absl::StrFormat("%13s", "n/a"));
        absl::StrAppend(&out, " ", Value(r->true_density(), 13));
      }
      if (r->has_tutorial_density()) {
        absl::StrAppend(&out, " ", Value(r->tutorial_density(), 17));
      }
      absl::StrAppend(&out, "\n");
    }
    if (!has_truth) continue;
    if (const WidthResult* r = MeaningfulClosest(rows)) {
      absl::StrAppendFormat(&out,
                            "closest to the true density: %s = %s (density %s, error %+.2e)\n",
                            notes.width.symbol, FormatWidth(r->width(), notes.width),
                            Value(r->density(), 0), r->density() - r->true_density());
    } else if (const std::string reason = NoClosestReason(rows, notes.width); !reason.empty()) {
      absl::StrAppend(&out, "closest to the true density: ", reason, "\n");
    }
  }

  bool any_selection_text = false;
  for (const Selection& s : report.selections()) {
    if (s.method() == "closest_to_true") continue;  // Shown under its point.
    absl::StrAppend(&out, "\n", SelectionText(report, s, notes.width));
    any_selection_text = true;
  }
  if (any_selection_text) absl::StrAppend(&out, "\n");
  if (shown < spec.points_size()) {
    absl::StrAppendFormat(&out, "\n... and %d more points: --format=csv or json has them all.\n",
                          spec.points_size() - shown);
  }
  // The footer: what the columns are, in the kernel's words where they depend on it.
  if (!notes.density.empty()) absl::StrAppend(&out, "\ndensity: ", notes.density, ".");
  if (any_tutorial) {
    absl::StrAppendFormat(&out,
                          "\nThe tutorial divides by h instead of h^d: its column is the "
                          "density times h^(d-1)%s.",
                          report.dims() == 2 ? " (h times the density in 2-D)" : "");
  }
  if (any_expected) {
    // The kernel's note on a line of its own, so that no line grows past the table's reach.
    absl::StrAppend(&out, "\nexpected = what the estimator averages to for this Gaussian");
    if (!notes.expected_density.empty()) {
      absl::StrAppend(&out, ",\n  ", notes.expected_density);
    }
    absl::StrAppend(&out, ";\n  expected - true is its bias at that width.");
  }
  if (any_from_log) {
    absl::StrAppend(&out,
                    "\nA density beyond a double's normal range (under 2.2e-308, over 1.8e+308) "
                    "is printed from log_density.");
  }
  absl::StrAppendFormat(&out, "\n%s ran in %.3f ms.\n", Plural(report.tasks(), "task"),
                        report.wall_seconds() * 1e3);
  return out;
}

std::string FormatCsv(const Report& report) {
  // log_density comes last, so that the columns programs already read keep their places.
  bool any_log = false;
  for (const WidthResult& r : report.results()) any_log |= r.has_log_density();
  std::string out = "point,";
  for (uint32_t j = 1; j <= report.dims(); ++j) absl::StrAppend(&out, "x", j, ",");
  absl::StrAppend(&out, "width,count,density,expected_density,true_density,tutorial_density",
                  any_log ? ",log_density\n" : "\n");
  auto optional = [](bool has, double value) {
    return has ? absl::StrFormat("%.17g", value) : std::string();
  };
  for (const WidthResult& r : report.results()) {
    std::string coords;
    for (double x : report.spec().points(static_cast<int>(r.point_index())).coords()) {
      absl::StrAppendFormat(&coords, "%.17g,", x);
    }
    absl::StrAppendFormat(&out, "%d,%s%.17g,%s,%.17g,%s,%s,%s", r.point_index(), coords, r.width(),
                          optional(r.has_count(), r.count()), r.density(),
                          optional(r.has_expected_density(), r.expected_density()),
                          optional(r.has_true_density(), r.true_density()),
                          optional(r.has_tutorial_density(), r.tutorial_density()));
    if (any_log) absl::StrAppend(&out, ",", optional(r.has_log_density(), r.log_density()));
    absl::StrAppend(&out, "\n");
  }
  return out;
}

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message,
                                          absl::string_view what) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the ", what, " as JSON: ", status.ToString()));
  }
  return json;
}

absl::StatusOr<std::string> FormatJson(const Report& report) {
  return MessageToJson(report, "report");
}

}  // namespace parsweep
