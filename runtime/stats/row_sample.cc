#include "runtime/stats/row_sample.h"

#include <random>

namespace parsweep {

std::vector<uint64_t> ChooseRows(uint64_t n, uint64_t k, uint64_t seed) {
  std::vector<uint64_t> rows;
  rows.reserve(k);
  std::mt19937_64 engine(seed);
  for (uint64_t t = 0; t < n && rows.size() < k; ++t) {
    const uint64_t needed = k - rows.size();
    const uint64_t left = n - t;
    const double uniform = static_cast<double>(engine() >> 11) * 0x1.0p-53;  // [0, 1)
    // Take row t with probability needed / left; every row once all that are left are
    // needed, whatever the rounding of the product.
    if (needed == left || static_cast<double>(left) * uniform < static_cast<double>(needed)) {
      rows.push_back(t);
    }
  }
  return rows;
}

}  // namespace parsweep
