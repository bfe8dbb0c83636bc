#include "tools/charts.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Element is one parsed XML element: its name, attributes and direct text.
struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // Unescaped.
};

std::string Unescape(std::string s) {
  return absl::StrReplaceAll(
      s, {{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}});
}

// ParseXml is a small, strict parser for the subset of XML that the renderer writes:
// elements with double-quoted attributes, text and the five predefined entities. It fails
// the test on anything malformed (unbalanced tags, a stray '<' or '&', a second root).
std::vector<Element> ParseXml(const std::string& xml) {
  std::vector<Element> elements;
  std::vector<std::string> open;
  std::vector<size_t> open_index;
  bool root_closed = false;
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    ADD_FAILURE() << why << " at offset " << i << ": " << xml.substr(i, 80);
    return std::vector<Element>{};
  };
  while (i < xml.size()) {
    if (xml[i] != '<') {
      const size_t end = xml.find('<', i);
      const std::string text = xml.substr(i, end == std::string::npos ? end : end - i);
      for (size_t amp = text.find('&'); amp != std::string::npos; amp = text.find('&', amp + 1)) {
        const std::string rest = text.substr(amp);
        if (!absl::StartsWith(rest, "&amp;") && !absl::StartsWith(rest, "&lt;") &&
            !absl::StartsWith(rest, "&gt;") && !absl::StartsWith(rest, "&quot;") &&
            !absl::StartsWith(rest, "&apos;")) {
          return fail("bare &");
        }
      }
      if (open.empty() && text.find_first_not_of(" \n") != std::string::npos) {
        return fail("text outside the root");
      }
      if (!open_index.empty()) elements[open_index.back()].text += Unescape(text);
      if (end == std::string::npos) break;
      i = end;
      continue;
    }
    const size_t close = xml.find('>', i);
    if (close == std::string::npos) return fail("unterminated tag");
    std::string tag = xml.substr(i + 1, close - i - 1);
    if (tag.find('<') != std::string::npos) return fail("'<' inside a tag");
    if (absl::StartsWith(tag, "/")) {
      if (open.empty() || open.back() != tag.substr(1)) return fail("unbalanced </" + tag);
      open.pop_back();
      open_index.pop_back();
      if (open.empty()) root_closed = true;
      i = close + 1;
      continue;
    }
    if (root_closed) return fail("second root");
    const bool self_closing = absl::EndsWith(tag, "/");
    if (self_closing) tag.pop_back();
    Element e;
    size_t p = tag.find(' ');
    e.name = tag.substr(0, p);
    while (p != std::string::npos) {
      const size_t eq = tag.find("=\"", p);
      if (eq == std::string::npos) {
        if (tag.find_first_not_of(' ', p) != std::string::npos) return fail("bad attribute");
        break;
      }
      const size_t end = tag.find('"', eq + 2);
      if (end == std::string::npos) return fail("unterminated attribute");
      const std::string key(absl::StripAsciiWhitespace(tag.substr(p, eq - p)));
      const std::string value = tag.substr(eq + 2, end - eq - 2);
      if (value.find('&') != std::string::npos && Unescape(value) == value) {
        return fail("bare & in attribute");
      }
      if (!e.attributes.emplace(key, Unescape(value)).second) return fail("repeated " + key);
      p = end + 1;
      if (p >= tag.size()) break;
      if (tag[p] != ' ') return fail("no space between attributes");
    }
    if (open.empty() && e.name != "svg") return fail("root is not <svg>");
    elements.push_back(e);
    if (!self_closing) {
      open.push_back(e.name);
      open_index.push_back(elements.size() - 1);
    }
    i = close + 1;
  }
  if (!open.empty()) return fail("unclosed <" + open.back() + ">");
  if (!root_closed) return fail("no root");
  return elements;
}

double Attr(const Element& e, const std::string& key) {
  auto it = e.attributes.find(key);
  double v = std::numeric_limits<double>::quiet_NaN();
  if (it == e.attributes.end() || !absl::SimpleAtod(it->second, &v)) {
    ADD_FAILURE() << "<" << e.name << "> has no numeric " << key;
  }
  return v;
}

std::vector<Element> Select(const std::vector<Element>& elements, const std::string& name,
                            const std::string& css_class = "") {
  std::vector<Element> out;
  for (const Element& e : elements) {
    if (e.name != name) continue;
    auto it = e.attributes.find("class");
    if (!css_class.empty() && (it == e.attributes.end() || it->second != css_class)) continue;
    out.push_back(e);
  }
  return out;
}

