#include "tools/report_format.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

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

// Widths as typed: 1.0 rather than 1, up to 6 significant digits.
std::string FormatWidth(double width) {
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

}  // namespace

std::string FormatTable(const Report& report) {
  const SweepSpec& spec = report.spec();
  std::string out = absl::StrFormat(
      "parsweep: kernel %s, executor %s, %d widths, %s\n"
      "data: %s\n",
      spec.kernel().name(), spec.executor().name(), spec.widths_size(),
      Plural(report.tasks(), "task"), DescribeData(report));

  bool any_count = false;
  for (const WidthResult& r : report.results()) any_count = any_count || r.has_count();

  const int shown = std::min(spec.points_size(), kMaxPointsInTable);
  for (int p = 0; p < shown; ++p) {
    std::vector<const WidthResult*> rows;
    for (const WidthResult& r : report.results()) {
      if (static_cast<int>(r.point_index()) == p) rows.push_back(&r);
    }
    const bool has_truth = !rows.empty() && rows.front()->has_true_density();
    absl::StrAppend(&out, "\npoint ", Coordinates(spec.points(p)));
    if (has_truth) {
      absl::StrAppendFormat(&out, ", true density %.9f", rows.front()->true_density());
    }
    absl::StrAppend(&out, "\n");

    absl::StrAppendFormat(&out, "%10s", "width");
    if (any_count) absl::StrAppendFormat(&out, " %10s", "count k");
    absl::StrAppendFormat(&out, " %13s", "density");
    if (has_truth) absl::StrAppendFormat(&out, " %13s %13s", "expected", "true");
    if (any_count) absl::StrAppendFormat(&out, " %17s", "tutorial k/(n*h)");
    absl::StrAppend(&out, "\n");
    for (const WidthResult* r : rows) {
      absl::StrAppendFormat(&out, "%10s", FormatWidth(r->width()));
      if (any_count) absl::StrAppendFormat(&out, " %10.0f", r->count());
      absl::StrAppendFormat(&out, " %13.9f", r->density());
      if (has_truth) {
        if (r->has_expected_density()) {
          absl::StrAppendFormat(&out, " %13.9f", r->expected_density());
        } else {
          absl::StrAppendFormat(&out, " %13s", "n/a");
        }
        absl::StrAppendFormat(&out, " %13.9f", r->true_density());
      }
      if (r->has_tutorial_density()) {
        absl::StrAppendFormat(&out, " %17.9f", r->tutorial_density());
      }
      absl::StrAppend(&out, "\n");
    }
    for (const Selection& s : report.selections()) {
      if (static_cast<int>(s.point_index()) != p || s.method() != "closest_to_true") continue;
      for (const WidthResult* r : rows) {
        if (r->width() != s.width()) continue;
        absl::StrAppendFormat(&out,
                              "closest to the true density: h = %s (density %.9f, "
                              "error %+.2e)\n",
                              FormatWidth(r->width()), r->density(),
                              r->density() - r->true_density());
        break;
      }
    }
  }

  for (const Selection& s : report.selections()) {
    if (s.method() == "closest_to_true") continue;
    absl::StrAppendFormat(&out, "\nselected by %s: h = %s", s.method(), FormatWidth(s.width()));
    if (s.has_rule_width()) {
      absl::StrAppendFormat(&out, " (the sweep's width nearest the rule's %.6g)", s.rule_width());
    }
    if (s.has_score()) {
      absl::StrAppendFormat(&out, " (mean leave-one-out log-likelihood %.6g)", s.score());
    }
  }
  if (report.selections_size() > 0) absl::StrAppend(&out, "\n");
  if (shown < spec.points_size()) {
    absl::StrAppendFormat(&out, "\n... and %d more points: --format=csv or json has them all.\n",
                          spec.points_size() - shown);
  }
  absl::StrAppend(
      &out, any_count ? "\ndensity = k / (n * h^d)."
                      : "\ndensity = (1/n) sum_i K_h(x - s_i), the kernel scaled to width h.");
  if (any_count) {
    absl::StrAppendFormat(&out,
                          " The tutorial divides by h instead of h^d: its column is the "
                          "density times h^(d-1)%s.",
                          report.dims() == 2 ? " (h times the density in 2-D)" : "");
  }
  bool any_expected = false;
  for (const WidthResult& r : report.results()) any_expected |= r.has_expected_density();
  if (any_expected) {
    absl::StrAppend(&out,
                    "\nexpected = what the estimator averages to for this Gaussian "
                    "(P(sample in window) / h^d); true - expected is the window's bias.");
  }
  absl::StrAppendFormat(&out, "\n%s ran in %.3f ms.\n", Plural(report.tasks(), "task"),
                        report.wall_seconds() * 1e3);
  return out;
}

std::string FormatCsv(const Report& report) {
  std::string out = "point,";
  for (uint32_t j = 1; j <= report.dims(); ++j) absl::StrAppend(&out, "x", j, ",");
  absl::StrAppend(&out, "width,count,density,expected_density,true_density,tutorial_density\n");
  auto optional = [](bool has, double value) {
    return has ? absl::StrFormat("%.17g", value) : std::string();
  };
  for (const WidthResult& r : report.results()) {
    std::string coords;
    for (double x : report.spec().points(static_cast<int>(r.point_index())).coords()) {
      absl::StrAppendFormat(&coords, "%.17g,", x);
    }
    absl::StrAppendFormat(&out, "%d,%s%.17g,%s,%.17g,%s,%s,%s\n", r.point_index(), coords,
                          r.width(), optional(r.has_count(), r.count()), r.density(),
                          optional(r.has_expected_density(), r.expected_density()),
                          optional(r.has_true_density(), r.true_density()),
                          optional(r.has_tutorial_density(), r.tutorial_density()));
  }
  return out;
}

absl::StatusOr<std::string> FormatJson(const Report& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(report, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the report as JSON: ", status.ToString()));
  }
  return json;
}

}  // namespace parsweep
