#include "tools/report_format.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The footer notes of the two built-in kernels, as the tool takes them from their
// registrations and Kernel::ExpectedDensityNote().
const TableNotes kHypercubeNotes = {
    "the tutorial's hypercube window of side h: p = k / (n h^d)",
    "P(sample in the cube of side h centred at x) / h^d, a multivariate normal rectangle "
    "probability",
    WidthParameter()};
const TableNotes kGaussianNotes = {
    "a Gaussian window of standard deviation h: p = (1/n) sum N(x - s; 0, h^2 I)",
    "N(x; mu, Sigma + h^2 I), the source's density convolved with the kernel N(0, h^2 I)",
    WidthParameter()};

struct Row {
  double width, count, density, expected, truth;
};

// A report on generated 2-D data, one point at the origin, n = 10000, with no results yet.
Report OriginReport() {
  Report report;
  SweepSpec& spec = *report.mutable_spec();
  spec.mutable_kernel()->set_name("parzen_hypercube");
  spec.mutable_executor()->set_name("serial");
  GaussianSource& source = *spec.mutable_data()->mutable_gaussian();
  source.set_n(10000);
  source.set_seed(123);
  for (double v : {0.0, 0.0}) source.add_mean(v);
  for (double v : {1.0, 0.0, 0.0, 1.0}) source.add_covariance(v);
  Point& origin = *spec.add_points();
  origin.add_coords(0.0);
  origin.add_coords(0.0);
  report.set_samples(10000);
  report.set_dims(2);
  report.set_tasks(1);
  TaskPlanSummary& plan = *report.mutable_plan();
  plan.set_split(SPLIT_WIDTHS);
  plan.set_tasks(1);
  plan.set_points_per_task(1);
  plan.set_automatic(true);
  plan.set_reason("one worker");
  return report;
}

// AddResult adds width `width` to `report`'s sweep and its result at the origin.
WidthResult& AddResult(Report& report, double width, double density, double expected,
                       double truth) {
  report.mutable_spec()->add_widths(width);
  WidthResult& r = *report.add_results();
  r.set_width(width);
  r.set_density(density);
  r.set_expected_density(expected);
  r.set_true_density(truth);
  return r;
}

// A report of a counting kernel (the hypercube) at the origin.
Report CountingReport(const std::vector<Row>& rows) {
  Report report = OriginReport();
  for (const Row& row : rows) {
    WidthResult& r = AddResult(report, row.width, row.density, row.expected, row.truth);
    r.set_count(row.count);
    r.set_tutorial_density(row.count / (10000 * row.width));
  }
  return report;
}

std::vector<std::string> Lines(const std::string& text) { return absl::StrSplit(text, '\n'); }

// The tutorial's table (README.md) is unchanged, digit for digit and space for space.
TEST(FormatTableTest, TheTutorialsRowsAreFixedPointAsInTheReadme) {
  const Report report = CountingReport({{0.1, 16, 0.16, 0.159022391, 0.159154943},
                                        {0.2, 59, 0.1475, 0.158625662, 0.159154943},
                                        {0.7, 7830, 0.159795918, 0.15, 0.159154943},
                                        {1.2, 2113, 0.146736111, 0.141560152, 0.159154943}});
  const std::string table = FormatTable(report, kHypercubeNotes);
  const std::vector<std::string> lines = Lines(table);
  ASSERT_GE(lines.size(), 11u) << table;
  EXPECT_EQ(lines[4], "point (0, 0), true density 0.159154943");
  EXPECT_EQ(lines[5],
            "     width    count k       density      expected          true  tutorial "
            "k/(n*h)");
  EXPECT_EQ(lines[6],
            "       0.1         16   0.160000000   0.159022391   0.159154943       "
            "0.016000000");
  EXPECT_EQ(lines[7],
            "       0.2         59   0.147500000   0.158625662   0.159154943       "
            "0.029500000");
  EXPECT_EQ(lines[9],
            "       1.2       2113   0.146736111   0.141560152   0.159154943       "
            "0.176083333");
  EXPECT_EQ(lines[10],
            "closest to the true density: h = 0.7 (density 0.159795918, error +6.41e-04)");
}

