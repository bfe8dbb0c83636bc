#include "tests/fuzz/fuzz_check.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace parsweep {

FuzzFailure::FuzzFailure(const char* file, int line, const char* condition) {
  message_ << file << ":" << line << ": FUZZ_CHECK failed: " << condition << ": ";
}

FuzzFailure::~FuzzFailure() {
  const std::string message = message_.str();
  std::fprintf(stderr, "%s\n", message.c_str());
  std::abort();
}

}  // namespace parsweep
