// The knn kernel: exact agreement with a numpy brute-force reference (every distance computed
// and sorted), the same bits on every executor and split, and its defined cases: ties, k > n,
// r_k = 0, widths that are no k, held-out estimates, and corrupt partials.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/knn/nearest_distances.h"
#include "runtime/data/data_file_testing.h"
#include "runtime/data/matrix.h"
#include "runtime/data/npy_reader.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/kernel.h"
#include "runtime/stats/bandwidth_selection.h"
#include "runtime/stats/python_reference.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// As in testdata/knn_reference.py.
const std::vector<double> kKs = {1, 2, 3, 4, 5, 7, 10, 20, 50, 200};
const std::vector<double> kHeldOutKs = {1, 2, 3, 4, 5, 7, 10, 20, 50, 199};
const std::vector<uint64_t> kHeldOutRows = {0, 5, 199};

std::unique_ptr<Kernel> MakeKnn() {
  KernelSpec spec;
  spec.set_name("knn");
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = Registry<Kernel>::Global().Create(spec);
  EXPECT_TRUE(kernel.ok()) << kernel.status();
  return *std::move(kernel);
}

Matrix Rows(const std::vector<std::vector<double>>& rows) {
  Matrix m(rows.size(), rows.front().size());
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].size(); ++j) m(i, j) = rows[i][j];
  }
  return m;
}

// The reference's estimates, by (kind, case, point or row, k): (density, log density).
using ReferenceKey = std::tuple<std::string, std::string, uint64_t, uint64_t>;
using ReferenceMap = std::map<ReferenceKey, std::pair<double, double>>;

// Runs the reference once per test binary; its files are in the test's temporary directory.
const ReferenceMap& Reference() {
  static const ReferenceMap* reference = [] {
    auto* map = new ReferenceMap;
    absl::StatusOr<std::string> out =
        RunPythonScript("kernels/knn/testdata/knn_reference.py", {TestFilePath("")});
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return map;
    for (absl::string_view line : absl::StrSplit(*out, '\n', absl::SkipEmpty())) {
      const std::vector<std::string> f = absl::StrSplit(line, ' ');
      uint64_t at = 0, k = 0;
      double density = 0, log_density = 0;
      const bool parsed = f.size() == 6 && absl::SimpleAtoi(f[2], &at) &&
                          absl::SimpleAtoi(f[3], &k) && absl::SimpleAtod(f[4], &density) &&
                          absl::SimpleAtod(f[5], &log_density);
      EXPECT_TRUE(parsed) << "bad reference line '" << line << "'";
      (*map)[{f[0], f[1], at, k}] = {density, log_density};
    }
    return map;
  }();
  return *reference;
}

ExecutorSpec Serial() {
  ExecutorSpec spec;
  spec.set_name("serial");
  return spec;
}

// A sweep of the reference's case `name` (its samples; its points unless held out).
SweepSpec CaseSpec(const std::string& name, const std::vector<double>& ks) {
  EXPECT_FALSE(Reference().empty());
  SweepSpec spec;
  spec.mutable_kernel()->set_name("knn");
  for (double k : ks) spec.add_widths(k);
  spec.mutable_data()->mutable_file()->set_path(TestFilePath(name + "_samples.npy"));
  absl::StatusOr<Matrix> points = ReadNpyMatrix(TestFilePath(name + "_points.npy"));
  EXPECT_TRUE(points.ok()) << points.status();
  for (size_t p = 0; points.ok() && p < points->rows(); ++p) {
    const absl::Span<const double> row = points->row(p);
    *spec.add_points()->mutable_coords() = {row.begin(), row.end()};
  }
  *spec.mutable_executor() = Serial();
  return spec;
}

absl::StatusOr<Report> RunKnnSweep(const SweepSpec& spec) {
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(spec.executor());
  if (!executor.ok()) return executor.status();
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  if (!sweep.ok()) return sweep.status();
  return RunSweep(**sweep, **executor);
}