// Huge and tiny values switch to scientific notation, and every row keeps the columns'
// widths (the old table printed 200-digit densities and 0.000000000 for 1e-301).
TEST(FormatTableTest, HugeAndTinyValuesAreScientificAndStayInTheirColumns) {
  const Report huge = CountingReport({{1e-100, 1521, 1.521e199, 1.4663e199, 1.5915e199},
                                      {2e-100, 4802, 1.2005e199, 1.1651e199, 1.5915e199}});
  const std::string table = FormatTable(huge, kHypercubeNotes);
  const std::vector<std::string> lines = Lines(table);
  EXPECT_EQ(lines[4], "point (0, 0), true density 1.591500e+199");
  EXPECT_EQ(lines[6],
            "    1e-100       1521 1.521000e+199 1.466300e+199 1.591500e+199      "
            "1.521000e+99");
  EXPECT_EQ(lines[6].size(), lines[5].size());
  EXPECT_EQ(lines[7].size(), lines[5].size());
  EXPECT_EQ(lines[8],
            "closest to the true density: h = 1e-100 (density 1.521000e+199, error "
            "-7.05e+197)");

  const Report tiny = CountingReport({{1e150, 1521, 1.521e-301, 1.4663e-301, 1.5915e-301},
                                      {2e150, 4802, 1.2005e-301, 1.1651e-301, 1.5915e-301}});
  const std::vector<std::string> tiny_lines = Lines(FormatTable(tiny, kHypercubeNotes));
  EXPECT_EQ(tiny_lines[6],
            "    1e+150       1521 1.521000e-301 1.466300e-301 1.591500e-301     "
            "1.521000e-151");
  // The edges: 1e-3 and 999.9 stay fixed; 0 too.
  const std::vector<std::string> edges = Lines(FormatTable(
      CountingReport({{0.5, 0, 0, 1e-3, 999.9}, {1, 1, 1e-4, 1000, 999.9}}), kHypercubeNotes));
  EXPECT_EQ(edges[6],
            "       0.5          0   0.000000000   0.001000000 999.900000000       "
            "0.000000000");
  EXPECT_EQ(edges[7],
            "       1.0          1  1.000000e-04  1.000000e+03 999.900000000      "
            "1.000000e-04");
}

TEST(MeaningfulClosestTest, OnlyAUniqueNearestWidthAmongSeveralWithAPositiveTruth) {
  const Report unique = CountingReport({{0.1, 1, 0.1, 0, 0.2}, {0.2, 2, 0.25, 0, 0.2}});
  const std::vector<const WidthResult*> rows = {&unique.results(0), &unique.results(1)};
  EXPECT_EQ(MeaningfulClosest(rows), &unique.results(1));

  const Report zeros = CountingReport({{0.1, 0, 0, 0, 1e-12}, {0.2, 0, 0, 0, 1e-12}});
  EXPECT_EQ(MeaningfulClosest({&zeros.results(0), &zeros.results(1)}), nullptr);
  const Report tie = CountingReport({{0.1, 1, 0.25, 0, 0.5}, {0.2, 3, 0.75, 0, 0.5}});
  EXPECT_EQ(MeaningfulClosest({&tie.results(0), &tie.results(1)}), nullptr);
  const Report no_truth = CountingReport({{0.1, 0, 0, 0, 0}, {0.2, 1, 0.1, 0, 0}});
  EXPECT_EQ(MeaningfulClosest({&no_truth.results(0), &no_truth.results(1)}), nullptr);
  const Report one = CountingReport({{0.1, 1, 0.1, 0, 0.2}});
  EXPECT_EQ(MeaningfulClosest({&one.results(0)}), nullptr);
}

