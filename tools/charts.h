// Charts for the sweep tool's --plot option: a horizontal bar chart of wall times per
// executor and a line chart of density against width, rendered as standalone SVG
// text with no library, and written as .svg or, through the external rsvg-convert, as .png.
//
// Layout is computed from estimated text widths (DejaVu Sans advance widths; Arial and other
// fallbacks are narrower), so labels, value texts, titles and the legend are never cut off
// and never overlap the bars or the data: margins grow with the longest label, and the plot
// area grows when a title is wider than it.
//
// Invalid charts (no bars, no series, a series with no points or with x and y of different
// lengths, a value that is NaN, infinite or beyond 1e100 in magnitude, a negative bar or
// reference) are rejected by Validate with InvalidArgument. RenderSvg never emits broken
// SVG: for a chart that fails Validate it returns a small SVG that states the problem, so
// callers should call Validate first.
//
// Example:
//   BarChart chart;
//   chart.title = "Serial vs. parallel: density sweep";
//   chart.axis_title = "wall time (ms), 12 widths x 10,000 samples, 2-D, median of 5 runs";
//   chart.bars = {{"serial", 12.1, "12.1 ms"}, {"threads:2", 6.3, "6.3 ms"}};
//   chart.reference = 12.1;
//   chart.reference_label = "serial 12.1 ms";
//   RETURN_IF_ERROR(Validate(chart));
//   RETURN_IF_ERROR(WriteChart(RenderSvg(chart), "times.png"));
#ifndef PARSWEEP_TOOLS_CHARTS_H_
#define PARSWEEP_TOOLS_CHARTS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace parsweep {

// Bar is one bar: `label` is written left of the axis, `value_text` right of the bar's end
// (either may be empty). `value` must be finite and >= 0.
struct Bar {
  std::string label;
  double value = 0;
  std::string value_text;
};

// BarChart is a horizontal bar chart whose value axis starts at 0.
struct BarChart {
  std::string title;
  std::string axis_title;           // Under the x axis.
  std::vector<Bar> bars;            // Drawn top to bottom in this order; at least one.
  std::optional<double> reference;  // A dashed vertical line at this value (finite, >= 0).
  std::string reference_label;      // Written above the bars at the reference line.
};

// SeriesStyle is how a series is drawn. A series of one point is always drawn as a point.
enum class SeriesStyle { kPointsAndLine, kLine, kDashedLine };

// Series is one line of a LineChart: points (x[i], y[i]) joined in the order given.
struct Series {
  std::string name;  // Shown in the legend, right of the plot.
  std::vector<double> x, y;
  SeriesStyle style = SeriesStyle::kPointsAndLine;
};

// LineChart draws every series on shared axes that span all of their points plus 4% on
// each side (so no point sits on the frame), with round ticks inside;
// series may have different x ranges. Colors come, in series order, from a fixed
// colorblind-friendly palette (Okabe and Ito) of 8 colors, repeated beyond 8 series.
struct LineChart {
  std::string title, x_title, y_title;
  std::vector<Series> series;  // At least one, each with at least one point.
};

// Validate returns OK if `chart` can be drawn, or InvalidArgument naming the bar or series
// and the problem.
absl::Status Validate(const BarChart& chart);
absl::Status Validate(const LineChart& chart);

// RenderSvg returns a standalone SVG document (UTF-8; every text XML-escaped). For a chart
// that fails Validate it returns an SVG that shows Validate's message instead.
std::string RenderSvg(const BarChart& chart);
std::string RenderSvg(const LineChart& chart);

// CheckChartPath returns OK if WriteChart can write to a path of this kind: one ending in
// .svg, or in .png when rsvg-convert is on PATH (case-insensitive suffixes). Otherwise
// InvalidArgument for any other suffix, FailedPrecondition when PNG is asked for and
// rsvg-convert is missing. It does not check that the file itself is writable. Call it
// before a long computation whose result is to be plotted.
absl::Status CheckChartPath(const std::string& path);

// WriteChart writes `svg` to `path`: as is for a path ending in .svg, rasterized by
// rsvg-convert (Debian package librsvg2-bin, found on PATH and run without a shell) for one
// ending in .png. The SVG it reads goes to a temporary file (in $TMPDIR if absolute, else
// /tmp) that is removed afterwards. Either way the chart replaces `path` atomically
// (WriteFileAtomically, runtime/base/atomic_file.h): an error leaves whatever was there
// untouched (a symbolic link stays a link) and no temporary file. Errors name `path`: those
// of CheckChartPath, the errno-derived code when the file cannot be written, Internal when
// rsvg-convert fails (with its message).
absl::Status WriteChart(const std::string& svg, const std::string& path);

// NiceTicks returns evenly spaced round tick values, a step of 1, 2 or 5 times a power of
// ten, from the last multiple of the step at or below `lo` to the first at or above `hi`:
// the smallest such step that gives at most max_ticks ticks (clamped to [3, 1000]; a range
// across zero needs 3). NiceTicks(0, 9.3, 6) is {0, 2, 4, 6, 8, 10}. Ticks are the doubles
// nearest the round decimals (0.3, not 0.1 + 0.2). When lo == hi (or the range is too
// narrow to tell apart from it, under 1e-9 of their magnitude) the range is widened by 10%
// of |lo| on each side, or by 1 when lo is 0. Empty if lo > hi or either is not finite.
std::vector<double> NiceTicks(double lo, double hi, int max_ticks);

// GroupThousands puts a comma between each group of three digits of an integer's text:
// "-1234567" -> "-1,234,567".
std::string GroupThousands(std::string integer);

// FormatTick writes a tick value with as many decimals as `step` needs ("0.25" for step
// 0.05, "10" for step 2) and thousands separators from 10,000 up ("1,000,000").
std::string FormatTick(double value, double step);

// ApproxTextWidth estimates the width in pixels of `text` (UTF-8) at `font_size` pixels in
// DejaVu Sans, from its advance widths for printable ASCII and 1 em for anything else;
// `bold` adds 20%. Used for layout; tests use it to check that text stays inside the SVG.
double ApproxTextWidth(absl::string_view text, double font_size, bool bold = false);

// XmlEscape escapes & < > " ' for use in XML text and attribute values, and replaces
// control characters that XML 1.0 does not allow with spaces.
std::string XmlEscape(absl::string_view text);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_CHARTS_H_
