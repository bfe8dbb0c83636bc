#include "runtime/base/atomic_file.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/base/fd_io.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// A fresh, empty directory for one test.
std::string NewDir(const std::string& name) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/atomic_file_", name);
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

// The names in `dir`, but "." and "..": a temporary file left behind shows up here.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void Write(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

bool IsSymlink(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

TEST(WriteFileAtomicallyTest, CreatesANewFileWithTheUmasksMode) {
  const std::string dir = NewDir("new");
  const std::string path = dir + "/chart.svg";
  const mode_t umask = ::umask(022);
  const absl::Status status = WriteFileAtomically(path, "<svg/>\n");
  ::umask(umask);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Read(path), "<svg/>\n");
  EXPECT_EQ(ModeOf(path), 0644u);
  EXPECT_THAT(Entries(dir), ElementsAre("chart.svg"));
}

TEST(WriteFileAtomicallyTest, ReplacesAFileAndKeepsItsPermissions) {
  const std::string dir = NewDir("replace");
  const std::string path = dir + "/report.txt";
  Write(path, "an old and longer text\n");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  ASSERT_TRUE(WriteFileAtomically(path, "new\n").ok());
  EXPECT_EQ(Read(path), "new\n");
  EXPECT_EQ(ModeOf(path), 0640u);
  EXPECT_THAT(Entries(dir), ElementsAre("report.txt"));
}

TEST(WriteFileAtomicallyTest, AWriterThatFailsLeavesTheOldFileAndNoTemporaryFile) {
  const std::string dir = NewDir("writer_fails");
  const std::string path = dir + "/chart.png";
  Write(path, "the user's old chart");
  const absl::Status status = WriteFileAtomically(path, [](int fd) {
    WriteFully(fd, "half a", 6);
    return absl::InternalError("rsvg-convert was killed by signal 9");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(),
            absl::StrCat("cannot write '", path, "': rsvg-convert was killed by signal 9"));
  EXPECT_EQ(Read(path), "the user's old chart");
  EXPECT_THAT(Entries(dir), ElementsAre("chart.png"));
}

// A write that runs out of room (here, past RLIMIT_FSIZE: EFBIG, as ENOSPC on a full disk)
// fails with the system's reason and changes nothing.
TEST(WriteFileAtomicallyTest, AFailedWriteLeavesTheOldFileAndNoTemporaryFile) {
  const std::string dir = NewDir("too_large");
  const std::string path = dir + "/data.csv";
  Write(path, "old,contents\n");
  rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = 16;
  // SIGXFSZ keeps its default action, which would kill this process: the write takes it.
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const absl::Status status = WriteFileAtomically(path, std::string(1000, 'x'));
  ::setrlimit(RLIMIT_FSIZE, &saved);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            absl::StrCat("cannot write '", path,
                         "': File too large (the file size limit, ulimit -f, is 16 bytes)"));
  EXPECT_EQ(Read(path), "old,contents\n");
  EXPECT_THAT(Entries(dir), ElementsAre("data.csv"));
}

// A link is written through: the file it points to is replaced (its temporary file made
// in that file's directory) and the link stays a link.
TEST(WriteFileAtomicallyTest, WritesThroughASymlinkAndKeepsIt) {
  const std::string links = NewDir("links");
  const std::string files = NewDir("files");
  const std::string target = files + "/chart.svg";
  Write(target, "old");
  ASSERT_EQ(::symlink("../atomic_file_files/chart.svg", (links + "/relative.svg").c_str()), 0);
  ASSERT_EQ(::symlink((links + "/relative.svg").c_str(), (links + "/chain.svg").c_str()), 0);

  ASSERT_TRUE(WriteFileAtomically(links + "/chain.svg", "new").ok());
  EXPECT_TRUE(IsSymlink(links + "/chain.svg"));
  EXPECT_TRUE(IsSymlink(links + "/relative.svg"));
  EXPECT_EQ(Read(target), "new");
  EXPECT_THAT(Entries(links), UnorderedElementsAre("chain.svg", "relative.svg"));
  EXPECT_THAT(Entries(files), ElementsAre("chart.svg"));

  // A dangling link creates the file it names.
  ASSERT_EQ(::symlink((files + "/later.svg").c_str(), (links + "/dangling.svg").c_str()), 0);
  ASSERT_TRUE(WriteFileAtomically(links + "/dangling.svg", "created").ok());
  EXPECT_TRUE(IsSymlink(links + "/dangling.svg"));
  EXPECT_EQ(Read(files + "/later.svg"), "created");
}

// A link to a device is written in place, and a failure keeps the link (the sweep tool
// used to delete the path it was given).
TEST(WriteFileAtomicallyTest, AFailureThroughASymlinkToADeviceKeepsTheLink) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  const std::string dir = NewDir("device");
  const std::string link = dir + "/chart.svg";
  ASSERT_EQ(::symlink("/dev/full", link.c_str()), 0);
  const absl::Status status = WriteFileAtomically(link, "<svg/>");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), absl::StrCat("cannot write '", link, "': No space left on device"));
  EXPECT_TRUE(IsSymlink(link));
  EXPECT_THAT(Entries(dir), ElementsAre("chart.svg"));
  // /dev/null takes anything.
  EXPECT_TRUE(WriteFileAtomically("/dev/null", "<svg/>").ok());
}

TEST(WriteFileAtomicallyTest, BadPathsAreErrorsThatNameThem) {
  const std::string dir = NewDir("bad_paths");
  const absl::Status missing = WriteFileAtomically(dir + "/no such dir/x.svg", "x");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr(dir + "/no such dir/x.svg"));
  EXPECT_THAT(missing.message(), HasSubstr("No such file or directory"));

  const absl::Status directory = WriteFileAtomically(dir, "x");
  EXPECT_EQ(directory.message(), absl::StrCat("cannot write '", dir, "': Is a directory"));

  ASSERT_EQ(::symlink("loop_b", (dir + "/loop_a").c_str()), 0);
  ASSERT_EQ(::symlink("loop_a", (dir + "/loop_b").c_str()), 0);
  EXPECT_THAT(WriteFileAtomically(dir + "/loop_a", "x").message(),
              HasSubstr("Too many levels of symbolic links"));

  EXPECT_EQ(WriteFileAtomically("", "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Entries(dir), ElementsAre("loop_a", "loop_b"));
}

TEST(CheckWritableAtomicallyTest, FindsTheErrorsAWriteWouldHaveBeforeWriting) {
  const std::string dir = NewDir("check");
  EXPECT_TRUE(CheckWritableAtomically(dir + "/new.svg").ok());
  EXPECT_TRUE(CheckWritableAtomically("/dev/null").ok());
  const absl::Status missing = CheckWritableAtomically(dir + "/no such dir/x.svg");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(),
            absl::StrCat("cannot write '", dir, "/no such dir/x.svg': directory '", dir,
                         "/no such dir': No such file or directory"));
  EXPECT_THAT(CheckWritableAtomically(dir).message(), HasSubstr("Is a directory"));
  // Through a link: the directory that matters is the target's.
  ASSERT_EQ(::symlink((dir + "/gone/x.svg").c_str(), (dir + "/link.svg").c_str()), 0);
  EXPECT_THAT(CheckWritableAtomically(dir + "/link.svg").message(),
              HasSubstr(absl::StrCat("directory '", dir, "/gone'")));
  EXPECT_THAT(Entries(dir), ElementsAre("link.svg"));
}

}  // namespace
}  // namespace parsweep
