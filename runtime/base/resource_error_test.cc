// ResourceError names the limit behind an errno, in ulimit's units, and only limits in force.
#include "runtime/base/resource_error.h"

#include <sys/resource.h>

#include <cerrno>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

// LoweredLimit sets a soft limit for its lifetime (the tests are single-threaded and make no
// use of the resource meanwhile).
class LoweredLimit {
 public:
  LoweredLimit(int resource, rlim_t soft) : resource_(resource) {
    getrlimit(resource_, &saved_);
    struct rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    ok_ = saved_.rlim_max >= soft && setrlimit(resource_, &lowered) == 0;
  }
  ~LoweredLimit() { setrlimit(resource_, &saved_); }
  bool ok() const { return ok_; }

 private:
  const int resource_;
  struct rlimit saved_;
  bool ok_ = false;
};

TEST(ResourceErrorTest, TooManyOpenFilesNamesTheDescriptorLimit) {
  LoweredLimit limit(RLIMIT_NOFILE, 200);
  ASSERT_TRUE(limit.ok());
  const absl::Status status = ResourceError(EMFILE, "cannot create a pipe");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(),
            "cannot create a pipe: Too many open files (the open file limit, ulimit -n, is 200)");
}

TEST(ResourceErrorTest, FileTooLargeNamesTheFileSizeLimitInBytes) {
  LoweredLimit limit(RLIMIT_FSIZE, 1 << 20);
  ASSERT_TRUE(limit.ok());
  EXPECT_EQ(DescribeErrno(EFBIG),
            "File too large (the file size limit, ulimit -f, is 1048576 bytes)");
}

TEST(ResourceErrorTest, ThreadErrorNamesTheAddressSpaceLimitInKiB) {
  struct rlimit as;
  getrlimit(RLIMIT_AS, &as);
  if (as.rlim_max != RLIM_INFINITY) GTEST_SKIP() << "the address space is already limited";
  LoweredLimit limit(RLIMIT_AS, rlim_t{64} << 40);  // Far above what the test maps.
  ASSERT_TRUE(limit.ok());
  EXPECT_THAT(DescribeErrno(EAGAIN),
              HasSubstr("the address space limit, ulimit -v, is 68719476736 KiB"));
  EXPECT_THAT(DescribeErrno(ENOMEM),
              HasSubstr("Cannot allocate memory (the address space limit, ulimit -v, is "));
}

TEST(ResourceErrorTest, UnlimitedResourcesAndOtherErrorsNameNoLimit) {
  LoweredLimit limit(RLIMIT_FSIZE, RLIM_INFINITY);
  ASSERT_TRUE(limit.ok());
  EXPECT_EQ(DescribeErrno(EFBIG), "File too large");
  const absl::Status status = ResourceError(ENOENT, "cannot run it");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "cannot run it: No such file or directory");
}

TEST(ResourceErrorTest, StartThreadRunsTheBody) {
  bool ran = false;
  absl::StatusOr<std::thread> thread = StartThread("cannot start it", [&ran] { ran = true; });
  ASSERT_TRUE(thread.ok()) << thread.status();
  thread->join();
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace parsweep
