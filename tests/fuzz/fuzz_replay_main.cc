// The main() of every `<target>_replay` test: one GoogleTest case per file of the corpus
// directory given as the first argument, each feeding the file to LLVMFuzzerTestOneInput
// as libFuzzer would (in a heap buffer of exactly its size, so that a sanitizer sees any
// read past the end). A crash or a failed FUZZ_CHECK aborts the test binary; the last
// "[ RUN ]" line names the input.
#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/fuzz_check.h"

namespace parsweep {
namespace {

// Files lists the regular files under `dir` and its subfolders, sorted.
void Files(const std::string& dir, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    if (DIR* sub = opendir(path.c_str())) {
      closedir(sub);
      Files(path, out);
    } else {
      out.push_back(path);
    }
  }
  closedir(d);
  std::sort(out.begin(), out.end());
}

// CorpusIsNotEmpty fails if the corpus is missing: a replay of nothing proves nothing.
class CorpusIsNotEmpty : public testing::Test {
 public:
  CorpusIsNotEmpty(std::string dir, size_t files) : dir_(std::move(dir)), files_(files) {}
  void TestBody() override { EXPECT_GT(files_, 0u) << "no corpus files in " << dir_; }

 private:
  const std::string dir_;
  const size_t files_;
};

class ReplayOne : public testing::Test {
 public:
  explicit ReplayOne(std::string path) : path_(std::move(path)) {}
  void TestBody() override {
    std::ifstream file(path_, std::ios::binary);
    ASSERT_TRUE(file) << "cannot read " << path_;
    const std::string bytes((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
    const std::unique_ptr<uint8_t[]> input(new uint8_t[bytes.size()]);
    std::memcpy(input.get(), bytes.data(), bytes.size());
    EXPECT_EQ(LLVMFuzzerTestOneInput(input.get(), bytes.size()), 0);
  }

 private:
  const std::string path_;
};

}  // namespace
}  // namespace parsweep

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::vector<std::string> files;
  parsweep::Files(dir, files);
  testing::RegisterTest("Corpus", "IsNotEmpty", nullptr, nullptr, __FILE__, __LINE__,
                        [dir, count = files.size()]() -> testing::Test* {
                          return new parsweep::CorpusIsNotEmpty(dir, count);
                        });
  for (const std::string& path : files) {
    // The file's path under the corpus, as a test name GoogleTest's filters and XML take.
    std::string name = path.substr(dir.size() + 1);
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    testing::RegisterTest("Corpus", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [path]() -> testing::Test* { return new parsweep::ReplayOne(path); });
  }
  return RUN_ALL_TESTS();
}