// Extent is a text's estimated horizontal span.
struct Extent {
  double left, right;
};

Extent TextExtent(const Element& text) {
  const double x = Attr(text, "x");
  const double w =
      ApproxTextWidth(text.text, Attr(text, "font-size"), text.attributes.count("font-weight") > 0);
  const std::string anchor = text.attributes.at("text-anchor");
  if (anchor == "end") return {x - w, x};
  if (anchor == "middle") return {x - w / 2, x + w / 2};
  return {x, x + w};
}

// Checks that `svg` is well formed, has no NaN or infinity in its attributes, and that every
// horizontal text lies inside it; returns its elements.
std::vector<Element> CheckSvg(const std::string& svg) {
  EXPECT_TRUE(absl::StartsWith(svg, "<svg ")) << svg.substr(0, 40);
  std::vector<Element> elements = ParseXml(svg);
  if (elements.empty()) return elements;
  for (const Element& e : elements) {
    for (const auto& [key, value] : e.attributes) {
      EXPECT_THAT(value, Not(HasSubstr("nan"))) << "<" << e.name << " " << key;
      EXPECT_THAT(value, Not(HasSubstr("inf"))) << "<" << e.name << " " << key;
    }
  }
  const double width = Attr(elements[0], "width"), height = Attr(elements[0], "height");
  for (const Element& text : Select(elements, "text")) {
    if (text.attributes.count("transform")) {  // The rotated y title: check its height.
      const double w = ApproxTextWidth(text.text, Attr(text, "font-size"));
      EXPECT_GE(Attr(text, "y") - w / 2, 0) << text.text;
      EXPECT_LE(Attr(text, "y") + w / 2, height) << text.text;
      continue;
    }
    const Extent extent = TextExtent(text);
    EXPECT_GE(extent.left, 0) << text.text;
    EXPECT_LE(extent.right, width) << text.text;
    EXPECT_GT(Attr(text, "y"), 0) << text.text;
    EXPECT_LT(Attr(text, "y"), height) << text.text;
  }
  return elements;
}

BarChart TimesChart() {
  BarChart chart;
  chart.title = "Serial vs. parallel: Parzen-window sweep";
  chart.axis_title = "wall time (ms), 100 widths x 10,000 samples, 2-D, median of 5 runs";
  chart.bars = {{"serial", 12.1, "12.1 ms"},  {"process:2", 7.0, "7.0 ms"},
                {"process:3", 6.5, "6.5 ms"}, {"process:4", 6.9, "6.9 ms"},
                {"process:6", 8.2, "8.2 ms"}, {"threads:2", 6.3, "6.3 ms"}};
  chart.reference = 12.1;
  chart.reference_label = "serial 12.1 ms";
  return chart;
}

LineChart DensityChart() {
  LineChart chart;
  chart.title = "Parzen-window density at (0, 0)";
  chart.x_title = "window width h";
  chart.y_title = "density";
  Series estimate{"estimate", {}, {0.160, 0.1475, 0.170, 0.1656}, SeriesStyle::kPointsAndLine};
  estimate.x = {0.1, 0.2, 0.3, 0.4};
  Series expected{"expected", {0.05, 0.5, 1.0}, {0.159, 0.152, 0.1416}, SeriesStyle::kLine};
  Series truth{"true density", {0.1, 0.4}, {0.159155, 0.159155}, SeriesStyle::kDashedLine};
  chart.series = {estimate, expected, truth};
  return chart;
}

// --- NiceTicks, FormatTick, XmlEscape, ApproxTextWidth ---