TEST(KnnTest, EqualsTheNumpyBruteForceReferenceExactly) {
  for (const std::string name : {"d1", "d2", "d5"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<Report> report = RunKnnSweep(CaseSpec(name, kKs));
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_EQ(report->results_size(), 7 * static_cast<int>(kKs.size()));
    int infinite = 0;
    for (const WidthResult& r : report->results()) {
      const auto want =
          Reference().find({"density", name, r.point_index(), static_cast<uint64_t>(r.width())});
      ASSERT_NE(want, Reference().end()) << "point " << r.point_index() << " k " << r.width();
      EXPECT_EQ(r.density(), want->second.first)
          << "point " << r.point_index() << " k " << r.width();
      EXPECT_EQ(r.log_density(), want->second.second)
          << "point " << r.point_index() << " k " << r.width();
      infinite += r.density() == kInfinity;
    }
    // Point 0 has three samples on it, point 3 is a sample: r_k = 0 is among the cases.
    EXPECT_GE(infinite, 4);
  }
}

TEST(KnnTest, HeldOutEstimatesEqualTheReferenceWithoutTheirSample) {
  for (const std::string name : {"d1", "d2", "d5"}) {
    SCOPED_TRACE(name);
    SweepSpec spec = CaseSpec(name, kHeldOutKs);
    spec.clear_points();
    for (uint64_t row : kHeldOutRows) spec.mutable_held_out()->add_rows(row);
    absl::StatusOr<Report> report = RunKnnSweep(spec);
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_EQ(report->results_size(), 3 * static_cast<int>(kHeldOutKs.size()));
    for (const WidthResult& r : report->results()) {
      const uint64_t row = kHeldOutRows[r.point_index()];
      const auto want = Reference().find({"heldout", name, row, static_cast<uint64_t>(r.width())});
      ASSERT_NE(want, Reference().end());
      EXPECT_EQ(r.density(), want->second.first) << "row " << row << " k " << r.width();
      EXPECT_EQ(r.log_density(), want->second.second) << "row " << row << " k " << r.width();
    }
  }
}

// The promise: how a sweep is run never changes its answer. The 2-D case (ties, r_k = 0)
// on every executor, cut by widths and by samples into several chunk sizes.
TEST(KnnTest, EveryExecutorAndSplitGivesSerialsBits) {
  const absl::StatusOr<Report> reference = RunKnnSweep(CaseSpec("d2", kKs));
  ASSERT_TRUE(reference.ok()) << reference.status();
  std::vector<ExecutorSpec> executors = {Serial()};
  for (const char* name : {"threads", "process", "process"}) {
    ExecutorSpec spec;
    spec.set_name(name);
    spec.set_workers(2);
    executors.push_back(spec);
  }
  (*executors[3].mutable_params())["start_method"] = "spawn";
  for (ExecutorSpec executor : executors) {
    for (const auto& [split, chunk] : std::vector<std::pair<Split, uint64_t>>{{SPLIT_WIDTHS, 1},
                                                                              {SPLIT_WIDTHS, 3},
                                                                              {SPLIT_WIDTHS, 0},
                                                                              {SPLIT_SAMPLES, 1},
                                                                              {SPLIT_SAMPLES, 37},
                                                                              {SPLIT_SAMPLES, 0},
                                                                              {SPLIT_AUTO, 0}}) {
      executor.set_split(split);
      executor.set_chunk(chunk);
      SCOPED_TRACE(executor.ShortDebugString());
      SweepSpec spec = CaseSpec("d2", kKs);
      *spec.mutable_executor() = executor;
      const absl::StatusOr<Report> report = RunKnnSweep(spec);
      ASSERT_TRUE(report.ok()) << report.status();
      ASSERT_EQ(report->results_size(), reference->results_size());
      for (int i = 0; i < report->results_size(); ++i) {
        EXPECT_EQ(report->results(i).SerializeAsString(), reference->results(i).SerializeAsString())
            << "result " << i;
      }
    }
  }
}

// The estimates of `kernel` at `point` from `samples` for `ks`, or the error.
absl::StatusOr<std::vector<WidthResult>> EstimateAt(const Kernel& kernel, const Matrix& samples,
                                                    std::vector<double> point,
                                                    const std::vector<double>& ks) {
  const std::unique_ptr<Partial> partial = kernel.NewPartial(1, ks.size());
  const absl::Status accumulated = kernel.Accumulate(
      samples.View(), ConstMatrixView(point.data(), 1, point.size()), ks, *partial);
  if (!accumulated.ok()) return accumulated;
  std::vector<WidthResult> messages(ks.size());
  std::vector<WidthResult*> pointers;
  const absl::Status estimated = kernel.Estimate(*partial, samples.rows(), samples.cols(), ks,
                                                 WidthResults::Of(messages, pointers));
  if (!estimated.ok()) return estimated;
  return messages;
}

// Four samples at distance 1 and one at 2: r_1 = ... = r_4 = 1 and r_5 = 2, as sorting every
// distance gives (ties count one by one).
TEST(KnnTest, TiedDistancesCountOneByOne) {
  const Matrix samples = Rows({{1, 0}, {0, 1}, {2, 0}, {-1, 0}, {0, -1}});
  absl::StatusOr<std::vector<WidthResult>> results =
      EstimateAt(*MakeKnn(), samples, {0, 0}, {1, 2, 3, 4, 5});
  ASSERT_TRUE(results.ok()) << results.status();
  for (int k = 1; k <= 4; ++k) {
    EXPECT_DOUBLE_EQ((*results)[k - 1].density(), k / (5 * M_PI)) << "k = " << k;
  }
  EXPECT_DOUBLE_EQ((*results)[4].density(), 5 / (5 * M_PI * 4));
}

// k or more samples exactly at the point: r_k = 0 and the density is +infinity, its log too.
TEST(KnnTest, SamplesOnThePointGiveAnInfiniteDensityUpToTheirNumber) {
  const Matrix samples = Rows({{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}, {1.5, 0.5}});
  absl::StatusOr<std::vector<WidthResult>> results =
      EstimateAt(*MakeKnn(), samples, {0.5, 0.5}, {1, 3, 4});
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].density(), kInfinity);
  EXPECT_EQ((*results)[0].log_density(), kInfinity);
  EXPECT_EQ((*results)[1].density(), kInfinity);
  EXPECT_DOUBLE_EQ((*results)[2].density(), 4 / (4 * M_PI));
}

