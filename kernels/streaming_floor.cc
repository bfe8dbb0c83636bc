#include "kernels/streaming_floor.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "kernels/cpu_features.h"

namespace parsweep {
namespace {

// SumWith adds data[0, count) into eight accumulators of vector type V (kLanes doubles), then
// the tail one at a time.
template <typename V>
__attribute__((always_inline)) inline double SumWith(const double* data, size_t count) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  constexpr size_t kStep = 8 * kLanes;
  V acc[8] = {};
  size_t i = 0;
  for (; i + kStep <= count; i += kStep) {
    for (size_t k = 0; k < 8; ++k) {
      V v;
      std::memcpy(&v, data + i + k * kLanes, sizeof(v));
      acc[k] += v;
    }
  }
  V total = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  double sum = 0.0;
  for (size_t lane = 0; lane < kLanes; ++lane) sum += total[lane];
  for (; i < count; ++i) sum += data[i];
  return sum;
}

using V2 = double __attribute__((vector_size(16)));
using V4 = double __attribute__((vector_size(32)));
using V8 = double __attribute__((vector_size(64)));

double SumSse2(const double* data, size_t count) { return SumWith<V2>(data, count); }

#if PARSWEEP_X86_64_TARGETS
__attribute__((target("avx2"))) double SumAvx2(const double* data, size_t count) {
  return SumWith<V4>(data, count);
}
__attribute__((target("avx512f"))) double SumAvx512(const double* data, size_t count) {
  return SumWith<V8>(data, count);
}
#endif

StreamingIsa Resolve(StreamingIsa isa) {
  if (isa == StreamingIsa::kBest) {
    return CpuHasAvx512() ? StreamingIsa::kAvx512
           : CpuHasAvx2() ? StreamingIsa::kAvx2
                          : StreamingIsa::kSse2;
  }
  if (isa == StreamingIsa::kAvx512 && !CpuHasAvx512()) return StreamingIsa::kSse2;
  if (isa == StreamingIsa::kAvx2 && !CpuHasAvx2()) return StreamingIsa::kSse2;
  return isa;
}

}  // namespace

double StreamingSum(const double* data, size_t count, StreamingIsa isa) {
  switch (Resolve(isa)) {
#if PARSWEEP_X86_64_TARGETS
    case StreamingIsa::kAvx512:
      return SumAvx512(data, count);
    case StreamingIsa::kAvx2:
      return SumAvx2(data, count);
#endif
    default:
      return SumSse2(data, count);
  }
}

const char* StreamingIsaName() {
  switch (Resolve(StreamingIsa::kBest)) {
    case StreamingIsa::kAvx512:
      return "avx512";
    case StreamingIsa::kAvx2:
      return "avx2";
    default:
      return "sse2";
  }
}

double ParallelStreamingSum(const double* data, size_t count, int threads) {
  std::vector<double> parts(threads, 0.0);
  std::vector<std::thread> helpers;
  const size_t chunk = (count + threads - 1) / threads;
  for (int t = 1; t < threads; ++t) {
    const size_t begin = std::min(count, t * chunk);
    const size_t end = std::min(count, begin + chunk);
    helpers.emplace_back(
        [&parts, t, data, begin, end] { parts[t] = StreamingSum(data + begin, end - begin); });
  }
  parts[0] = StreamingSum(data, std::min(count, chunk));
  for (std::thread& helper : helpers) helper.join();
  double sum = 0.0;
  for (double part : parts) sum += part;
  return sum;
}

double StreamingFloorSeconds(const Matrix& samples, int threads) {
  static auto* const cache = new std::map<std::pair<const double*, int>, double>();
  const auto key = std::make_pair(samples.data(), threads);
  if (auto it = cache->find(key); it != cache->end()) return it->second;
  const size_t count = samples.rows() * samples.cols();
  volatile double sink = ParallelStreamingSum(samples.data(), count, threads);  // Touch every page.
  std::vector<double> seconds;
  for (int pass = 0; pass < 9; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    sink = ParallelStreamingSum(samples.data(), count, threads);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  (void)sink;
  std::nth_element(seconds.begin(), seconds.begin() + 4, seconds.end());
  return cache->emplace(key, seconds[4]).first->second;
}

}  // namespace parsweep
