#include "runtime/data/npy_reader.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/data/data_file.h"
#include "runtime/data/data_file_testing.h"
#include "runtime/data/npy_testing.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The two helpers' short names, as the cases below use them often.
std::string Npy(const std::string& dict, const std::string& data, int major = 1) {
  return NpyBytes(dict, data, major);
}
template <typename T>
std::string Raw(const std::vector<T>& values) {
  return RawBytes(values);
}

TEST(NpyReaderTest, ReadsFloat64RowsInCOrder) {
  const std::string bytes = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }",
                                Raw<double>({1, 2, 3, 4, 5, 6.5}));
  absl::StatusOr<Matrix> m = ParseNpyMatrix(bytes, "x.npy");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->rows(), 3u);
  ASSERT_EQ(m->cols(), 2u);
  EXPECT_THAT(std::vector<double>(m->data(), m->data() + 6), ElementsAre(1, 2, 3, 4, 5, 6.5));
}

TEST(NpyReaderTest, SaysTheLargestMagnitudeItRead) {
  const std::string bytes = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
                                Raw<double>({1, -9.25, 3, 4}));
  MemorySource source(bytes, "x.npy");
  double largest = -1;
  absl::StatusOr<Matrix> m = ReadNpyMatrix(source, &largest);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(largest, 9.25);
}

TEST(NpyReaderTest, ReadsFloat32OneDimensionalAndVersionTwo) {
  absl::StatusOr<Matrix> f32 = ParseNpyMatrix(
      Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }", Raw<float>({0.5f, -2})),
      "x.npy");
  ASSERT_TRUE(f32.ok()) << f32.status();
  EXPECT_EQ((*f32)(1, 0), -2.0);
  absl::StatusOr<Matrix> flat =
      ParseNpyMatrix(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }",
                         Raw<double>({1, 2, 3, 4}), 2),
                     "x.npy");
  ASSERT_TRUE(flat.ok()) << flat.status();
  EXPECT_EQ(flat->rows(), 4u);
  EXPECT_EQ(flat->cols(), 1u);
}

TEST(NpyReaderTest, ReportsEachKindOfBadFile) {
  const std::string good_dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  const std::string four = Raw<double>({1, 2, 3, 4});
  struct Case {
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {"hello", "not a .npy file"},
      {"", "not a .npy file"},
      {Npy(good_dict, four).substr(0, 9), "not a .npy file"},
      {Npy(good_dict, four).substr(0, 30), "truncated .npy header"},
      {Npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", four),
       "dtype '<i4' is not supported"},
      {Npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", four),
       "dtype '>f8' is not supported"},
      {Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", four), "Fortran order"},
      {Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 1), }", four),
       "is not (n, d) or (n,)"},
      {Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 2), }", ""), "is empty"},
      {Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (x, 2), }", four), "malformed shape"},
      {Npy("{'descr': '<f8', 'shape': (2, 2), }", four), "no 'fortran_order' entry"},
      {Npy(good_dict, four.substr(0, 31)), "is truncated: it has 31"},
      {Npy(good_dict, four + "x"), "is longer: it has 33"},
      {Npy(good_dict, Raw<double>({1, 2, NAN, 4})), "row 2, column 1 is not finite"},
      {Npy(good_dict, four, 9), "version 9 is not supported"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Matrix> m = ParseNpyMatrix(c.bytes, "x.npy");
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(m.status().message(), HasSubstr(c.message));
  }
}

TEST(NpyReaderTest, ReadsAFileAndReportsAMissingOne) {
  const std::string path = testing::TempDir() + "/samples.npy";
  std::ofstream(path, std::ios::binary)
      << Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }", Raw<double>({7, 8, 9}));
  absl::StatusOr<Matrix> m = ReadNpyMatrix(path);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)(0, 2), 9.0);
  EXPECT_EQ(ReadNpyMatrix(path + ".missing").status().code(), absl::StatusCode::kNotFound);
}

// ReadIris reads testdata/`name` and its raw bytes.
Matrix ReadIris(const std::string& name, std::string& bytes) {
  const std::string path = "testdata/" + name;
  std::ifstream file(path, std::ios::binary);
  bytes.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  absl::StatusOr<Matrix> m = ReadNpyMatrix(path);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : Matrix();
}

TEST(NpyReaderTest, ReadsTheIrisFilesAsNumpyWroteThem) {
  // numpy wrote a 128-byte header (its dict padded to a multiple of 64) then the values.
  constexpr size_t kHeader = 128;
  std::string bytes;
  const Matrix f64 = ReadIris("iris_petal.npy", bytes);
  ASSERT_EQ(f64.rows(), 150u);
  ASSERT_EQ(f64.cols(), 2u);
  ASSERT_EQ(bytes.size(), kHeader + 150 * 2 * 8);
  EXPECT_EQ(std::memcmp(f64.data(), bytes.data() + kHeader, 150 * 2 * 8), 0);
  EXPECT_EQ(f64(0, 0), 1.4);  // The first flower's petal: 1.4 cm by 0.2 cm.
  EXPECT_EQ(f64(0, 1), 0.2);

  const Matrix f32 = ReadIris("iris_petal_f32.npy", bytes);
  ASSERT_EQ(f32.rows(), 150u);
  ASSERT_EQ(f32.cols(), 2u);
  ASSERT_EQ(bytes.size(), kHeader + 150 * 2 * 4);
  for (size_t i = 0; i < 300; ++i) {
    float value;
    std::memcpy(&value, bytes.data() + kHeader + 4 * i, 4);
    ASSERT_EQ(f32.data()[i], static_cast<double>(value)) << i;
    ASSERT_EQ(static_cast<float>(f64.data()[i]), value) << i;
  }
}