TEST(NiceTicksTest, RoundStepsCoveringTheRange) {
  EXPECT_THAT(NiceTicks(0, 9.3, 6), ElementsAre(0, 2, 4, 6, 8, 10));
  EXPECT_THAT(NiceTicks(0, 10, 11), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_THAT(NiceTicks(0, 12.1, 7), ElementsAre(0, 5, 10, 15));
  EXPECT_THAT(NiceTicks(0.1, 1.2, 8), ElementsAre(0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2));
  EXPECT_THAT(NiceTicks(0.1416, 0.17, 8), ElementsAre(0.14, 0.145, 0.15, 0.155, 0.16, 0.165, 0.17));
  EXPECT_THAT(NiceTicks(-3, 7, 6), ElementsAre(-5, 0, 5, 10));
  EXPECT_THAT(NiceTicks(-3, 7, 8), ElementsAre(-4, -2, 0, 2, 4, 6, 8));
}

TEST(NiceTicksTest, ExactDecimalsAndExtremes) {
  // Exactly the doubles nearest the decimals: 0.3, not 0.30000000000000004.
  EXPECT_THAT(NiceTicks(0, 0.3, 4), ElementsAre(0, 0.1, 0.2, 0.3));
  EXPECT_THAT(NiceTicks(0, 0.001, 6), ElementsAre(0, 0.0002, 0.0004, 0.0006, 0.0008, 0.001));
  EXPECT_THAT(NiceTicks(0, 1e6, 6), ElementsAre(0, 2e5, 4e5, 6e5, 8e5, 1e6));
}

TEST(NiceTicksTest, DegenerateAndInvalidRanges) {
  EXPECT_THAT(NiceTicks(0, 0, 6), ElementsAre(-1, -0.5, 0, 0.5, 1));
  const std::vector<double> around_five = NiceTicks(5, 5, 6);
  ASSERT_GE(around_five.size(), 2u);
  EXPECT_LT(around_five.front(), 5);
  EXPECT_GT(around_five.back(), 5);
  EXPECT_THAT(NiceTicks(2, 1, 6), IsEmpty());
  EXPECT_THAT(NiceTicks(std::nan(""), 1, 6), IsEmpty());
  EXPECT_THAT(NiceTicks(0, std::numeric_limits<double>::infinity(), 6), IsEmpty());
  // Fewer than 3 ticks count as 3: a range across zero cannot do with 2.
  EXPECT_THAT(NiceTicks(-1, 6.3, 1), ElementsAre(-10, 0, 10));
  EXPECT_THAT(NiceTicks(0, 9.3, 2), ElementsAre(0, 5, 10));
}

// IsNiceStep says whether `step` is 1, 2 or 5 times a power of ten, to 1e-6.
bool IsNiceStep(double step) {
  const int k = static_cast<int>(std::floor(std::log10(step)));
  for (int e = k - 1; e <= k + 1; ++e) {
    for (int m : {1, 2, 5}) {
      if (std::abs(step - m * std::pow(10.0, e)) <= 1e-6 * step) return true;
    }
  }
  return false;
}

TEST(NiceTicksTest, PropertiesOverManyRanges) {
  for (double lo : {-1234.5, -1.0, 0.0, 0.001, 0.1416, 3.0, 999.0}) {
    for (double span : {1e-4, 0.003, 0.5, 1.0, 7.3, 100.0, 12345.0, 1e6}) {
      for (int max_ticks : {3, 4, 5, 6, 8, 11, 30}) {
        const double hi = lo + span;
        const std::vector<double> ticks = NiceTicks(lo, hi, max_ticks);
        SCOPED_TRACE(absl::StrCat("[", lo, ", ", hi, "] max ", max_ticks));
        ASSERT_GE(ticks.size(), 2u);
        EXPECT_LE(ticks.size(), static_cast<size_t>(max_ticks));
        EXPECT_LE(ticks.front(), lo);
        EXPECT_GE(ticks.back(), hi);
        const double step = ticks[1] - ticks[0];
        EXPECT_TRUE(IsNiceStep(step)) << step;
        // No whole step of padding beyond the range on either side.
        EXPECT_GT(ticks.front() + step, lo);
        EXPECT_LT(ticks.back() - step, hi);
      }
    }
  }
}

TEST(GroupThousandsTest, CommasBetweenGroupsOfThreeDigits) {
  EXPECT_EQ(GroupThousands("0"), "0");
  EXPECT_EQ(GroupThousands("999"), "999");
  EXPECT_EQ(GroupThousands("1000"), "1,000");
  EXPECT_EQ(GroupThousands("10000000"), "10,000,000");
  EXPECT_EQ(GroupThousands("-123456"), "-123,456");
}

TEST(FormatTickTest, DecimalsFromTheStepAndThousandsSeparators) {
  EXPECT_EQ(FormatTick(0.25, 0.05), "0.25");
  EXPECT_EQ(FormatTick(0.3, 0.1), "0.3");
  EXPECT_EQ(FormatTick(0.145, 0.005), "0.145");
  EXPECT_EQ(FormatTick(10, 2), "10");
  EXPECT_EQ(FormatTick(5000, 1000), "5000");
  EXPECT_EQ(FormatTick(1e6, 2e5), "1,000,000");
  EXPECT_EQ(FormatTick(-20000, 5000), "-20,000");
  EXPECT_EQ(FormatTick(-0.0, 0.1), "0.0");
  EXPECT_EQ(FormatTick(-1e-17, 0.1), "0.0");
}

TEST(XmlEscapeTest, EscapesMarkupAndDropsControlCharacters) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(XmlEscape(std::string("x\x01y", 3)), "x y");
  EXPECT_EQ(XmlEscape("h\xc3\xa9"), "h\xc3\xa9");  // UTF-8 passes through.
}

