// ProgressBar: tasks done, in all, and the time left, redrawn in place on one terminal
// line, for sweeps long enough to wonder about (more than about a second). It writes
// nothing at all when its stream is not a terminal, so pipes and logs stay clean.
//
// Example:
//   ProgressBar bar = ProgressBar::ForStderr();
//   RunSweep(sweep, executor, {}, [&](uint64_t done, uint64_t total) {
//     bar.Update(done, total);
//   });
//   bar.Finish();
#ifndef PARSWEEP_TOOLS_PROGRESS_BAR_H_
#define PARSWEEP_TOOLS_PROGRESS_BAR_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/time.h"

namespace parsweep {

class ProgressBar {
 public:
  // ProgressBar::ForStderr draws on stderr if it is a terminal, after one second.
  static ProgressBar ForStderr();

  // Draws on `out` when `enabled`, starting once `delay` has passed since construction.
  ProgressBar(std::FILE* out, bool enabled, absl::Duration delay);

  // ProgressBar::Update records progress; redraws at most ten times a second.
  void Update(uint64_t done, uint64_t total);
  // ProgressBar::Finish erases the bar, if one was drawn.
  void Finish();

  // ProgressBar::Render is the line for `done` of `total` after `elapsed`, `width` columns.
  static std::string Render(uint64_t done, uint64_t total, absl::Duration elapsed, int width);

 private:
  std::FILE* out_;
  bool enabled_;
  absl::Duration delay_;
  absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
  bool drawn_ = false;
};

}  // namespace parsweep

#endif  // PARSWEEP_TOOLS_PROGRESS_BAR_H_
