#include "kernels/exact_sums/long_accumulator.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/exact_sums/block_sums.h"

namespace parsweep {
namespace exact_sums {
namespace {

constexpr double kUnitRoundoff = DBL_EPSILON / 2;

struct Term {
  double t;
  double f;
};

std::vector<Term> RandomTerms(std::mt19937_64& rng, size_t count, double lowest_t) {
  std::uniform_real_distribution<double> exponent(lowest_t, 0.0);
  std::uniform_real_distribution<double> factor(1.0, 4096.0);
  std::vector<Term> terms;
  for (size_t i = 0; i < count; ++i) terms.push_back({exponent(rng), factor(rng)});
  return terms;
}

std::string Bytes(const LongAccumulator& sum) {
  std::string bytes(reinterpret_cast<const char*>(&sum.head), sizeof(sum.head));
  bytes.append(reinterpret_cast<const char*>(sum.bins), sizeof(sum.bins));
  bytes.append(reinterpret_cast<const char*>(&sum.far_log), sizeof(sum.far_log));
  return bytes;
}

// The log of sum f e^t by log-sum-exp in long double (64-bit mantissa).
long double ReferenceLog(const std::vector<Term>& terms) {
  long double largest = -INFINITY;
  for (const Term& term : terms)
    largest = std::max<long double>(largest, term.t + std::log(term.f));
  long double shifted = 0;
  for (const Term& term : terms) {
    shifted += std::exp(static_cast<long double>(term.t) + std::log(term.f) - largest);
  }
  return largest + std::log(shifted);
}

TEST(LongAccumulatorTest, IntegersAddExactly) {
  LongAccumulator sum;
  EXPECT_EQ(sum.Log(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(sum.Split().mantissa, 0.0);
  uint64_t want = 0;
  for (uint64_t k = 1; k <= 1000; ++k) {
    sum.Add(0.0, static_cast<double>(k * 1'000'003));
    want += k * 1'000'003;
  }
  const LongAccumulator::Parts parts = sum.Split();
  EXPECT_EQ(std::ldexp(parts.mantissa, static_cast<int>(parts.exponent)),
            static_cast<double>(want));
  sum.Add(0.0, 0.0);                                       // Nothing.
  sum.Add(-std::numeric_limits<double>::infinity(), 5.0);  // Nothing.
  EXPECT_EQ(sum.Split().mantissa, parts.mantissa);
}

// The promise the Gaussian kernel relies on: the same bits for any order and any grouping of
// the additions, with terms spread over e^-3000 .. 1 (far below a double's range).
TEST(LongAccumulatorTest, AnyOrderAndGroupingGivesTheSameBits) {
  std::mt19937_64 rng(1);
  for (double lowest : {-5.0, -50.0, -3000.0}) {
    const std::vector<Term> terms = RandomTerms(rng, 500, lowest);
    LongAccumulator in_order;
    for (const Term& term : terms) in_order.Add(term.t, term.f);
    for (int trial = 0; trial < 50; ++trial) {
      std::vector<Term> shuffled = terms;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      // Random groups, each summed on its own, merged in a random order.
      std::vector<LongAccumulator> groups(1 + rng() % 20);
      for (const Term& term : shuffled) groups[rng() % groups.size()].Add(term.t, term.f);
      std::shuffle(groups.begin(), groups.end(), rng);
      LongAccumulator merged;
      for (const LongAccumulator& group : groups) merged.Merge(group);
      ASSERT_EQ(Bytes(merged), Bytes(in_order)) << "lowest t " << lowest << ", trial " << trial;
    }
  }
}

// Accuracy: each conversion costs 1.5u relative (1.5u absolute in the log), the binned sum
// 2^-96; Log() rounds its long double result to a double (half an ulp, <= u |log|) and so
// does the reference: |difference| <= 2u + 2u |log|.
TEST(LongAccumulatorTest, LogIsWithinTheStatedBoundOfLogSumExp) {
  std::mt19937_64 rng(2);
  for (double lowest : {-1.0, -700.0, -1e5, -1e9}) {
    for (size_t count : {1, 2, 30, 1000}) {
      const std::vector<Term> terms = RandomTerms(rng, count, lowest);
      LongAccumulator sum;
      for (const Term& term : terms) sum.Add(term.t, term.f);
      const long double want = ReferenceLog(terms);
      EXPECT_NEAR(sum.Log(), static_cast<double>(want),
                  2 * kUnitRoundoff + 2 * kUnitRoundoff * std::fabs(static_cast<double>(want)))
          << "lowest t " << lowest << ", " << count << " terms";
    }
  }
}

// Below e^-2^58 only the largest log is kept: within ln(count) of the sum's log, which such
// a log's ulp (64) swallows.
TEST(LongAccumulatorTest, FarTermsKeepTheirLargestLog) {
  LongAccumulator sum;
  sum.Add(-0x1p60, 3.0);
  sum.Add(-0x1p59, 2.0);
  EXPECT_EQ(sum.Split().mantissa, 0.0);
  EXPECT_EQ(sum.Log(), -0x1p59 + std::log(2.0));
  sum.Add(-700.0, 1.0);  // A binned term outweighs every far one.
  EXPECT_NEAR(sum.Log(), -700.0, 1e-13);
}

// A partial's bytes come from a worker; damaged ones are DataLoss, never arithmetic on
// garbage. Random bytes of the right size either parse into something the estimate can
// read (no crash, no NaN) or are refused.
TEST(BlockSumsTest, DamagedBytesAreRefusedOrHarmless) {
  BlockSums sums(2, 3);
  sums.zeros(1) = 1;
  sums.sum(0, 2).Add(-10.0, 3.0);
  const std::string good = sums.Serialize();
  BlockSums parsed(2, 3);
  ASSERT_TRUE(parsed.Parse(good).ok());
  EXPECT_EQ(parsed.Serialize(), good);
  EXPECT_EQ(parsed.Parse(good.substr(1)).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(BlockSums(3, 3).Parse(good).code(), absl::StatusCode::kDataLoss);
  std::string bad_head = good;
  const int64_t absurd = std::numeric_limits<int64_t>::max() - 1;
  std::memcpy(&bad_head[2 * sizeof(uint64_t)], &absurd, sizeof(absurd));  // Slot (0, 0).
  EXPECT_EQ(parsed.Parse(bad_head).code(), absl::StatusCode::kDataLoss);
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string noise = good;
    for (char& byte : noise) {
      if (rng() % 8 == 0) byte = static_cast<char>(rng());
    }
    BlockSums target(2, 3);
    if (!target.Parse(noise).ok()) continue;
    ASSERT_TRUE(target.Merge(sums).ok());
    for (size_t p = 0; p < 2; ++p) {
      for (size_t w = 0; w < 3; ++w) {
        EXPECT_FALSE(std::isnan(target.sum(p, w).Log()));
      }
    }
  }
}

}  // namespace
}  // namespace exact_sums
}  // namespace parsweep
