// WidthResults: the estimates a kernel's Estimate() fills for one cell, one WidthResult per
// (point, width), point-major. A view, like absl::Span, over messages that live elsewhere:
// the runtime points it at the report's own results, so a kernel writes each estimate where
// the report keeps it and nothing is copied or moved afterwards.
//
// Example (inside Kernel::Estimate):
//   for (size_t i = 0; i < results.size(); ++i) results[i].set_density(...);
//   for (WidthResult& result : results) result.set_count(...);
//
// Outside the runtime (a test calling Estimate directly), view a vector of messages with
// WidthResults::Of.
#ifndef PARSWEEP_RUNTIME_PLUGIN_WIDTH_RESULTS_H_
#define PARSWEEP_RUNTIME_PLUGIN_WIDTH_RESULTS_H_

#include <cstddef>
#include <iterator>
#include <vector>

#include "absl/types/span.h"
#include "proto/sweep.pb.h"

namespace parsweep {

class WidthResults {
 public:
  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = WidthResult;
    using difference_type = std::ptrdiff_t;
    using pointer = WidthResult*;
    using reference = WidthResult&;

    explicit iterator(WidthResult* const* at) : at_(at) {}
    WidthResult& operator*() const { return **at_; }
    WidthResult* operator->() const { return *at_; }
    iterator& operator++() {
      ++at_;
      return *this;
    }
    bool operator==(const iterator& other) const { return at_ == other.at_; }
    bool operator!=(const iterator& other) const { return at_ != other.at_; }

   private:
    WidthResult* const* at_;
  };

  // The messages `*results[i]`, which must outlive the view.
  explicit WidthResults(absl::Span<WidthResult* const> results) : results_(results) {}

  // WidthResults::Of views `messages` through `pointers`, which it fills; both must outlive
  // the view.
  static WidthResults Of(std::vector<WidthResult>& messages, std::vector<WidthResult*>& pointers) {
    pointers.clear();
    for (WidthResult& message : messages) pointers.push_back(&message);
    return WidthResults(pointers);
  }

  size_t size() const { return results_.size(); }
  bool empty() const { return results_.empty(); }
  WidthResult& operator[](size_t i) const { return *results_[i]; }
  iterator begin() const { return iterator(results_.data()); }
  iterator end() const { return iterator(results_.data() + results_.size()); }

 private:
  absl::Span<WidthResult* const> results_;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PLUGIN_WIDTH_RESULTS_H_