TEST(MeaningfulClosestTest, TheTableSaysWhyNoWidthIsNamed) {
  EXPECT_THAT(
      FormatTable(CountingReport({{0.1, 0, 0, 0, 1e-12}, {0.2, 0, 0, 0, 1e-12}}), kHypercubeNotes),
      HasSubstr("\nclosest to the true density: none (every width's density is 0 here: "
                "no width is nearer than another)\n"));
  EXPECT_THAT(FormatTable(CountingReport({{0.1, 0, 0, 0, 0}, {0.2, 0, 0, 0, 0}}), kHypercubeNotes),
              HasSubstr("\nclosest to the true density: none (the true density here is below "
                        "the smallest double)\n"));
  EXPECT_THAT(FormatTable(CountingReport({{0.1, 1, 0.25, 0, 0.5}, {0.2, 3, 0.75, 0, 0.5}}),
                          kHypercubeNotes),
              HasSubstr("\nclosest to the true density: none (h = 0.1, 0.2 are equally near "
                        "it)\n"));
  EXPECT_THAT(FormatTable(CountingReport({{0.1, 1, 0.1, 0, 0.2}}), kHypercubeNotes),
              Not(HasSubstr("closest")));
}

TEST(KeepMeaningfulSelectionsTest, DropsOnlyAClosestThatNamesNothing) {
  Report report = CountingReport({{0.1, 0, 0, 0, 1e-12}, {0.2, 0, 0, 0, 1e-12}});
  Selection& closest = *report.add_selections();
  closest.set_method("closest_to_true");
  closest.set_width(0.1);
  Selection& scott = *report.add_selections();
  scott.set_method("scott");
  scott.set_width(0.2);
  KeepMeaningfulSelections(report);
  ASSERT_EQ(report.selections_size(), 1);
  EXPECT_EQ(report.selections(0).method(), "scott");

  Report meaningful = CountingReport({{0.1, 1, 0.1, 0, 0.2}, {0.2, 2, 0.25, 0, 0.2}});
  meaningful.add_selections()->set_method("closest_to_true");
  KeepMeaningfulSelections(meaningful);
  EXPECT_EQ(meaningful.selections_size(), 1);
}

// A report of a summing kernel (the Gaussian's): a density, expected and true, no count and
// no tutorial column; log densities where given (NaN: none).
struct SumRow {
  double width, density, expected, truth, log_density;
};
Report SummingReport(const std::vector<SumRow>& rows) {
  Report report = OriginReport();
  report.mutable_spec()->mutable_kernel()->set_name("parzen_gaussian");
  for (const SumRow& row : rows) {
    WidthResult& r = AddResult(report, row.width, row.density, row.expected, row.truth);
    r.set_sum(row.density);
    if (!std::isnan(row.log_density)) r.set_log_density(row.log_density);
  }
  return report;
}

constexpr double kNoLog = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The footer: every line after the last table row's blank line.
std::string Footer(const std::string& table) { return table.substr(table.rfind("\n\n") + 2); }

// The Gaussian kernel's footer is in its own words: none of the hypercube's window, count,
// inside, k / (n h^d) or tutorial column (it once explained the expected column with the
// cube's P(sample in window) / h^d).
TEST(FormatTableFooterTest, TheGaussiansFooterIsInItsOwnWords) {
  const std::string table = FormatTable(SummingReport({{0.5, 0.127, 0.127324, 0.159155, kNoLog},
                                                       {1, 0.08, 0.0795775, 0.159155, kNoLog}}),
                                        kGaussianNotes);
  EXPECT_THAT(
      Lines(Footer(table)),
      ElementsAre("density: a Gaussian window of standard deviation h: p = (1/n) sum "
                  "N(x - s; 0, h^2 I).",
                  "expected = what the estimator averages to for this Gaussian,",
                  "  N(x; mu, Sigma + h^2 I), the source's density convolved with the "
                  "kernel N(0, h^2 I);",
                  "  expected - true is its bias at that width.", "1 task ran in 0.000 ms.", ""))
      << table;
  for (const char* word : {"count", "inside", "P(sample", "k / (n", "tutorial", "cube"}) {
    EXPECT_THAT(table, Not(HasSubstr(word))) << table;
  }
}

