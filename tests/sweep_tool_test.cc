// End-to-end tests of the sweep tool: each test runs the real //tools:sweep binary and
// checks its exit status, standard output and standard error, as a user would see them.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sweep_tool_process.h"

namespace parsweep {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int kDefaultSamples = 10000;
constexpr double kTrueDensityAtOrigin = 0.159154943091895335768883763;  // 1 / (2 pi).

using Outcome = ToolOutcome;

std::string TestTmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string WriteFile(const std::string& name, const std::string& contents) {
  const std::string path = absl::StrCat(TestTmpDir(), "/", name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

// Runs the sweep binary with `args` (see tests/sweep_tool_process.h); a hang fails the test.
Outcome RunSweep(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  return RunSweepTool(args, env);
}

// The numeric rows of the first table in the tool's output: the lines after the header
// ("width  count k ...") up to the first line that is not all numbers.
std::vector<std::vector<double>> TableRows(absl::string_view out) {
  std::vector<std::vector<double>> rows;
  bool in_table = false;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (!in_table) {
      in_table = absl::StrContains(line, "width") && absl::StrContains(line, "count k");
      continue;
    }
    std::vector<double> row;
    for (absl::string_view field : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      double value;
      if (!absl::SimpleAtod(field, &value)) return rows;
      row.push_back(value);
    }
    if (row.empty()) return rows;
    rows.push_back(row);
  }
  return rows;
}

int CountOccurrences(absl::string_view text, absl::string_view needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != absl::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// A run that fails must say why on stderr, exit by status rather than by a crash, and
// print no report.
void ExpectCleanFailure(const std::vector<std::string>& args, const std::string& message) {
  SCOPED_TRACE(absl::StrCat("sweep ", absl::StrJoin(args, " ")));
  const Outcome outcome = RunSweep(args);
  ASSERT_NE(outcome.wait_status, -1) << Describe(outcome);
  ASSERT_TRUE(WIFEXITED(outcome.wait_status)) << Describe(outcome);
  EXPECT_NE(WEXITSTATUS(outcome.wait_status), 0) << Describe(outcome);
  EXPECT_THAT(outcome.err, StartsWith("sweep: error: "));
  EXPECT_THAT(outcome.err, HasSubstr(message));
  EXPECT_EQ(outcome.out, "");
}

TEST(SweepToolTest, DefaultRunPrintsTheTutorialSweepWithConsistentColumns) {
  const Outcome outcome = RunSweep({});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_EQ(outcome.err, "");
  EXPECT_THAT(outcome.out, HasSubstr("true density 0.159154943"));
  EXPECT_THAT(outcome.out, HasSubstr("tutorial k/(n*h)"));
  EXPECT_THAT(outcome.out, HasSubstr("closest to the true density"));

  const std::vector<std::vector<double>> rows = TableRows(outcome.out);
  ASSERT_EQ(rows.size(), 12u) << outcome.out;
  double previous_count = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("row ", i + 1));
    const std::vector<double>& row = rows[i];
    // width, count k, density, expected, true, tutorial k/(n*h).
    ASSERT_EQ(row.size(), 6u);
    const double h = row[0];
    const double count = row[1];
    EXPECT_NEAR(h, 0.1 * static_cast<double>(i + 1), 1e-12);
    EXPECT_EQ(count, std::floor(count));
    // The windows are nested, so a wider one holds at least as many samples.
    EXPECT_GE(count, previous_count);
    previous_count = count;
    // Printed with 9 decimals, so each is within half a unit of the 9th.
    EXPECT_NEAR(row[2], count / (kDefaultSamples * h * h), 5.01e-10);
    EXPECT_NEAR(row[4], kTrueDensityAtOrigin, 5.01e-10);
    EXPECT_NEAR(row[5], count / (kDefaultSamples * h), 5.01e-10);
  }
}

TEST(SweepToolTest, JsonFormatHasOneResultPerWidth) {
  const Outcome outcome = RunSweep({"--format=json"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_EQ(outcome.err, "");
  EXPECT_THAT(outcome.out, StartsWith("{"));
  EXPECT_THAT(std::string(absl::StripTrailingAsciiWhitespace(outcome.out)), EndsWith("}"));
  const size_t results = outcome.out.find("\"results\"");
  ASSERT_NE(results, std::string::npos) << outcome.out;
  // The selection after the results names a width too; count within the results only.
  const size_t selections = outcome.out.find("\"selections\"", results);
  ASSERT_NE(selections, std::string::npos) << outcome.out;
  const absl::string_view body =
      absl::string_view(outcome.out).substr(results, selections - results);
  EXPECT_EQ(CountOccurrences(body, "\"width\":"), 12);
  EXPECT_EQ(CountOccurrences(body, "\"count\":"), 12);
  EXPECT_EQ(CountOccurrences(body, "\"density\":"), 12);
}

// --split=auto is the default: the plan it chose is in the table's header and in JSON;
// --split given keeps its meaning, and the header says it was asked for.
TEST(SweepToolTest, ThePlanIsChosenAndPrinted) {
  const Outcome json = RunSweep({"--executor=threads", "--workers=2", "--n=1000000",
                                 "--widths=0.1:1.2:100", "--format=json"});
  ASSERT_TRUE(ExitedWith(json, 0)) << Describe(json);
  EXPECT_THAT(json.out, HasSubstr("\"plan\": {\n  \"split\": \"SPLIT_SAMPLES\""));
  EXPECT_THAT(json.out, HasSubstr("\"automatic\": true"));
  EXPECT_THAT(json.out, HasSubstr("\"streamed_bytes\": 16000000"));

  const Outcome table =
      RunSweep({"--executor=threads", "--workers=2", "--n=1000000", "--widths=0.1:1.2:100"});
  ASSERT_TRUE(ExitedWith(table, 0)) << Describe(table);
  EXPECT_THAT(table.out, HasSubstr("\nplan: split by samples, 8 tasks of 125,000 samples (auto: "
                                   "16 MB of samples read, 6.4 kB of results; 8 tasks by "
                                   "widths: 128 MB of samples read, 800 bytes of results)\n"));

  const Outcome asked = RunSweep({"--executor=threads", "--workers=2", "--split=widths"});
  ASSERT_TRUE(ExitedWith(asked, 0)) << Describe(asked);
  EXPECT_THAT(asked.out, HasSubstr("\nplan: split by widths, 6 tasks of 2 widths (as --split "
                                   "and --chunk ask)\n"));
}

TEST(SweepToolTest, CsvFormatHasAHeaderAndOneFullRowPerWidth) {
  const Outcome outcome = RunSweep({"--format=csv"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_EQ(outcome.err, "");
  std::vector<std::string> lines = absl::StrSplit(outcome.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 13u) << outcome.out;
  EXPECT_EQ(lines[0],
            "point,x1,x2,width,count,density,expected_density,true_density,tutorial_density");
  for (size_t i = 1; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    const std::vector<std::string> fields = absl::StrSplit(lines[i], ',');
    ASSERT_EQ(fields.size(), 9u);
    EXPECT_EQ(fields[0], "0");
    std::vector<double> values(fields.size());
    for (size_t j = 0; j < fields.size(); ++j) {
      ASSERT_TRUE(absl::SimpleAtod(fields[j], &values[j])) << "field " << j + 1;
    }
    EXPECT_EQ(values[1], 0.0);  // The point: the origin.
    EXPECT_EQ(values[2], 0.0);
    const double h = values[3];
    const double count = values[4];
    EXPECT_NEAR(h, 0.1 * static_cast<double>(i), 1e-12);
    EXPECT_EQ(count, std::floor(count));
    // Printed with 17 significant digits: the doubles themselves.
    EXPECT_DOUBLE_EQ(values[5], count / (kDefaultSamples * std::pow(h, 2)));
    EXPECT_GT(values[6], 0.0);
    EXPECT_DOUBLE_EQ(values[7], kTrueDensityAtOrigin);
    EXPECT_DOUBLE_EQ(values[8], count / (kDefaultSamples * h));
  }
}

TEST(SweepToolTest, ListShowsRegisteredKernelsAndExecutors) {
  const Outcome outcome = RunSweep({"--list"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_EQ(outcome.err, "");
  // Each plugin with its summary, and under it each option it declares.
  EXPECT_THAT(outcome.out, ContainsRegex("kernels:\n  cosine: [^\n]+\n      algorithm="));
  EXPECT_THAT(outcome.out, ContainsRegex("\n  knn: [^\n]+the widths are k[^\n]+\n  "));
  EXPECT_THAT(outcome.out, ContainsRegex("\n  parzen_gaussian: [^\n]+\n      algorithm="
                                         "fused\\|naive \\(default fused\\): "));
  for (const char* radial : {"epanechnikov", "exponential", "linear", "tophat"}) {
    EXPECT_THAT(outcome.out, HasSubstr(absl::StrCat("\n  ", radial, ": "))) << radial;
  }
  EXPECT_THAT(outcome.out, ContainsRegex("\n  parzen_hypercube: [^\n]+\n      algorithm="));
  EXPECT_THAT(outcome.out, ContainsRegex("executors:\n  mpi: "));
  EXPECT_THAT(outcome.out, ContainsRegex("\n  process: [^\n]+\n      start_method=fork\\|spawn "
                                         "\\(default fork\\): [^\n]+\n      max_retries="
                                         "0\\.\\.100 \\(default 2\\)"));
  EXPECT_THAT(outcome.out, ContainsRegex("\n  serial: [^\n]+\n  threads: "));
}

TEST(SweepToolTest, PluginOptionsComeFromTheGenericFlagsAndAreChecked) {
  const Outcome naive = RunSweep({"--kernel_options=algorithm=naive", "--format=csv"});
  const Outcome fused = RunSweep({"--format=csv"});
  ASSERT_TRUE(ExitedWith(naive, 0)) << Describe(naive);
  EXPECT_EQ(naive.out, fused.out);  // Counts are exact either way.
  const Outcome spawned =
      RunSweep({"--executor=process", "--workers=2",
                "--executor_options=start_method=spawn, max_retries=1", "--format=csv"});
  ASSERT_TRUE(ExitedWith(spawned, 0)) << Describe(spawned);
  EXPECT_EQ(spawned.out, fused.out);
  ExpectCleanFailure({"--kernel_options=algorithm=fast"},
                     "kernel 'parzen_hypercube': parameter algorithm must be fused or naive, not "
                     "'fast'");
  ExpectCleanFailure({"--executor=threads", "--executor_options=start_method=fork"},
                     "executor 'threads' has no parameter 'start_method'; it takes none");
  ExpectCleanFailure({"--executor_options=oops"}, "--executor_options: 'oops' is not name=value");
  ExpectCleanFailure({"--compare=serial", "--executor_options=max_retries=1"},
                     "--executor_options applies to one executor");
}

TEST(SweepToolTest, RejectsBadWidths) {
  ExpectCleanFailure({"--widths=0"}, "width 0 is not positive");
  ExpectCleanFailure({"--widths=-1"}, "width -1 is not positive");
  ExpectCleanFailure({"--widths=nan"}, "'nan' is not finite");
  ExpectCleanFailure({"--widths=inf"}, "'inf' is not finite");
  ExpectCleanFailure({"--widths=0.1,abc"}, "'abc' is not a number");
  ExpectCleanFailure({"--widths=1:2"}, "a range is start:stop:count");
  ExpectCleanFailure({"--widths=1:2:0"}, "count '0' must be a whole number");
  // h^d underflows to 0 (density 0/0) or overflows to inf.
  ExpectCleanFailure({"--widths=1e-320,0.7"}, "width 1 is 9.99989e-321: its window volume h^2");
  ExpectCleanFailure({"--widths=0.7,1e200"}, "width 2 is 1e+200: its window volume h^2");
}

TEST(SweepToolTest, RejectsBadGeneratedDataFlags) {
  ExpectCleanFailure({"--n=0"}, "--n=0: must be positive");
  ExpectCleanFailure({"--n=-5"}, "--n=-5: must be positive");
  ExpectCleanFailure({"--dims=0"}, "--dims=0: must be from 1 to 1000");
  ExpectCleanFailure({"--dims=-1"}, "--dims=-1: must be from 1 to 1000");
  // Refused before a 50000 x 50000 covariance is allocated.
  ExpectCleanFailure({"--dims=50000", "--n=1"}, "--dims=50000: must be from 1 to 1000");
  ExpectCleanFailure({"--point=0,0,0"}, "point 1 has 3 coordinates but the data has 2");
  ExpectCleanFailure({"--cov=1,2,2,1"}, "not positive definite");
  ExpectCleanFailure({"--cov=1,0.5,0.4,1"}, "not symmetric");
}

TEST(SweepToolTest, RejectsUnknownNamesAndModes) {
  ExpectCleanFailure({"--kernel=nope"},
                     "unknown kernel 'nope'; known kernels: cosine, epanechnikov, exponential, "
                     "knn, linear, parzen_gaussian, parzen_hypercube, tophat");
  ExpectCleanFailure({"--executor=nope"},
                     "unknown executor 'nope'; known executors: mpi, process, serial, threads");
  ExpectCleanFailure({"--format=xml"}, "--format='xml': must be table, csv or json");
  ExpectCleanFailure({"--split=rows"}, "--split='rows': must be auto, widths or samples");
}

TEST(SweepToolTest, RejectsUnusableDataFiles) {
  const std::string missing = absl::StrCat(TestTmpDir(), "/no_such_file.csv");
  ExpectCleanFailure({"--data=" + missing}, absl::StrCat("cannot open data file '", missing, "'"));
  ExpectCleanFailure({"--data=" + WriteFile("empty.csv", "")}, "no rows of numbers");
  ExpectCleanFailure({"--data=" + WriteFile("header_only.csv", "x,y\n")}, "no rows of numbers");
  ExpectCleanFailure({"--data=" + WriteFile("ragged.csv", "1,2\n3\n")},
                     "ragged.csv:2: ragged row: 1 fields, but line 1 has 2");
  ExpectCleanFailure({"--data=" + WriteFile("word.csv", "1,2\n3,abc\n")},
                     "word.csv:2: field 2 is not a number: 'abc'");
  ExpectCleanFailure({"--data=" + WriteFile("nan.csv", "1,2\nnan,3\n")},
                     "nan.csv:2: field 1 is not finite: 'nan'");
  ExpectCleanFailure({"--data=" + TestTmpDir()}, "is a directory");
}

TEST(SweepToolTest, RejectsGeneratorFlagsWithDataFile) {
  const std::string data = WriteFile("conflict.csv", "0,0\n");
  ExpectCleanFailure({"--data=" + data, "--n=5"},
                     "--n describes generated data and cannot be used with --data");
}

TEST(SweepToolTest, RejectsBadEvaluationPoints) {
  ExpectCleanFailure({"--grid=1:2"}, "--grid axis '1:2': expected lo:hi:count");
  ExpectCleanFailure({"--grid=-1:1:0"}, "expected lo:hi:count with count >= 1");
  ExpectCleanFailure({"--grid=-1:1:3,0:1:2,0:1:2"}, "the grid has 3 axes; the data has 2");
  ExpectCleanFailure({"--grid=-1:1:1001,-1:1:1000"}, "more than 1000000 points");
  ExpectCleanFailure({"--point=0,0", "--grid=-1:1:3"}, "--point, --points and --grid");
  ExpectCleanFailure({"--points=" + WriteFile("points3.csv", "0,0,0\n")},
                     "point 1 has 3 coordinates but the data has 2");
  ExpectCleanFailure({"--points=" + TestTmpDir() + "/no_points.csv"}, "cannot open data file");
}

TEST(SweepToolTest, GridPointsEachGetARowPerWidthInCsv) {
  const Outcome outcome = RunSweep({"--grid=-1:1:3", "--widths=0.5,1", "--format=csv"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  std::vector<std::string> lines = absl::StrSplit(outcome.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 9 * 2);
  EXPECT_TRUE(absl::StartsWith(lines[1], "0,-1,-1,0.5,"));
  EXPECT_TRUE(absl::StartsWith(lines[18], "8,1,1,1,"));
}

TEST(SweepToolTest, SelectsWidthsByRuleAndByCrossValidation) {
  const Outcome outcome = RunSweep({"--select=scott,loo_cv", "--widths=0.1:3:30"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_THAT(outcome.out, HasSubstr("selected by scott: h = "));
  EXPECT_THAT(outcome.out, HasSubstr("selected by loo_cv: h = "));
  ExpectCleanFailure({"--select=aic"},
                     "--select='aic': known methods: scott, silverman, nrd0, loo_cv");
  ExpectCleanFailure({"--select=loo_cv", "--widths=1e-9"}, "add wider widths");
}

TEST(SweepToolTest, RejectsPositionalArgument) {
  ExpectCleanFailure({"--widths=0.5", "extra"}, "unexpected argument 'extra'");
}

// Samples in 2-D, chosen to sit inside, outside and exactly on the window's edge at the
// widths the tests use.
const std::vector<std::vector<double>>& Samples() {
  static const auto* samples =
      new std::vector<std::vector<double>>{{0, 0}, {0.25, -0.25}, {0.3, 0.1}, {-0.1, 0.6}, {1, 1}};
  return *samples;
}

std::string SamplesCsv(bool header) {
  std::string csv = header ? "x,y\n" : "";
  for (const std::vector<double>& s : Samples()) absl::StrAppend(&csv, s[0], ",", s[1], "\n");
  return csv;
}

// The kernel's rule: a sample is inside when max_j |x_j - s_j| <= h / 2.
int CountInside(const std::vector<double>& point, double h) {
  int count = 0;
  for (const std::vector<double>& s : Samples()) {
    bool inside = true;
    for (size_t j = 0; j < point.size(); ++j) inside &= std::abs(point[j] - s[j]) <= h / 2;
    count += inside;
  }
  return count;
}

void ExpectCountsFromSamples(const Outcome& outcome, const std::vector<double>& point,
                             const std::vector<double>& widths) {
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_EQ(outcome.err, "");
  EXPECT_THAT(outcome.out, HasSubstr("5 samples in 2-D"));
  const std::vector<std::vector<double>> rows = TableRows(outcome.out);
  ASSERT_EQ(rows.size(), widths.size()) << outcome.out;
  for (size_t i = 0; i < rows.size(); ++i) {
    // width, count k, density, tutorial k/(n*h): no true density for data from a file.
    ASSERT_EQ(rows[i].size(), 4u) << outcome.out;
    const double h = widths[i];
    const int expected = CountInside(point, h);
    EXPECT_EQ(rows[i][0], h);
    EXPECT_EQ(rows[i][1], expected) << "h = " << h << "\n" << outcome.out;
    EXPECT_NEAR(rows[i][2], expected / (5 * h * h), 5.01e-10);
    EXPECT_NEAR(rows[i][3], expected / (5 * h), 5.01e-10);
  }
}

TEST(SweepToolTest, CountsSamplesFromADataFileWithOrWithoutHeader) {
  // At the origin: h = 0.5 holds (0,0) and the edge sample (0.25,-0.25); h = 1 adds
  // (0.3,0.1); h = 1.2 adds (-0.1,0.6); h = 2 holds all five.
  ASSERT_EQ(CountInside({0, 0}, 0.5), 2);
  ASSERT_EQ(CountInside({0, 0}, 1), 3);
  ASSERT_EQ(CountInside({0, 0}, 1.2), 4);
  ASSERT_EQ(CountInside({0, 0}, 2), 5);
  for (bool header : {false, true}) {
    SCOPED_TRACE(header ? "with header" : "without header");
    const std::string data =
        WriteFile(header ? "samples_header.csv" : "samples.csv", SamplesCsv(header));
    ExpectCountsFromSamples(RunSweep({"--data=" + data, "--widths=0.5,1,1.2,2"}), {0, 0},
                            {0.5, 1, 1.2, 2});
    ExpectCountsFromSamples(RunSweep({"--data=" + data, "--widths=0.5,1,2", "--point=0.5,0.5"}),
                            {0.5, 0.5}, {0.5, 1, 2});
  }
}

TEST(SweepToolTest, RelativeDataPathIsTakenFromBuildWorkingDirectory) {
  const std::string name = "relative_samples.csv";
  WriteFile(name, SamplesCsv(/*header=*/true));
  const Outcome outcome =
      RunSweep({"--data=" + name, "--widths=0.5,1"}, {"BUILD_WORKING_DIRECTORY=" + TestTmpDir()});
  ExpectCountsFromSamples(outcome, {0, 0}, {0.5, 1});
  EXPECT_THAT(outcome.out, HasSubstr(absl::StrCat("from ", TestTmpDir(), "/", name)));

  // Without the variable the name means the child's own directory, where there is no file:
  // it was the variable that found it above.
  ExpectCleanFailure({"--data=" + name}, absl::StrCat("cannot open data file '", name, "'"));
}

// --- Tables that mean something ---

TEST(SweepToolTableTest, TheReadmesTableIsUnchanged) {
  const Outcome outcome = RunSweep({});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  for (const char* line :
       {"parsweep: kernel parzen_hypercube, executor serial, 12 widths, 1 task\n"
        "data: 10000 samples of N(mean 0, cov I) in 2-D, seed 123\n"
        "plan: 1 task (auto: one worker)\n\n"
        "point (0, 0), true density 0.159154943\n"
        "     width    count k       density      expected          true  tutorial k/(n*h)\n"
        "       0.1         16   0.160000000   0.159022391   0.159154943       0.016000000\n"
        "       0.2         59   0.147500000   0.158625662   0.159154943       0.029500000\n",
        "\n       1.2       2113   0.146736111   0.141560152   0.159154943       0.176083333\n"
        "closest to the true density: h = 0.7 (density 0.159795918, error +6.41e-04)\n"}) {
    EXPECT_THAT(outcome.out, HasSubstr(line));
  }
}

// The footer explains the columns in the words of the kernel that made them: the Gaussian
// kernel's expected column once came with the hypercube's P(sample in window) / h^d.
TEST(SweepToolTableTest, TheFooterExplainsTheColumnsInTheKernelsOwnWords) {
  const Outcome hypercube = RunSweep({"--widths=0.5,1"});
  ASSERT_TRUE(ExitedWith(hypercube, 0)) << Describe(hypercube);
  EXPECT_THAT(hypercube.out,
              HasSubstr("\ndensity: the tutorial's hypercube window of side h: p = k / (n h^d).\n"
                        "The tutorial divides by h instead of h^d: its column is the density "
                        "times h^(d-1) (h times the density in 2-D).\nexpected = what the "
                        "estimator averages to for this Gaussian,\n  P(sample in the cube of "
                        "side h centred at x) / h^d, a multivariate normal rectangle "
                        "probability;\n  expected - true is its bias at that width.\n"));

  const Outcome gaussian = RunSweep({"--kernel=parzen_gaussian", "--widths=0.5,1"});
  ASSERT_TRUE(ExitedWith(gaussian, 0)) << Describe(gaussian);
  EXPECT_THAT(gaussian.out,
              HasSubstr("\nexpected = what the estimator averages to for this Gaussian,\n  "
                        "N(x; mu, Sigma + h^2 I), the source's density convolved with the "
                        "kernel N(0, h^2 I);\n  expected - true is its bias at that width.\n"));
  for (const char* word : {"P(sample", "cube", "count", "inside", "tutorial", "k / (n"}) {
    EXPECT_THAT(gaussian.out, Not(HasSubstr(word))) << gaussian.out;
  }
}

// Tiny widths on tightly packed data: densities near 1e199, once printed with 200 digits.
TEST(SweepToolTableTest, HugeValuesArePrintedInScientificNotation) {
  const Outcome outcome = RunSweep({"--cov=1e-200,1e-200", "--widths=1e-100,2e-100"});
  ASSERT_TRUE(ExitedWith(outcome, 0)) << Describe(outcome);
  EXPECT_THAT(outcome.out, HasSubstr("point (0, 0), true density 1.591549e+199\n"));
  EXPECT_THAT(outcome.out,
              HasSubstr("\n    1e-100       1521 1.521000e+199 1.466315e+199 1.591549e+199"));
  for (absl::string_view line : absl::StrSplit(outcome.out, '\n')) {
    EXPECT_LE(line.size(), 160u) << line;
  }
}

// Far from the data every density is 0 (and the true density too, to a double): no width is
// closest, in the table or in JSON.
TEST(SweepToolTableTest, NoWidthIsClosestWhenEveryDensityIsZero) {
  const Outcome table = RunSweep({"--point=50,50"});
  ASSERT_TRUE(ExitedWith(table, 0)) << Describe(table);
  EXPECT_THAT(table.out, HasSubstr("\nclosest to the true density: none ("));
  EXPECT_THAT(table.out, Not(HasSubstr("closest to the true density: h =")));
  const Outcome json = RunSweep({"--point=50,50", "--format=json"});
  ASSERT_TRUE(ExitedWith(json, 0)) << Describe(json);
  EXPECT_THAT(json.out, HasSubstr("\"selections\": []"));
  // Nearer, the true density is positive but every estimate is still 0.
  const Outcome near = RunSweep({"--point=6,6"});
  EXPECT_THAT(near.out, HasSubstr("closest to the true density: none (every width's density "
                                  "is 0 here"));
}

// --- Precision of the window test ---

// With mean 1e16 doubles are 2 apart, and h = 0.1 keeps no bit of |x_j - s_j| <= h/2: the
// densities are wrong, and the tool says so on stderr and in the JSON report.
TEST(SweepToolPrecisionTest, DataWhoseMagnitudeDefeatsTheWindowTestIsWarnedAbout) {
  const std::string warning =
      "sweep: warning: the data's coordinates reach 1e+16 in magnitude, where doubles are 2 "
      "apart: the window test |x_j - s_j| <= h/2 keeps -4.3 significant bits for h = 0.1 "
      "(fewer than 10), so the densities of widths below 2048 are unreliable";
  const Outcome table = RunSweep({"--mean=1e16,1e16", "--point=1e16,1e16"});
  ASSERT_TRUE(ExitedWith(table, 0)) << Describe(table);
  EXPECT_THAT(table.err, StartsWith(warning));
  const Outcome json = RunSweep({"--mean=1e16,1e16", "--point=1e16,1e16", "--format=json"});
  ASSERT_TRUE(ExitedWith(json, 0)) << Describe(json);
  EXPECT_THAT(json.out, HasSubstr("\"warnings\": [\n  \"the data's coordinates reach 1e+16"));
  // Windows wide enough keep their bits: no warning.
  const Outcome wide = RunSweep({"--mean=1e16,1e16", "--point=1e16,1e16", "--widths=4096"});
  ASSERT_TRUE(ExitedWith(wide, 0)) << Describe(wide);
  EXPECT_EQ(wide.err, "");
  const Outcome usual = RunSweep({"--format=json"});
  EXPECT_THAT(usual.out, HasSubstr("\"warnings\": []"));
}

// --- Every flag validated ---

// The flags tools/sweep_main.cc defines that take a value, from --helpfull (so that a flag
// added later is covered): every entry "--name (help); default: value;" whose default is
// not a boolean's.
std::vector<std::string> FlagsTakingAValue() {
  const Outcome help = RunSweep({"--helpfull"});
  const size_t start = help.out.find("Flags from tools/sweep_main.cc:");
  EXPECT_NE(start, std::string::npos) << Describe(help);
  if (start == std::string::npos) return {};
  const size_t end = help.out.find("Flags from", start + 1);
  std::vector<std::string> entries;  // One flag's text each.
  for (absl::string_view line : absl::StrSplit(
           absl::string_view(help.out).substr(start, end == std::string::npos ? end : end - start),
           '\n')) {
    if (absl::StartsWith(line, "    --")) entries.emplace_back();
    if (!entries.empty())
      absl::StrAppend(&entries.back(), absl::StripLeadingAsciiWhitespace(line), " ");
  }
  std::vector<std::string> names;
  for (const std::string& entry : entries) {
    const std::string name = entry.substr(2, entry.find(' ') - 2);
    const bool is_bool =
        absl::EndsWith(entry, "default: false; ") || absl::EndsWith(entry, "default: true; ");
    if (!is_bool) names.push_back(name);
  }
  return names;
}

TEST(SweepToolFlagsTest, EveryFlagThatTakesAValueRefusesAnEmptyOne) {
  const std::vector<std::string> flags = FlagsTakingAValue();
  // The ones whose empty value used to mean "the default" quietly, at least.
  for (const char* flag : {"widths", "n", "executor", "compare", "mean", "cov", "point", "plot",
                           "select", "algorithm", "repeat", "seed", "workers"}) {
    EXPECT_THAT(flags, ::testing::Contains(flag));
  }
  EXPECT_GE(flags.size(), 25u);
  for (const std::string& flag : flags) {
    ExpectCleanFailure({"--" + flag + "="},
                       "--" + flag + " has an empty value; give a value, or leave the flag out");
  }
  ExpectCleanFailure({"--widths", ""}, "--widths has an empty value");
  ExpectCleanFailure({"--point= "}, "--point has an empty value");
}

TEST(SweepToolFlagsTest, AFlagGivenTwiceIsAnError) {
  ExpectCleanFailure({"--n=5", "--widths=1", "--n=6"},
                     "--n is given twice (--n=5 and --n=6); give it once");
  ExpectCleanFailure({"--list", "--list"}, "--list is given twice");
}

TEST(SweepToolFlagsTest, RepeatBelongsToCompareAndIsBounded) {
  ExpectCleanFailure({"--repeat=0"}, "--repeat sets the timed runs of --compare");
  ExpectCleanFailure({"--repeat=3"}, "without --compare there is nothing to repeat");
  ExpectCleanFailure({"--compare=serial", "--repeat=0"}, "--repeat=0: must be from 1 to 1000");
  ExpectCleanFailure({"--compare=serial", "--repeat=-2"}, "--repeat=-2: must be from 1 to 1000");
  ExpectCleanFailure({"--compare=serial", "--repeat=1001"},
                     "--repeat=1001: must be from 1 to 1000");
}

TEST(SweepToolFlagsTest, NumbersThatOverflowSaySo) {
  ExpectCleanFailure({"--mean=1e400,0"}, "--mean: '1e400' overflows a double");
  ExpectCleanFailure({"--cov=1,-1e400"}, "--cov: '-1e400' overflows a double");
  ExpectCleanFailure({"--widths=1:1e400:3"}, "'1e400' overflows a double");
  ExpectCleanFailure({"--point=0,1e999"}, "--point: '1e999' overflows a double");
  ExpectCleanFailure({"--grid=0:1e400:3"}, "'1e400' overflows a double");
  // The ends are finite; the spacing between them is not.
  ExpectCleanFailure({"--grid=-1e308:1e308:3"},
                     "grid axis 1 (-1e+308 to 1e+308, 3 values): its spacing overflows a double");
  ExpectCleanFailure({"--grid=-1e308:0.7e308:4"}, "its spacing overflows a double");
  ExpectCleanFailure({"--widths=inf"}, "'inf' is not finite");
}

TEST(SweepToolFlagsTest, RepeatedEntriesAreErrors) {
  ExpectCleanFailure({"--widths=0.1,0.2,0.1"}, "--widths='0.1,0.2,0.1' lists 0.1 twice");
  ExpectCleanFailure({"--widths=1:1.0000000000000002:5"},
                     "gives the width 1 more than once: the range is too narrow");
  ExpectCleanFailure({"--grid=0:0:3"}, "grid axis 1 (0 to 0, 3 values): the value 0 repeats");
  ExpectCleanFailure({"--select=scott,scott"}, "--select='scott,scott' lists 'scott' twice");
  ExpectCleanFailure({"--select=scott,,loo_cv"}, "--select='scott,,loo_cv': entry 2 is empty");
  ExpectCleanFailure({"--compare=serial,,threads:2"},
                     "--compare='serial,,threads:2': entry 2 is empty");
  ExpectCleanFailure({"--compare=threads:2,threads:2"}, "lists 'threads:2' twice");
  ExpectCleanFailure({"--kernel_options=algorithm=naive,algorithm=fused"},
                     "--kernel_options sets algorithm twice");
  ExpectCleanFailure({"--kernel_options=algorithm=naive,"}, "entry 2 is empty");
  ExpectCleanFailure({"--algorithm=naive", "--kernel_options=algorithm=fused"},
                     "--algorithm and --kernel_options=algorithm=... both set algorithm");
  ExpectCleanFailure(
      {"--executor=process", "--start_method=fork", "--executor_options=start_method=spawn"},
      "--start_method and --executor_options=start_method=... both set");
}

TEST(SweepToolFlagsTest, AShortFormThatNoComparedExecutorTakesIsAnError) {
  ExpectCleanFailure({"--compare=serial,threads:2", "--max_retries=1"},
                     "--max_retries applies to none of the executors of "
                     "--compare='serial,threads:2'");
}

// --- Output is never silently lost ---

// Runs the tool with its standard output on `stdout_fd`.
Outcome RunSweepWithStdout(int stdout_fd, const std::vector<std::string>& args) {
  SweepToolProcess process(args, {}, nullptr, stdout_fd);
  return process.Finish(absl::Seconds(60));
}

// The names in `dir` but "." and "..", sorted: a temporary file left behind shows here.
std::vector<std::string> DirectoryEntries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string NewDirectory(const std::string& name) {
  const std::string dir = absl::StrCat(TestTmpDir(), "/", name);
  mkdir(dir.c_str(), 0755);
  return dir;
}

TEST(SweepToolOutputTest, AFullDiskUnderStandardOutputIsAnErrorWithItsCause) {
  const int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(full, 0) << "the test needs /dev/full";
  const Outcome list = RunSweepWithStdout(full, {"--list"});
  EXPECT_TRUE(ExitedWith(list, 1)) << Describe(list);
  EXPECT_EQ(list.err,
            "sweep: error: cannot write the list to standard output: No space left on device\n");
  const Outcome report = RunSweepWithStdout(full, {"--widths=0.5", "--format=csv"});
  EXPECT_TRUE(ExitedWith(report, 1)) << Describe(report);
  EXPECT_EQ(report.err,
            "sweep: error: cannot write the report to standard output: No space left on device\n");
  close(full);
}

// `sweep | head -1`: the reader has gone. No message (the reader chose to stop), status 141
// as for a filter killed by SIGPIPE, and the chart the user asked for is still written.
TEST(SweepToolOutputTest, AReaderThatHasGoneEndsQuietlyWith141AfterWritingTheCharts) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  close(fds[0]);
  const std::string chart = NewDirectory("epipe") + "/density.svg";
  const Outcome outcome = RunSweepWithStdout(fds[1], {"--plot=" + chart});
  close(fds[1]);
  EXPECT_TRUE(ExitedWith(outcome, 141)) << Describe(outcome);
  EXPECT_EQ(outcome.err, "wrote " + chart + "\n");
  EXPECT_THAT(ReadWholeFile(chart), StartsWith("<svg "));
}

// A chart that cannot be written is an error; the link the user gave stays, and the report
// is printed all the same.
TEST(SweepToolOutputTest, AFailedChartWriteKeepsTheSymlinkAndTheReport) {
  const std::string link = NewDirectory("chart_link") + "/chart.svg";
  unlink(link.c_str());
  ASSERT_EQ(symlink("/dev/full", link.c_str()), 0);
  const Outcome outcome = RunSweep({"--widths=0.5", "--plot=" + link});
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_EQ(outcome.err, "sweep: error: cannot write '" + link + "': No space left on device\n");
  EXPECT_THAT(outcome.out, HasSubstr("\n       0.5        404   0.161600000"));
  struct stat st;
  ASSERT_EQ(lstat(link.c_str(), &st), 0) << "the tool deleted the link it was given";
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

// FileSizeLimit sets the tool's RLIMIT_FSIZE (ulimit -f) to `bytes`, in its child, before exec.
ChildSetup FileSizeLimit(rlim_t bytes) {
  return [bytes] {
    rlimit limit;
    if (getrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
    limit.rlim_cur = bytes;
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
  };
}

// A chart write that fails part way (here past RLIMIT_FSIZE, as on a full disk) leaves the
// chart that was there, and no temporary file.
TEST(SweepToolOutputTest, AFailedChartWriteLeavesTheOldChartAndNoTemporaryFile) {
  const std::string dir = NewDirectory("chart_too_large");
  const std::string chart = dir + "/density.svg";
  std::ofstream(chart) << "the user's old chart";
  // A chart is several kilobytes. SIGXFSZ keeps its default action (death): the tool takes
  // it and reports the limit.
  SweepToolProcess process({"--widths=0.5", "--plot=" + chart}, {}, FileSizeLimit(1000));
  const Outcome outcome = process.Finish(absl::Seconds(60));
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_EQ(outcome.err, "sweep: error: cannot write '" + chart +
                             "': File too large (the file size limit, ulimit -f, is 1000 "
                             "bytes)\n");
  EXPECT_EQ(ReadWholeFile(chart), "the user's old chart");
  EXPECT_THAT(DirectoryEntries(dir), ElementsAre("density.svg"));
}

// A termination signal (Ctrl-C, or mpirun's SIGTERM when another rank dies) that comes while
// the result is being written waits until all of it is: standard output holds the whole
// result or nothing, never a part. Here the reader is slow (the pipe is full, the tool
// blocked in write) when SIGTERM comes; then it reads everything.
TEST(SweepToolOutputTest, ATerminationSignalDuringTheWriteWaitsForTheWholeResult) {
  const std::vector<std::string> args = {"--widths=0.1:1.2:20000", "--format=csv"};
  const Outcome whole = RunSweep(args);
  ASSERT_TRUE(ExitedWith(whole, 0)) << Describe(whole);
  ASSERT_GT(whole.out.size(), size_t{1} << 20);  // Far more than a pipe holds.
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  SweepToolProcess process(args, {}, nullptr, fds[1]);
  close(fds[1]);
  // The pipe is full once the tool is writing the result and blocked: no byte is read yet.
  int queued = 0;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while ((ioctl(fds[0], FIONREAD, &queued) != 0 || queued < 65536) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_GE(queued, 65536) << "the tool never filled the pipe";
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  absl::SleepFor(absl::Milliseconds(100));  // Time for a tool that obeys at once to do so.
  std::string got;
  char buffer[65536];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof(buffer))) > 0) got.append(buffer, n);
  close(fds[0]);
  const Outcome outcome = process.Finish(absl::Seconds(60));
  EXPECT_TRUE(ExitedWith(outcome, 128 + SIGTERM)) << Describe(outcome);
  EXPECT_EQ(got.size(), whole.out.size());
  EXPECT_TRUE(got == whole.out) << "the result on standard output was cut short";
}

// Standard output redirected to a file past the file size limit: the report is not cut
// short silently (nor does SIGXFSZ kill the tool): the write fails, naming the limit.
TEST(SweepToolOutputTest, StandardOutputPastTheFileSizeLimitIsAnErrorNamingIt) {
  const std::string dir = NewDirectory("stdout_too_large");
  const std::string path = dir + "/report.csv";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  SweepToolProcess process({"--widths=0.1:1.2:100", "--format=csv"}, {}, FileSizeLimit(1000), fd);
  close(fd);
  const Outcome outcome = process.Finish(absl::Seconds(60));
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_EQ(outcome.err,
            "sweep: error: cannot write the report to standard output: File too large (the file "
            "size limit, ulimit -f, is 1000 bytes)\n");
}

TEST(SweepToolOutputTest, AChartPathThatCannotBeWrittenIsRefusedBeforeTheSweep) {
  const std::string missing = TestTmpDir() + "/no such dir";
  ExpectCleanFailure({"--plot=" + missing + "/x.svg"}, "cannot write '" + missing +
                                                           "/x.svg': directory '" + missing +
                                                           "': No such file or directory");
  ExpectCleanFailure({"--compare=serial", "--plot=" + TestTmpDir()},
                     "the name must end in .svg or .png");
}

// A chart whose values it cannot show is an error, not an SVG saying so; the report is
// printed.
TEST(SweepToolOutputTest, AChartThatCannotBeDrawnIsAnError) {
  const std::string chart = NewDirectory("chart_huge") + "/density.svg";
  const Outcome outcome = RunSweep({"--cov=1e-200,1e-200", "--widths=1e-100", "--plot=" + chart});
  EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
  EXPECT_THAT(outcome.err, StartsWith("sweep: error: cannot draw the density chart for '" + chart +
                                      "': line chart: "));
  EXPECT_THAT(outcome.out, HasSubstr("point (0, 0)"));
  struct stat st;
  EXPECT_NE(stat(chart.c_str(), &st), 0);
}

}  // namespace
}  // namespace parsweep