TEST(ApproxTextWidthTest, GrowsWithTextAndCountsCharactersNotBytes) {
  EXPECT_EQ(ApproxTextWidth("", 12), 0);
  EXPECT_NEAR(ApproxTextWidth("0", 10), 6.36, 0.01);
  EXPECT_GT(ApproxTextWidth("process:6 spawn", 13), ApproxTextWidth("serial", 13));
  EXPECT_GT(ApproxTextWidth("Title", 13, true), ApproxTextWidth("Title", 13));
  EXPECT_NEAR(ApproxTextWidth("\xc3\xa9", 10), 10, 1e-9);  // One character: 1 em.
}

// --- Bar chart ---

TEST(BarChartTest, WellFormedWithOneRectPerBarAndADashedReference) {
  const BarChart chart = TimesChart();
  const std::string svg = RenderSvg(chart);
  const std::vector<Element> elements = CheckSvg(svg);
  ASSERT_FALSE(elements.empty());
  EXPECT_EQ(Select(elements, "rect", "bar").size(), chart.bars.size());
  const std::vector<Element> reference = Select(elements, "line", "reference");
  ASSERT_EQ(reference.size(), 1u);
  EXPECT_TRUE(reference[0].attributes.count("stroke-dasharray"));
  std::vector<std::string> texts;
  for (const Element& e : Select(elements, "text")) texts.push_back(e.text);
  for (const char* expected :
       {"serial", "process:6", "threads:2", "12.1 ms", "6.3 ms", "serial 12.1 ms",
        "Serial vs. parallel: Parzen-window sweep", "0", "2", "14",
        "wall time (ms), 100 widths x 10,000 samples, 2-D, median of 5 runs"}) {
    EXPECT_THAT(texts, testing::Contains(expected));
  }
  // The reference line sits at 12.1 on the axis, like the serial bar's end.
  const Element serial_bar = Select(elements, "rect", "bar")[0];
  EXPECT_NEAR(Attr(reference[0], "x1"), Attr(serial_bar, "x") + Attr(serial_bar, "width"), 0.2);
}

TEST(BarChartTest, BarsAreProportionalAndTopToBottomInOrder) {
  const BarChart chart = TimesChart();
  const std::vector<Element> bars = Select(CheckSvg(RenderSvg(chart)), "rect", "bar");
  ASSERT_EQ(bars.size(), chart.bars.size());
  const double per_unit = Attr(bars[0], "width") / chart.bars[0].value;
  for (size_t i = 0; i < bars.size(); ++i) {
    EXPECT_NEAR(Attr(bars[i], "width"), chart.bars[i].value * per_unit, 0.2);
    if (i > 0) {
      EXPECT_GT(Attr(bars[i], "y"), Attr(bars[i - 1], "y") + Attr(bars[i], "height"));
    }
  }
}

TEST(BarChartTest, EscapesLabels) {
  BarChart chart = TimesChart();
  chart.title = "<script>&";
  chart.bars[0].label = "a<b> & \"c\"";
  chart.reference_label = "x & y";
  const std::string svg = RenderSvg(chart);
  EXPECT_THAT(svg, HasSubstr("a&lt;b&gt; &amp; &quot;c&quot;"));
  EXPECT_THAT(svg, HasSubstr("&lt;script&gt;&amp;"));
  EXPECT_THAT(svg, Not(HasSubstr("<script>")));
  EXPECT_THAT(svg, Not(HasSubstr("<b>")));
  CheckSvg(svg);
}

