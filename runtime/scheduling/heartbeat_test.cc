// HeartbeatSender beats for the running batch only, at about its interval, and stops at once;
// a thread the system refuses is an error naming the cause, and a later Begin() tries again.
#include "runtime/scheduling/heartbeat.h"

#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/time/clock.h"
#include "executors/process/test_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

// std::mutex, which ThreadSanitizer sees (Debian's Abseil is not instrumented).
struct Beats {
  std::mutex mu;
  std::vector<uint64_t> ids;
  void Add(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu);
    ids.push_back(id);
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return ids.size();
  }
};

TEST(HeartbeatSenderTest, BeatsForTheRunningBatchOnly) {
  Beats beats;
  {
    HeartbeatSender sender(absl::Milliseconds(5), [&beats](uint64_t id) { beats.Add(id); });
    absl::SleepFor(absl::Milliseconds(30));
    EXPECT_EQ(beats.count(), 0u);  // No batch yet, and no thread.
    ASSERT_TRUE(sender.Begin(7).ok());
    // At a 5 ms interval, three beats come within a second on any machine that runs at all.
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (beats.count() < 3 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
    sender.End();
    const size_t at_end = beats.count();
    absl::SleepFor(absl::Milliseconds(50));
    // At most one beat that was already on its way when End() ran.
    EXPECT_LE(beats.count(), at_end + 1);
  }
  std::lock_guard<std::mutex> lock(beats.mu);
  ASSERT_GE(beats.ids.size(), 3u);
  for (uint64_t id : beats.ids) EXPECT_EQ(id, 7u);
}

TEST(HeartbeatSenderTest, DestructionDoesNotWaitForTheInterval) {
  const absl::Time before = absl::Now();
  {
    HeartbeatSender sender(absl::Hours(1), [](uint64_t) {});
    ASSERT_TRUE(sender.Begin(1).ok());
  }
  EXPECT_LT(absl::Now() - before, absl::Minutes(1));
}

TEST(HeartbeatSenderTest, ZeroIntervalNeverBeats) {
  int beats = 0;
  {
    HeartbeatSender sender(absl::ZeroDuration(), [&beats](uint64_t) { ++beats; });
    EXPECT_TRUE(sender.Begin(1).ok());
    absl::SleepFor(absl::Milliseconds(20));
    sender.End();
  }
  EXPECT_EQ(beats, 0);
}

// Runs in a child of the test, since the limit stays for good.
void BeginUnderAnAddressSpaceLimit() {
  Beats beats;
  HeartbeatSender sender(absl::Milliseconds(1), [&beats](uint64_t id) { beats.Add(id); });
  ASSERT_TRUE(LimitNewThreads(0));
  const absl::Status refused = sender.Begin(3);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_THAT(std::string(refused.message()),
              ::testing::ContainsRegex("^cannot start the heartbeat thread: Resource temporarily "
                                       "unavailable \\(the address space limit, ulimit -v, is "
                                       "[0-9]+ KiB\\)$"));
  ASSERT_TRUE(LimitAddressSpace(size_t{1} << 40));
  ASSERT_TRUE(sender.Begin(4).ok());
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (beats.count() == 0 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
  sender.End();
  std::lock_guard<std::mutex> lock(beats.mu);
  ASSERT_FALSE(beats.ids.empty());
  EXPECT_EQ(beats.ids.front(), 4u);
}

TEST(HeartbeatSenderTest, ThreadTheSystemRefusesIsAnErrorNamingTheLimit) {
  EXPECT_TRUE(RunInChild(BeginUnderAnAddressSpaceLimit));
}

}  // namespace
}  // namespace parsweep
