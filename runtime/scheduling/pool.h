// Pool: the tutorial's multiprocessing.Pool API over any Executor, so that each of its
// lessons maps one to one: Apply (one request, blocking), Map (results in order),
// ApplyAsync and MapAsync (futures), and Unordered (results in completion order, each with
// its index, the Process + Queue lesson).
//
// The pool groups requests into batches of `chunksize` (automatic by default: one request
// per batch until it has measured how long requests take, then enough per batch to last
// about PoolOptions::target_batch_time, and never so many that the workers could not share
// what is left), and keeps at most max_batches_in_flight batches in the executor at once,
// creating requests only as batches are formed: a sweep of a million widths never queues a
// million tasks.
//
// Work advances while the caller waits on the pool (Apply, Map, Future::Get, Stream::Next)
// or polls it (Future::Poll); batches already handed to workers run in the background
// meanwhile. Dropping a Future or a Stream before its end cancels what it still has
// outstanding: its requests not yet made are never made (so its request function, and what
// that captures, is never called again), its queued batches never run, and the results of
// its running ones are dropped. A Pool is used from one thread and must outlive its futures
// and streams. It starts the executor on the workload when created; when destroyed it
// cancels what is outstanding and waits for the batches still running.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<Pool> pool, Pool::Create(executor, cube));
//   ASSIGN_OR_RETURN(std::vector<Int64Value> cubes, pool->Map<Int64Value>(numbers));
//   Pool::Future f = pool->ApplyAsync(request.SerializeAsString());
//   ASSIGN_OR_RETURN(std::string response, f.Get());
#ifndef PARSWEEP_RUNTIME_SCHEDULING_POOL_H_
#define PARSWEEP_RUNTIME_SCHEDULING_POOL_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "runtime/plugin/executor.h"
#include "runtime/plugin/workload.h"

namespace parsweep {

struct PoolOptions {
  // Requests per batch for Map, MapAsync and Unordered when the call gives none;
  // 0 = automatic.
  uint64_t chunksize = 0;
  // Batches handed to the executor at once; 0 = two per worker, so a worker finds its next
  // batch waiting when it finishes one.
  int max_batches_in_flight = 0;
  // What an automatic chunk aims to last: long enough that dispatch costs little, short
  // enough to balance the load.
  absl::Duration target_batch_time = absl::Milliseconds(20);
};

// What the pool has done so far, for benchmarks and reports.
struct PoolStats {
  uint64_t batches = 0;
  uint64_t requests = 0;
  double compute_seconds = 0;  // Summed over workers.
  uint64_t largest_chunk = 0;
};

class Pool {
 private:
  struct Job;

 public:
  using RequestFn = std::function<std::string(uint64_t index)>;

  // A request's index and its response, from Unordered().
  struct Completed {
    uint64_t index;
    std::string response;
  };

  // Future: the results of ApplyAsync (one response) or MapAsync (all, in order). Movable;
  // destroying one that has not delivered cancels its outstanding work.
  class Future {
   public:
    Future(Future&& other) noexcept;
    Future& operator=(Future&& other) noexcept;
    ~Future();

    // Future::GetAll waits for every response (or the first error) and returns them in
    // request order. May be called once.
    absl::StatusOr<std::vector<std::string>> GetAll();
    // Future::Get is GetAll() for ApplyAsync's single response.
    absl::StatusOr<std::string> Get();
    // Future::Poll hands out batches up to the in-flight bound and collects the results of
    // those that have finished, without waiting (an executor with no workers of its own,
    // serial, runs at most the batches out at the call), and says whether Get() would now
    // return without waiting.
    bool Poll();

   private:
    friend class Pool;
    Future(Pool* pool, std::shared_ptr<Job> job) : pool_(pool), job_(std::move(job)) {}
    Pool* pool_;
    std::shared_ptr<Job> job_;  // Null once moved from.
  };

  // Stream: responses in completion order. Movable; destroying one before its end cancels
  // its outstanding work.
  class Stream {
   public:
    Stream(Stream&& other) noexcept;
    Stream& operator=(Stream&& other) noexcept;
    ~Stream();

    // Stream::Next returns the next completed request, nullopt after the last one, or the
    // first error (after which the stream is over).
    absl::StatusOr<std::optional<Completed>> Next();