TEST(BarChartTest, LeftMarginGrowsWithTheLongestLabel) {
  BarChart chart = TimesChart();
  const std::vector<Element> short_labels = CheckSvg(RenderSvg(chart));
  chart.bars[3].label = "process:4 spawn, batches of 64, max_retries=2, on 6 cores";
  const std::vector<Element> long_labels = CheckSvg(RenderSvg(chart));
  ASSERT_FALSE(short_labels.empty());
  ASSERT_FALSE(long_labels.empty());
  const double short_left = Attr(Select(short_labels, "rect", "bar")[0], "x");
  const double long_left = Attr(Select(long_labels, "rect", "bar")[0], "x");
  EXPECT_GT(long_left - short_left,
            ApproxTextWidth(chart.bars[3].label, 13) - ApproxTextWidth("process:2", 13) - 1);
  // Labels end left of the bars; value texts start right of their bar's end.
  const std::vector<Element> bars = Select(long_labels, "rect", "bar");
  for (const Element& label : Select(long_labels, "text", "label")) {
    EXPECT_LT(TextExtent(label).right, long_left) << label.text;
  }
  const std::vector<Element> values = Select(long_labels, "text", "value");
  ASSERT_EQ(values.size(), bars.size());
  for (size_t i = 0; i < bars.size(); ++i) {
    EXPECT_GT(TextExtent(values[i]).left, Attr(bars[i], "x") + Attr(bars[i], "width"));
  }
}

TEST(BarChartTest, TwelveBarsWithLongLabelsAndValueTextsStayInside) {
  BarChart chart;
  chart.title = "T";
  chart.axis_title = "wall time (ms)";
  for (int i = 0; i < 12; ++i) {
    chart.bars.push_back(
        {absl::StrCat("process:", i + 1, " spawn --split=samples --chunk=", 100 * i),
         1000.0 * (i + 1), absl::StrCat(1000 * (i + 1), ".0 ms (WWWWWW)")});
  }
  chart.reference = 500;
  chart.reference_label = "serial reference at 500 ms, the longest label of them all";
  const std::vector<Element> elements = CheckSvg(RenderSvg(chart));
  EXPECT_EQ(Select(elements, "rect", "bar").size(), 12u);
}

TEST(BarChartTest, EdgeValues) {
  const std::vector<std::vector<double>> cases = {{5},          {0},     {0, 0, 0},    {3, 3, 3},
                                                  {0.001, 1e6}, {0.001}, {1e6, 0, 2.5}};
  for (const std::vector<double>& values : cases) {
    BarChart chart;
    for (double v : values) chart.bars.push_back({"b", v, absl::StrCat(v, " ms")});
    SCOPED_TRACE(absl::StrCat("values ", absl::StrJoin(values, ",")));
    ASSERT_TRUE(Validate(chart).ok()) << Validate(chart);
    const std::vector<Element> elements = CheckSvg(RenderSvg(chart));
    const std::vector<Element> bars = Select(elements, "rect", "bar");
    ASSERT_EQ(bars.size(), values.size());
    for (const Element& bar : bars) EXPECT_GE(Attr(bar, "width"), 0);
  }
}

TEST(BarChartTest, ReferenceLabelNearTheRightEdgeStaysInside) {
  BarChart chart;
  chart.bars = {{"a", 1, ""}};
  chart.reference = 1;
  chart.reference_label = "a long reference label next to the right edge of the plot";
  CheckSvg(RenderSvg(chart));
  chart.reference = 0;  // Near the left edge: it has to go right, widening the chart.
  CheckSvg(RenderSvg(chart));
}

TEST(BarChartTest, ValidateRejectsEmptyNegativeAndNonFinite) {
  BarChart chart;
  EXPECT_EQ(Validate(chart).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Validate(chart).message(), HasSubstr("no bars"));
  chart.bars = {{"ok", 1, ""}, {"bad", std::nan(""), ""}};
  EXPECT_EQ(Validate(chart).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Validate(chart).message(), HasSubstr("bar 1 ('bad')"));
  chart.bars[1].value = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Validate(chart).code(), absl::StatusCode::kInvalidArgument);
  chart.bars[1].value = -1;
  EXPECT_THAT(Validate(chart).message(), HasSubstr(">= 0"));
  chart.bars[1].value = 2;
  EXPECT_TRUE(Validate(chart).ok());
  chart.reference = std::nan("");
  EXPECT_THAT(Validate(chart).message(), HasSubstr("reference"));
}

