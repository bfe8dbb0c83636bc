#include "runtime/scheduling/pool.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "runtime/base/status_macros.h"
#include "runtime/scheduling/batch.h"

namespace parsweep {

// One call's requests: their source, how far batching has got, and what has come back.
struct Pool::Job {
  uint64_t count = 0;
  RequestFn make_request;
  uint64_t chunksize = 0;  // 0: automatic.
  bool ordered = false;    // Map-like: keep responses by index; else queue them as they come.

  uint64_t next_unsubmitted = 0;
  uint64_t completed = 0;
  absl::Status error;
  std::vector<std::string> responses;  // Ordered jobs.
  std::deque<Completed> arrived;       // Unordered jobs, not yet taken by Stream::Next.
  bool taken = false;                  // The caller has had the outcome.
  bool cancelled = false;              // Its handle was dropped: nothing more is wanted.

  bool finished() const { return completed == count || !error.ok(); }
};

namespace {

// Batches per worker that what is left of a job is cut into, at least, so that workers
// finish together: the chunk shrinks as the job nears its end.
constexpr uint64_t kBatchesPerWorker = 4;

// Weight of the newest batch in the smoothed time per request.
constexpr double kSmoothing = 0.25;

}  // namespace

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(Executor& executor, const Workload& workload,
                                                   PoolOptions options) {
  RETURN_IF_ERROR(executor.Start(workload));
  return std::unique_ptr<Pool>(new Pool(executor, options));
}

Pool::Pool(Executor& executor, PoolOptions options)
    : executor_(executor),
      options_(options),
      max_in_flight_(options.max_batches_in_flight > 0 ? options.max_batches_in_flight
                                                       : 2 * std::max(1, executor.parallelism())) {}

Pool::~Pool() {
  // The executor must not be left with batches of a pool that no longer exists: cancel what
  // has not started and wait for the rest.
  for (const auto& [id, flight] : in_flight_) Abandon(*flight.job);
  while (!in_flight_.empty()) {
    absl::StatusOr<WorkBatchResult> result = executor_.Next();
    if (!result.ok()) break;
    in_flight_.erase(result->id());
  }
}

void Pool::Abandon(Job& job) {
  if (job.cancelled) return;
  job.cancelled = true;
  job.make_request = nullptr;              // Never called again; what it captured may be gone.
  if (job.completed == job.count) return;  // Nothing of it is queued or in flight.
  job.responses.clear();
  job.arrived.clear();
  unsubmitted_.erase(
      std::remove_if(unsubmitted_.begin(), unsubmitted_.end(),
                     [&job](const std::shared_ptr<Job>& j) { return j.get() == &job; }),
      unsubmitted_.end());
  for (const auto& [id, flight] : in_flight_) {
    if (flight.job.get() == &job) executor_.Cancel(id);
  }
}

std::shared_ptr<Pool::Job> Pool::AddJob(uint64_t count, RequestFn make_request, uint64_t chunksize,
                                        bool ordered) {
  auto job = std::make_shared<Job>();
  job->count = count;
  job->make_request = std::move(make_request);
  job->chunksize = chunksize > 0 ? chunksize : options_.chunksize;
  job->ordered = ordered;
  if (ordered) job->responses.resize(count);
  if (count > 0) unsubmitted_.push_back(job);
  return job;
}

uint64_t Pool::ChunkFor(const Job& job) const {
  const uint64_t remaining = job.count - job.next_unsubmitted;
  if (job.chunksize > 0) return std::min(job.chunksize, remaining);
  if (!seconds_per_request_) return 1;  // Measure before batching.
  const double target = absl::ToDoubleSeconds(options_.target_batch_time);
  const double by_time = *seconds_per_request_ > 0 ? target / *seconds_per_request_ : 1e18;
  const uint64_t workers = static_cast<uint64_t>(std::max(1, executor_.parallelism()));
  const uint64_t by_balance = remaining / (kBatchesPerWorker * workers);
  const uint64_t chunk =
      std::min<uint64_t>(by_balance, by_time < 1e18 ? static_cast<uint64_t>(by_time) : ~0ull);
  return std::clamp<uint64_t>(chunk, 1, remaining);
}

absl::Status Pool::Fill() {
  while (static_cast<int>(in_flight_.size()) < max_in_flight_ && !unsubmitted_.empty()) {
    std::shared_ptr<Job> job = unsubmitted_.front();
    if (job->cancelled || !job->error.ok() || job->next_unsubmitted == job->count) {
      unsubmitted_.pop_front();
      continue;
    }
    const uint64_t first = job->next_unsubmitted;
    const uint64_t count = ChunkFor(*job);
    WorkBatch batch;
    batch.set_id(next_batch_id_++);
    for (uint64_t i = first; i < first + count; ++i) {
      WorkItem& item = *batch.add_items();
      item.set_index(i);
      item.set_request(job->make_request(i));
    }
    job->next_unsubmitted += count;
    const uint64_t id = batch.id();
    RETURN_IF_ERROR(executor_.Submit(std::move(batch)));
    in_flight_.emplace(id, InFlight{job, first, count});
    stats_.largest_chunk = std::max(stats_.largest_chunk, count);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Pool::Step(absl::Time deadline) {
  absl::StatusOr<std::optional<WorkBatchResult>> result = executor_.Next(deadline);
  if (!result.ok()) {
    // The executor cannot go on: every batch it held is lost, and so is every job.
    for (auto& [id, flight] : in_flight_) {
      if (flight.job->error.ok()) flight.job->error = result.status();
    }
    in_flight_.clear();
    return result.status();
  }
  if (!result->has_value()) return false;
  RETURN_IF_ERROR(Deliver(**std::move(result)));
  return true;
}

absl::Status Pool::Deliver(WorkBatchResult result) {
  auto it = in_flight_.find(result.id());
  if (it == in_flight_.end()) {
    return absl::InternalError(
        absl::StrCat("executor returned batch ", result.id(), ", which is not outstanding"));
  }
  const InFlight flight = std::move(it->second);
  in_flight_.erase(it);
  Job& job = *flight.job;
  if (job.cancelled) return absl::OkStatus();  // Nobody wants it any more.

  const uint64_t answered = static_cast<uint64_t>(result.responses_size());
  const bool failed = result.has_error();
  if (answered > flight.count || (!failed && answered != flight.count)) {
    job.error = absl::InternalError(
        absl::StrCat("executor returned ", answered, " responses for a batch of ", flight.count));
    return absl::OkStatus();
  }
  ++stats_.batches;
  stats_.requests += answered;
  stats_.compute_seconds += result.compute_seconds();
  if (!failed && answered > 0) {
    const double per_request = result.compute_seconds() / static_cast<double>(answered);
    seconds_per_request_ = seconds_per_request_
                               ? (1 - kSmoothing) * *seconds_per_request_ + kSmoothing * per_request
                               : per_request;
  }
  if (!job.error.ok()) return absl::OkStatus();  // The caller already has an error.
  for (uint64_t i = 0; i < answered; ++i) {
    std::string& response = *result.mutable_responses(static_cast<int>(i));
    if (job.ordered) {
      job.responses[flight.first + i] = std::move(response);
    } else {
      job.arrived.push_back(Completed{flight.first + i, std::move(response)});
    }
  }
  job.completed += answered;
  if (failed) job.error = ErrorStatus(result.error());
  return absl::OkStatus();
}

absl::Status Pool::WaitUntil(const std::function<bool()>& done) {
  while (!done()) {
    RETURN_IF_ERROR(Fill());
    if (in_flight_.empty()) {
      return absl::InternalError("the pool is waiting for a result, but nothing is running");
    }
    RETURN_IF_ERROR(Step(absl::InfiniteFuture()).status());
    RETURN_IF_ERROR(Fill());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Pool::Future::GetAll() {
  if (job_->taken) return absl::FailedPreconditionError("Future::Get was already called");
  Job& job = *job_;
  const absl::Status waited = pool_->WaitUntil([&job] { return job.finished(); });
  job.taken = true;
  if (!job.error.ok()) return job.error;
  RETURN_IF_ERROR(waited);
  return std::move(job.responses);
}

absl::StatusOr<std::string> Pool::Future::Get() {
  ASSIGN_OR_RETURN(std::vector<std::string> responses, GetAll());
  if (responses.size() != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Future::Get expects one response; this future has ", responses.size(), " (use GetAll)"));
  }
  return std::move(responses[0]);
}

bool Pool::Future::Poll() {
  Job& job = *job_;
  if (job.finished() || !pool_->Fill().ok()) return job.finished();
  // At most the batches out now: an executor that runs batches only when asked (serial)
  // would otherwise run the whole job here.
  for (size_t budget = pool_->in_flight_.size(); budget > 0 && !job.finished(); --budget) {
    absl::StatusOr<bool> stepped = pool_->Step(absl::Now());  // Only what has finished.
    if (!stepped.ok() || !*stepped) break;
  }
  return job.finished();
}

Pool::Future::Future(Future&& other) noexcept : pool_(other.pool_), job_(std::move(other.job_)) {}

Pool::Future& Pool::Future::operator=(Future&& other) noexcept {
  if (this != &other) {
    if (job_ != nullptr) pool_->Abandon(*job_);
    pool_ = other.pool_;
    job_ = std::move(other.job_);
  }
  return *this;
}

Pool::Future::~Future() {
  if (job_ != nullptr) pool_->Abandon(*job_);
}

Pool::Stream::Stream(Stream&& other) noexcept : pool_(other.pool_), job_(std::move(other.job_)) {}

Pool::Stream& Pool::Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    if (job_ != nullptr) pool_->Abandon(*job_);
    pool_ = other.pool_;
    job_ = std::move(other.job_);
  }
  return *this;
}

Pool::Stream::~Stream() {
  if (job_ != nullptr) pool_->Abandon(*job_);
}

absl::StatusOr<std::optional<Pool::Completed>> Pool::Stream::Next() {
  Job& job = *job_;
  const absl::Status waited =
      pool_->WaitUntil([&job] { return !job.arrived.empty() || job.finished(); });
  if (!job.arrived.empty()) {
    Completed next = std::move(job.arrived.front());
    job.arrived.pop_front();
    return std::optional<Completed>(std::move(next));
  }
  if (!job.error.ok()) return job.error;
  RETURN_IF_ERROR(waited);
  return std::optional<Completed>();
}

uint64_t Pool::Stream::Arrived() const { return job_->arrived.size(); }

Pool::Future Pool::ApplyAsync(std::string request) {
  auto shared = std::make_shared<std::string>(std::move(request));
  return Future(this, AddJob(
                          1, [shared](uint64_t) { return std::move(*shared); }, 1, true));
}

absl::StatusOr<std::string> Pool::Apply(std::string request) {
  return ApplyAsync(std::move(request)).Get();
}

Pool::Future Pool::MapAsync(std::vector<std::string> requests, uint64_t chunksize) {
  auto shared = std::make_shared<std::vector<std::string>>(std::move(requests));
  const uint64_t count = shared->size();
  return Future(
      this, AddJob(
                count, [shared](uint64_t i) { return std::move((*shared)[i]); }, chunksize, true));
}

absl::StatusOr<std::vector<std::string>> Pool::Map(std::vector<std::string> requests,
                                                   uint64_t chunksize) {
  return MapAsync(std::move(requests), chunksize).GetAll();
}

Pool::Stream Pool::Unordered(uint64_t count, RequestFn make_request, uint64_t chunksize) {
  return Stream(this, AddJob(count, std::move(make_request), chunksize, false));
}

}  // namespace parsweep
