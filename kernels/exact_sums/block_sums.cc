#include "kernels/exact_sums/block_sums.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace parsweep {
namespace exact_sums {
namespace {

// A slot's bytes: the head, the four bins, the far log.
// The lowest head a sum can have: 2^(kFarExponent log2(e)) in bins of 32 bits, less one.
constexpr int64_t kLowestHead = static_cast<int64_t>(-0x1p58 * 1.4426950408889634 / 32) - 4;

constexpr size_t kSlotBytes = sizeof(int64_t) + 4 * sizeof(uint64_t) + sizeof(double);

template <typename T>
void Put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}

template <typename T>
T Take(const char*& in) {
  T value;
  std::memcpy(&value, in, sizeof(value));
  in += sizeof(value);
  return value;
}

}  // namespace

LongAccumulator BlockSums::Total(size_t p, size_t w, uint64_t leave_out) const {
  LongAccumulator total = sum(p, w);
  total.Add(0.0, static_cast<double>(zeros_[p] - leave_out));
  return total;
}

absl::Status BlockSums::Merge(const Partial& other) {
  const auto* same = dynamic_cast<const BlockSums*>(&other);
  if (same == nullptr || same->widths_ != widths_ || same->zeros_.size() != zeros_.size()) {
    return absl::InvalidArgumentError("merging partials of different kinds or shapes");
  }
  for (size_t p = 0; p < zeros_.size(); ++p) zeros_[p] += same->zeros_[p];
  for (size_t i = 0; i < sums_.size(); ++i) sums_[i].Merge(same->sums_[i]);
  return absl::OkStatus();
}

// Bytes in this machine's byte order: workers run this same binary on the same kind of
// machine (as SlotPartial's).
std::string BlockSums::Serialize() const {
  std::string out;
  out.reserve(zeros_.size() * sizeof(uint64_t) + sums_.size() * kSlotBytes);
  for (uint64_t zeros : zeros_) Put(out, zeros);
  for (const LongAccumulator& sum : sums_) {
    Put(out, sum.head);
    for (uint64_t bin : sum.bins) Put(out, bin);
    Put(out, sum.far_log);
  }
  return out;
}

absl::Status BlockSums::Parse(absl::string_view bytes) {
  const size_t expected = zeros_.size() * sizeof(uint64_t) + sums_.size() * kSlotBytes;
  if (bytes.size() != expected) {
    return absl::DataLossError(
        absl::StrCat("a Gaussian partial of ", bytes.size(), " bytes; expected ", expected));
  }
  const char* in = bytes.data();
  for (uint64_t& zeros : zeros_) zeros = Take<uint64_t>(in);
  for (LongAccumulator& sum : sums_) {
    sum.head = Take<int64_t>(in);
    for (uint64_t& bin : sum.bins) bin = Take<uint64_t>(in);
    sum.far_log = Take<double>(in);
    // Heads that no sum of f e^t (t >= kFarExponent, f < 2^64) reaches, or a far log that is
    // not one, would be arithmetic on garbage.
    if ((sum.head != LongAccumulator::kEmpty && (sum.head < kLowestHead || sum.head > 8)) ||
        std::isnan(sum.far_log) || sum.far_log > LongAccumulator::kFarExponent + 64) {
      return absl::DataLossError("a Gaussian partial holds a sum out of its range");
    }
  }
  return absl::OkStatus();
}

}  // namespace exact_sums
}  // namespace parsweep