TEST(BarChartTest, InvalidChartRendersAWellFormedMessage) {
  BarChart chart;
  chart.bars = {{"<x>", std::nan(""), ""}};
  const std::string svg = RenderSvg(chart);
  const std::vector<Element> elements = CheckSvg(svg);
  ASSERT_EQ(Select(elements, "text").size(), 1u);
  EXPECT_THAT(Select(elements, "text")[0].text, HasSubstr("cannot draw chart: bar chart: bar 0"));
  EXPECT_THAT(Select(elements, "rect", "bar"), IsEmpty());
}

// --- Line chart ---

TEST(LineChartTest, WellFormedWithDistinctColorsDashesAndALegend) {
  const LineChart chart = DensityChart();
  const std::vector<Element> elements = CheckSvg(RenderSvg(chart));
  ASSERT_FALSE(elements.empty());
  const std::vector<Element> series = Select(elements, "g", "series");
  ASSERT_EQ(series.size(), 3u);
  std::set<std::string> colors;
  for (const Element& s : series) colors.insert(s.attributes.at("stroke"));
  EXPECT_EQ(colors.size(), 3u);
  // Points for the estimate only.
  EXPECT_EQ(Select(elements, "circle").size(), chart.series[0].x.size() + 1);  // + legend.
  const std::vector<Element> lines = Select(elements, "polyline");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(lines[0].attributes.count("stroke-dasharray"));
  EXPECT_FALSE(lines[1].attributes.count("stroke-dasharray"));
  EXPECT_TRUE(lines[2].attributes.count("stroke-dasharray"));
  std::vector<std::string> legend;
  for (const Element& e : Select(elements, "text", "legend-label")) legend.push_back(e.text);
  EXPECT_THAT(legend, ElementsAre("estimate", "expected", "true density"));
  std::vector<std::string> titles;
  for (const Element& e : Select(elements, "text", "axis-title")) titles.push_back(e.text);
  EXPECT_THAT(titles, ElementsAre("window width h", "density"));
}

TEST(LineChartTest, LegendIsOutsideTheData) {
  const std::vector<Element> elements = CheckSvg(RenderSvg(DensityChart()));
  const std::vector<Element> legend = Select(elements, "rect", "legend");
  ASSERT_EQ(legend.size(), 1u);
  const double legend_left = Attr(legend[0], "x");
  double data_right = 0;
  for (const Element& c : Select(elements, "circle")) {
    if (Attr(c, "cx") < legend_left) data_right = std::max(data_right, Attr(c, "cx") + 3.5);
  }
  for (const Element& line : Select(elements, "polyline")) {
    for (absl::string_view point : absl::StrSplit(line.attributes.at("points"), ' ')) {
      double x = 0;
      ASSERT_TRUE(absl::SimpleAtod(point.substr(0, point.find(',')), &x));
      data_right = std::max(data_right, x);
    }
  }
  EXPECT_GT(data_right, 0);
  EXPECT_LT(data_right, legend_left);
  EXPECT_LE(legend_left + Attr(legend[0], "width"), Attr(elements[0], "width"));
}

// Checks that every point of every series is strictly inside the frame of the axes.
void CheckDataInsideAxes(const std::vector<Element>& elements) {
  const std::vector<Element> axes = Select(elements, "line", "axis");
  ASSERT_EQ(axes.size(), 2u);
  const Element& vertical = axes[0];
  const Element& horizontal = axes[1];
  const double left = Attr(vertical, "x1"), top = Attr(vertical, "y1");
  const double right = Attr(horizontal, "x2"), bottom = Attr(horizontal, "y1");
  ASSERT_LT(left, right);
  ASSERT_LT(top, bottom);
  std::vector<std::pair<double, double>> points;
  for (const Element& c : Select(elements, "circle")) {
    if (Attr(c, "cx") < right) points.push_back({Attr(c, "cx"), Attr(c, "cy")});  // Not legend.
  }
  for (const Element& line : Select(elements, "polyline")) {
    for (absl::string_view point : absl::StrSplit(line.attributes.at("points"), ' ')) {
      std::pair<double, double> xy;
      ASSERT_TRUE(absl::SimpleAtod(point.substr(0, point.find(',')), &xy.first));
      ASSERT_TRUE(absl::SimpleAtod(point.substr(point.find(',') + 1), &xy.second));
      points.push_back(xy);
    }
  }
  ASSERT_FALSE(points.empty());
  for (const auto& [x, y] : points) {
    EXPECT_GT(x, left);
    EXPECT_LT(x, right);
    EXPECT_GT(y, top);
    EXPECT_LT(y, bottom);
  }
}

