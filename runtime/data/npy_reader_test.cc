#include "runtime/data/npy_reader.h"

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A .npy file as numpy writes it: magic, version, header length, a dict padded with spaces
// to a multiple of 64 bytes and ended by a newline, then the raw values.
std::string Npy(const std::string& dict, const std::string& data, int major = 1) {
  const size_t prefix = 6 + 2 + (major == 1 ? 2 : 4);
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  const uint32_t length = header.size();
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out += static_cast<char>(length >> (8 * i));
  return out + header + data;
}

template <typename T>
std::string Raw(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
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

}  // namespace
}  // namespace parsweep