// The hypercube's footer says what it always said: p = k / (n h^d), the tutorial's h^(d-1),
// and the expected column as P(sample in the cube) / h^d.
TEST(FormatTableFooterTest, TheHypercubesFooterKeepsItsMeaning) {
  const std::string table =
      FormatTable(CountingReport({{0.1, 16, 0.16, 0.159022391, 0.159154943},
                                  {0.2, 59, 0.1475, 0.158625662, 0.159154943}}),
                  kHypercubeNotes);
  EXPECT_THAT(
      Lines(Footer(table)),
      ElementsAre("density: the tutorial's hypercube window of side h: p = k / (n h^d).",
                  "The tutorial divides by h instead of h^d: its column is the density "
                  "times h^(d-1) (h times the density in 2-D).",
                  "expected = what the estimator averages to for this Gaussian,",
                  "  P(sample in the cube of side h centred at x) / h^d, a multivariate "
                  "normal rectangle probability;",
                  "  expected - true is its bias at that width.", "1 task ran in 0.000 ms.", ""))
      << table;
}

// A kernel that says nothing of itself gets no line that might be untrue of it; a column
// with no values has no header (a count without the tutorial's value had one).
TEST(FormatTableFooterTest, WithoutNotesTheFooterClaimsNothingOfTheKernel) {
  Report report = CountingReport({{0.5, 3, 0.1, 0.12, 0.15}, {1, 9, 0.09, 0.1, 0.15}});
  for (WidthResult& r : *report.mutable_results()) r.clear_tutorial_density();
  const std::string table = FormatTable(report, {});
  EXPECT_THAT(table, Not(HasSubstr("tutorial")));
  EXPECT_THAT(
      Lines(Footer(table)),
      ElementsAre("expected = what the estimator averages to for this Gaussian;",
                  "  expected - true is its bias at that width.", "1 task ran in 0.000 ms.", ""))
      << table;
}

// A density that underflows to 0 (or overflows) is printed from its log, in the column's
// width, and the footer says so; a log of -infinity is a true 0.
TEST(FormatTableLogTest, ADensityBeyondADoubleIsPrintedFromItsLog) {
  const double ln10 = std::log(10.0);
  const Report report = SummingReport({
      {0.01, 0, 0, 0.159155, std::log(1.234567) - 400 * ln10},  // 1.234567e-400
      {0.02, 0, 0, 0.159155, -400 * ln10},                      // 1e-400, log10 just below
      {0.03, 0, 0, 0.159155, -1e6},                             // 10^-434294.48
      {0.04, 0, 0, 0.159155, -1e300},                           // no meaningful mantissa
      {0.05, 0, 0, 0.159155, -kInf},                            // a true 0
      {0.06, kInf, 0, 0.159155, 1000},                          // 10^434.29
      {0.5, 0.127, 0.127324, 0.159155, std::log(0.127)},        // a double: as before
  });
  const std::string table = FormatTable(report, kGaussianNotes);
  const std::vector<std::string> lines = Lines(table);
  ASSERT_GE(lines.size(), 12u) << table;
  EXPECT_EQ(lines[5], "     width       density      expected          true") << table;
  EXPECT_EQ(lines[6], "      0.01 1.234567e-400   0.000000000   0.159155000");
  EXPECT_EQ(lines[7], "      0.02 1.000000e-400   0.000000000   0.159155000");
  EXPECT_EQ(lines[8], "      0.03 3.297e-434295   0.000000000   0.159155000");
  EXPECT_EQ(lines[9], "      0.04 10^-4.34294e+299   0.000000000   0.159155000");
  EXPECT_EQ(lines[10], "      0.05   0.000000000   0.000000000   0.159155000");
  EXPECT_EQ(lines[11], "      0.06 1.970071e+434   0.000000000   0.159155000");
  EXPECT_EQ(lines[12], "       0.5   0.127000000   0.127324000   0.159155000");
  for (int i : {6, 7, 8, 10, 11, 12}) EXPECT_EQ(lines[i].size(), lines[5].size()) << lines[i];
  EXPECT_THAT(table, HasSubstr("\nA density beyond a double's normal range (under 2.2e-308, over "
                               "1.8e+308) is printed from log_density.\n"));

  // Only a density printed from its log brings the footer's line.
  const std::string plain =
      FormatTable(SummingReport({{0.5, 0.127, 0.127324, 0.159155, std::log(0.127)},
                                 {1, 0, 0.0795775, 0.159155, -kInf}}),
                  kGaussianNotes);
  EXPECT_THAT(plain, Not(HasSubstr("printed from log_density"))) << plain;
}