TEST(LineChartTest, DataStaysInsideThePlotWithDifferentXRanges) {
  const std::vector<Element> elements = CheckSvg(RenderSvg(DensityChart()));
  CheckDataInsideAxes(elements);
  // Ticks cover expected's x range, 0.05 to 1.0, wider than the estimate's.
  std::vector<std::string> labels;
  for (const Element& t : Select(elements, "text", "tick")) labels.push_back(t.text);
  EXPECT_THAT(labels, testing::Contains("0.2"));
  EXPECT_THAT(labels, testing::Contains("1.0"));
  EXPECT_THAT(labels, testing::Contains("0.170"));
}

TEST(LineChartTest, ConstantAndSinglePointSeries) {
  LineChart chart;
  chart.series = {{"flat", {1, 2, 3}, {0.5, 0.5, 0.5}, SeriesStyle::kDashedLine}};
  CheckDataInsideAxes(CheckSvg(RenderSvg(chart)));
  chart.series = {{"one", {2}, {7}, SeriesStyle::kLine}};
  const std::vector<Element> elements = CheckSvg(RenderSvg(chart));
  EXPECT_EQ(Select(elements, "circle").size(), 2u);  // The point and its legend swatch.
  CheckDataInsideAxes(elements);
  chart.series = {{"zero", {0, 0}, {0, 0}, SeriesStyle::kPointsAndLine}};
  CheckDataInsideAxes(CheckSvg(RenderSvg(chart)));
  chart.series = {{"tiny", {1e6, 1e6 + 1e-3}, {-1e-3, 1e-3}, SeriesStyle::kPointsAndLine}};
  CheckDataInsideAxes(CheckSvg(RenderSvg(chart)));
}

TEST(LineChartTest, ManySeriesAndLongTitlesStayInside) {
  LineChart chart;
  chart.title = std::string(150, 'W');
  chart.x_title = std::string(120, 'x');
  chart.y_title = std::string(90, 'y');
  for (int i = 0; i < 20; ++i) {
    chart.series.push_back({absl::StrCat("series <", i, "> with a long name"),
                            {0.0 + i, 1.0 + i},
                            {-1e5 * i, 3e5},
                            SeriesStyle::kPointsAndLine});
  }
  const std::vector<Element> elements = CheckSvg(RenderSvg(chart));
  ASSERT_FALSE(elements.empty());
  const std::vector<Element> legend = Select(elements, "rect", "legend");
  ASSERT_EQ(legend.size(), 1u);
  EXPECT_LE(Attr(legend[0], "y") + Attr(legend[0], "height"), Attr(elements[0], "height"));
}

TEST(LineChartTest, ValidateRejectsBadSeries) {
  LineChart chart;
  EXPECT_THAT(Validate(chart).message(), HasSubstr("no series"));
  chart.series = {{"a", {1, 2}, {1}, SeriesStyle::kLine}};
  EXPECT_EQ(Validate(chart).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Validate(chart).message(), HasSubstr("2 x values and 1 y values"));
  chart.series = {{"a", {}, {}, SeriesStyle::kLine}};
  EXPECT_THAT(Validate(chart).message(), HasSubstr("no points"));
  chart.series = {{"a", {1, 2}, {1, std::nan("")}, SeriesStyle::kLine}};
  EXPECT_THAT(Validate(chart).message(), HasSubstr("series 0 ('a') point 1 y"));
  chart.series = {{"a", {1, -std::numeric_limits<double>::infinity()}, {1, 2}, SeriesStyle::kLine}};
  EXPECT_EQ(Validate(chart).code(), absl::StatusCode::kInvalidArgument);
  const std::string svg = RenderSvg(chart);
  EXPECT_THAT(svg, HasSubstr("cannot draw chart"));
  CheckSvg(svg);
}

// --- WriteChart ---

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

TEST(WriteChartTest, WritesSvgAsIs) {
  const std::string path = ::testing::TempDir() + "/times.svg";
  const std::string svg = RenderSvg(TimesChart());
  ASSERT_TRUE(WriteChart(svg, path).ok());
  EXPECT_EQ(ReadFile(path), svg);
  EXPECT_TRUE(CheckChartPath("/some/where/Chart.SVG").ok());
}

