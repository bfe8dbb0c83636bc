#include "tools/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace parsweep {
namespace {

constexpr int kBarColumns = 30;

std::string Clock(absl::Duration d) {
  const int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds >= 3600) {
    return absl::StrFormat("%dh%02dm", seconds / 3600, (seconds / 60) % 60);
  }
  return absl::StrFormat("%d:%02d", seconds / 60, seconds % 60);
}

}  // namespace

ProgressBar ProgressBar::ForStderr() {
  return ProgressBar(stderr, isatty(STDERR_FILENO) == 1, absl::Seconds(1));
}

ProgressBar::ProgressBar(std::FILE* out, bool enabled, absl::Duration delay)
    : out_(out), enabled_(enabled), delay_(delay), start_(absl::Now()) {}

std::string ProgressBar::Render(uint64_t done, uint64_t total, absl::Duration elapsed, int width) {
  const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / total;
  const int filled = static_cast<int>(std::floor(fraction * width));
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(static_cast<size_t>(width), '.');
  std::string eta = "--:--";
  if (done > 0 && done < total) {
    eta = Clock(elapsed * (static_cast<double>(total - done) / done));
  } else if (done >= total) {
    eta = "0:00";
  }
  return absl::StrFormat("[%s] %d/%d tasks, %3.0f%%, %s left", bar, done, total, 100.0 * fraction,
                         eta);
}

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const absl::Time now = absl::Now();
  if (now - start_ < delay_ || now - last_draw_ < absl::Milliseconds(100)) return;
  last_draw_ = now;
  absl::FPrintF(out_, "\r%s", Render(done, total, now - start_, kBarColumns));
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (!drawn_) return;
  // Carriage return, erase to the end of the line: the report starts on a clean line.
  absl::FPrintF(out_, "\r\x1b[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace parsweep