TEST(KnnTest, AKAboveNIsAnErrorNamingKAndN) {
  const Matrix samples = Rows({{0}, {1}, {2}});
  absl::StatusOr<std::vector<WidthResult>> results = EstimateAt(*MakeKnn(), samples, {0}, {1, 4});
  EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(results.status().message(), HasSubstr("k = 4 but there are only n = 3 samples"));
  // Through a sweep, whose message names the kernel; held out, k = n has n - 1 others.
  SweepSpec spec = CaseSpec("d1", {1, 201});
  absl::StatusOr<Report> report = RunKnnSweep(spec);
  EXPECT_THAT(report.status().message(), HasSubstr("kernel 'knn'"));
  EXPECT_THAT(report.status().message(), HasSubstr("k = 201 but there are only n = 200"));
  spec = CaseSpec("d1", {200});
  spec.clear_points();
  spec.mutable_held_out()->add_rows(0);
  EXPECT_THAT(RunKnnSweep(spec).status().message(),
              HasSubstr("k = 200 but a held-out sample has only 199 other samples"));
}

TEST(KnnTest, AWidthThatIsNoKIsRefusedNamingIt) {
  const Matrix samples = Rows({{0}, {1}, {2}});
  for (double width : {1.5, 0.25, 2e7}) {
    absl::StatusOr<std::vector<WidthResult>> results =
        EstimateAt(*MakeKnn(), samples, {0}, {1, width});
    EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument) << width;
    EXPECT_THAT(results.status().message(),
                HasSubstr(absl::StrCat("width ", width, " is not a k")));
  }
  // Through a sweep: at its first task, with the kernel's name.
  absl::StatusOr<Report> report = RunKnnSweep(CaseSpec("d1", {1, 2.5}));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(report.status().message(), HasSubstr("kernel 'knn' failed on task"));
  EXPECT_THAT(report.status().message(), HasSubstr("width 2.5 is not a k"));
}