TEST(WriteChartTest, UnknownExtensionIsInvalidArgument) {
  const std::string path = ::testing::TempDir() + "/times.pdf";
  const absl::Status status = WriteChart(RenderSvg(TimesChart()), path);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_FALSE(Exists(path));
  EXPECT_EQ(WriteChart("<svg/>", "no_extension").code(), absl::StatusCode::kInvalidArgument);
}

TEST(WriteChartTest, UnwritablePathNamesIt) {
  const std::string path = ::testing::TempDir() + "/no such dir/times.svg";
  const absl::Status status = WriteChart(RenderSvg(TimesChart()), path);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(path));
}

TEST(WriteChartTest, AFailedWriteKeepsTheSymlinkItWasGiven) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  const std::string link = ::testing::TempDir() + "/full.svg";
  ::unlink(link.c_str());
  ASSERT_EQ(::symlink("/dev/full", link.c_str()), 0);
  const absl::Status status = WriteChart(RenderSvg(TimesChart()), link);
  EXPECT_EQ(status.message(), "cannot write '" + link + "': No space left on device");
  struct stat st;
  ASSERT_EQ(::lstat(link.c_str(), &st), 0) << "the link was deleted";
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

// Skips the test unless rsvg-convert is on PATH.
#define SKIP_WITHOUT_RSVG()                                               \
  do {                                                                    \
    if (!CheckChartPath("x.png").ok()) GTEST_SKIP() << "no rsvg-convert"; \
  } while (false)

TEST(WriteChartTest, WritesPng) {
  SKIP_WITHOUT_RSVG();
  // Quotes and spaces reach the converter unharmed: no shell.
  for (const std::string name : {"times.png", "bar chart 'of' \"times\".PNG"}) {
    const std::string path = ::testing::TempDir() + "/" + name;
    const absl::Status status = WriteChart(RenderSvg(TimesChart()), path);
    ASSERT_TRUE(status.ok()) << status;
    const std::string png = ReadFile(path);
    ASSERT_GE(png.size(), 8u);
    EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  }
  const std::string line_path = ::testing::TempDir() + "/density.png";
  ASSERT_TRUE(WriteChart(RenderSvg(DensityChart()), line_path).ok());
  EXPECT_EQ(ReadFile(line_path).substr(0, 4), "\x89PNG");
}

TEST(WriteChartTest, ConverterFailureIsReportedAndLeavesNoFile) {
  SKIP_WITHOUT_RSVG();
  const std::string path = ::testing::TempDir() + "/broken.png";
  const absl::Status status = WriteChart("this is not SVG", path);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_THAT(status.message(), HasSubstr("rsvg-convert exited with status"));
  EXPECT_FALSE(Exists(path));
  // A chart that was there before stays as it was.
  const std::string old_chart = ::testing::TempDir() + "/old.png";
  ASSERT_TRUE(WriteChart(RenderSvg(TimesChart()), old_chart).ok());
  const std::string old_png = ReadFile(old_chart);
  EXPECT_EQ(WriteChart("this is not SVG", old_chart).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ReadFile(old_chart), old_png);
  const absl::Status no_dir =
      WriteChart(RenderSvg(TimesChart()), ::testing::TempDir() + "/no such dir/x.png");
  EXPECT_EQ(no_dir.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(no_dir.message(), HasSubstr("no such dir/x.png"));
}

TEST(WriteChartTest, MissingConverterIsFailedPrecondition) {
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path != nullptr ? old_path : "";
  const std::string empty_dir = ::testing::TempDir() + "/empty_bin";
  ::mkdir(empty_dir.c_str(), 0755);
  ::setenv("PATH", empty_dir.c_str(), 1);
  const std::string path = ::testing::TempDir() + "/times.png";
  const absl::Status check = CheckChartPath(path);
  const absl::Status write = WriteChart(RenderSvg(TimesChart()), path);
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(write.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(write.message(), HasSubstr(path));
  EXPECT_THAT(write.message(),
              HasSubstr("rsvg-convert not found (apt-get install librsvg2-bin), or use a .svg "
                        "path"));
  // A .svg path needs no converter.
  EXPECT_TRUE(CheckChartPath(::testing::TempDir() + "/times.svg").ok());
}

}  // namespace
}  // namespace parsweep
