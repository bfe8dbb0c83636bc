// RunBatch stops at the first failing request and turns what a workload throws into that
// request's error: running out of memory is ResourceExhausted, anything else Internal.
#include "runtime/scheduling/batch.h"

#include <new>
#include <stdexcept>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

// Echoes requests; "oom" throws std::bad_alloc, "throw" a std::runtime_error.
class ThrowingWorkload : public Workload {
 public:
  absl::StatusOr<std::string> Run(absl::string_view request) const override {
    if (request == "oom") throw std::bad_alloc();
    if (request == "throw") throw std::runtime_error("it broke");
    return std::string(request);
  }
};

WorkBatch BatchOf(std::initializer_list<const char*> requests) {
  WorkBatch batch;
  batch.set_id(1);
  uint64_t index = 10;
  for (const char* request : requests) {
    WorkItem& item = *batch.add_items();
    item.set_index(index++);
    item.set_request(request);
  }
  return batch;
}

TEST(RunBatchTest, RunningOutOfMemoryIsResourceExhaustedAtItsRequest) {
  const WorkBatchResult result = RunBatch(ThrowingWorkload(), BatchOf({"a", "oom", "b"}));
  ASSERT_TRUE(result.has_error());
  EXPECT_EQ(result.error().index(), 11u);
  EXPECT_EQ(result.error().code(), static_cast<int>(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(result.error().message(), HasSubstr("the workload ran out of memory"));
  EXPECT_THAT(result.responses(), ::testing::ElementsAre("a"));
}

TEST(RunBatchTest, OtherExceptionsAreInternalWithWhatTheySay) {
  const WorkBatchResult result = RunBatch(ThrowingWorkload(), BatchOf({"throw"}));
  ASSERT_TRUE(result.has_error());
  EXPECT_EQ(result.error().code(), static_cast<int>(absl::StatusCode::kInternal));
  EXPECT_THAT(result.error().message(), HasSubstr("threw an exception: it broke"));
}

}  // namespace
}  // namespace parsweep
