// FuzzInput: a fuzz input read as a few parameter bytes followed by the payload, so that one
// byte string steers a target (which limit, which message type) as well as feeding it.
// CutInPieces cuts bytes into pieces of pseudo-random sizes, to check that a streaming
// decoder gives the same result however its input arrives.
//
// Example:
//   FuzzInput input(data, size);
//   const uint8_t mode = input.TakeByte();
//   const absl::string_view payload = input.rest();
#ifndef PARSWEEP_TESTS_FUZZ_FUZZ_INPUT_H_
#define PARSWEEP_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace parsweep {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // FuzzInput::TakeByte takes the next byte; 0 once the input is used up.
  uint8_t TakeByte() {
    if (rest_.empty()) return 0;
    const uint8_t byte = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return byte;
  }

  // FuzzInput::rest is what has not been taken.
  absl::string_view rest() const { return rest_; }

 private:
  absl::string_view rest_;
};

// CutInPieces cuts `bytes` into pieces of 1 to 2 * `mean` bytes (at least 1), sizes drawn
// from a generator seeded with `seed`. The pieces, joined, are `bytes`.
inline std::vector<absl::string_view> CutInPieces(absl::string_view bytes, uint32_t seed,
                                                  size_t mean) {
  std::vector<absl::string_view> pieces;
  uint32_t state = seed | 1;
  const size_t span = 2 * (mean == 0 ? 1 : mean);
  while (!bytes.empty()) {
    state ^= state << 13;  // xorshift32: any sequence of sizes will do.
    state ^= state >> 17;
    state ^= state << 5;
    const size_t n = 1 + state % span;
    pieces.push_back(bytes.substr(0, n));
    bytes.remove_prefix(pieces.back().size());
  }
  return pieces;
}

}  // namespace parsweep

#endif  // PARSWEEP_TESTS_FUZZ_FUZZ_INPUT_H_
