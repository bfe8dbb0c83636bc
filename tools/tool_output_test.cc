#include "tools/tool_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A pipe standing in for standard output; its read end can be read or closed.
struct Pipe {
  Pipe() { EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  std::string ReadAll() {
    ::close(fds[1]);
    fds[1] = -1;
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buffer, sizeof(buffer))) > 0) text.append(buffer, n);
    return text;
  }
  int fds[2] = {-1, -1};
};

ToolOutput ReportAndChart(const std::string& chart_name) {
  ToolOutput output;
  output.text = "the report\n";
  output.charts.push_back({::testing::TempDir() + "/" + chart_name, std::string("<svg/>\n")});
  return output;
}

TEST(DeliverOutputTest, WritesTheTextThenEachChart) {
  const ToolOutput output = ReportAndChart("delivered.svg");
  Pipe out;
  std::ostringstream log;
  EXPECT_EQ(DeliverOutput(output, out.fds[1], log), 0);
  EXPECT_EQ(out.ReadAll(), "the report\n");
  EXPECT_EQ(ReadFile(output.charts[0].path), "<svg/>\n");
  EXPECT_EQ(log.str(), "wrote " + output.charts[0].path + "\n");
}

TEST(DeliverOutputTest, AFullDiskUnderStandardOutputIsAnErrorAndTheChartsAreStillWritten) {
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (full < 0) GTEST_SKIP() << "no /dev/full";
  ToolOutput output = ReportAndChart("after_full.svg");
  output.what = "the list";
  std::ostringstream log;
  EXPECT_EQ(DeliverOutput(output, full, log), 1);
  ::close(full);
  EXPECT_EQ(log.str(),
            "sweep: error: cannot write the list to standard output: No space left on device\n"
            "wrote " +
                output.charts[0].path + "\n");
  EXPECT_EQ(ReadFile(output.charts[0].path), "<svg/>\n");
}

TEST(DeliverOutputTest, AReaderThatHasGoneIsNoMessageButStatus141AndTheChartsAreWritten) {
  const ToolOutput output = ReportAndChart("after_epipe.svg");
  Pipe out;
  ::close(out.fds[0]);
  out.fds[0] = -1;
  std::ostringstream log;
  EXPECT_EQ(DeliverOutput(output, out.fds[1], log), kExitReaderGone);
  EXPECT_EQ(kExitReaderGone, 141);
  EXPECT_EQ(log.str(), "wrote " + output.charts[0].path + "\n");
  EXPECT_EQ(ReadFile(output.charts[0].path), "<svg/>\n");
}

TEST(DeliverOutputTest, AChartThatCannotBeDrawnOrWrittenIsAnErrorAndTheReportIsStillWritten) {
  ToolOutput output;
  output.text = "the report\n";
  output.charts.push_back({::testing::TempDir() + "/bad.svg",
                           absl::InvalidArgumentError("line chart: series 0 point 0 y is inf")});
  output.charts.push_back({::testing::TempDir() + "/no such dir/x.svg", std::string("<svg/>")});
  output.charts.push_back({::testing::TempDir() + "/good.svg", std::string("<svg/>")});
  Pipe out;
  std::ostringstream log;
  EXPECT_EQ(DeliverOutput(output, out.fds[1], log), 1);
  EXPECT_EQ(out.ReadAll(), "the report\n");
  EXPECT_THAT(log.str(), HasSubstr("sweep: error: line chart: series 0 point 0 y is inf\n"));
  EXPECT_THAT(log.str(), HasSubstr("no such dir': No such file or directory\n"));
  EXPECT_THAT(log.str(), HasSubstr("wrote " + output.charts[2].path + "\n"));
  struct stat st;
  EXPECT_NE(::stat(output.charts[0].path.c_str(), &st), 0);
}

TEST(DeliverOutputTest, WritesOtherFilesAfterTheChartsAndReportsTheirFailures) {
  ToolOutput output = ReportAndChart("with_files.svg");
  output.files.push_back({::testing::TempDir() + "/study.json", std::string("{}\n")});
  output.files.push_back({::testing::TempDir() + "/no such dir/study.json", std::string("{}")});
  output.files.push_back(
      {::testing::TempDir() + "/unprintable.json", absl::InternalError("cannot print the study")});
  Pipe out;
  std::ostringstream log;
  EXPECT_EQ(DeliverOutput(output, out.fds[1], log), 1);
  EXPECT_EQ(out.ReadAll(), "the report\n");
  EXPECT_EQ(ReadFile(output.files[0].path), "{}\n");
  EXPECT_THAT(log.str(), HasSubstr("wrote " + output.charts[0].path + "\nwrote " +
                                   output.files[0].path + "\n"));
  EXPECT_THAT(log.str(), HasSubstr("no such dir/study.json': cannot create a temporary file"));
  EXPECT_THAT(log.str(), HasSubstr("no such dir': No such file or directory\n"));
  EXPECT_THAT(log.str(), HasSubstr("sweep: error: cannot print the study\n"));
}

}  // namespace
}  // namespace parsweep
