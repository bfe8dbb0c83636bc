// ShortestDecimal: the shortest decimal text that reads back as the same double, for
// messages that must tell apart values a 6-digit print would merge ("1.0000000000000002",
// not "1") without showing every value with 17 digits ("0.1", not "0.10000000000000001").
//
// Example:
//   absl::StrCat("the value ", ShortestDecimal(x), " repeats")
#ifndef PARSWEEP_RUNTIME_BASE_NUMBER_TEXT_H_
#define PARSWEEP_RUNTIME_BASE_NUMBER_TEXT_H_

#include <cstdlib>
#include <string>

#include "absl/strings/str_format.h"

namespace parsweep {

// ShortestDecimal returns `value` with the fewest significant digits (at least 6, at most
// the 17 that identify any double) that strtod reads back exactly.
inline std::string ShortestDecimal(double value) {
  std::string text;
  for (int digits = 6; digits <= 17; ++digits) {
    text = absl::StrFormat("%.*g", digits, value);
    if (std::strtod(text.c_str(), nullptr) == value) break;
  }
  return text;
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_BASE_NUMBER_TEXT_H_
