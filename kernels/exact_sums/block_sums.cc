#include "kernels/exact_sums/block_sums.h"

#include <cmath>
#include <cstring>
#include <limits>

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

namespace {

// Density is the sum (`parts`, `log_sum` its log) times c_d h^-d / n.
double Density(const LongAccumulator::Parts& parts, double log_density, uint64_t n, size_t dims,
               double width, double constant) {
  if (parts.mantissa == 0.0) return 0.0;
  const double d = static_cast<double>(dims);
  int width_exponent = 0;
  const double width_mantissa = std::frexp(width, &width_exponent);  // In [0.5, 1).
  const double factor =
      constant * std::pow(width_mantissa, -d) / static_cast<double>(n) * parts.mantissa;
  const int64_t exponent = parts.exponent - static_cast<int64_t>(width_exponent) * dims;
  if (!std::isfinite(factor) || factor == 0.0) {  // Beyond a double's range for huge d.
    return std::exp(log_density);
  }
  return LongAccumulator::Parts{factor, exponent}.Value();
}

}  // namespace

absl::Status DescribeBlockSums(const Partial& total, uint64_t n, size_t dims,
                               absl::Span<const double> widths, uint64_t leave_out,
                               const Normalisation& normalisation, WidthResults results) {
  const auto* sums = dynamic_cast<const BlockSums*>(&total);
  if (sums == nullptr || sums->points() * widths.size() != results.size() ||
      sums->widths() != widths.size()) {
    return absl::InternalError("estimating from a partial of another kind or shape");
  }
  const uint64_t others = n - leave_out;
  const double d = static_cast<double>(dims);
  for (size_t p = 0; p < sums->points(); ++p) {
    if (sums->zeros(p) < leave_out) {
      return absl::InternalError(
          "a held-out point has no sample at distance zero: it is not one of the samples");
    }
    for (size_t w = 0; w < widths.size(); ++w) {
      WidthResult& result = results[p * widths.size() + w];
      const LongAccumulator sum = sums->Total(p, w, leave_out);
      const LongAccumulator::Parts parts = sum.Split();
      const double log_sum = sum.Log(parts);
      result.set_sum(parts.Value());
      if (others == 0) {
        result.set_density(0.0);
        result.set_log_density(-std::numeric_limits<double>::infinity());
        continue;
      }
      const double log_density = log_sum + (normalisation.log_constant - d * std::log(widths[w]) -
                                            std::log(static_cast<double>(others)));
      result.set_density(
          Density(parts, log_density, others, dims, widths[w], normalisation.constant));
      result.set_log_density(log_density);
    }
  }
  return absl::OkStatus();
}

}  // namespace exact_sums
}  // namespace parsweep
