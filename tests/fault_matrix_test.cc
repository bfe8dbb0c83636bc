// Every executor through the same fault matrix: {delay, stall, error, throw, corrupt, kill,
// exit, hang, stop} x {decode, run, encode}, planted in one task of a Gaussian sweep by a
// FaultInjectingExecutor (runtime/testing/fault_injection.h). The invariant, for every cell:
// the sweep gives serial's bits or a clear error that names the fault; it never hangs (the
// HangGuard ends a stuck binary); nothing finished is lost; and the executor then runs the
// same sweep again with serial's bits. Kill, exit, hang (killed past the task timeout) and
// stop (SIGSTOP: killed once silent past the heartbeat timeout) apply only where workers are
// processes the executor replaces (in threads or serial they would end or hang this test; on
// MPI they end the job, see tests/sweep_tool_mpi_test.sh); a stall only where another worker
// can go on meanwhile (the stalled task is released once every other task is merged). MPI's
// cells run when this binary is rank 0 of an MPI job (:mpi_fault_matrix_test).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "executors/mpi/mpi_executor.h"
#include "executors/process/test_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/plugin/executor.h"
#include "runtime/sweep/sweep.h"
#include "runtime/sweep/sweep_runner.h"
#include "runtime/sweep/task_planner.h"
#include "runtime/testing/fault_injection.h"

