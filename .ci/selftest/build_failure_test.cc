// Does not compile, on purpose: the self-test checks that a test target that failed to build
// counts as one failure.
#include "gtest/gtest.h"

TEST(BuildFailureTest, NeverBuilt) { this_does_not_compile(); }
