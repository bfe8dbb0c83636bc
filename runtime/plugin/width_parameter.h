// WidthParameter: what a kernel's width parameter is, for the words of the outputs. The
// runtime sweeps every kernel over a list of positive numbers it calls widths (--widths);
// most kernels take them as a window's width h, but one may take them as something else
// (knn: the number of neighbours k). The table and the charts name the widths and print
// them the kernel's way; CSV's column and JSON's field stay `width` for every kernel, so that
// a program reads every kernel's output alike.
//
// Example (kernels/knn/knn.cc):
//   WidthParameter Width() const override { return {"k", "neighbours", true}; }
//   // The table: a column "neighbours" of 1, 5, 10, 50 and "closest to the true density:
//   // k = 10"; the density chart's axis "neighbours k".
#ifndef PARSWEEP_RUNTIME_PLUGIN_WIDTH_PARAMETER_H_
#define PARSWEEP_RUNTIME_PLUGIN_WIDTH_PARAMETER_H_

#include <string>

namespace parsweep {

struct WidthParameter {
  // The letter of formulas and of a chosen value: "h = 0.7", "k = 10".
  std::string symbol = "h";
  // The word for it: the table's column header and, with the symbol, a chart's axis
  // ("width h"). Short (10 characters fit the table's column; more widen it).
  std::string name = "width";
  // Whether the widths are whole numbers that count something (k) rather than lengths in
  // the data's units: printed without a fraction ("10", not "10.0"), and the window
  // precision warning (runtime/sweep/window_precision.h), which compares a length with the
  // spacing of doubles, does not apply to them.
  bool integral = false;
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PLUGIN_WIDTH_PARAMETER_H_
