// FUZZ_CHECK: the invariants a fuzz target checks on every input, beyond "no crash": a
// parsed matrix holds rows * cols finite values, a decoded frame fits its limit, a round
// trip gives back what went in. A failed check prints where and what, then aborts, which
// libFuzzer records as a crash with its input, and the corpus replay test as a failure.
//
// Example:
//   FUZZ_CHECK(m.rows() * m.cols() == values.size()) << m.rows() << "x" << m.cols();
#ifndef PARSWEEP_TESTS_FUZZ_FUZZ_CHECK_H_
#define PARSWEEP_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <sstream>

// LLVMFuzzerTestOneInput is what each target defines: one input, any bytes. Returns 0.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace parsweep {

// FuzzFailure collects a failed check's message and aborts when the statement ends.
class FuzzFailure {
 public:
  FuzzFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~FuzzFailure();
  std::ostream& stream() { return message_; }

 private:
  std::ostringstream message_;
};

}  // namespace parsweep

#define FUZZ_CHECK(condition) \
  while (!(condition)) ::parsweep::FuzzFailure(__FILE__, __LINE__, #condition).stream()

#endif  // PARSWEEP_TESTS_FUZZ_FUZZ_CHECK_H_
