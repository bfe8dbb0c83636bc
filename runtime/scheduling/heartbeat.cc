#include "runtime/scheduling/heartbeat.h"

#include <utility>

namespace parsweep {

HeartbeatSender::HeartbeatSender(absl::Duration interval, std::function<void(uint64_t)> beat)
    : interval_(interval), beat_(std::move(beat)) {}

HeartbeatSender::~HeartbeatSender() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stopping_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HeartbeatSender::Begin(uint64_t id) {
  if (interval_ <= absl::ZeroDuration()) return;
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  std::lock_guard<std::mutex> lock(mu_);
  running_ = true;
  batch_ = id;
}

void HeartbeatSender::End() {
  if (interval_ <= absl::ZeroDuration()) return;
  std::lock_guard<std::mutex> lock(mu_);
  running_ = false;
}

void HeartbeatSender::Loop() {
  const auto interval = absl::ToChronoNanoseconds(interval_);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    // Wakes early only to stop.
    if (stopping_.wait_for(lock, interval, [this] { return stop_; })) break;
    if (!running_) continue;
    const uint64_t id = batch_;
    // Not under mu_: a beat may block on a full pipe, and Begin()/End() must not wait for it.
    lock.unlock();
    beat_(id);
    lock.lock();
  }
}

}  // namespace parsweep