// The rules of thumb give bandwidths, which are no k: a clear refusal, not a nonsense k.
TEST(KnnTest, RulesOfThumbRefuseAndLeaveOneOutRuns) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(CaseSpec("d2", {1, 5, 10}));
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  std::unique_ptr<Executor> executor = Registry<Executor>::Global().Create(Serial()).value();
  const absl::StatusOr<Selection> scott =
      SelectBandwidth(BandwidthMethod::kScott, **sweep, *executor);
  EXPECT_EQ(scott.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(scott.status().message(),
              HasSubstr("kernel 'knn' has no width equivalent to one: the rule does not apply"));
  const absl::StatusOr<Selection> loo =
      SelectBandwidth(BandwidthMethod::kLooCv, **sweep, *executor);
  ASSERT_TRUE(loo.ok()) << loo.status();
  EXPECT_THAT(std::vector<double>({1, 5, 10}), ::testing::Contains(loo->width()));
}

// The k_max + 1 smallest of many samples, found through many compactions of the candidates,
// over two Adds into the same partial and for more points than one group, equal every
// distance sorted: in 2-D (which has an AVX2 path) and 3-D, on every path.
TEST(KnnTest, ThePassKeepsExactlyTheSmallestDistances) {
  for (size_t dims : {2, 3}) {
    std::mt19937_64 random(5);
    std::normal_distribution<double> normal;
    Matrix samples(20000, dims);
    for (size_t i = 0; i < samples.rows(); ++i) {
      for (size_t j = 0; j < dims; ++j)
        samples(i, j) = std::round(normal(random) * 4) / 4;  // Ties.
    }
    // Eleven points: a group of eight passes over the samples together, then three.
    Matrix points(11, dims);
    for (size_t p = 0; p < points.rows(); ++p) {
      for (size_t j = 0; j < dims; ++j) points(p, j) = normal(random);
    }
    for (Isa isa : {Isa::kPortable, Isa::kAvx2}) {
      if (!IsaRuns(isa)) {
        GTEST_LOG_(INFO) << "this CPU does not run an instruction-set path: skipped";
        continue;
      }
      for (size_t kept : {1, 2, 6, 101}) {
        NearestDistances nearest(points.rows());
        nearest.SetKept(kept);
        nearest.Add(samples.Rows(0, 7001), points.View(), isa);
        nearest.Add(samples.Rows(7001, 20000), points.View(), isa);
        for (size_t p = 0; p < points.rows(); ++p) {
          std::vector<double> squared;
          for (size_t i = 0; i < samples.rows(); ++i) {
            double sum = 0;
            for (size_t j = 0; j < dims; ++j)
              sum += (points(p, j) - samples(i, j)) * (points(p, j) - samples(i, j));
            squared.push_back(sum);
          }
          std::sort(squared.begin(), squared.end());
          squared.resize(kept);
          const absl::Span<const double> got = nearest.point(p);
          EXPECT_EQ(std::vector<double>(got.begin(), got.end()), squared)
              << "kept " << kept << ", " << dims << "-D";
        }
      }
    }
  }
}

