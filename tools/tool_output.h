// ToolOutput: everything one run of the sweep tool produces (the text for standard output and
// the chart files), formatted whole before any of it is written; DeliverOutput writes it and
// says what failed. A sweep's results are written only once they are complete, every write
// is checked, and a failed write is an error with its cause, never a silent loss.
//
// Standard output gets the text in one checked write loop (WriteFully). Chart files are
// replaced atomically (WriteChart, through runtime/base/atomic_file.h). One failure does not
// stop the other writes: a chart that cannot be written still leaves the report on standard
// output, and a full disk under standard output still leaves the charts.
//
// A reader of standard output that has gone away (`sweep | head -1`: EPIPE) is no error
// message: the reader chose to stop, as with any Unix filter. DeliverOutput still writes the
// chart files (the work is not lost) and then returns 141, the status a shell shows for a
// program ended by SIGPIPE (128 + 13), so that `set -o pipefail` scripts see that the output
// was cut short, as they do for `cat` or `grep`. To get EPIPE rather than dying of SIGPIPE
// before the charts are written, DeliverOutput ignores SIGPIPE for the rest of the process:
// call it last, once no worker is left to inherit that.
//
// Example:
//   ToolOutput output;
//   output.text = FormatTable(report);
//   output.charts.push_back({"/tmp/density.svg", RenderSvg(chart)});
//   return DeliverOutput(output, STDOUT_FILENO, std::cerr);
#ifndef PARSWEEP_TOOLS_TOOL_OUTPUT_H_
#define PARSWEEP_TOOLS_TOOL_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tools/charts.h"

namespace parsweep {

// ChartOutput is one chart file: its path (.svg or .png, see WriteChart), and the chart as SVG
// or the reason it cannot be drawn (reported when the output is delivered, after the text).
struct ChartOutput {
  std::string path;
  absl::StatusOr<std::string> svg;
};

// FileOutput is any other file (a scaling study's JSON): its path, and its contents or why
// there are none. Written atomically (WriteFileAtomically), as charts are.
struct FileOutput {
  std::string path;
  absl::StatusOr<std::string> contents;
};

struct ToolOutput {
  std::string text;                 // For standard output; may be empty.
  std::string what = "the report";  // Names `text` in errors.
  std::vector<ChartOutput> charts;  // Written in order, after the text.
  std::vector<FileOutput> files;    // Written in order, after the charts.
};

// ChartFile: the chart file to write at `path`, or why `chart` cannot be drawn (a value
// beyond what it can show), which is reported when the output is delivered; `what` names
// the chart in that message ("the density chart").
template <typename Chart>
ChartOutput ChartFile(const std::string& path, const Chart& chart, absl::string_view what) {
  if (const absl::Status valid = Validate(chart); !valid.ok()) {
    return {path, absl::Status(valid.code(), absl::StrCat("cannot draw the ", what, " for '", path,
                                                          "': ", valid.message()))};
  }
  return {path, RenderSvg(chart)};
}

// The exit status when the reader of standard output has gone and nothing else failed.
inline constexpr int kExitReaderGone = 128 + 13;

// DeliverOutput writes `output.text` to `stdout_fd`, then each chart file, then each other file. It
// logs "wrote PATH" for each chart written and "sweep: error: ..." for each failure to `log`
// ("cannot write the report to standard output: No space left on device", a chart's error), and
// returns the tool's exit status: 0 when everything was written, 1 if anything failed,
// kExitReaderGone when only standard output's reader had gone (nothing logged for it).
int DeliverOutput(const ToolOutput& output, int stdout_fd, std::ostream& log);

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_TOOL_OUTPUT_H_
