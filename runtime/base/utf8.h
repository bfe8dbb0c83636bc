// IsValidUtf8: whether bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF). Protocol buffers hold `string` fields as UTF-8 and
// refuse to parse one that is not, so text a user gives that must travel in a message (a
// data file's path in a SweepSpec) is checked first and refused with a clear message,
// rather than garbled on its way to a worker. Abseil 20220623 has no public validator, so
// this is ours: a few lines, tested byte class by byte class.
//
// Example:
//   if (!IsValidUtf8(path)) return absl::InvalidArgumentError("the path is not UTF-8");
#ifndef PARSWEEP_RUNTIME_BASE_UTF8_H_
#define PARSWEEP_RUNTIME_BASE_UTF8_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace parsweep {

inline bool IsValidUtf8(absl::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* const end = p + text.size();
  while (p < end) {
    const uint8_t lead = *p++;
    if (lead < 0x80) continue;
    int more;
    uint8_t low = 0x80;   // The bounds of the first continuation byte, which rule out
    uint8_t high = 0xBF;  // overlong forms, surrogates and code points past U+10FFFF.
    if (lead >= 0xC2 && lead <= 0xDF) {
      more = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      more = 2;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      more = 3;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (end - p < more) return false;
    if (*p < low || *p > high) return false;
    for (int i = 1; i < more; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    p += more;
  }
  return true;
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_BASE_UTF8_H_