// Partials over three sample blocks merge, in every order, into the whole pass's bytes.
TEST(KnnTest, PartialsMergeInAnyOrderIntoTheWholePass) {
  const Matrix samples = Rows({{0}, {3}, {1}, {1}, {-2}, {5}, {1}, {0.5}});
  const Matrix points = Rows({{0.9}, {4}});
  NearestDistances whole(2);
  whole.SetKept(5);
  whole.Add(samples.View(), points.View());
  std::vector<std::string> parts;
  for (auto [begin, end] : {std::pair{0, 3}, {3, 4}, {4, 8}}) {
    NearestDistances part(2);
    part.SetKept(5);
    part.Add(samples.Rows(begin, end), points.View());
    parts.push_back(part.Serialize());
  }
  std::vector<int> order = {0, 1, 2};
  do {
    NearestDistances merged(2);
    ASSERT_TRUE(merged.Parse(parts[order[0]]).ok());
    for (int i : {order[1], order[2]}) {
      NearestDistances next(2);
      ASSERT_TRUE(next.Parse(parts[i]).ok());
      ASSERT_TRUE(merged.Merge(next).ok());
    }
    EXPECT_EQ(merged.Serialize(), whole.Serialize());
  } while (std::next_permutation(order.begin(), order.end()));
  // From 4 the distances are 1, 1, 3, 3, 3, 3.5, 4, 6: the fifth, counting ties one by
  // one, is 3.
  EXPECT_EQ(whole.point(1)[4], 9);
}

TEST(KnnTest, CorruptPartialBytesAreDataLossNeverACrash) {
  NearestDistances made(2);
  made.SetKept(3);
  made.Add(Rows({{0}, {1}, {2}, {3}}).View(), Rows({{0}, {1}}).View());
  const std::string good = made.Serialize();
  NearestDistances parsed(2);
  ASSERT_TRUE(parsed.Parse(good).ok());
  EXPECT_EQ(parsed.Serialize(), good);
  // Every truncation, and one byte more.
  for (size_t size = 0; size < good.size(); ++size) {
    EXPECT_EQ(parsed.Parse(good.substr(0, size)).code(), absl::StatusCode::kDataLoss) << size;
  }
  EXPECT_EQ(parsed.Parse(good + '\0').code(), absl::StatusCode::kDataLoss);
  // A count of kept distances that is 0, too large, or does not match the size.
  for (uint64_t kept : {uint64_t{0}, uint64_t{2}, uint64_t{1} << 61, ~uint64_t{0}}) {
    std::string bytes = good;
    std::memcpy(bytes.data(), &kept, sizeof(kept));
    EXPECT_EQ(parsed.Parse(bytes).code(), absl::StatusCode::kDataLoss) << kept;
  }
  // Distances that are NaN, negative or out of order.
  for (double bad : {std::nan(""), -1.0, 100.0}) {
    std::string bytes = good;
    std::memcpy(bytes.data() + 8, &bad, sizeof(bad));  // Point 1's nearest.
    const absl::Status status = parsed.Parse(bytes);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << bad;
    EXPECT_THAT(status.message(), HasSubstr("not an ascending squared distance"));
  }
  // A failed Parse leaves the partial as it was.
  EXPECT_EQ(parsed.Serialize(), good);
  // Merging another shape is refused.
  NearestDistances other(2);
  other.SetKept(4);
  EXPECT_EQ(parsed.Merge(other).code(), absl::StatusCode::kInvalidArgument);
  // A partial that keeps fewer distances than a k asks for (corrupt, or not this cell's).
  std::vector<WidthResult> messages(2);
  std::vector<WidthResult*> pointers;
  const std::vector<double> ks = {4};  // Needs 4 kept (k = 4 of n = 4); it keeps 3.
  EXPECT_EQ(MakeKnn()->Estimate(parsed, 4, 1, ks, WidthResults::Of(messages, pointers)).code(),
            absl::StatusCode::kDataLoss);
}

TEST(KnnTest, CostIsOnePassForEveryK) {
  const KernelCost cost = MakeKnn()->Cost();
  EXPECT_TRUE(cost.one_pass_for_all_widths);
  EXPECT_EQ(cost.evaluation_bytes, 0);
  EXPECT_EQ(cost.partial_bytes_per_result, 8);
}

}  // namespace
}  // namespace parsweep
