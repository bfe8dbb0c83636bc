// The self-test's GoogleTest cases: one of each outcome that .ci/count_results.py counts.
#include "gtest/gtest.h"

namespace {

TEST(CountingTest, Passes) { EXPECT_EQ(2 + 2, 4); }

TEST(CountingTest, FailsOnPurpose) { EXPECT_EQ(2 + 2, 5) << "failing on purpose"; }

TEST(CountingTest, SkipsOnPurpose) { GTEST_SKIP() << "skipped on purpose"; }

TEST(CountingTest, DISABLED_IsDisabled) { FAIL() << "a disabled case never runs"; }

}  // namespace
