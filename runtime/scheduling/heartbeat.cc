#include "runtime/scheduling/heartbeat.h"

#include <utility>

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

void HeartbeatSender::Begin(uint64_t id) {
  if (interval_ <= absl::ZeroDuration()) return;
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  absl::MutexLock lock(&mu_);
  running_ = true;
  batch_ = id;
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
