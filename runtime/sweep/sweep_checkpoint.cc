#include "runtime/sweep/sweep_checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/types/span.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/fingerprint.h"
#include "runtime/base/resource_error.h"
#include "runtime/base/status_macros.h"
#include "runtime/sweep/checkpoint_format.h"

namespace parsweep {
namespace {

uint64_t FingerprintDoubles(const double* values, size_t count) {
  return Fingerprint64(
      absl::Span<const char>(reinterpret_cast<const char*>(values), count * sizeof(double)));
}

// The kernel's name and params, in name order, each ended by a NUL so that no two
// different specs run together into the same bytes.
uint64_t KernelFingerprint(const KernelSpec& kernel) {
  std::string text = kernel.name();
  text.push_back('\0');
  const std::map<std::string, std::string> params(kernel.params().begin(), kernel.params().end());
  for (const auto& [name, value] : params) {
    text.append(name).push_back('=');
    text.append(value).push_back('\0');
  }
  return Fingerprint64(text);
}

std::string Plural(uint64_t count, absl::string_view noun) {
  return absl::StrCat(count, " ", noun, count == 1 ? "" : "s");
}

std::string DescribePlan(const CheckpointHeader& header) {
  const CheckpointPlan& plan = header.plan();
  std::string text =
      absl::StrCat(Plural(plan.tasks(), "task"), " of ",
                   Plural(plan.chunk(), plan.split() == SPLIT_SAMPLES ? "sample" : "width"));
  if (plan.points_per_task() < header.points()) {
    absl::StrAppend(&text, " and ", Plural(plan.points_per_task(), "point"));
  }
  return text;
}

// What differs between the sweep `found` in a file and the sweep `wanted` by this run, in
// the user's terms, and what to do; empty if they are the same sweep.
std::string Difference(const CheckpointHeader& found, const CheckpointHeader& wanted) {
  const CheckpointPlan& a = found.plan();
  const CheckpointPlan& b = wanted.plan();
  std::string why;
  if (found.kernel() != wanted.kernel()) {
    why = absl::StrCat("the checkpoint is for kernel ", found.kernel(), "; this run uses ",
                       wanted.kernel());
  } else if (found.kernel_fingerprint() != wanted.kernel_fingerprint()) {
    why = "the checkpoint is for other kernel options (--kernel_options, --algorithm)";
  } else if (found.samples() != wanted.samples() || found.dims() != wanted.dims()) {
    why = absl::StrCat("the checkpoint is for ", found.samples(), " samples in ", found.dims(),
                       "-D; this run has ", wanted.samples(), " in ", wanted.dims(), "-D");
  } else if (found.samples_fingerprint() != wanted.samples_fingerprint()) {
    why =
        "the checkpoint is for other samples of the same size (the --data file changed, or "
        "--seed, --mean or --cov differ)";
  } else if (found.widths() != wanted.widths()) {
    why = absl::StrCat("the checkpoint is for ", Plural(found.widths(), "width"), "; this run has ",
                       wanted.widths());
  } else if (found.widths_fingerprint() != wanted.widths_fingerprint()) {
    why = "the checkpoint is for other widths (--widths)";
  } else if (found.points() != wanted.points() ||
             found.points_fingerprint() != wanted.points_fingerprint()) {
    why = absl::StrCat("the checkpoint is for other evaluation points (",
                       Plural(found.points(), "point"), "; this run has ", wanted.points(),
                       "; --point, --points, --grid)");
  } else if (a.split() != b.split() || a.tasks() != b.tasks() || a.chunk() != b.chunk() ||
             a.points_per_task() != b.points_per_task()) {
    return absl::StrCat("the checkpoint is for ", DescribePlan(found), "; this run plans ",
                        DescribePlan(wanted),
                        ": use the --split, --chunk and --workers of the run that wrote it "
                        "(with --chunk=0 the tasks follow the workers, and --split=auto, the "
                        "default, chooses widths or samples by them), or a new checkpoint file");
  } else {
    return "";
  }
  return absl::StrCat(why,
                      ": use the flags and data of the run that wrote it, or a new "
                      "checkpoint file");
}

}  // namespace

CheckpointHeader CheckpointHeaderFor(const Sweep& sweep, const TaskPlan& plan) {
  const SweepSpec& spec = sweep.spec();
  CheckpointHeader header;
  header.set_kernel(spec.kernel().name());
  header.set_kernel_fingerprint(KernelFingerprint(spec.kernel()));
  header.set_widths(static_cast<uint32_t>(spec.widths_size()));
  header.set_widths_fingerprint(FingerprintDoubles(spec.widths().data(), spec.widths_size()));
  const Matrix& points = sweep.points();
  header.set_points(points.rows());
  header.set_points_fingerprint(FingerprintDoubles(points.data(), points.rows() * points.cols()));
  const Matrix& samples = sweep.data().samples;
  header.set_samples(samples.rows());
  header.set_dims(static_cast<uint32_t>(samples.cols()));
  header.set_samples_fingerprint(
      FingerprintDoubles(samples.data(), samples.rows() * samples.cols()));
  CheckpointPlan& cut = *header.mutable_plan();
  const bool by_samples = plan.by_samples();  // As planned: auto has chosen by now.
  cut.set_split(by_samples ? SPLIT_SAMPLES : SPLIT_WIDTHS);
  cut.set_tasks(plan.size());
  if (plan.size() > 0) {
    // The first task is a full one: its size is the plan's chunk.
    const Task first = plan.task(0);
    cut.set_chunk(by_samples ? first.sample_end() - first.sample_begin()
                             : first.width_end() - first.width_begin());
    cut.set_points_per_task(first.point_end() - first.point_begin());
  }
  return header;
}

absl::StatusOr<std::unique_ptr<SweepCheckpoint>> SweepCheckpoint::Open(const std::string& path,
                                                                       Options options) {
  const std::string flag = absl::StrCat("--checkpoint=", path);
  bool created = true;
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat(flag, ": cannot open it for writing"));
  // From here on the object owns `fd` (and the file, if created), whatever happens.
  std::unique_ptr<SweepCheckpoint> checkpoint(new SweepCheckpoint(path, fd, created, options));
  struct stat info;
  if (::fstat(fd, &info) != 0) return checkpoint->ErrnoError(errno, "cannot stat it");
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": not a regular file"));
  }
  // A POSIX record lock, not flock(): it belongs to this process alone, so forked workers,
  // which inherit the descriptor, neither hold it nor keep it after the tool dies.
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &lock) != 0) {
    if (errno != EACCES && errno != EAGAIN) return checkpoint->ErrnoError(errno, "cannot lock it");
    std::string holder;
    if (::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK) {
      holder = absl::StrCat(" (process ", lock.l_pid, ")");
    }
    return absl::FailedPreconditionError(
        absl::StrCat(flag, ": in use by another sweep", holder, "; wait for it to end"));
  }
  checkpoint->locked_ = true;
  return checkpoint;
}