// log_density is the CSV's last column when any result has one, empty where one has none;
// -infinity is "-inf", which numpy's genfromtxt reads. Without any, the columns are as before.
TEST(FormatCsvTest, LogDensityIsTheLastColumnWhenAnyResultHasIt) {
  const Report report = SummingReport({{0.5, 0.125, 0.127, 0.159, -2.0794415416798357},
                                       {1, 0, 0.0796, 0.159, -kInf},
                                       {2, 0.03125, 0.03, 0.159, kNoLog}});
  EXPECT_THAT(Lines(FormatCsv(report)),
              ElementsAre("point,x1,x2,width,count,density,expected_density,true_density,"
                          "tutorial_density,log_density",
                          "0,0,0,0.5,,0.125,0.127,0.159,,-2.0794415416798357",
                          "0,0,0,1,,0,0.079600000000000004,0.159,,-inf",
                          "0,0,0,2,,0.03125,0.029999999999999999,0.159,,", ""));
  EXPECT_THAT(
      Lines(FormatCsv(CountingReport({{0.5, 2, 0.0008, 0.001, 0.0015}}))),
      ElementsAre("point,x1,x2,width,count,density,expected_density,true_density,"
                  "tutorial_density",
                  "0,0,0,0.5,2,0.00080000000000000004,0.001,0.0015,0.00040000000000000002", ""));
}

// protobuf's JSON writes log_density, and -infinity as the string "-Infinity" (JSON has no
// infinity), which its own parser reads back as -infinity; a result without one has no
// log_density at all.
TEST(FormatJsonTest, LogDensityOfMinusInfinityIsTheStringMinusInfinity) {
  const Report report = SummingReport({{0.5, 0.125, 0.127, 0.159, -2.0794415416798357},
                                       {1, 0, 0.0796, 0.159, -kInf},
                                       {2, 0.03125, 0.03, 0.159, kNoLog}});
  const absl::StatusOr<std::string> json = FormatJson(report);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"log_density\": -2.0794415416798357"));
  EXPECT_THAT(*json, HasSubstr("\"log_density\": \"-Infinity\""));
  Report parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &parsed).ok()) << *json;
  ASSERT_EQ(parsed.results_size(), 3);
  EXPECT_EQ(parsed.results(0).log_density(), -2.0794415416798357);
  EXPECT_EQ(parsed.results(1).log_density(), -kInf);
  EXPECT_FALSE(parsed.results(2).has_log_density());
}

