#include "tools/tool_output.h"

#include <signal.h>

#include <cerrno>
#include <cstring>

#include "runtime/base/atomic_file.h"
#include "runtime/base/fd_io.h"
#include "runtime/base/resource_error.h"
#include "tools/charts.h"

namespace parsweep {

int DeliverOutput(const ToolOutput& output, int stdout_fd, std::ostream& log) {
  ::signal(SIGPIPE, SIG_IGN);  // See the header: EPIPE, not death, when the reader has gone.
  int status = 0;
  if (!output.text.empty()) {
    // All of the text or none: a termination signal that comes meanwhile (Ctrl-C; mpirun's
    // SIGTERM when a rank dies) waits until the write is done, and then ends the tool (130,
    // 143) with the whole result written. Past the file size limit the write fails with
    // EFBIG, named with the limit, rather than SIGXFSZ killing the tool.
    sigset_t termination;
    sigemptyset(&termination);
    for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
      sigaddset(&termination, signal_number);
    }
    sigset_t saved;
    pthread_sigmask(SIG_BLOCK, &termination, &saved);
    const int error =
        WriteFullyTakingSignal(stdout_fd, output.text.data(), output.text.size(), SIGXFSZ);
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    if (error == EPIPE) {
      status = kExitReaderGone;
    } else if (error != 0) {
      log << "sweep: error: cannot write " << output.what
          << " to standard output: " << DescribeErrno(error) << "\n";
      status = 1;
    }
  }
  const auto report = [&log, &status](const std::string& path, const absl::Status& written) {
    if (written.ok()) {
      log << "wrote " << path << "\n";
    } else {
      log << "sweep: error: " << written.message() << "\n";
      status = 1;
    }
  };
  for (const ChartOutput& chart : output.charts) {
    absl::Status written = chart.svg.status();
    if (written.ok()) written = WriteChart(*chart.svg, chart.path);
    report(chart.path, written);
  }
  for (const FileOutput& file : output.files) {
    absl::Status written = file.contents.status();
    if (written.ok()) written = WriteFileAtomically(file.path, *file.contents);
    report(file.path, written);
  }
  log.flush();
  return status;
}

}  // namespace parsweep