SweepCheckpoint::SweepCheckpoint(std::string path, int fd, bool created, Options options)
    : path_(std::move(path)), fd_(fd), created_(created), options_(options) {}

SweepCheckpoint::~SweepCheckpoint() {
  // Records of results merged before an error elsewhere are still good: keep them.
  if (begun_ && !failed_) Sync().IgnoreError();
  // Only while holding the lock: a run that created the file but lost the race to lock it
  // must not remove the file the winner is using.
  if (created_ && locked_ && !begun_) ::unlink(path_.c_str());
  ::close(fd_);
}

absl::Status SweepCheckpoint::ErrnoError(int error, absl::string_view doing) const {
  // ResourceError names the limit behind EFBIG, EMFILE and the like (ulimit -f, -n).
  return ResourceError(error, absl::StrCat("--checkpoint=", path_, ": ", doing));
}

absl::StatusOr<std::string> SweepCheckpoint::ReadAll() const {
  struct stat info;
  if (::fstat(fd_, &info) != 0) return ErrnoError(errno, "cannot stat it");
  std::string bytes(static_cast<size_t>(info.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pread(fd_, bytes.data() + done, bytes.size() - done, done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "cannot read it");
    if (n == 0) break;  // Shorter than fstat said: read what is there.
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

absl::Status SweepCheckpoint::Truncate(uint64_t length) {
  if (::ftruncate(fd_, static_cast<off_t>(length)) != 0) {
    return ErrnoError(errno, "cannot truncate it");
  }
  if (::fdatasync(fd_) != 0) return ErrnoError(errno, "cannot sync it");
  return absl::OkStatus();
}

absl::Status SweepCheckpoint::Begin(const std::string& header) {
  if (const int error = WriteFullyTakingSignal(fd_, header.data(), header.size(), SIGXFSZ);
      error != 0) {
    return ErrnoError(error, "cannot write it");
  }
  if (::fdatasync(fd_) != 0) return ErrnoError(errno, "cannot sync it");
  // The file's name must survive a power cut too: sync the directory that holds it.
  const size_t slash = path_.rfind('/');
  const std::string directory =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    const bool synced = ::fsync(dir_fd) == 0 || errno == EINVAL;  // EINVAL: cannot be synced.
    const int error = errno;
    ::close(dir_fd);
    if (!synced) return ErrnoError(error, "cannot sync its directory");
  }
  begun_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TaskResult>> SweepCheckpoint::Resume(const Sweep& sweep,
                                                                const TaskPlan& plan) {
  ASSIGN_OR_RETURN(const std::string bytes, ReadAll());
  const CheckpointHeader wanted = CheckpointHeaderFor(sweep, plan);
  const std::string header = EncodeCheckpointHeader(wanted);
  resumed_at_ = last_sync_ = absl::Now();
  if (bytes.size() < header.size() && absl::StartsWith(header, bytes)) {
    if (!bytes.empty()) RETURN_IF_ERROR(Truncate(0));
    RETURN_IF_ERROR(Begin(header));
    return std::vector<TaskResult>();
  }
  const std::string flag = absl::StrCat("--checkpoint=", path_);
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(bytes);
  if (!contents.ok()) {
    return absl::Status(
        contents.status().code(),
        absl::StrCat(flag, ": ", contents.status().message(), "; the file is left as it is"));
  }
  if (const std::string why = Difference(contents->header, wanted); !why.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(flag, " was written for another sweep: ", why, "; this one is left as it is"));
  }
  if (contents->torn_bytes > 0) RETURN_IF_ERROR(Truncate(contents->intact_bytes));
  begun_ = true;
  dropped_bytes_ = contents->torn_bytes;
  resumed_tasks_ = contents->records.size();
  std::vector<TaskResult> results(contents->records.size());
  for (size_t i = 0; i < results.size(); ++i) {
    CheckpointRecord& record = contents->records[i];
    results[i].set_task_index(record.task_index());
    results[i].set_allocated_partial(record.release_partial());
  }
  return results;
}

void SweepCheckpoint::Append(const TaskResult& result) {
  pending_ += EncodeCheckpointRecord(result.task_index(), result.partial());
}

absl::Status SweepCheckpoint::WritePending() {
  if (!begun_) return absl::FailedPreconditionError("SweepCheckpoint: records before Resume");
  if (failed_) return absl::FailedPreconditionError("SweepCheckpoint: a write or sync failed");
  if (pending_.empty()) return absl::OkStatus();
  if (const int error = WriteFullyTakingSignal(fd_, pending_.data(), pending_.size(), SIGXFSZ);
      error != 0) {
    // Part of it may be in the file: a torn end, which resuming drops. Writing after it
    // would turn it into damage, so nothing more is written.
    failed_ = true;
    return ErrnoError(error, "cannot write it");
  }
  pending_.clear();
  unsynced_ = true;
  return absl::OkStatus();
}

absl::Status SweepCheckpoint::Flush() {
  RETURN_IF_ERROR(WritePending());
  const absl::Time now = absl::Now();
  if (unsynced_ && (now - last_sync_ >= options_.max_unsynced ||
                    sync_time_ < options_.sync_budget * (now - resumed_at_))) {
    return Sync();
  }
  return absl::OkStatus();
}

absl::Status SweepCheckpoint::Sync() {
  RETURN_IF_ERROR(WritePending());
  if (!unsynced_) return absl::OkStatus();
  const absl::Time start = absl::Now();
  if (::fdatasync(fd_) != 0) {
    // After a failed fdatasync the kernel may have dropped the data: trust nothing more.
    failed_ = true;
    return ErrnoError(errno, "cannot sync it");
  }
  last_sync_ = absl::Now();
  sync_time_ += last_sync_ - start;
  ++syncs_;
  unsynced_ = false;
  return absl::OkStatus();
}

}  // namespace parsweep
