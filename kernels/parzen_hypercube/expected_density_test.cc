// The hypercube kernel's expected densities in whole sweeps (Sweep::Create and RunSweep,
// as the tool runs them): for correlated Gaussians they are scipy's window probabilities
// divided by h^d (Genz's method, runtime/data/mvn_rectangle.h); the default identity
// sweep's are the same bits as before that method existed.
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/data/mvn_rectangle_reference.h"
#include "runtime/plugin/executor.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"

namespace parsweep {
namespace {

SweepSpec GaussianSweep(const std::vector<double>& cov, const std::vector<double>& point,
                        const std::vector<double>& widths, uint64_t n) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_hypercube");
  *spec.mutable_widths() = {widths.begin(), widths.end()};
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  gaussian.set_n(n);
  gaussian.set_seed(123);
  for (size_t j = 0; j < point.size(); ++j) gaussian.add_mean(0.0);
  *gaussian.mutable_covariance() = {cov.begin(), cov.end()};
  *spec.add_points()->mutable_coords() = {point.begin(), point.end()};
  spec.mutable_executor()->set_name("serial");
  return spec;
}

Report RunSerial(const SweepSpec& spec) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  EXPECT_TRUE(sweep.ok()) << sweep.status();
  absl::StatusOr<std::unique_ptr<Executor>> serial =
      Registry<Executor>::Global().Create(spec.executor());
  EXPECT_TRUE(serial.ok()) << serial.status();
  if (!sweep.ok() || !serial.ok()) return Report();
  absl::StatusOr<Report> report = RunSweep(**sweep, **serial);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : Report();
}

struct CorrelatedSweep {
  const char* name;  // As in mvn_rectangle_reference.py's hypercube_cases().
  std::vector<double> point;
};

// The sweeps of mvn_rectangle_reference.py: the tool's --cov=1,0.5,0.5,1 at its default
// point and widths; a point far out, where the expected densities are near 1e-30; and a
// correlated 3-D Gaussian. Each reference row holds the window [x - h/2, x + h/2] (as the
// kernel computes it) and its probability by scipy.
TEST(HypercubeExpectedDensityTest, CorrelatedSweepsReportScipysWindowProbabilities) {
  absl::StatusOr<std::vector<MvnReference>> rows = ReadMvnReferences();
  ASSERT_TRUE(rows.ok()) << rows.status();
  const CorrelatedSweep sweeps[] = {
      {"2d_rho0.5_origin", {0.0, 0.0}},
      {"2d_rho0.5_far", {6.0, -6.0}},
      {"3d_mixed", {0.3, -0.2, 0.5}},
  };
  for (const CorrelatedSweep& s : sweeps) {
    SCOPED_TRACE(s.name);
    const std::string prefix = absl::StrCat("hypercube/", s.name, "/");
    std::map<double, const MvnReference*> by_width;
    std::vector<double> cov;
    for (const MvnReference& r : *rows) {
      if (!absl::StartsWith(r.name, prefix)) continue;
      double h;
      ASSERT_TRUE(absl::SimpleAtod(r.name.substr(prefix.size()), &h)) << r.name;
      by_width[h] = &r;
      cov = r.cov;
      for (size_t j = 0; j < s.point.size(); ++j) {
        ASSERT_EQ(r.lo[j], s.point[j] - 0.5 * h) << r.name << ": not this sweep's window";
        ASSERT_EQ(r.hi[j], s.point[j] + 0.5 * h) << r.name << ": not this sweep's window";
      }
    }
    ASSERT_GE(by_width.size(), 2u);
    std::vector<double> widths;
    for (const auto& [h, row] : by_width) widths.push_back(h);
    const Report report = RunSerial(GaussianSweep(cov, s.point, widths, 1000));
    ASSERT_EQ(report.results_size(), static_cast<int>(widths.size()));
    for (const WidthResult& result : report.results()) {
      const MvnReference& r = *by_width.at(result.width());
      SCOPED_TRACE(r.name);
      ASSERT_TRUE(result.has_expected_density());
      const double volume = std::pow(result.width(), static_cast<double>(s.point.size()));
      const double quad = *r.quad / volume;
      EXPECT_NEAR(result.expected_density(), r.scipy_cdf / volume,
                  1e-6 * quad + r.scipy_abseps / volume);
      EXPECT_NEAR(result.expected_density(), quad, 1e-12 * quad);
    }
  }
}

// The default sweep (the tool with no flags: 2-D, identity covariance, the origin, widths
// 0.1 to 1.2) keeps the product of one-dimensional probabilities it always had: these are
// the bits the tool printed with --format=csv before Genz's method was added.
TEST(HypercubeExpectedDensityTest, TheDefaultIdentitySweepIsUnchanged) {
  const std::vector<double> widths = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2};
  const double before[] = {0.15902239130412665, 0.15862566221654995, 0.15796752193568317,
                           0.15705253850927575, 0.15588701967717444, 0.15447892758468248,
                           0.15283777225423617, 0.15097448603241481, 0.14890128158645319,
                           0.14663149630841188, 0.14417942618955895, 0.14156015234878375};
  const Report report = RunSerial(GaussianSweep({1, 0, 0, 1}, {0, 0}, widths, 10000));
  ASSERT_EQ(report.results_size(), 12);
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(report.results(i).has_expected_density());
    EXPECT_EQ(report.results(i).expected_density(), before[i]) << "h = " << widths[i];
  }
}

// Independently of scipy: the counts of a correlated sample scatter around the expected
// density as a binomial count should. k ~ Binomial(n, P), so k / (n h^d) has mean
// P / h^d and standard error sqrt(P (1 - P) / n) / h^d; each check allows 4 of them (a
// correct expectation fails one with probability 6e-5).
TEST(HypercubeExpectedDensityTest, CorrelatedDensitiesScatterAroundTheirExpectation) {
  const std::vector<double> widths = {0.2, 0.5, 1.0, 2.0};
  constexpr uint64_t kSamples = 40000;
  struct Case {
    std::vector<double> cov, point;
  };
  const Case cases[] = {
      {{1, 0.9, 0.9, 1}, {0.5, 0.4}},
      {{1, -0.9, -0.9, 1}, {0.5, -0.4}},
      {{2, 0.6, 0.6, 0.5}, {-1.0, 0.0}},
      {{1, .5, .3, .5, 1, .6, .3, .6, 1}, {0.3, -0.2, 0.5}},
  };
  for (const Case& c : cases) {
    const Report report = RunSerial(GaussianSweep(c.cov, c.point, widths, kSamples));
    ASSERT_EQ(report.results_size(), 4);
    for (const WidthResult& r : report.results()) {
      ASSERT_TRUE(r.has_expected_density());
      const double volume = std::pow(r.width(), static_cast<double>(c.point.size()));
      const double p = r.expected_density() * volume;
      const double standard_error = std::sqrt(p * (1 - p) / kSamples) / volume;
      EXPECT_NEAR(r.density(), r.expected_density(), 4 * standard_error)
          << "cov[1] " << c.cov[1] << ", h " << r.width();
    }
  }
}

}  // namespace
}  // namespace parsweep