namespace parsweep {
namespace {

using fault_injection::FaultPlan;
using ::testing::HasSubstr;

struct ExecutorCase {
  std::string label;
  std::string name;
  uint32_t workers;
  std::string start_method;
  // Workers are processes that the executor replaces when lost: kill, exit, hang and stop
  // apply. (An MPI rank cannot be replaced: those faults end the job, which
  // tests/sweep_tool_mpi_test.sh checks.)
  bool replaceable;
};

// Liveness limits short enough for a test, long enough for a loaded machine: a worker beats
// every 200 ms.
constexpr char kTaskTimeout[] = "4s";
constexpr char kHeartbeatTimeout[] = "2s";

ExecutorSpec SpecOf(const ExecutorCase& c) {
  ExecutorSpec spec;
  spec.set_name(c.name);
  spec.set_workers(c.workers);
  spec.set_split(SPLIT_SAMPLES);
  spec.set_chunk(4096);  // 8 tasks of the 8 * 4096 samples (the Gaussian's blocks).
  if (!c.start_method.empty()) (*spec.mutable_params())["start_method"] = c.start_method;
  if (c.name == "process" || c.name == "mpi") {
    (*spec.mutable_params())["task_timeout"] = kTaskTimeout;
    (*spec.mutable_params())["heartbeat_timeout"] = kHeartbeatTimeout;
  }
  return spec;
}

SweepSpec MakeSpec(const ExecutorSpec& executor) {
  SweepSpec spec;
  spec.mutable_kernel()->set_name("parzen_gaussian");
  for (int i = 1; i <= 12; ++i) spec.add_widths(i / 10.0);
  GaussianSource& gaussian = *spec.mutable_data()->mutable_gaussian();
  gaussian.set_n(8 * 4096);
  gaussian.set_seed(5);
  for (double m : {0.0, 0.0}) gaussian.add_mean(m);
  for (double c : {1.0, 0.0, 0.0, 1.0}) gaussian.add_covariance(c);
  *spec.mutable_executor() = executor;
  return spec;
}

using Cell = std::tuple<ExecutorCase, FaultPlan::Stage, FaultPlan::Action>;

class FaultMatrixTest : public ::testing::TestWithParam<Cell> {
 protected:
  HangGuard guard_{"a FaultMatrixTest cell", 60};
};

// Every density of `got` equals `want`'s, bit for bit.
void ExpectSameBits(const Report& want, const Report& got) {
  ASSERT_EQ(got.results_size(), want.results_size());
  for (int i = 0; i < want.results_size(); ++i) {
    EXPECT_EQ(got.results(i).width(), want.results(i).width());
    EXPECT_EQ(got.results(i).density(), want.results(i).density()) << "result " << i;
  }
}

TEST_P(FaultMatrixTest, SameAnswerOrAClearErrorAndTheExecutorGoesOn) {
  const auto& [executor_case, stage, action] = GetParam();
  const SweepSpec spec = MakeSpec(SpecOf(executor_case));
  absl::StatusOr<std::unique_ptr<Sweep>> sweep = Sweep::Create(spec);
  ASSERT_TRUE(sweep.ok()) << sweep.status();

  ExecutorSpec serial_spec = spec.executor();
  serial_spec.set_name("serial");
  serial_spec.set_workers(0);
  serial_spec.clear_params();
  std::unique_ptr<Executor> serial = Registry<Executor>::Global().Create(serial_spec).value();
  const absl::StatusOr<Report> want = RunSweep(**sweep, *serial);
  ASSERT_TRUE(want.ok()) << want.status();

  const std::string cell = absl::StrCat(executor_case.label, "_", FaultPlan::Stage_Name(stage), "_",
                                        FaultPlan::Action_Name(action));
  const TaskPlan plan(**sweep, executor_case.workers);
  ASSERT_EQ(plan.size(), 8u);
  FaultPlan fault;
  fault.set_stage(stage);
  fault.set_action(action);
  fault.set_trigger_request(plan.task(3).SerializeAsString());
  fault.set_once(true);
  fault.set_marker_path(TestPath(cell + "_marker"));
  fault.set_delay_ms(10);
  fault.set_gate_path(TestPath(cell + "_gate"));
  if (action == FaultPlan::STALL) {
    ASSERT_EQ(mkfifo(fault.gate_path().c_str(), 0600), 0) << std::strerror(errno);
  }
  absl::StatusOr<std::unique_ptr<Executor>> inner =
      Registry<Executor>::Global().Create(spec.executor());
  ASSERT_TRUE(inner.ok()) << inner.status();
  FaultInjectingExecutor executor(*std::move(inner), fault);

  // One task per batch, so the faulty task is alone in its batch; a stall is released once
  // the seven other tasks are merged (they ran on the other worker meanwhile).
  PoolOptions one_task_per_batch;
  one_task_per_batch.chunksize = 1;
  const std::string gate = fault.gate_path();
  const auto release_stall = [&](uint64_t done, uint64_t total) {
    if (action != FaultPlan::STALL || done + 1 != total) return;
    const int fd = open(gate.c_str(), O_WRONLY | O_CLOEXEC);  // Waits for the stalled reader.
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ASSERT_EQ(write(fd, "g", 1), 1);
    close(fd);
  };
  const absl::StatusOr<Report> got = RunSweep(**sweep, executor, one_task_per_batch, release_stall);

  EXPECT_EQ(access(fault.marker_path().c_str(), F_OK), 0) << "the fault never fired";
  switch (action) {
    case FaultPlan::DELAY:
    case FaultPlan::STALL:
    case FaultPlan::KILL:  // A lost worker's batch runs again on a fresh one.
    case FaultPlan::EXIT:
    case FaultPlan::HANG:  // Killed past the task timeout, then lost.
    case FaultPlan::STOP:  // Killed once silent for the heartbeat timeout, then lost.
      ASSERT_TRUE(got.ok()) << got.status();
      ExpectSameBits(*want, *got);
      break;
    case FaultPlan::ERROR:
      EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(got.status().message(),
                  HasSubstr(absl::StrCat("injected error at ", FaultPlan::Stage_Name(stage))));
      break;
    case FaultPlan::THROW:
      EXPECT_EQ(got.status().code(), absl::StatusCode::kInternal);
      EXPECT_THAT(got.status().message(),
                  HasSubstr(absl::StrCat("threw an exception: injected exception at ",
                                         FaultPlan::Stage_Name(stage))));
      break;
    case FaultPlan::CORRUPT:
      // A garbled request does not parse as a Task; a garbled result does not parse, or its
      // partial does not fit its task.
      EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
      EXPECT_THAT(got.status().message(),
                  testing::AnyOf(HasSubstr("cannot parse a parsweep.Task request"),
                                 HasSubstr("cannot parse the result of task 3"),
                                 HasSubstr("task 3 returned a partial that does not fit")));
      break;
    default:
      FAIL() << "no expectation for " << FaultPlan::Action_Name(action);
  }

  // The fault fired once; the same executor now gives serial's bits.
  const absl::StatusOr<Report> again = RunSweep(**sweep, executor, one_task_per_batch);
  ASSERT_TRUE(again.ok()) << again.status();
  ExpectSameBits(*want, *again);
}

std::vector<Cell> Cells() {
  std::vector<ExecutorCase> executors = {
      {"serial", "serial", 1, "", false},
      {"threads", "threads", 2, "", false},
      {"process_spawn", "process", 2, "spawn", true},
  };
#ifndef __SANITIZE_THREAD__
  // ThreadSanitizer's own thread makes the process multi-threaded, which fork refuses.
  executors.push_back({"process_fork", "process", 2, "fork", true});
#endif
  // Under mpirun (:mpi_fault_matrix_test runs this binary as rank 0 of 3).
  if (InMpiJob()) executors.push_back({"mpi", "mpi", 2, "", false});
  std::vector<Cell> cells;
  for (const ExecutorCase& executor : executors) {
    for (FaultPlan::Stage stage : {FaultPlan::DECODE, FaultPlan::RUN, FaultPlan::ENCODE}) {
      for (FaultPlan::Action action : {FaultPlan::DELAY, FaultPlan::STALL, FaultPlan::ERROR,
                                       FaultPlan::THROW, FaultPlan::CORRUPT, FaultPlan::KILL,
                                       FaultPlan::EXIT, FaultPlan::HANG, FaultPlan::STOP}) {
        const bool loses_the_worker = action == FaultPlan::KILL || action == FaultPlan::EXIT ||
                                      action == FaultPlan::HANG || action == FaultPlan::STOP;
        if (loses_the_worker && !executor.replaceable) continue;
        if (action == FaultPlan::STALL && executor.workers < 2) continue;
        cells.emplace_back(executor, stage, action);
      }
    }
  }
  return cells;
}

INSTANTIATE_TEST_SUITE_P(EveryExecutor, FaultMatrixTest, ::testing::ValuesIn(Cells()),
                         [](const ::testing::TestParamInfo<Cell>& info) {
                           return absl::StrCat(std::get<0>(info.param).label, "_",
                                               FaultPlan::Stage_Name(std::get<1>(info.param)), "_",
                                               FaultPlan::Action_Name(std::get<2>(info.param)));
                         });

}  // namespace
}  // namespace parsweep
