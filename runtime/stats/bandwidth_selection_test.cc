#include "runtime/stats/bandwidth_selection.h"

#include <cmath>
#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/plugin/registry.h"
#include "runtime/stats/rules_of_thumb.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseBandwidthMethodsTest, ParsesListsAndRejectsUnknownNames) {
  absl::StatusOr<std::vector<BandwidthMethod>> methods =
      ParseBandwidthMethods("scott,nrd0, loo_cv,silverman");
  ASSERT_TRUE(methods.ok()) << methods.status();
  EXPECT_THAT(*methods, ElementsAre(BandwidthMethod::kScott, BandwidthMethod::kNrd0,
                                    BandwidthMethod::kLooCv, BandwidthMethod::kSilverman));
  EXPECT_EQ(ParseBandwidthMethods("aic").status().message(),
            "--select='aic': known methods: scott, silverman, nrd0, loo_cv");
  for (BandwidthMethod method : *methods) {
    EXPECT_THAT(*ParseBandwidthMethods(MethodName(method)), ElementsAre(method));
  }
}

SweepSpec Spec(const std::string& kernel, int n = 300) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name(kernel);
  for (int i = 1; i <= 50; ++i) spec.add_widths(0.1 * i);
  GaussianSource& g = *spec.mutable_data()->mutable_gaussian();
  g.set_n(n);
  g.set_seed(8);
  for (double m : {0.0, 0.0}) g.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) g.add_covariance(c);
  spec.mutable_executor()->set_name("serial");
  return spec;
}

absl::StatusOr<Selection> Select(const SweepSpec& spec, BandwidthMethod method,
                                 const LooOptions& loo = {}) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  if (!sweep.ok()) return sweep.status();
  absl::StatusOr<std::unique_ptr<Executor>> executor =
      Registry<Executor>::Global().Create(spec.executor());
  if (!executor.ok()) return executor.status();
  return SelectBandwidth(method, **sweep, **executor, loo);
}

// Each rule: its Gaussian bandwidth, the kernel's width for it, and the sweep's width
// nearest to that.
TEST(RuleSelectionTest, NamesTheNearestSweepWidthBesideTheRulesOwn) {
  for (const char* kernel : {"parzen_hypercube", "parzen_gaussian"}) {
    for (BandwidthMethod method :
         {BandwidthMethod::kScott, BandwidthMethod::kSilverman, BandwidthMethod::kNrd0}) {
      SCOPED_TRACE(kernel + (" " + MethodName(method)));
      const SweepSpec spec = Spec(kernel);
      absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
      ASSERT_TRUE(sweep.ok());
      absl::StatusOr<Selection> selection = Select(spec, method);
      ASSERT_TRUE(selection.ok()) << selection.status();
      EXPECT_EQ(selection->method(), MethodName(method));
      const double gaussian = RuleOfThumbBandwidth((*sweep)->data().samples, method);
      EXPECT_EQ(selection->gaussian_bandwidth(), gaussian);
      EXPECT_EQ(selection->rule_width(), (*sweep)->kernel().GaussianEquivalentWidth(gaussian, 2));
      for (double w : spec.widths()) {
        EXPECT_LE(std::abs(selection->width() - selection->rule_width()),
                  std::abs(w - selection->rule_width()));
      }
    }
  }
}

TEST(RuleSelectionTest, TheHypercubeConvertsWithTheTwoDimensionalAmiseConstant) {
  absl::StatusOr<Selection> selection = Select(Spec("parzen_hypercube"), BandwidthMethod::kScott);
  ASSERT_TRUE(selection.ok()) << selection.status();
  // (144 (2 sqrt(pi))^2)^(1/6) = (576 pi)^(1/6) = 3.4998.
  EXPECT_NEAR(selection->rule_width() / selection->gaussian_bandwidth(),
              std::pow(576 * M_PI, 1.0 / 6), 1e-12);
}

TEST(SelectBandwidthTest, LooCvTakesItsOptions) {
  absl::StatusOr<Selection> selection =
      Select(Spec("parzen_hypercube"), BandwidthMethod::kLooCv, LooOptions{40, 3});
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_EQ(selection->method(), "loo_cv");
  EXPECT_EQ(selection->held_out(), 40u);
  EXPECT_EQ(selection->loo_seed(), 3u);
  EXPECT_EQ(selection->width_scores_size(), 50);
  EXPECT_TRUE(selection->has_standard_error());
}

TEST(SelectBandwidthTest, NoUsableWidthIsAClearError) {
  SweepSpec spec = Spec("parzen_hypercube");
  spec.clear_widths();
  spec.add_widths(1e-6);  // No sample has a neighbour this close.
  const absl::Status loo = Select(spec, BandwidthMethod::kLooCv).status();
  EXPECT_EQ(loo.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loo.message(), HasSubstr("300 of the 300 held-out samples have no other sample in "
                                       "their window; add wider widths"));

  const absl::Status one = Select(Spec("parzen_hypercube", 1), BandwidthMethod::kScott).status();
  EXPECT_EQ(one.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(one.message(), "choosing a width needs at least two samples");
}

}  // namespace
}  // namespace parsweep
