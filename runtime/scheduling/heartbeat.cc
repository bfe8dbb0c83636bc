#include "runtime/scheduling/heartbeat.h"

#include <utility>

#include "runtime/base/resource_error.h"

namespace parsweep {

HeartbeatSender::HeartbeatSender(absl::Duration interval, std::function<void(uint64_t)> beat)
    : interval_(interval), beat_(std::move(beat)) {}

HeartbeatSender::~HeartbeatSender() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
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
  absl::MutexLock lock(&mu_);
  running_ = true;
  batch_ = id;
  return absl::OkStatus();
}

void HeartbeatSender::End() {
  if (interval_ <= absl::ZeroDuration()) return;
  absl::MutexLock lock(&mu_);
  running_ = false;
}

void HeartbeatSender::Loop() {
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    // Wakes early only to stop.
    mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_);
    if (stop_ || !running_) continue;
    const uint64_t id = batch_;
    // Not under mu_: a beat may block on a full pipe, and Begin()/End() must not wait for it.
    mu_.Unlock();
    beat_(id);
    mu_.Lock();
  }
}

}  // namespace parsweep
