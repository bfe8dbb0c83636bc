#include "runtime/process/wait_status.h"

#include <signal.h>
#include <sys/wait.h>

#include "gtest/gtest.h"

namespace parsweep {
namespace {

TEST(DescribeWaitStatusTest, SaysHowAProcessEnded) {
  EXPECT_EQ(DescribeWaitStatus(W_EXITCODE(3, 0)), "exited with status 3");
  EXPECT_EQ(DescribeWaitStatus(W_EXITCODE(0, SIGKILL)), "killed by signal 9 (Killed)");
  EXPECT_EQ(DescribeWaitStatus(W_EXITCODE(0, SIGSEGV)), "killed by signal 11 (Segmentation fault)");
  EXPECT_EQ(DescribeWaitStatus(W_EXITCODE(0, SIGSEGV) | WCOREFLAG),
            "killed by signal 11 (Segmentation fault), core dumped");
}

}  // namespace
}  // namespace parsweep