    // Stream::Arrived is how many completed requests have come back and wait to be taken:
    // so many calls to Next() return without waiting (results come a batch at a time).
    uint64_t Arrived() const;

   private:
    friend class Pool;
    Stream(Pool* pool, std::shared_ptr<Job> job) : pool_(pool), job_(std::move(job)) {}
    Pool* pool_;
    std::shared_ptr<Job> job_;  // Null once moved from.
  };

  // Pool::Create starts `executor` on `workload`; both must outlive the pool.
  static absl::StatusOr<std::unique_ptr<Pool>> Create(Executor& executor, const Workload& workload,
                                                      PoolOptions options = {});
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  absl::StatusOr<std::string> Apply(std::string request);
  Future ApplyAsync(std::string request);
  absl::StatusOr<std::vector<std::string>> Map(std::vector<std::string> requests,
                                               uint64_t chunksize = 0);
  Future MapAsync(std::vector<std::string> requests, uint64_t chunksize = 0);
  // Pool::Unordered runs `count` requests, made by `make_request(i)` only when their batch
  // is formed.
  Stream Unordered(uint64_t count, RequestFn make_request, uint64_t chunksize = 0);

  // Typed forms: requests and responses as messages.
  template <typename Response, typename Request>
  absl::StatusOr<Response> Apply(const Request& request);
  template <typename Response, typename Request>
  absl::StatusOr<std::vector<Response>> Map(const std::vector<Request>& requests,
                                            uint64_t chunksize = 0);

  const PoolStats& stats() const { return stats_; }
  int parallelism() const { return executor_.parallelism(); }

 private:
  struct InFlight {
    std::shared_ptr<Job> job;
    uint64_t first;
    uint64_t count;
  };

  Pool(Executor& executor, PoolOptions options);
  std::shared_ptr<Job> AddJob(uint64_t count, RequestFn make_request, uint64_t chunksize,
                              bool ordered);
  uint64_t ChunkFor(const Job& job) const;
  // Hands batches to the executor up to the in-flight bound.
  absl::Status Fill();
  // Waits for one batch (until `deadline`) and delivers it to its job; false if none came.
  absl::StatusOr<bool> Step(absl::Time deadline);
  // Delivers a finished batch to its job.
  absl::Status Deliver(WorkBatchResult result);
  // Cancels what `job` still has outstanding; its handle is gone.
  void Abandon(Job& job);
  // Steps until `done()`.
  absl::Status WaitUntil(const std::function<bool()>& done);

  Executor& executor_;
  PoolOptions options_;
  int max_in_flight_;
  uint64_t next_batch_id_ = 0;
  std::deque<std::shared_ptr<Job>> unsubmitted_;  // Jobs with requests not yet batched.
  absl::flat_hash_map<uint64_t, InFlight> in_flight_;
  std::optional<double> seconds_per_request_;  // Smoothed over finished batches.
  PoolStats stats_;
};

template <typename Response, typename Request>
absl::StatusOr<Response> Pool::Apply(const Request& request) {
  absl::StatusOr<std::string> bytes = Apply(request.SerializeAsString());
  if (!bytes.ok()) return bytes.status();
  Response response;
  if (!response.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("cannot parse a ", Response::descriptor()->full_name(), " response"));
  }
  return response;
}

template <typename Response, typename Request>
absl::StatusOr<std::vector<Response>> Pool::Map(const std::vector<Request>& requests,
                                                uint64_t chunksize) {
  std::vector<std::string> serialized;
  serialized.reserve(requests.size());
  for (const Request& request : requests) serialized.push_back(request.SerializeAsString());
  absl::StatusOr<std::vector<std::string>> bytes = Map(std::move(serialized), chunksize);
  if (!bytes.ok()) return bytes.status();
  std::vector<Response> responses(bytes->size());
  for (size_t i = 0; i < bytes->size(); ++i) {
    if (!responses[i].ParseFromString((*bytes)[i])) {
      return absl::DataLossError(
          absl::StrCat("cannot parse response ", i, " as a ", Response::descriptor()->full_name()));
    }
  }
  return responses;
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_SCHEDULING_POOL_H_
