// BlockDistances: the Euclidean distance from a point to each sample of a block, the radial
// kernels' first step, vectorised where the CPU allows: in 2-D (the tutorial's case) four
// samples a step with AVX2, chosen at run time. Every path computes r^2 as the sum of the
// squared differences in coordinate order and takes a correctly rounded square root, so all
// give the same bits as the scalar loop.
//
// Example:
//   std::vector<double> r(block.rows());
//   uint64_t zeros = BlockDistances(block, point, r.data());
#ifndef PARSWEEP_KERNELS_RADIAL_DISTANCES_H_
#define PARSWEEP_KERNELS_RADIAL_DISTANCES_H_

#include <cstdint>

#include "kernels/cpu_features.h"
#include "runtime/data/matrix.h"

namespace parsweep {
namespace radial {

// BlockDistances fills out[i] with |point - samples.row(i)| (out: samples.rows() entries)
// and returns how many are 0. `isa` picks a path for tests (cpu_features.h).
uint64_t BlockDistances(ConstMatrixView samples, const double* point, double* out,
                        Isa isa = Isa::kBest);

}  // namespace radial
}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_RADIAL_DISTANCES_H_
