// HeartbeatSender beats for the running batch only, at about its interval, and stops at once.
#include "runtime/scheduling/heartbeat.h"

#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

struct Beats {
  std::mutex mu;
  std::vector<uint64_t> ids;
  size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return ids.size();
  }
};

TEST(HeartbeatSenderTest, BeatsForTheRunningBatchOnly) {
  Beats beats;
  {
    HeartbeatSender sender(absl::Milliseconds(5), [&beats](uint64_t id) {
      std::lock_guard<std::mutex> lock(beats.mu);
      beats.ids.push_back(id);
    });
    absl::SleepFor(absl::Milliseconds(30));
    EXPECT_EQ(beats.count(), 0u);  // No batch yet, and no thread.
    sender.Begin(7);
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
    sender.Begin(1);
  }
  EXPECT_LT(absl::Now() - before, absl::Minutes(1));
}

TEST(HeartbeatSenderTest, ZeroIntervalNeverBeats) {
  int beats = 0;
  {
    HeartbeatSender sender(absl::ZeroDuration(), [&beats](uint64_t) { ++beats; });
    sender.Begin(1);
    absl::SleepFor(absl::Milliseconds(20));
    sender.End();
  }
  EXPECT_EQ(beats, 0);
}

}  // namespace
}  // namespace parsweep