// A rule shows its own width and, where the kernel converted it, the Gaussian bandwidth;
// leave-one-out its score, standard error and held-out samples, and the widths that scored
// -infinity with their isolated samples: the first in the kernel's words, five at most.
TEST(FormatTableTest, SelectionsSayWhatChoseThem) {
  Report report = CountingReport({{0.1, 1, 0.1, 0, 0.2}, {0.2, 2, 0.25, 0, 0.2}});
  Selection& nrd0 = *report.add_selections();
  nrd0.set_method("nrd0");
  nrd0.set_width(0.2);
  nrd0.set_rule_width(0.187);
  nrd0.set_gaussian_bandwidth(0.0534);
  Selection& gaussian = *report.add_selections();
  gaussian.set_method("scott");
  gaussian.set_width(0.1);
  gaussian.set_rule_width(0.12);
  gaussian.set_gaussian_bandwidth(0.12);
  Selection& loo = *report.add_selections();
  loo.set_method("loo_cv");
  loo.set_width(0.9);
  loo.set_score(-2.5);
  loo.set_standard_error(0.0123);
  loo.set_held_out(500);
  loo.set_loo_seed(7);
  loo.set_isolated_meaning("have no other sample in their window");
  for (int i = 1; i <= 9; ++i) {
    Selection::WidthScore& w = *loo.add_width_scores();
    w.set_width(0.1 * i);
    w.set_isolated(i <= 7 ? 8 - i : 0);
  }
  const std::string table = FormatTable(report, kHypercubeNotes);
  EXPECT_THAT(table, HasSubstr("\nselected by nrd0: h = 0.2 (the sweep's width nearest the "
                               "rule's 0.187, this kernel's equivalent of the Gaussian "
                               "bandwidth 0.0534)\n"));
  EXPECT_THAT(table, HasSubstr("\nselected by scott: h = 0.1 (the sweep's width nearest the "
                               "rule's 0.12)\n"));
  EXPECT_THAT(table, HasSubstr("\nselected by loo_cv: h = 0.9 (mean leave-one-out "
                               "log-likelihood -2.5, standard error 0.012, over 500 of the "
                               "10000 samples, drawn with --loo_seed=7)\n  score -infinity at "
                               "7 widths: h = 0.1 (7 of the 500 held-out samples have no other "
                               "sample in their window), h = 0.2 (6), h = 0.3 (5), h = 0.4 (4), "
                               "h = 0.5 (3), and 2 more (--format=json lists every width's "
                               "score)\n"));
  loo.set_held_out(10000);
  loo.clear_loo_seed();
  loo.clear_width_scores();
  EXPECT_THAT(FormatTable(report, kHypercubeNotes),
              HasSubstr("standard error 0.012, over all 10000 samples)\n"));
}

// A kernel whose widths are whole numbers named otherwise (knn's k, as Kernel::Width() says)
// has them named and printed its way in the table: its column, integers, "k = 10" wherever a
// width is named. CSV keeps its `width` column for every kernel.
TEST(FormatTableTest, WidthsAreNamedAndPrintedTheKernelsWay) {
  const TableNotes knn = {"k-nearest-neighbour density", "", {"k", "neighbours", true}};
  Report report = OriginReport();
  report.mutable_spec()->mutable_kernel()->set_name("knn");
  for (const auto& [k, density] :
       std::vector<std::pair<double, double>>{{1, 0.9}, {10, 0.625}, {1000000, 0.125}}) {
    AddResult(report, k, density, 0, 0.5).clear_expected_density();
  }
  Selection& loo = *report.add_selections();
  loo.set_method("loo_cv");
  loo.set_width(10);
  loo.set_score(-2.5);
  loo.set_isolated_meaning("have their k-th nearest other sample too far for a double");
  loo.add_width_scores()->set_width(1);
  loo.mutable_width_scores(0)->set_isolated(3);
  loo.set_held_out(10000);
  const std::vector<std::string> lines = Lines(FormatTable(report, knn));
  EXPECT_THAT(lines, testing::Contains("neighbours       density      expected          true"));
  EXPECT_THAT(lines, testing::Contains("        10   0.625000000           n/a   0.500000000"));
  EXPECT_THAT(lines, testing::Contains("   1000000   0.125000000           n/a   0.500000000"));
  EXPECT_THAT(lines,
              testing::Contains("closest to the true density: k = 10 (density 0.625000000, error "
                                "+1.25e-01)"));
  EXPECT_THAT(lines, testing::Contains(
                         "  score -infinity at 1 width: k = 1 (3 of the 10000 held-out samples "
                         "have their k-th nearest other sample too far for a double)"));
  const std::string table = FormatTable(report, knn);
  EXPECT_THAT(table, HasSubstr("\nselected by loo_cv: k = 10 (mean leave-one-out"));
  for (const char* width_words : {"h = ", "1.0 ", "10.0 ", "width "}) {
    EXPECT_THAT(table, Not(HasSubstr(width_words)));
  }
  // A tie names the tied k.
  report.mutable_results(0)->set_density(0.375);
  EXPECT_THAT(FormatTable(report, knn),
              HasSubstr("closest to the true density: none (k = 1, 10 are equally near it)"));
  EXPECT_THAT(FormatCsv(report), testing::StartsWith("point,x1,x2,width,count,density,"));
}

