#include "tools/charts.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/base/atomic_file.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/resource_error.h"
#include "runtime/process/wait_status.h"

extern char** environ;

namespace parsweep {
namespace {

constexpr char kFontFamily[] = "DejaVu Sans, Arial, sans-serif";
constexpr double kTitleSize = 16;
constexpr double kLabelSize = 13;
constexpr double kTickSize = 12;
constexpr double kLineHeight = 1.25;  // In ems: a text row's height.
constexpr double kPad = 12;           // Empty border around everything.
constexpr char kTextColor[] = "#222222";
constexpr char kAxisColor[] = "#444444";
constexpr char kGridColor[] = "#e0e0e0";
constexpr char kBarColor[] = "#0072B2";
constexpr char kReferenceColor[] = "#D55E00";
// Okabe and Ito's colorblind-safe palette; yellow last, as it is faint on white.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#E69F00",
                                    "#CC79A7", "#56B4E9", "#000000", "#F0E442"};
// Larger values would overflow the axis arithmetic.
constexpr double kMaxMagnitude = 1e100;

// DejaVu Sans advance widths of ' ' to '~', in thousandths of an em, rounded up.
constexpr int kAsciiWidths[95] = {
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361,  318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635,  611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352,  635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,  525, 636, 337, 636, 838,
};

// A coordinate or length, to 0.1 px.
std::string Num(double v) {
  std::string s = absl::StrFormat("%.1f", v);
  if (s == "-0.0") s = "0.0";
  return s;
}

// TextOptions are the attributes of one <text>.
struct TextOptions {
  double size = kLabelSize;
  const char* anchor = "start";  // start, middle or end.
  bool bold = false;
  bool halo = false;  // A white outline, so lines crossing the text do not hide it.
  const char* fill = kTextColor;
  const char* css_class = nullptr;
  double rotate = 0;  // Degrees about (x, y).
};

void AppendText(std::string& out, double x, double y, absl::string_view text,
                const TextOptions& o) {
  absl::StrAppend(&out, "<text");
  if (o.css_class != nullptr) absl::StrAppend(&out, " class=\"", o.css_class, "\"");
  absl::StrAppend(&out, " x=\"", Num(x), "\" y=\"", Num(y), "\" font-size=\"", Num(o.size),
                  "\" text-anchor=\"", o.anchor, "\" fill=\"", o.fill, "\"");
  if (o.bold) absl::StrAppend(&out, " font-weight=\"bold\"");
  if (o.halo) {
    absl::StrAppend(&out,
                    " stroke=\"white\" stroke-width=\"3\" stroke-linejoin=\"round\""
                    " paint-order=\"stroke\"");
  }
  if (o.rotate != 0) {
    absl::StrAppend(&out, " transform=\"rotate(", Num(o.rotate), " ", Num(x), " ", Num(y), ")\"");
  }
  absl::StrAppend(&out, ">", XmlEscape(text), "</text>\n");
}

// A chart's bold, centred title; nothing for an empty one.
void AppendTitle(std::string& out, double center, double baseline, const std::string& title) {
  if (title.empty()) return;
  TextOptions o;
  o.size = kTitleSize;
  o.anchor = "middle";
  o.bold = true;
  o.css_class = "title";
  AppendText(out, center, baseline, title, o);
}

void AppendLine(std::string& out, double x1, double y1, double x2, double y2, const char* color,
                double width, const char* dash = nullptr, const char* css_class = nullptr) {
  absl::StrAppend(&out, "<line");
  if (css_class != nullptr) absl::StrAppend(&out, " class=\"", css_class, "\"");
  absl::StrAppend(&out, " x1=\"", Num(x1), "\" y1=\"", Num(y1), "\" x2=\"", Num(x2), "\" y2=\"",
                  Num(y2), "\" stroke=\"", color, "\" stroke-width=\"", Num(width), "\"");
  if (dash != nullptr) absl::StrAppend(&out, " stroke-dasharray=\"", dash, "\"");
  absl::StrAppend(&out, "/>\n");
}

std::string SvgOpen(double width, double height) {
  const std::string w = Num(std::ceil(width)), h = Num(std::ceil(height));
  return absl::StrCat("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", w, "\" height=\"", h,
                      "\" viewBox=\"0 0 ", w, " ", h, "\" font-family=\"", kFontFamily, "\">\n",
                      "<rect class=\"background\" x=\"0\" y=\"0\" width=\"", w, "\" height=\"", h,
                      "\" fill=\"white\"/>\n");
}

// Baseline of a text row whose top is `top`: the ascent of DejaVu Sans is about 0.93 em.
double Baseline(double top, double size) { return top + 0.95 * size; }

// A picture of Validate's complaint, for RenderSvg of an invalid chart.
std::string ErrorSvg(const absl::Status& status) {
  const std::string text = absl::StrCat("cannot draw chart: ", status.message());
  const double width = ApproxTextWidth(text, kLabelSize) + 2 * kPad;
  const double height = kLabelSize * kLineHeight + 2 * kPad;
  std::string out = SvgOpen(width, height);
  TextOptions o;
  o.fill = "#b00020";
  AppendText(out, kPad, Baseline(kPad, kLabelSize), text, o);
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

absl::Status CheckValue(double v, absl::string_view what) {
  if (!std::isfinite(v) || std::abs(v) > kMaxMagnitude) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is ", v, "; values must be finite and at most 1e100 in magnitude"));
  }
  return absl::OkStatus();
}

// The plot width or height that centers a text of width `text_w` on the plot without it
// crossing the outer padding, given the margins on either side.
double GrowForCenteredText(double plot, double text_w, double margin_a, double margin_b) {
  return std::max(plot, text_w - 2 * (std::min(margin_a, margin_b) - kPad));
}

// Ticks, their step and labels, for one axis.
struct Axis {
  std::vector<double> ticks;
  std::vector<std::string> labels;
  double lo = 0, hi = 1;
  double max_label_w = 0;
};

Axis MakeAxis(double lo, double hi, int max_ticks) {
  Axis axis;
  axis.ticks = NiceTicks(lo, hi, max_ticks);
  if (axis.ticks.size() < 2) axis.ticks = {lo, hi};  // Unreachable for validated charts.
  const double step = axis.ticks[1] - axis.ticks[0];
  for (double t : axis.ticks) {
    axis.labels.push_back(FormatTick(t, step));
    axis.max_label_w = std::max(axis.max_label_w, ApproxTextWidth(axis.labels.back(), kTickSize));
  }
  axis.lo = axis.ticks.front();
  axis.hi = axis.ticks.back();
  return axis;
}

// An axis from `lo` - 4% to `hi` + 4% of the range, so no point sits on the frame, with
// the ticks that fall inside. A range too narrow to draw is first widened as NiceTicks does.
Axis MakePaddedAxis(double lo, double hi, int max_ticks) {
  if (hi - lo <= std::max(std::abs(lo), std::abs(hi)) * 1e-9) {
    const double mid = lo / 2 + hi / 2;
    const double delta = mid == 0 ? 1 : std::abs(mid) * 0.1;
    lo = mid - delta;
    hi = mid + delta;
  }
  const double pad = (hi - lo) * 0.04;
  Axis axis;
  axis.lo = lo - pad;
  axis.hi = hi + pad;
  const std::vector<double> ticks = NiceTicks(axis.lo, axis.hi, max_ticks);
  if (ticks.size() < 2) return axis;  // Unreachable for validated charts.
  const double step = ticks[1] - ticks[0];
  for (double t : ticks) {
    if (t < axis.lo || t > axis.hi) continue;
    axis.ticks.push_back(t);
    axis.labels.push_back(FormatTick(t, step));
    axis.max_label_w = std::max(axis.max_label_w, ApproxTextWidth(axis.labels.back(), kTickSize));
  }
  return axis;
}

std::string RenderValidBars(const BarChart& chart) {
  const size_t n = chart.bars.size();
  double max_label_w = 0, max_value_w = 0, hi = 0;
  for (const Bar& bar : chart.bars) {
    max_label_w = std::max(max_label_w, ApproxTextWidth(bar.label, kLabelSize));
    max_value_w = std::max(max_value_w, ApproxTextWidth(bar.value_text, kLabelSize));
    hi = std::max(hi, bar.value);
  }
  if (chart.reference) hi = std::max(hi, *chart.reference);
  if (hi <= 0) hi = 1;  // All zero: still a readable axis.
  const Axis axis = MakeAxis(0, hi, 8);
  const double first_tick_w = ApproxTextWidth(axis.labels.front(), kTickSize);
  const double last_tick_w = ApproxTextWidth(axis.labels.back(), kTickSize);

  // Horizontal layout: labels | plot | value texts.
  constexpr double kLabelGap = 8, kValueGap = 6;
  const double left =
      kPad + std::max(max_label_w > 0 ? max_label_w + kLabelGap : 0.0, first_tick_w / 2);
  double right = kPad + std::max(max_value_w > 0 ? max_value_w + kValueGap : 0.0, last_tick_w / 2);
  double plot_w = 480;
  plot_w = GrowForCenteredText(plot_w, ApproxTextWidth(chart.title, kTitleSize, true), left, right);
  plot_w = GrowForCenteredText(plot_w, ApproxTextWidth(chart.axis_title, kLabelSize), left, right);

  // Vertical layout: title, reference label, bars, tick labels, axis title.
  double y = kPad;
  const double title_baseline = Baseline(y, kTitleSize);
  if (!chart.title.empty()) y += kTitleSize * kLineHeight + 8;
  const bool has_reference_label = chart.reference && !chart.reference_label.empty();
  const double reference_baseline = Baseline(y, kLabelSize);
  if (has_reference_label) y += kLabelSize * kLineHeight + 2;
  constexpr double kRow = 30, kBarHeight = 20;
  const double plot_top = y + 4;
  const double plot_bottom = plot_top + n * kRow;
  const double tick_baseline = Baseline(plot_bottom + 6, kTickSize);
  y = plot_bottom + 6 + kTickSize * kLineHeight;
  const double axis_title_baseline = Baseline(y + 6, kLabelSize);
  if (!chart.axis_title.empty()) y += 6 + kLabelSize * kLineHeight;
  const double height = y + kPad;

  auto x_of = [&](double v) { return left + (v - axis.lo) / (axis.hi - axis.lo) * plot_w; };

  // The reference label goes right of its line if it fits, else left of it, else the
  // chart widens.
  double width = left + plot_w + right;
  double reference_x = 0, reference_label_x = 0;
  const char* reference_anchor = "start";
  if (chart.reference) {
    reference_x = x_of(*chart.reference);
    const double w = ApproxTextWidth(chart.reference_label, kLabelSize);
    if (reference_x + 4 + w <= width - kPad) {
      reference_label_x = reference_x + 4;
    } else if (reference_x - 4 - w >= kPad) {
      reference_label_x = reference_x - 4;
      reference_anchor = "end";
    } else {
      reference_label_x = reference_x + 4;
      right += reference_x + 4 + w - (width - kPad);
      width = left + plot_w + right;
    }
  }

  std::string out = SvgOpen(width, height);
  const double center = left + plot_w / 2;
  AppendTitle(out, center, title_baseline, chart.title);
  // Grid lines and ticks.
  for (size_t i = 0; i < axis.ticks.size(); ++i) {
    const double x = x_of(axis.ticks[i]);
    if (i > 0) AppendLine(out, x, plot_top, x, plot_bottom, kGridColor, 1);
    AppendLine(out, x, plot_bottom, x, plot_bottom + 4, kAxisColor, 1);
    TextOptions o;
    o.size = kTickSize;
    o.anchor = "middle";
    o.css_class = "tick";
    AppendText(out, x, tick_baseline, axis.labels[i], o);
  }
  // Bars.
  for (size_t i = 0; i < n; ++i) {
    const Bar& bar = chart.bars[i];
    const double top = plot_top + i * kRow + (kRow - kBarHeight) / 2;
    absl::StrAppend(&out, "<rect class=\"bar\" x=\"", Num(left), "\" y=\"", Num(top), "\" width=\"",
                    Num(x_of(bar.value) - left), "\" height=\"", Num(kBarHeight), "\" fill=\"",
                    kBarColor, "\"/>\n");
  }
  // Axes.
  AppendLine(out, left, plot_top, left, plot_bottom, kAxisColor, 1, nullptr, "axis");
  AppendLine(out, left, plot_bottom, left + plot_w, plot_bottom, kAxisColor, 1, nullptr, "axis");
  // Reference line, under the texts.
  if (chart.reference) {
    AppendLine(out, reference_x, plot_top - (has_reference_label ? 4 : 0), reference_x, plot_bottom,
               kReferenceColor, 1.5, "5 4", "reference");
    if (has_reference_label) {
      TextOptions o;
      o.anchor = reference_anchor;
      o.fill = kReferenceColor;
      o.css_class = "reference-label";
      AppendText(out, reference_label_x, reference_baseline, chart.reference_label, o);
    }
  }
  // Labels and values.
  for (size_t i = 0; i < n; ++i) {
    const Bar& bar = chart.bars[i];
    const double baseline = plot_top + i * kRow + kRow / 2 + 0.35 * kLabelSize;
    TextOptions label;
    label.anchor = "end";
    label.css_class = "label";
    if (!bar.label.empty()) AppendText(out, left - kLabelGap, baseline, bar.label, label);
    TextOptions value;
    value.halo = true;
    value.css_class = "value";
    if (!bar.value_text.empty()) {
      AppendText(out, x_of(bar.value) + kValueGap, baseline, bar.value_text, value);
    }
  }
  if (!chart.axis_title.empty()) {
    TextOptions o;
    o.anchor = "middle";
    o.css_class = "axis-title";
    AppendText(out, center, axis_title_baseline, chart.axis_title, o);
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

std::string RenderValidLines(const LineChart& chart) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double x_lo = kInf, x_hi = -kInf, y_lo = kInf, y_hi = -kInf;
  double max_name_w = 0;
  bool has_legend = false;
  for (const Series& s : chart.series) {
    for (double x : s.x) x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
    for (double y : s.y) y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
    max_name_w = std::max(max_name_w, ApproxTextWidth(s.name, kLabelSize));
    has_legend = has_legend || !s.name.empty();
  }
  const Axis x_axis = MakePaddedAxis(x_lo, x_hi, 8);
  const Axis y_axis = MakePaddedAxis(y_lo, y_hi, 8);

  // Horizontal layout: y title | y tick labels | plot | legend.
  constexpr double kTickLength = 5, kTickGap = 3, kLegendGap = 16, kSwatch = 28;
  constexpr double kLegendRow = 20, kLegendPad = 8;
  const double y_title_w = ApproxTextWidth(chart.y_title, kLabelSize);
  const double left =
      kPad + (chart.y_title.empty() ? 0 : kLabelSize * kLineHeight + 6) +
      std::max(y_axis.max_label_w + kTickLength + kTickGap,
               x_axis.labels.empty() ? 0 : ApproxTextWidth(x_axis.labels.front(), kTickSize) / 2);
  const double legend_w = has_legend ? 2 * kLegendPad + kSwatch + 8 + max_name_w : 0;
  const double right =
      kPad +
      std::max(has_legend ? kLegendGap + legend_w : 0.0,
               x_axis.labels.empty() ? 0 : ApproxTextWidth(x_axis.labels.back(), kTickSize) / 2);
  double plot_w = 520;
  plot_w = GrowForCenteredText(plot_w, ApproxTextWidth(chart.title, kTitleSize, true), left, right);
  plot_w = GrowForCenteredText(plot_w, ApproxTextWidth(chart.x_title, kLabelSize), left, right);

  // Vertical layout: title | plot | x tick labels | x title.
  double top = kPad;
  const double title_baseline = Baseline(top, kTitleSize);
  if (!chart.title.empty()) top += kTitleSize * kLineHeight + 8;
  top = std::max(top, kPad + kTickSize / 2);  // Room for the top y tick label.
  double bottom = kTickLength + 2 + kTickSize * kLineHeight;
  const double x_title_offset = bottom + 6;  // Below the plot.
  if (!chart.x_title.empty()) bottom += 6 + kLabelSize * kLineHeight;
  bottom += kPad;
  double plot_h = 320;
  plot_h = GrowForCenteredText(plot_h, y_title_w, top, bottom);
  const size_t legend_rows = chart.series.size();
  const double legend_h = has_legend ? 2 * kLegendPad + legend_rows * kLegendRow - 4 : 0;
  const double width = left + plot_w + right;
  const double height = std::max(top + plot_h + bottom, top + legend_h + kPad);
  const double plot_bottom = top + plot_h;

  auto x_of = [&](double x) { return left + (x - x_axis.lo) / (x_axis.hi - x_axis.lo) * plot_w; };
  auto y_of = [&](double y) {
    return plot_bottom - (y - y_axis.lo) / (y_axis.hi - y_axis.lo) * plot_h;
  };

  std::string out = SvgOpen(width, height);
  const double center = left + plot_w / 2;
  AppendTitle(out, center, title_baseline, chart.title);
  // Grid, ticks and tick labels.
  for (size_t i = 0; i < x_axis.ticks.size(); ++i) {
    const double x = x_of(x_axis.ticks[i]);
    AppendLine(out, x, top, x, plot_bottom, kGridColor, 1);
    AppendLine(out, x, plot_bottom, x, plot_bottom + kTickLength, kAxisColor, 1);
    TextOptions o;
    o.size = kTickSize;
    o.anchor = "middle";
    o.css_class = "tick";
    AppendText(out, x, Baseline(plot_bottom + kTickLength + 2, kTickSize), x_axis.labels[i], o);
  }
  for (size_t i = 0; i < y_axis.ticks.size(); ++i) {
    const double y = y_of(y_axis.ticks[i]);
    AppendLine(out, left, y, left + plot_w, y, kGridColor, 1);
    AppendLine(out, left - kTickLength, y, left, y, kAxisColor, 1);
    TextOptions o;
    o.size = kTickSize;
    o.anchor = "end";
    o.css_class = "tick";
    AppendText(out, left - kTickLength - kTickGap, y + 0.35 * kTickSize, y_axis.labels[i], o);
  }
  AppendLine(out, left, top, left, plot_bottom, kAxisColor, 1, nullptr, "axis");
  AppendLine(out, left, plot_bottom, left + plot_w, plot_bottom, kAxisColor, 1, nullptr, "axis");

  // Series, in order, so later ones are drawn over earlier ones.
  auto stroke = [](SeriesStyle style) {
    return style == SeriesStyle::kDashedLine
               ? std::string(" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"")
               : std::string(" stroke-width=\"2\"");
  };
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    const char* color = kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))];
    absl::StrAppend(&out, "<g class=\"series\" fill=\"none\" stroke=\"", color, "\">\n");
    if (s.x.size() > 1) {
      absl::StrAppend(&out, "<polyline", stroke(s.style), " stroke-linejoin=\"round\" points=\"");
      for (size_t j = 0; j < s.x.size(); ++j) {
        absl::StrAppend(&out, j > 0 ? " " : "", Num(x_of(s.x[j])), ",", Num(y_of(s.y[j])));
      }
      absl::StrAppend(&out, "\"/>\n");
    }
    if (s.style == SeriesStyle::kPointsAndLine || s.x.size() == 1) {
      for (size_t j = 0; j < s.x.size(); ++j) {
        absl::StrAppend(&out, "<circle cx=\"", Num(x_of(s.x[j])), "\" cy=\"", Num(y_of(s.y[j])),
                        "\" r=\"3.5\" fill=\"", color,
                        "\" stroke=\"white\" stroke-width=\"1\"/>\n");
      }
    }
    absl::StrAppend(&out, "</g>\n");
  }

  // Legend, right of the plot.
  if (has_legend) {
    const double x0 = left + plot_w + kLegendGap;
    absl::StrAppend(&out, "<rect class=\"legend\" x=\"", Num(x0), "\" y=\"", Num(top),
                    "\" width=\"", Num(legend_w), "\" height=\"", Num(legend_h),
                    "\" fill=\"white\" stroke=\"#bbbbbb\"/>\n");
    for (size_t i = 0; i < chart.series.size(); ++i) {
      const Series& s = chart.series[i];
      const char* color = kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))];
      const double y = top + kLegendPad + i * kLegendRow + kLegendRow / 2 - 2;
      const double sx = x0 + kLegendPad;
      absl::StrAppend(&out, "<g class=\"legend-entry\" fill=\"none\" stroke=\"", color, "\">\n");
      if (s.style != SeriesStyle::kPointsAndLine || s.x.size() > 1) {
        absl::StrAppend(&out, "<line x1=\"", Num(sx), "\" y1=\"", Num(y), "\" x2=\"",
                        Num(sx + kSwatch), "\" y2=\"", Num(y), "\"", stroke(s.style), "/>\n");
      }
      if (s.style == SeriesStyle::kPointsAndLine || s.x.size() == 1) {
        absl::StrAppend(&out, "<circle cx=\"", Num(sx + kSwatch / 2), "\" cy=\"", Num(y),
                        "\" r=\"3.5\" fill=\"", color,
                        "\" stroke=\"white\" stroke-width=\"1\"/>\n");
      }
      absl::StrAppend(&out, "</g>\n");
      TextOptions o;
      o.css_class = "legend-label";
      AppendText(out, sx + kSwatch + 8, y + 0.35 * kLabelSize, s.name, o);
    }
  }

  if (!chart.x_title.empty()) {
    TextOptions o;
    o.anchor = "middle";
    o.css_class = "axis-title";
    AppendText(out, center, Baseline(plot_bottom + x_title_offset, kLabelSize), chart.x_title, o);
  }
  if (!chart.y_title.empty()) {
    TextOptions o;
    o.anchor = "middle";
    o.css_class = "axis-title";
    o.rotate = -90;
    AppendText(out, kPad + 0.95 * kLabelSize, top + plot_h / 2, chart.y_title, o);
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

// Writing files and running the rasterizer.

absl::Status WriteAll(int fd, absl::string_view data) {
  const int error = WriteFullyTakingSignal(fd, data.data(), data.size(), SIGXFSZ);
  return error == 0 ? absl::OkStatus()
                    : absl::Status(absl::ErrnoToStatusCode(error), DescribeErrno(error));
}

// An error whose message starts with `context`: "cannot write chart 'x.svg': No space...".
absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

// FindOnPath returns the full path of an executable `name` in $PATH, or "" if none.
std::string FindOnPath(absl::string_view name) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    const std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

// Moves `fd` above 0, 1 and 2 (close-on-exec), so that dup2 onto those in the child cannot
// clobber it; a no-op for the usual fd.
int AboveStdio(int fd) {
  if (fd > 2) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

std::string TempDir() {
  const char* dir = std::getenv("TMPDIR");
  if (dir != nullptr && dir[0] == '/') return dir;
  return "/tmp";
}

// Runs `rsvg` on the SVG file `svg_path` with its output going to `out_fd`. Returns its
// error message (or how it failed to start or died) on failure.
absl::Status RunRasterizer(const std::string& rsvg, const std::string& svg_path, int out_fd) {
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe");
  err_pipe[0] = AboveStdio(err_pipe[0]);
  err_pipe[1] = AboveStdio(err_pipe[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::string arg0 = "rsvg-convert", arg1 = "--format=png", arg2 = svg_path;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  // The sweep tool ignores SIGPIPE while it writes its output; the converter gets the
  // default action back, as any program expects.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int spawn_error = ::posix_spawn(&pid, rsvg.c_str(), &actions, &attributes, argv, environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  ::close(err_pipe[1]);
  if (spawn_error != 0) {
    ::close(err_pipe[0]);
    return absl::ErrnoToStatus(spawn_error, absl::StrCat("cannot run ", rsvg));
  }
  // Keep the start of its complaints; read to the end so it never blocks on a full pipe.
  std::string errors;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(err_pipe[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (errors.size() < 2000) errors.append(buffer, static_cast<size_t>(n));
  }
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "waitpid for rsvg-convert");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(errors, '\n', absl::SkipWhitespace())) {
    lines.emplace_back(absl::StripAsciiWhitespace(line));
  }
  std::string message = absl::StrCat("rsvg-convert ", DescribeWaitStatus(status));
  if (!lines.empty()) absl::StrAppend(&message, ": ", absl::StrJoin(lines, "; "));
  if (message.size() > 600) message = absl::StrCat(message.substr(0, 600), "...");
  return absl::InternalError(message);
}

absl::Status WritePng(const std::string& svg, const std::string& path, const std::string& rsvg) {
  std::string temp = TempDir() + "/parsweep-chart-XXXXXX";
  const int temp_fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (temp_fd < 0) {
    return Annotate(
        absl::ErrnoToStatus(errno, absl::StrCat("cannot create a temporary file in ", TempDir())),
        absl::StrCat("cannot write '", path, "'"));
  }
  absl::Status status = WriteAll(temp_fd, svg);
  if (::close(temp_fd) != 0 && status.ok()) status = absl::ErrnoToStatus(errno, "close");
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return Annotate(Annotate(status, absl::StrCat("temporary file ", temp)),
                    absl::StrCat("cannot write '", path, "'"));
  }
  // The converter writes the PNG straight into the temporary file that replaces `path`.
  status = WriteFileAtomically(path, [&rsvg, &temp](int fd) {
    const int out_fd = fd > 2 ? fd : ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    absl::Status converted = RunRasterizer(rsvg, temp, out_fd);
    if (out_fd != fd) ::close(out_fd);
    return converted;
  });
  ::unlink(temp.c_str());
  return status;
}

}  // namespace

absl::Status Validate(const BarChart& chart) {
  if (chart.bars.empty()) return absl::InvalidArgumentError("bar chart: no bars");
  for (size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& bar = chart.bars[i];
    const std::string what = absl::StrCat("bar chart: bar ", i, " ('", bar.label, "')");
    if (absl::Status s = CheckValue(bar.value, absl::StrCat(what, " value")); !s.ok()) return s;
    if (bar.value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " value is ", bar.value, "; bars must be >= 0"));
    }
  }
  if (chart.reference) {
    if (absl::Status s = CheckValue(*chart.reference, "bar chart: reference"); !s.ok()) {
      return s;
    }
    if (*chart.reference < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("bar chart: reference is ", *chart.reference, "; it must be >= 0"));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const LineChart& chart) {
  if (chart.series.empty()) return absl::InvalidArgumentError("line chart: no series");
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    const std::string what = absl::StrCat("line chart: series ", i, " ('", s.name, "')");
    if (s.x.size() != s.y.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " has ", s.x.size(), " x values and ", s.y.size(), " y values"));
    }
    if (s.x.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " has no points"));
    for (size_t j = 0; j < s.x.size(); ++j) {
      const std::string point = absl::StrCat(what, " point ", j);
      if (absl::Status st = CheckValue(s.x[j], absl::StrCat(point, " x")); !st.ok()) return st;
      if (absl::Status st = CheckValue(s.y[j], absl::StrCat(point, " y")); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

std::string RenderSvg(const BarChart& chart) {
  if (absl::Status status = Validate(chart); !status.ok()) return ErrorSvg(status);
  return RenderValidBars(chart);
}

std::string RenderSvg(const LineChart& chart) {
  if (absl::Status status = Validate(chart); !status.ok()) return ErrorSvg(status);
  return RenderValidLines(chart);
}

absl::Status CheckChartPath(const std::string& path) {
  const std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".svg")) return absl::OkStatus();
  if (absl::EndsWith(lower, ".png")) {
    if (!FindOnPath("rsvg-convert").empty()) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot write PNG '", path,
        "': rsvg-convert not found (apt-get install librsvg2-bin), or use a .svg path"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot write chart '", path, "': the name must end in .svg or .png"));
}

absl::Status WriteChart(const std::string& svg, const std::string& path) {
  if (absl::Status status = CheckChartPath(path); !status.ok()) return status;
  if (absl::EndsWith(absl::AsciiStrToLower(path), ".svg")) return WriteFileAtomically(path, svg);
  const std::string rsvg = FindOnPath("rsvg-convert");
  if (rsvg.empty()) return CheckChartPath(path);  // Removed since the check: same error.
  return WritePng(svg, path, rsvg);
}

std::vector<double> NiceTicks(double lo, double hi, int max_ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) return {};
  max_ticks = std::clamp(max_ticks, 3, 1000);
  const double magnitude = std::max(std::abs(lo), std::abs(hi));
  if (hi - lo <= magnitude * 1e-9) {
    const double mid = lo / 2 + hi / 2;
    const double delta = mid == 0 ? 1 : std::abs(mid) * 0.1;
    lo = mid - delta;
    hi = mid + delta;
  }
  const double span = hi - lo;
  if (!std::isfinite(span)) return {};
  const int exponent = static_cast<int>(std::floor(std::log10(span / (max_ticks - 1))));
  // Steps below span / (max_ticks - 1) give too many ticks; 2 * 10^(exponent + 1) always
  // gives few enough.
  for (int e = exponent; e <= exponent + 2; ++e) {
    for (int m : {1, 2, 5}) {
      // Tick i is i * m * 10^e, computed as an exact integer over an exact power of ten so
      // that it is the double nearest the decimal (0.3, not 0.30000000000000004).
      const double scale = std::pow(10.0, std::abs(e));
      auto tick = [&](double i) { return e >= 0 ? i * m * scale : i * m / scale; };
      const double step = tick(1);
      // The last tick at or below lo and the first at or above hi, compared as doubles.
      double first = std::floor(lo / step), last = std::ceil(hi / step);
      while (tick(first) > lo) --first;
      while (tick(first + 1) <= lo) ++first;
      while (tick(last) < hi) ++last;
      while (tick(last - 1) >= hi) --last;
      if (last - first + 1 > max_ticks) continue;
      std::vector<double> ticks;
      for (double i = first; i <= last; ++i) ticks.push_back(tick(i));
      return ticks;
    }
  }
  return {lo, hi};  // Not reached.
}

std::string FormatTick(double value, double step) {
  if (std::abs(value) >= 1e15) return absl::StrFormat("%g", value);
  int decimals = 0;
  if (step > 0 && std::isfinite(step)) {
    decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 20);
  }
  std::string s = absl::StrFormat("%.*f", decimals, value);
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // -0
  if (decimals == 0 && std::abs(value) >= 10000) return GroupThousands(std::move(s));
  return s;
}

std::string GroupThousands(std::string integer) {
  const int digits_start = !integer.empty() && integer[0] == '-' ? 1 : 0;
  for (int i = static_cast<int>(integer.size()) - 3; i > digits_start; i -= 3) {
    integer.insert(static_cast<size_t>(i), ",");
  }
  return integer;
}

double ApproxTextWidth(absl::string_view text, double font_size, bool bold) {
  double ems = 0;
  for (unsigned char c : text) {
    if (c >= 32 && c <= 126) {
      ems += kAsciiWidths[c - 32] / 1000.0;
    } else if (c >= 0xC0) {  // The first byte of a multi-byte UTF-8 character.
      ems += 1.0;
    }
  }
  return ems * font_size * (bold ? 1.2 : 1.0);
}

std::string XmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace parsweep
