// End-to-end tests of the sweep tool given data that is not data: devices, huge sparse
// files, binary and endless streams, as --data and as --points. Each must end with exit
// status 1 and a message that names the file and what was found in it, within seconds and
// with memory flat, where the tool used to read until memory ran out.
#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/data_file_testing.h"
#include "runtime/data/npy_testing.h"
#include "tests/sweep_tool_process.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr uint64_t k64GiB = uint64_t{64} << 30;
// Each run must end this soon; the tool answers bad data in milliseconds, and the rest is
// room for a loaded machine and sanitizers. A tool that read on would take minutes.
constexpr absl::Duration kQuick = absl::Seconds(5);

// The most memory a run may take. The tool's own footprint is about 10 MiB (more under
// sanitizers); before the readers were bounded, /dev/zero alone took gigabytes.
constexpr long kMaxRssKiB = 200 * 1024;

// ExpectRejected runs the tool with `flag`=`path` and expects exit status 1, within kQuick
// and kMaxRssKiB, with `message` on stderr.
void ExpectRejected(const std::string& flag, const std::string& path, const std::string& message) {
  const absl::Time start = absl::Now();
  const ToolOutcome outcome =
      RunSweepTool({absl::StrCat(flag, "=", path), "--widths=1"}, {}, absl::Seconds(60));
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(ExitedWith(outcome, 1)) << flag << "=" << path << "\n" << Describe(outcome);
  EXPECT_LT(took, kQuick) << flag << "=" << path;
  // RUSAGE_CHILDREN keeps the largest resident set of any child reaped so far, so this bounds
  // this run (and every earlier one).
  rusage children;
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &children), 0);
  EXPECT_LT(children.ru_maxrss, kMaxRssKiB)
      << flag << "=" << path << " reached " << children.ru_maxrss << " KiB";
  EXPECT_THAT(outcome.err, StartsWith("sweep: error: ")) << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr(message)) << flag << "=" << path;
}

class BadDataTest : public testing::TestWithParam<const char*> {
 protected:
  const std::string flag_ = GetParam();
};

TEST_P(BadDataTest, DevicesAreRejectedAtTheirFirstBytes) {
  ExpectRejected(flag_, "/dev/zero",
                 "/dev/zero:1: byte 0 of the file is a NUL: a binary file, not a CSV file of "
                 "numbers");
  // A random first line may end before its first control byte (then it is not a number, or
  // a header); either way the message names the file and a line.
  ExpectRejected(flag_, "/dev/urandom", "/dev/urandom:");
}

TEST_P(BadDataTest, HugeSparseFilesAreRejectedWithoutReadingThem) {
  ExpectRejected(flag_, WriteSparseTestFile("x.csv", "", k64GiB),
                 "x.csv:1: byte 0 of the file is a NUL: a binary file");
  ExpectRejected(flag_, WriteSparseTestFile("x.npy", "", k64GiB),
                 "x.npy: not a .npy file (it does not start with \\x93NUMPY)");
  // A real header on 64 GiB of zeros: the file's size gives it away before any data is read.
  ExpectRejected(
      flag_, WriteSparseTestFile("header.npy", NpyBytes(NpyDict("<f8", "(1000, 2)"), ""), k64GiB),
      "header.npy: shape (1000, 2) needs 16000 bytes of data but the file is longer: "
      "it has 68719476608");
}

TEST_P(BadDataTest, AHeaderClaimingGigabytesAllocatesNothing) {
  ExpectRejected(flag_, WriteTestFile("claims.npy", NpyBytes(NpyDict("<f8", "(536870912, 2)"), "")),
                 "claims.npy: shape (536870912, 2) needs 8589934592 bytes of data but the file "
                 "is truncated: it has 0");
}

TEST_P(BadDataTest, EndlessStreamsEndAtTheFirstBadBytes) {
  FifoFeeder zeros("zeros.csv", "0,0\n", std::string(65536, '\0'));
  ExpectRejected(flag_, zeros.path(), "zeros.csv:2: byte 4 of the file is a NUL");
  FifoFeeder one_line("one_line.csv", "", std::string(65536, '7'));
  ExpectRejected(flag_, one_line.path(),
                 "one_line.csv:1: line 1 is over 1 MiB long with no newline: not a CSV file of "
                 "numbers");
  FifoFeeder npy("endless.npy", NpyBytes(NpyDict("<f8", "(2, 2)"), ""), std::string(4096, '\0'));
  ExpectRejected(flag_, npy.path(),
                 "endless.npy: shape (2, 2) needs 32 bytes of data but the file is longer: it "
                 "has more than 32");
}

INSTANTIATE_TEST_SUITE_P(DataAndPoints, BadDataTest, testing::Values("--data", "--points"),
                         [](const testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param + 2);
                         });

// A data file whose name is not UTF-8 (Linux allows any bytes) cannot travel in a sweep's
// spec, a protobuf: it is refused with a clear message, on every executor, rather than
// garbled on its way to the workers with protobuf's complaints on stderr.
TEST(BadPathTest, ADataFileWhoseNameIsNotUtf8IsRefusedClearly) {
  const std::string path = WriteTestFile("samples\xff.csv", "0.1,0.2\n-0.3,0.4\n");
  for (const std::vector<std::string>& executor :
       {std::vector<std::string>{"--executor=serial"},
        std::vector<std::string>{"--executor=process", "--start_method=spawn"}}) {
    std::vector<std::string> args = executor;
    args.push_back("--data=" + path);
    const ToolOutcome outcome = RunSweepTool(args);
    EXPECT_TRUE(ExitedWith(outcome, 1)) << Describe(outcome);
    EXPECT_THAT(outcome.err, HasSubstr("samples\\xff.csv' is not UTF-8, which a sweep's spec "
                                       "must be to reach its workers"));
    EXPECT_THAT(outcome.err, Not(HasSubstr("libprotobuf")));
  }
}

TEST(GoodStreamsTest, AFifoOfSamplesGivesWhatTheFileGives) {
  const std::string samples = "x,y\n0.1,0.2\n-0.3,0.4\n0.5,-0.6\n2,2\n";
  const std::vector<std::string> args = {"--widths=0.5,1,3", "--format=csv"};
  std::vector<std::string> from_file = args;
  from_file.push_back("--data=" + WriteTestFile("samples.csv", samples));
  FifoFeeder fifo("samples_fifo.csv", samples);
  std::vector<std::string> from_fifo = args;
  from_fifo.push_back("--data=" + fifo.path());
  const ToolOutcome file_outcome = RunSweepTool(from_file);
  const ToolOutcome fifo_outcome = RunSweepTool(from_fifo);
  ASSERT_TRUE(ExitedWith(file_outcome, 0)) << Describe(file_outcome);
  ASSERT_TRUE(ExitedWith(fifo_outcome, 0)) << Describe(fifo_outcome);
  EXPECT_EQ(fifo_outcome.out, file_outcome.out);
  EXPECT_THAT(file_outcome.out, HasSubstr("\n0,0,0,3,"));  // Width 3 holds 3 of the 4.
}

}  // namespace
}  // namespace parsweep
