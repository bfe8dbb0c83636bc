// Every case passes, then the process exits with status 1 after gtest has written its XML,
// the way a sanitizer's report at exit (LeakSanitizer) ends a test whose cases all passed.
#include <cstdlib>

#include "gtest/gtest.h"

namespace {

void ExitWithFailure() { std::_Exit(1); }

const bool registered = [] { return std::atexit(ExitWithFailure) == 0; }();

TEST(ExitStatusTest, PassesButTheProcessFailsAtExit) { EXPECT_TRUE(registered); }

}  // namespace