// The width closest to the true density is shown under its point; with no other selection the
// footer follows after one blank line, not two.
TEST(FormatTableTest, OneBlankLineBeforeTheFooter) {
  Report report = CountingReport({{0.1, 1, 0.1, 0, 0.2}, {0.2, 2, 0.25, 0, 0.2}});
  report.add_selections()->set_method("closest_to_true");
  EXPECT_THAT(FormatTable(report, kHypercubeNotes), Not(HasSubstr("\n\n\n")));
}

// The header says how the sweep was cut and, when the planner chose, why.
TEST(FormatPlanTest, SaysWhatWasCutAndWhy) {
  Report report = CountingReport({{0.1, 16, 0.16, 0.159, 0.159}, {0.2, 59, 0.15, 0.158, 0.159}});
  report.mutable_plan()->set_chunk(2);
  EXPECT_THAT(FormatTable(report, kHypercubeNotes),
              HasSubstr("\ndata: 10000 samples of N(mean 0, cov I) in 2-D, seed 123\n"
                        "plan: 1 task (auto: one worker)\n\n"));

  TaskPlanSummary plan;
  plan.set_split(SPLIT_SAMPLES);
  plan.set_tasks(8);
  plan.set_chunk(1250);
  plan.set_points_per_task(1);
  plan.set_automatic(true);
  plan.set_reason("160 kB of samples read");
  EXPECT_EQ(FormatPlan(plan, report),
            "split by samples, 8 tasks of 1,250 samples (auto: 160 kB of samples read)");
  plan.set_split(SPLIT_WIDTHS);
  plan.set_tasks(2);
  plan.set_chunk(1);
  plan.set_automatic(false);
  EXPECT_EQ(FormatPlan(plan, report),
            "split by widths, 2 tasks of 1 width (as --split and --chunk ask)");

  // Nine points, cut into groups of four (the last of one); alone, then with samples.
  Report grid = report;
  for (int p = 1; p < 9; ++p) {
    for (const WidthResult& r : report.results()) *grid.add_results() = r;
  }
  plan.set_tasks(3);
  plan.set_chunk(2);
  plan.set_points_per_task(4);
  EXPECT_EQ(FormatPlan(plan, grid),
            "split by points, 3 tasks of 4 points (as --split and --chunk ask)");
  plan.set_split(SPLIT_SAMPLES);
  plan.set_tasks(6);
  plan.set_chunk(5000);
  EXPECT_EQ(FormatPlan(plan, grid),
            "split by points and samples, 6 tasks of 4 points and 5,000 samples (as --split and "
            "--chunk ask)");
}

// JSON carries the plan as the Report message's `plan` field.
TEST(FormatJsonTest, HasThePlan) {
  const absl::StatusOr<std::string> json =
      FormatJson(CountingReport({{0.1, 16, 0.16, 0.159, 0.159}}));
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"plan\": {\n  \"split\": \"SPLIT_WIDTHS\",\n  \"tasks\": \"1\""));
  EXPECT_THAT(*json, HasSubstr("\"automatic\": true"));
  EXPECT_THAT(*json, HasSubstr("\"reason\": \"one worker\""));
}

}  // namespace
}  // namespace parsweep
