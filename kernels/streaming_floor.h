// The machine's own floor for a kernel that reads every sample once: a sum of all the
// doubles as fast as this CPU streams them (eight independent vector accumulators of the
// widest vectors it has: AVX-512, AVX2, or SSE2; pages touched before timing), on one thread
// and on two. Kernel benchmarks report their time as a multiple of it, so "1.3x the floor"
// is measured against what the hardware does, not against a slow loop.
//
// Example:
//   const double floor = StreamingFloorSeconds(samples, /*threads=*/1);
//   double sum = StreamingSum(samples.data(), samples.rows() * samples.cols());
#ifndef PARSWEEP_KERNELS_STREAMING_FLOOR_H_
#define PARSWEEP_KERNELS_STREAMING_FLOOR_H_

#include <cstddef>

#include "runtime/data/matrix.h"

namespace parsweep {

// StreamingIsa names the vector width StreamingSum uses.
enum class StreamingIsa { kBest, kAvx512, kAvx2, kSse2 };

// StreamingSum is the sum of data[0, count) by eight accumulators of `isa`'s vectors (kBest:
// the widest the CPU has; a path the CPU lacks falls back to SSE2). The order of the
// additions depends on the path; the value is only there so the reads cannot be dropped.
double StreamingSum(const double* data, size_t count, StreamingIsa isa = StreamingIsa::kBest);

// ParallelStreamingSum is StreamingSum over `threads` equal parts of data[0, count) read at
// once, each on a thread of its own (the calling thread takes the first).
double ParallelStreamingSum(const double* data, size_t count, int threads);

// StreamingFloorSeconds is the median over 9 timed passes (after one untimed pass that
// touches every page) of StreamingSum over all of `samples`, split in `threads` equal parts
// read at once. Computed once per (samples, threads) and kept: kernel benchmarks of one run
// share it. Not thread-safe (benchmarks run one at a time).
double StreamingFloorSeconds(const Matrix& samples, int threads);

// StreamingIsaName is "avx512", "avx2" or "sse2": the path kBest takes on this CPU.
const char* StreamingIsaName();

}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_STREAMING_FLOOR_H_
