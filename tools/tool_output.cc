#include "tools/tool_output.h"

#include <signal.h>

#include <cerrno>
#include <cstring>

#include "runtime/base/fd_io.h"
#include "tools/charts.h"

namespace parsweep {

int DeliverOutput(const ToolOutput& output, int stdout_fd, std::ostream& log) {
  ::signal(SIGPIPE, SIG_IGN);  // See the header: EPIPE, not death, when the reader has gone.
  int status = 0;
  if (!output.text.empty()) {
    const int error = WriteFully(stdout_fd, output.text.data(), output.text.size());
    if (error == EPIPE) {
      status = kExitReaderGone;
    } else if (error != 0) {
      log << "sweep: error: cannot write " << output.what
          << " to standard output: " << std::strerror(error) << "\n";
      status = 1;
    }
  }
  for (const ChartOutput& chart : output.charts) {
    absl::Status written = chart.svg.status();
    if (written.ok()) written = WriteChart(*chart.svg, chart.path);
    if (written.ok()) {
      log << "wrote " << chart.path << "\n";
    } else {
      log << "sweep: error: " << written.message() << "\n";
      status = 1;
    }
  }
  log.flush();
  return status;
}

}  // namespace parsweep
