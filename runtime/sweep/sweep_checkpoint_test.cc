// SweepCheckpoint with the sweep runner: resuming from any set of finished tasks gives the
// uninterrupted run's report bit for bit and runs only the others; a file for another sweep,
// not a checkpoint, or damaged, is refused and left as it is.
#include "runtime/sweep/sweep_checkpoint.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "runtime/plugin/executor.h"
#include "runtime/sweep/checkpoint_format.h"
#include "runtime/sweep/checkpoint_testing.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"
#include "runtime/sweep/task_planner.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

bool Exists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

// The tutorial's 12 widths at the origin, cut into 12 tasks: 3000 samples, one width per
// task (counts), or 12 blocks of 4096 samples (sums, cut at the kernel's blocks).
SweepSpec Spec(const std::string& kernel) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name(kernel);
  for (int i = 1; i <= 12; ++i) spec.add_widths(i / 10.0);
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  const bool sums = kernel == "parzen_gaussian";
  gaussian.set_n(sums ? 12 * 4096 : 3000);
  gaussian.set_seed(17);
  for (double m : {0.0, 0.0}) gaussian.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) gaussian.add_covariance(c);
  ExecutorSpec& executor = *spec.mutable_executor();
  executor.set_name("serial");
  executor.set_split(sums ? SPLIT_SAMPLES : SPLIT_WIDTHS);
  executor.set_chunk(sums ? 4096 : 1);
  return spec;
}

// RecordingExecutor: another executor, with the tasks it was given to run recorded.
class RecordingExecutor : public Executor {
 public:
  explicit RecordingExecutor(const ExecutorSpec& spec)
      : inner_(*Registry<Executor>::Global().Create(spec)) {}

  int parallelism() const override { return inner_->parallelism(); }
  absl::Status Start(const Workload& workload) override {
    ++starts;
    return inner_->Start(workload);
  }
  absl::Status Submit(WorkBatch batch) override {
    for (const WorkItem& item : batch.items()) {
      Task task;
      task.ParseFromString(item.request());
      ran.push_back(task.index());
    }
    return inner_->Submit(std::move(batch));
  }
  absl::StatusOr<std::optional<WorkBatchResult>> Next(absl::Time deadline) override {
    return inner_->Next(deadline);
  }
  void Cancel(uint64_t id) override { inner_->Cancel(id); }

  int starts = 0;
  std::vector<uint64_t> ran;

 private:
  std::unique_ptr<Executor> inner_;
};

struct Outcome {
  absl::StatusOr<Report> report;
  int starts = 0;
  std::vector<uint64_t> ran;  // Sorted.
};

Outcome RunWith(const SweepSpec& spec, SweepCheckpoint* checkpoint) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  if (!sweep.ok()) return {sweep.status(), 0, {}};
  RecordingExecutor executor(spec.executor());
  Outcome run{RunSweep(**sweep, executor, PoolOptions(), nullptr, checkpoint), executor.starts,
              executor.ran};
  std::sort(run.ran.begin(), run.ran.end());
  return run;
}

// Runs `spec` with a checkpoint at `path`.
Outcome RunWithCheckpoint(const SweepSpec& spec, const std::string& path,
                          SweepCheckpoint::Options options = {}) {
  absl::StatusOr<std::unique_ptr<SweepCheckpoint>> checkpoint =
      SweepCheckpoint::Open(path, options);
  if (!checkpoint.ok()) return {checkpoint.status(), 0, {}};
  return RunWith(spec, checkpoint->get());
}

