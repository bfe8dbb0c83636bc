// Test helpers that write .npy bytes as numpy does, for the readers' tests, the tool's
// end-to-end tests and the fuzz targets' round trips.
//
// Example:
//   const std::string bytes = NpyBytes(
//       "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", RawBytes<double>({1, 2}));
#ifndef PARSWEEP_RUNTIME_DATA_NPY_TESTING_H_
#define PARSWEEP_RUNTIME_DATA_NPY_TESTING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parsweep {

// NpyBytes is a .npy file as numpy writes it: magic, version `major`.0, header length, the
// dict padded with spaces to a multiple of 64 bytes and ended by a newline, then `data`.
inline std::string NpyBytes(const std::string& dict, const std::string& data, int major = 1) {
  const size_t prefix = 6 + 2 + (major == 1 ? 2 : 4);
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  const uint32_t length = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out += static_cast<char>(length >> (8 * i));
  return out + header + data;
}

// NpyDict is the header dict numpy writes for a C-order array of `descr` ('<f8', '<f4')
// and `shape` ("(3, 2)").
inline std::string NpyDict(const std::string& descr, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
}

// RawBytes is `values` as they lie in memory (little-endian on every machine parsweep runs on).
template <typename T>
std::string RawBytes(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_NPY_TESTING_H_