TEST(NpyReaderTest, ReadsValuesAcrossChunksAndFindsTheFirstNonFinite) {
  // 3 x 20000 values: several 64 KiB chunks, for both item sizes.
  std::vector<double> f8(60000);
  std::vector<float> f4(60000);
  for (size_t i = 0; i < f8.size(); ++i) f4[i] = static_cast<float>(f8[i] = i * 0.5 - 7);
  absl::StatusOr<Matrix> m8 = ParseNpyMatrix(Npy(NpyDict("<f8", "(20000, 3)"), Raw(f8)), "x.npy");
  ASSERT_TRUE(m8.ok()) << m8.status();
  EXPECT_EQ(std::vector<double>(m8->data(), m8->data() + 60000), f8);
  absl::StatusOr<Matrix> m4 = ParseNpyMatrix(Npy(NpyDict("<f4", "(20000, 3)"), Raw(f4)), "x.npy");
  ASSERT_TRUE(m4.ok()) << m4.status();
  EXPECT_EQ(std::vector<double>(m4->data(), m4->data() + 60000), f8);

  f8[50000] = INFINITY;  // Row 16667, column 3, in the seventh chunk.
  f8[59999] = NAN;
  EXPECT_THAT(
      ParseNpyMatrix(Npy(NpyDict("<f8", "(20000, 3)"), Raw(f8)), "x.npy").status().message(),
      HasSubstr("x.npy: row 16667, column 3 is not finite"));
}

void ExpectQuickError(const std::string& path, const std::string& message) {
  ExpectQuickReadError([](const std::string& p) { return ReadNpyMatrix(p).status(); }, path,
                       message);
}

TEST(NpyReaderTest, ChecksSizesBeforeAllocating) {
  ExpectQuickError("/dev/zero", "/dev/zero: not a .npy file");
  ExpectQuickError("/dev/urandom", "/dev/urandom: not a .npy file");
  ExpectQuickError(WriteSparseTestFile("zeros.npy", "", uint64_t{64} << 30),
                   "zeros.npy: not a .npy file");
  // A real header on 64 GiB: the file's size tells at once that it is not a (2, 2) array.
  const std::string header = Npy(NpyDict("<f8", "(2, 2)"), "");
  ExpectQuickError(WriteSparseTestFile("huge.npy", header, uint64_t{64} << 30),
                   "huge.npy: shape (2, 2) needs 32 bytes of data but the file is longer: it has "
                   "68719476608");
  // A header that claims 8 GiB of data in a file that holds none: nothing is allocated.
  ExpectQuickError(WriteTestFile("claims.npy", Npy(NpyDict("<f8", "(536870912, 2)"), "")),
                   "needs 8589934592 bytes of data but the file is truncated: it has 0");
  ExpectQuickError(WriteTestFile("too_many.npy", Npy(NpyDict("<f4", "(1073741825,)"), "")),
                   "shape (1073741825,) has more than 1073741824 values");
  std::string long_header = Npy(NpyDict("<f8", "(1,)") + std::string(20000, ' '), Raw<double>({1}));
  ExpectQuickError(
      WriteTestFile("long_header.npy", long_header),
      "long_header.npy: the .npy header says it is 20086 bytes long; numpy writes about "
      "128 and np.load refuses headers over 10000");
}

TEST(NpyReaderTest, StreamsAFifo) {
  const std::vector<double> values = {1, 2, 3, 4, 5, 6};
  FifoFeeder good("good.npy", Npy(NpyDict("<f8", "(3, 2)"), Raw(values)));
  absl::StatusOr<Matrix> m = ReadNpyMatrix(good.path());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(std::vector<double>(m->data(), m->data() + 6), values);

  FifoFeeder short_one("short.npy", Npy(NpyDict("<f8", "(1000, 2)"), std::string(100, '\0')));
  ExpectQuickError(short_one.path(),
                   "needs 16000 bytes of data but the file is truncated: it has 100");
  // An endless stream after the data: the reader stops one byte past what the shape needs.
  FifoFeeder endless("endless.npy", Npy(NpyDict("<f8", "(1000, 2)"), ""), std::string(4096, '\0'));
  ExpectQuickError(endless.path(),
                   "needs 16000 bytes of data but the file is longer: it has more than 16000");
}

TEST(NpyReaderTest, AStreamGivesWhatAFileGives) {
  const std::string bytes = Npy(NpyDict("<f4", "(2, 2)"), Raw<float>({1, 2, 3, 4}));
  MemorySource stream(bytes, "x.npy", /*size_known=*/false);
  absl::StatusOr<Matrix> m = ReadNpyMatrix(stream);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(std::vector<double>(m->data(), m->data() + 4), ElementsAre(1, 2, 3, 4));
  const std::string longer_bytes = bytes + "x";
  MemorySource longer(longer_bytes, "x.npy", /*size_known=*/false);
  EXPECT_THAT(ReadNpyMatrix(longer).status().message(),
              HasSubstr("needs 16 bytes of data but the file is longer: it has more than 16"));
}

TEST(NpyReaderTest, ADirectoryAndAFailedRead) {
  EXPECT_EQ(ReadNpyMatrix(TestFilePath("")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadNpyMatrix("/proc/self/mem").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace parsweep
