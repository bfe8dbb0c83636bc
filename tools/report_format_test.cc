#include "tools/report_format.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Row {
  double width, count, density, expected, truth;
};

// A report of a counting kernel on generated 2-D data, one point at the origin, n = 10000.
Report CountingReport(const std::vector<Row>& rows) {
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
  for (const Row& row : rows) {
    spec.add_widths(row.width);
    WidthResult& r = *report.add_results();
    r.set_width(row.width);
    r.set_count(row.count);
    r.set_density(row.density);
    r.set_expected_density(row.expected);
    r.set_true_density(row.truth);
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
  const std::string table = FormatTable(report);
  const std::vector<std::string> lines = Lines(table);
  ASSERT_GE(lines.size(), 10u) << table;
  EXPECT_EQ(lines[3], "point (0, 0), true density 0.159154943");
  EXPECT_EQ(lines[4],
            "     width    count k       density      expected          true  tutorial "
            "k/(n*h)");
  EXPECT_EQ(lines[5],
            "       0.1         16   0.160000000   0.159022391   0.159154943       "
            "0.016000000");
  EXPECT_EQ(lines[6],
            "       0.2         59   0.147500000   0.158625662   0.159154943       "
            "0.029500000");
  EXPECT_EQ(lines[8],
            "       1.2       2113   0.146736111   0.141560152   0.159154943       "
            "0.176083333");
  EXPECT_EQ(lines[9],
            "closest to the true density: h = 0.7 (density 0.159795918, error +6.41e-04)");
}

// Huge and tiny values switch to scientific notation, and every row keeps the columns'
// widths (the old table printed 200-digit densities and 0.000000000 for 1e-301).
TEST(FormatTableTest, HugeAndTinyValuesAreScientificAndStayInTheirColumns) {
  const Report huge = CountingReport({{1e-100, 1521, 1.521e199, 1.4663e199, 1.5915e199},
                                      {2e-100, 4802, 1.2005e199, 1.1651e199, 1.5915e199}});
  const std::string table = FormatTable(huge);
  const std::vector<std::string> lines = Lines(table);
  EXPECT_EQ(lines[3], "point (0, 0), true density 1.591500e+199");
  EXPECT_EQ(lines[5],
            "    1e-100       1521 1.521000e+199 1.466300e+199 1.591500e+199      "
            "1.521000e+99");
  EXPECT_EQ(lines[5].size(), lines[4].size());
  EXPECT_EQ(lines[6].size(), lines[4].size());
  EXPECT_EQ(lines[7],
            "closest to the true density: h = 1e-100 (density 1.521000e+199, error "
            "-7.05e+197)");

  const Report tiny = CountingReport({{1e150, 1521, 1.521e-301, 1.4663e-301, 1.5915e-301},
                                      {2e150, 4802, 1.2005e-301, 1.1651e-301, 1.5915e-301}});
  const std::vector<std::string> tiny_lines = Lines(FormatTable(tiny));
  EXPECT_EQ(tiny_lines[5],
            "    1e+150       1521 1.521000e-301 1.466300e-301 1.591500e-301     "
            "1.521000e-151");
  // The edges: 1e-3 and 999.9 stay fixed; 0 too.
  const std::vector<std::string> edges =
      Lines(FormatTable(CountingReport({{0.5, 0, 0, 1e-3, 999.9}, {1, 1, 1e-4, 1000, 999.9}})));
  EXPECT_EQ(edges[5],
            "       0.5          0   0.000000000   0.001000000 999.900000000       "
            "0.000000000");
  EXPECT_EQ(edges[6],
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
  EXPECT_THAT(FormatTable(CountingReport({{0.1, 0, 0, 0, 1e-12}, {0.2, 0, 0, 0, 1e-12}})),
              HasSubstr("\nclosest to the true density: none (every width's density is 0 here: "
                        "no width is nearer than another)\n"));
  EXPECT_THAT(FormatTable(CountingReport({{0.1, 0, 0, 0, 0}, {0.2, 0, 0, 0, 0}})),
              HasSubstr("\nclosest to the true density: none (the true density here is below "
                        "the smallest double)\n"));
  EXPECT_THAT(FormatTable(CountingReport({{0.1, 1, 0.25, 0, 0.5}, {0.2, 3, 0.75, 0, 0.5}})),
              HasSubstr("\nclosest to the true density: none (h = 0.1, 0.2 are equally near "
                        "it)\n"));
  EXPECT_THAT(FormatTable(CountingReport({{0.1, 1, 0.1, 0, 0.2}})), Not(HasSubstr("closest")));
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
  const std::string table = FormatTable(report);
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
  EXPECT_THAT(FormatTable(report), HasSubstr("standard error 0.012, over all 10000 samples)\n"));
}

}  // namespace
}  // namespace parsweep
