// ChooseRows: k distinct rows of n, drawn at random without replacement and reproducibly,
// for leave-one-out cross-validation over a subsample (--loo_points, --loo_seed).
//
// The draw is selection sampling (Knuth, TAOCP vol. 2, 3.4.2, Algorithm S): row t is taken
// with probability (rows still needed) / (rows left), so every k-subset is equally likely,
// exactly k rows come out, in increasing order, in one pass and without a table of n
// entries. The uniforms are the top 53 bits of std::mt19937_64 seeded with `seed`, whose
// sequence the C++ standard fixes: the same (n, k, seed) gives the same rows with every
// compiler and library.
//
// Example:
//   const std::vector<uint64_t> rows = ChooseRows(10000, 500, 1);  // 500 rows, increasing
#ifndef PARSWEEP_RUNTIME_STATS_ROW_SAMPLE_H_
#define PARSWEEP_RUNTIME_STATS_ROW_SAMPLE_H_

#include <cstdint>
#include <vector>

namespace parsweep {

// ChooseRows returns k distinct numbers of [0, n), increasing. Requires k <= n.
std::vector<uint64_t> ChooseRows(uint64_t n, uint64_t k, uint64_t seed);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_STATS_ROW_SAMPLE_H_
