// DescribeProcessState reads a live process's state: a stopped child reads as stopped.
#include "runtime/process/process_state.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

TEST(ProcessStateTest, SaysAStoppedChildIsStopped) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  ASSERT_EQ(kill(child, SIGSTOP), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, WUNTRACED), child);  // Returns once it has stopped.
  ASSERT_TRUE(WIFSTOPPED(status));
  EXPECT_THAT(DescribeProcessState(child), HasSubstr("stopped (SIGSTOP"));
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  EXPECT_EQ(DescribeProcessState(child), "");  // Reaped: no such process.
}

TEST(ProcessStateTest, ThisProcessIsRunning) {
  EXPECT_EQ(DescribeProcessState(getpid()), "it was running");
}

}  // namespace
}  // namespace parsweep
