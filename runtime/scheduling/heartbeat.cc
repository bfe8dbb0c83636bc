#include "runtime/scheduling/heartbeat.h"

#include <utility>

#include "runtime/base/resource_error.h"

namespace parsweep {

HeartbeatSender::HeartbeatSender(absl::Duration interval, std::function<void(uint64_t)> beat)
    : interval_(interval), beat_(std::move(beat)) {}

HeartbeatSender::~HeartbeatSender() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stopping_.notify_one();
  if (thread_.joinable()) thread_.join();
}

absl::Status HeartbeatSender::Begin(uint64_t id) {
  if (interval_ <= absl::ZeroDuration()) return absl::OkStatus();
  if (!thread_.joinable()) {
    absl::StatusOr<std::thread> thread =
        StartThread("cannot start the heartbeat thread", [this] { Loop(); });
    if (!thread.ok()) return thread.status();
    thread_ = *std::move(thread);
  }
  std::lock_guard<std::mutex> lock(mu_);
  running_ = true;
  batch_ = id;
  return absl::OkStatus();
}

void HeartbeatSender::End() {
  if (interval_ <= absl::ZeroDuration()) return;
  std::lock_guard<std::mutex> lock(mu_);
  running_ = false;
}

void HeartbeatSender::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    // Wakes early only to stop.
    stopping_.wait_for(lock, absl::ToChronoNanoseconds(interval_), [this] { return stop_; });
    if (stop_ || !running_) continue;
    const uint64_t id = batch_;
    // Not under mu_: a beat may block on a full pipe, and Begin()/End() must not wait for it.
    lock.unlock();
    beat_(id);
    lock.lock();
  }
}

}  // namespace parsweep
