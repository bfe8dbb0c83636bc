// HeartbeatSender: the worker's half of liveness. While a worker runs a batch, a thread of
// its own calls `beat(batch id)` every `interval`, so that the caller, which hears nothing
// else until the batch's result, can tell a worker that is busy from one that is stopped
// (SIGSTOP), swapped out of existence or gone, and kill and replace it (see
// TaskLedger's heartbeat_timeout). A batch shorter than the interval is never beaten for.
//
// The beat runs on the side thread: it must be safe to call concurrently with whatever the
// worker's main thread does, typically by sharing a mutex with the code that writes results
// to the same pipe. A beat may arrive just after its batch's result; callers ignore beats
// for batches they are not waiting for.
//
// The thread is a resource like any other: a worker at its process or address space limit
// may not get one. Begin() then says so, and the worker should answer the batch with that
// error rather than run it: without beats its caller would take it for stopped and kill it,
// and blame the silence instead of the limit.
//
// Cost: the thread wakes once per interval whether or not a batch runs; Begin() and End()
// each take one uncontended mutex.
//
// Example (a worker loop):
//   HeartbeatSender heartbeat(absl::Milliseconds(500), [&](uint64_t id) { SendBeat(id); });
//   RETURN_IF_ERROR(heartbeat.Begin(batch.id()));
//   WorkBatchResult result = RunBatch(workload, batch);
//   heartbeat.End();
#ifndef PARSWEEP_RUNTIME_SCHEDULING_HEARTBEAT_H_
#define PARSWEEP_RUNTIME_SCHEDULING_HEARTBEAT_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace parsweep {

class HeartbeatSender {
 public:
  // An `interval` of zero or less sends no beats and starts no thread. The thread starts
  // with the first Begin(), so a forked worker starts it in the child.
  HeartbeatSender(absl::Duration interval, std::function<void(uint64_t batch)> beat);
  // Stops and joins the thread.
  ~HeartbeatSender();
  HeartbeatSender(const HeartbeatSender&) = delete;
  HeartbeatSender& operator=(const HeartbeatSender&) = delete;

  // HeartbeatSender::Begin says batch `id` is running, starting the thread if it has not
  // started: ResourceExhausted, naming the cause and the limit ("cannot start the heartbeat
  // thread: Resource temporarily unavailable (the address space limit, ulimit -v, is ...)"),
  // if the system refuses it, and then nothing is beaten for (a later Begin() tries again).
  // End says the batch has finished.
  absl::Status Begin(uint64_t id);
  void End();

 private:
  void Loop();

  const absl::Duration interval_;
  const std::function<void(uint64_t)> beat_;
  // std::mutex rather than absl::Mutex, for ThreadSanitizer: Debian's Abseil is built
  // without its instrumentation, so TSan cannot see absl::Mutex's ordering and reports
  // races that are not there (see executors/threads).
  std::mutex mu_;
  std::condition_variable stopping_;  // stop_ was set.
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t batch_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // Started by the first Begin(), from the worker's main thread.
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SCHEDULING_HEARTBEAT_H_
