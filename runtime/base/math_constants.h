// Mathematical constants, defined once (C++17 has no std::numbers).
//
// Example:
//   const double unit_ball = std::pow(kPi, d / 2) / std::tgamma(d / 2 + 1);
#ifndef PARSWEEP_RUNTIME_BASE_MATH_CONSTANTS_H_
#define PARSWEEP_RUNTIME_BASE_MATH_CONSTANTS_H_

namespace parsweep {

// kPi is pi rounded to the nearest double.
inline constexpr double kPi = 3.14159265358979323846;

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_BASE_MATH_CONSTANTS_H_