// A report's bytes, deterministic, without its timing: equal bytes are equal bits.
std::string Bits(Report report) {
  report.clear_wall_seconds();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    report.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::vector<uint64_t> TasksIn(const std::string& bytes) {
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(bytes);
  EXPECT_TRUE(contents.ok()) << contents.status();
  std::vector<uint64_t> tasks;
  if (!contents.ok()) return tasks;
  for (const CheckpointRecord& record : contents->records) tasks.push_back(record.task_index());
  return tasks;
}

std::vector<uint64_t> Range(uint64_t n) {
  std::vector<uint64_t> all(n);
  for (uint64_t i = 0; i < n; ++i) all[i] = i;
  return all;
}

class CheckpointResumeTest : public testing::TestWithParam<std::string> {};

TEST_P(CheckpointResumeTest, AnySetOfFinishedTasksGivesTheSameBitsAndOnlyTheRestRun) {
  const SweepSpec spec = Spec(GetParam());
  const Outcome uninterrupted = RunWith(spec, nullptr);
  ASSERT_TRUE(uninterrupted.report.ok()) << uninterrupted.report.status();
  ASSERT_EQ(uninterrupted.report->tasks(), 12u);

  // A run with a checkpoint: the same report, and every task recorded.
  const std::string full_path = TempPath("full.checkpoint");
  const Outcome checkpointed = RunWithCheckpoint(spec, full_path);
  ASSERT_TRUE(checkpointed.report.ok()) << checkpointed.report.status();
  EXPECT_EQ(Bits(*checkpointed.report), Bits(*uninterrupted.report));
  const std::string full = ReadFile(full_path);
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(full);
  ASSERT_TRUE(contents.ok()) << contents.status();
  ASSERT_EQ(TasksIn(full), Range(12));
  const std::string header = full.substr(0, RecordBounds(full).front());

  // Files holding the tasks that finished first in some other order (the last first), and
  // half of the next one's record (a torn end).
  const std::vector<uint64_t> finish_order = {11, 3, 7, 0, 10, 1, 5, 9, 2, 8, 4, 6};
  for (size_t done : {0, 1, 5, 11, 12}) {
    SCOPED_TRACE(absl::StrCat(done, " tasks done"));
    std::string bytes = header;
    std::vector<uint64_t> kept(finish_order.begin(), finish_order.begin() + done);
    for (uint64_t task : kept) {
      bytes += EncodeCheckpointRecord(task, contents->records[task].partial());
    }
    std::string torn;
    if (done < 12) {
      const uint64_t next = finish_order[done];
      torn = EncodeCheckpointRecord(next, contents->records[next].partial());
      torn.resize(torn.size() / 2);
    }
    const std::string path = TempPath("resumed.checkpoint");
    WriteFile(path, bytes + torn);

    absl::StatusOr<std::unique_ptr<SweepCheckpoint>> checkpoint = SweepCheckpoint::Open(path);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    const Outcome resumed = RunWith(spec, checkpoint->get());
    ASSERT_TRUE(resumed.report.ok()) << resumed.report.status();
    EXPECT_EQ(Bits(*resumed.report), Bits(*uninterrupted.report));
    EXPECT_EQ((*checkpoint)->resumed_tasks(), done);
    EXPECT_EQ((*checkpoint)->dropped_bytes(), torn.size());
    std::vector<uint64_t> rest = Range(12);
    rest.erase(std::remove_if(rest.begin(), rest.end(),
                              [&](uint64_t t) {
                                return std::find(kept.begin(), kept.end(), t) != kept.end();
                              }),
               rest.end());
    EXPECT_EQ(resumed.ran, rest);
    EXPECT_EQ(resumed.starts, done < 12 ? 1 : 0) << "a complete checkpoint starts no executor";

    // The file now holds every task once: those it had, in their order, then the rest.
    std::vector<uint64_t> in_file = TasksIn(ReadFile(path));
    ASSERT_EQ(in_file.size(), 12u);
    EXPECT_EQ(std::vector<uint64_t>(in_file.begin(), in_file.begin() + done), kept);
    std::sort(in_file.begin(), in_file.end());
    EXPECT_EQ(in_file, Range(12));
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, CheckpointResumeTest,
                         testing::Values("parzen_hypercube", "parzen_gaussian"));

// Every executor gives the same bits for the same plan: a sweep begun serially may end on
// threads (whose results arrive in any order).
TEST(SweepCheckpointTest, AnotherExecutorWithTheSamePlanResumes) {
  SweepSpec spec = Spec("parzen_gaussian");
  const Outcome uninterrupted = RunWith(spec, nullptr);
  ASSERT_TRUE(uninterrupted.report.ok()) << uninterrupted.report.status();
  const std::string path = TempPath("threads.checkpoint");
  ASSERT_TRUE(RunWithCheckpoint(spec, path).report.ok());
  const std::string bytes = ReadFile(path);
  // Keep the header and the first 5 records.
  WriteFile(path, bytes.substr(0, RecordBounds(bytes)[5]));

  spec.mutable_executor()->set_name("threads");
  spec.mutable_executor()->set_workers(3);
  const Outcome resumed = RunWithCheckpoint(spec, path);
  ASSERT_TRUE(resumed.report.ok()) << resumed.report.status();
  EXPECT_EQ(resumed.ran, std::vector<uint64_t>({5, 6, 7, 8, 9, 10, 11}));
  Report expected = *uninterrupted.report;
  *expected.mutable_spec()->mutable_executor() = spec.executor();
  EXPECT_EQ(Bits(*resumed.report), Bits(expected));
}

TEST(SweepCheckpointTest, RefusesAnotherSweepAndLeavesTheFileAsItIs) {
  const SweepSpec base = Spec("parzen_hypercube");
  const std::string path = TempPath("other.checkpoint");
  ASSERT_TRUE(RunWithCheckpoint(base, path).report.ok());
  const std::string before = ReadFile(path);

  struct Change {
    std::function<void(SweepSpec&)> apply;
    std::string expected;
  };
  const std::vector<Change> changes = {
      {[](SweepSpec& s) {
         s.mutable_kernel()->set_name("parzen_gaussian");
         s.mutable_executor()->set_chunk(1);
       },
       "the checkpoint is for kernel parzen_hypercube; this run uses parzen_gaussian"},
      {[](SweepSpec& s) { (*s.mutable_kernel()->mutable_params())["algorithm"] = "naive"; },
       "other kernel options (--kernel_options, --algorithm)"},
      {[](SweepSpec& s) { s.mutable_data()->mutable_gaussian()->set_n(3001); },
       "the checkpoint is for 3000 samples in 2-D; this run has 3001 in 2-D"},
      {[](SweepSpec& s) { s.mutable_data()->mutable_gaussian()->set_seed(18); },
       "other samples of the same size"},
      {[](SweepSpec& s) { s.add_widths(1.3); }, "the checkpoint is for 12 widths; this run has 13"},
      {[](SweepSpec& s) { s.set_widths(0, 0.15); }, "other widths (--widths)"},
      {[](SweepSpec& s) {
         Point& point = *s.add_points();
         for (double x : {0.5, 0.0}) point.add_coords(x);
       },
       "other evaluation points"},
      {[](SweepSpec& s) { s.mutable_executor()->set_chunk(5); },
       "the checkpoint is for 12 tasks of 1 width; this run plans 3 tasks of 5 widths: use the "
       "--split, --chunk and --workers of the run that wrote it"},
      {[](SweepSpec& s) {
         s.mutable_executor()->set_split(SPLIT_SAMPLES);
         s.mutable_executor()->set_chunk(1000);
       },
       "this run plans 3 tasks of 1000 samples"},
      // --chunk=0: the plan follows the parallelism (2 threads: about 8 tasks).
      {[](SweepSpec& s) {
         s.mutable_executor()->set_name("threads");
         s.mutable_executor()->set_workers(2);
         s.mutable_executor()->set_chunk(0);
       },
       "this run plans 6 tasks of 2 widths"},
  };
  for (const Change& change : changes) {
    SweepSpec spec = base;
    change.apply(spec);
    SCOPED_TRACE(change.expected);
    const Outcome run = RunWithCheckpoint(spec, path);
    EXPECT_EQ(run.report.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(run.report.status().message(),
                HasSubstr(absl::StrCat("--checkpoint=", path, " was written for another sweep: ")));
    EXPECT_THAT(run.report.status().message(), HasSubstr(change.expected));
    EXPECT_THAT(run.report.status().message(), HasSubstr("this one is left as it is"));
    EXPECT_EQ(run.starts, 0);
    EXPECT_EQ(ReadFile(path), before);
  }
}

TEST(SweepCheckpointTest, RefusesSamplesChangedUnderTheSamePath) {
  const std::string data = TempPath("samples.csv");
  WriteFile(data, "0.5,0.25\n-1,2\n0.125,0\n");
  SweepSpec spec = Spec("parzen_hypercube");
  spec.mutable_data()->mutable_file()->set_path(data);
  const std::string path = TempPath("data.checkpoint");
  ASSERT_TRUE(RunWithCheckpoint(spec, path).report.ok());
  ASSERT_TRUE(RunWithCheckpoint(spec, path).report.ok()) << "the same data resumes";
  WriteFile(data, "0.5,0.25\n-1,3\n0.125,0\n");
  const Outcome run = RunWithCheckpoint(spec, path);
  EXPECT_EQ(run.report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(run.report.status().message(),
              HasSubstr("other samples of the same size (the --data file changed"));
}

TEST(SweepCheckpointTest, RefusesWhatIsNotACheckpointOrIsDamaged) {
  const SweepSpec spec = Spec("parzen_hypercube");
  const std::string path = TempPath("not.checkpoint");
  const std::string csv = "point,x1,x2,width,count\n0,0,0,0.1,16\n";
  WriteFile(path, csv);
  Outcome run = RunWithCheckpoint(spec, path);
  EXPECT_EQ(run.report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(run.report.status().message(),
              HasSubstr(absl::StrCat("--checkpoint=", path, ": not a parsweep checkpoint")));
  EXPECT_EQ(ReadFile(path), csv);

  const std::string good = TempPath("good.checkpoint");
  ASSERT_TRUE(RunWithCheckpoint(spec, good).report.ok());
  std::string damaged = ReadFile(good);
  damaged[RecordBounds(damaged)[6] - 1] ^= 0x10;  // The 6th record's last checksum byte.
  WriteFile(path, damaged);
  run = RunWithCheckpoint(spec, path);
  EXPECT_EQ(run.report.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(run.report.status().message(),
              HasSubstr(absl::StrCat("--checkpoint=", path, ": record 6 (at byte ",
                                     RecordBounds(ReadFile(good))[5], ") is damaged")));
  EXPECT_EQ(ReadFile(path), damaged);
}

// A partial of the wrong size under a good checksum: another build's kernel.
TEST(SweepCheckpointTest, RefusesAPartialThatDoesNotFitItsTask) {
  const SweepSpec spec = Spec("parzen_hypercube");
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  const std::string path = TempPath("misfit.checkpoint");
  WriteFile(path, EncodeCheckpointHeader(CheckpointHeaderFor(**sweep, TaskPlan(**sweep, 1))) +
                      EncodeCheckpointRecord(3, "abc"));
  const Outcome run = RunWithCheckpoint(spec, path);
  EXPECT_EQ(run.report.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(run.report.status().message(),
              HasSubstr(absl::StrCat("--checkpoint=", path, ": task 3 returned a partial")));
}

TEST(SweepCheckpointTest, BeginsAnewAFileHoldingNoneOrPartOfItsHeader) {
  const SweepSpec spec = Spec("parzen_hypercube");
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  const std::string header =
      EncodeCheckpointHeader(CheckpointHeaderFor(**sweep, TaskPlan(**sweep, 1)));
  for (size_t size : {size_t{0}, size_t{1}, header.size() / 2, header.size() - 1}) {
    const std::string path = TempPath("begun.checkpoint");
    WriteFile(path, header.substr(0, size));
    const Outcome run = RunWithCheckpoint(spec, path);
    ASSERT_TRUE(run.report.ok()) << size << ": " << run.report.status();
    EXPECT_EQ(run.ran, Range(12));
    EXPECT_EQ(TasksIn(ReadFile(path)).size(), 12u);
  }
}

TEST(SweepCheckpointTest, OpenNamesThePathItCannotWrite) {
  absl::StatusOr<std::unique_ptr<SweepCheckpoint>> checkpoint =
      SweepCheckpoint::Open("/nonexistent-directory/sweep.checkpoint");
  EXPECT_EQ(checkpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(checkpoint.status().message(),
              HasSubstr("--checkpoint=/nonexistent-directory/sweep.checkpoint: cannot open it "
                        "for writing: No such file or directory"));
  checkpoint = SweepCheckpoint::Open("/dev/null/sweep.checkpoint");
  EXPECT_FALSE(checkpoint.ok());
  EXPECT_THAT(checkpoint.status().message(), HasSubstr("Not a directory"));
  checkpoint = SweepCheckpoint::Open("/dev/null");
  EXPECT_EQ(checkpoint.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(checkpoint.status().message(), HasSubstr("--checkpoint=/dev/null: not a regular"));
  const std::string directory = TempPath("a-directory");
  ASSERT_EQ(::mkdir(directory.c_str(), 0755), 0);
  checkpoint = SweepCheckpoint::Open(directory);
  EXPECT_FALSE(checkpoint.ok());
  EXPECT_THAT(checkpoint.status().message(), HasSubstr("Is a directory"));
  ::rmdir(directory.c_str());
}

TEST(SweepCheckpointTest, AFileItCreatedIsRemovedUnlessBegun) {
  const std::string path = TempPath("created.checkpoint");
  {
    absl::StatusOr<std::unique_ptr<SweepCheckpoint>> checkpoint = SweepCheckpoint::Open(path);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    EXPECT_TRUE(Exists(path));
  }
  EXPECT_FALSE(Exists(path)) << "a run that failed before it began left its file";

  WriteFile(path, "");
  { ASSERT_TRUE(SweepCheckpoint::Open(path).ok()); }
  EXPECT_TRUE(Exists(path)) << "a file that was there before is not ours to remove";

  ::unlink(path.c_str());
  ASSERT_TRUE(RunWithCheckpoint(Spec("parzen_hypercube"), path).report.ok());
  EXPECT_TRUE(Exists(path));
}

TEST(SweepCheckpointTest, AppendedRecordsAreWrittenAtFlushAndSyncedAsThePolicySays) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(Spec("parzen_hypercube"));
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  const TaskPlan plan(**sweep, 1);
  SweepCheckpoint::Options every_flush;
  every_flush.max_unsynced = absl::ZeroDuration();
  SweepCheckpoint::Options at_the_end;
  at_the_end.max_unsynced = absl::InfiniteDuration();
  at_the_end.sync_budget = 0;
  for (const auto& [options, syncs_before_end] :
       std::vector<std::pair<SweepCheckpoint::Options, uint64_t>>{{every_flush, 6},
                                                                  {at_the_end, 0}}) {
    const std::string path = TempPath("synced.checkpoint");
    absl::StatusOr<std::unique_ptr<SweepCheckpoint>> checkpoint =
        SweepCheckpoint::Open(path, options);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    ASSERT_TRUE((*checkpoint)->Resume(**sweep, plan).ok());
    // Six flushes of two records each.
    for (uint64_t i = 0; i < plan.size(); ++i) {
      absl::StatusOr<TaskResult> result = (*sweep)->RunTask(plan.task(i));
      ASSERT_TRUE(result.ok()) << result.status();
      (*checkpoint)->Append(*result);
      EXPECT_EQ(TasksIn(ReadFile(path)).size(), i / 2 * 2) << "written before Flush()";
      if (i % 2 == 1) {
        ASSERT_TRUE((*checkpoint)->Flush().ok());
      }
    }
    EXPECT_EQ(TasksIn(ReadFile(path)), Range(12));
    EXPECT_EQ((*checkpoint)->syncs(), syncs_before_end);
    ASSERT_TRUE((*checkpoint)->Sync().ok());
    EXPECT_EQ((*checkpoint)->syncs(), syncs_before_end == 0 ? 1 : syncs_before_end);
  }
}

// A write that fails half way (a full disk) leaves a torn end, which a resume drops; nothing
// is written after it, even once the disk has room again, which would make it damage.
TEST(SweepCheckpointTest, AFailedWriteLeavesATornEndNotDamage) {
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(Spec("parzen_hypercube"));
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  const TaskPlan plan(**sweep, 1);
  std::vector<TaskResult> results;
  for (uint64_t i = 0; i < 6; ++i) {
    absl::StatusOr<TaskResult> result = (*sweep)->RunTask(plan.task(i));
    ASSERT_TRUE(result.ok()) << result.status();
    results.push_back(*result);
  }
  const size_t header = EncodeCheckpointHeader(CheckpointHeaderFor(**sweep, plan)).size();
  size_t three_records = 0;
  for (int i = 0; i < 3; ++i) {
    three_records += EncodeCheckpointRecord(i, results[i].partial()).size();
  }
  const size_t torn = EncodeCheckpointRecord(3, results[3].partial()).size() / 2;
  const size_t limit = header + three_records + torn;
  const std::string path = TempPath("full-disk.checkpoint");

  // In a child: the file size limit stands in for a full disk, and is lifted (room again)
  // before the checkpoint is closed.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);  // A write past the limit fails with EFBIG instead.
    rlimit size = {static_cast<rlim_t>(limit), RLIM_INFINITY};
    if (setrlimit(RLIMIT_FSIZE, &size) != 0) _exit(10);
    {
      absl::StatusOr<std::unique_ptr<SweepCheckpoint>> checkpoint = SweepCheckpoint::Open(path);
      if (!checkpoint.ok() || !(*checkpoint)->Resume(**sweep, plan).ok()) _exit(11);
      for (int i = 0; i < 3; ++i) {
        (*checkpoint)->Append(results[i]);
        if (!(*checkpoint)->Flush().ok()) _exit(12);
      }
      for (int i = 3; i < 6; ++i) (*checkpoint)->Append(results[i]);
      const absl::Status flushed = (*checkpoint)->Flush();
      if (flushed.ok()) _exit(13);
      if (!absl::StrContains(flushed.message(), absl::StrCat("--checkpoint=", path,
                                                             ": cannot write it: File too "
                                                             "large"))) {
        _exit(14);
      }
      size.rlim_cur = RLIM_INFINITY;
      if (setrlimit(RLIMIT_FSIZE, &size) != 0) _exit(15);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  absl::StatusOr<CheckpointContents> contents = ParseCheckpoint(ReadFile(path));
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_EQ(contents->records.size(), 3u);
  EXPECT_EQ(contents->intact_bytes, header + three_records);
  EXPECT_EQ(contents->torn_bytes, torn);
}

}  // namespace
}  // namespace parsweep
