// Test helpers for kernels built on SlotKernel (slot_kernel.h): run Accumulate at one point
// and read the slots back, and reach the kernel's Density through the Kernel interface.
//
// Example:
//   const std::vector<uint64_t> counts = AccumulateAt<uint64_t>(*kernel, samples.View(),
//                                                               point, widths);
//   EXPECT_DOUBLE_EQ(AsSlotKernel<uint64_t>(*kernel).Density(3, 10, 3, 1.0), 0.3);
#ifndef PARSWEEP_KERNELS_SLOT_KERNEL_TESTING_H_
#define PARSWEEP_KERNELS_SLOT_KERNEL_TESTING_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "kernels/slot_kernel.h"
#include "runtime/data/matrix.h"
#include "runtime/plugin/kernel.h"

namespace parsweep {

// AsSlotKernel is `kernel` as the SlotKernel<T> it is; fails the test (and aborts) if not.
template <typename T>
const SlotKernel<T>& AsSlotKernel(const Kernel& kernel) {
  const auto* slot_kernel = dynamic_cast<const SlotKernel<T>*>(&kernel);
  if (slot_kernel == nullptr) {
    ADD_FAILURE() << "the kernel is not a SlotKernel of this type";
    std::abort();
  }
  return *slot_kernel;
}

// AccumulateAt runs kernel.Accumulate over `samples` at `point` for `widths` into a fresh
// partial and returns its slots (one per width). Adds a test failure if Accumulate fails.
template <typename T>
std::vector<T> AccumulateAt(const Kernel& kernel, ConstMatrixView samples,
                            absl::Span<const double> point, absl::Span<const double> widths) {
  const std::unique_ptr<Partial> partial = kernel.NewPartial(1, widths.size());
  const absl::Status status =
      kernel.Accumulate(samples, ConstMatrixView(point.data(), 1, point.size()), widths, *partial);
  EXPECT_TRUE(status.ok()) << status;
  const absl::Span<const T> slots = static_cast<const SlotPartial<T>&>(*partial).values();
  return std::vector<T>(slots.begin(), slots.end());
}

}  // namespace parsweep

#endif  // PARSWEEP_KERNELS_SLOT_KERNEL_TESTING_H_
