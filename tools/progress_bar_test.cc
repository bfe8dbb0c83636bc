#include "tools/progress_bar.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;

std::string Captured(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[256];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  return text;
}

TEST(ProgressBarTest, RendersDoneTotalPercentAndTimeLeft) {
  EXPECT_EQ(ProgressBar::Render(25, 100, absl::Seconds(10), 20),
            "[#####...............] 25/100 tasks,  25%, 0:30 left");
  EXPECT_THAT(ProgressBar::Render(0, 10, absl::Seconds(1), 10), HasSubstr("--:-- left"));
  EXPECT_THAT(ProgressBar::Render(10, 10, absl::Seconds(1), 10),
              HasSubstr("[##########] 10/10 tasks, 100%, 0:00 left"));
  EXPECT_THAT(ProgressBar::Render(1, 10000, absl::Seconds(1), 10), HasSubstr("2h46m left"));
}

TEST(ProgressBarTest, WritesNothingWhenDisabledOrBeforeTheDelay) {
  std::FILE* file = std::tmpfile();
  ProgressBar disabled(file, false, absl::ZeroDuration());
  disabled.Update(1, 2);
  disabled.Finish();
  ProgressBar delayed(file, true, absl::Hours(1));
  delayed.Update(1, 2);
  delayed.Finish();
  EXPECT_EQ(Captured(file), "");
  std::fclose(file);
}

TEST(ProgressBarTest, DrawsInPlaceAndErasesItselfWhenFinished) {
  std::FILE* file = std::tmpfile();
  ProgressBar bar(file, true, absl::ZeroDuration());
  bar.Update(3, 10);
  bar.Finish();
  const std::string text = Captured(file);
  EXPECT_THAT(text, HasSubstr("\r[#########.....................] 3/10 tasks"));
  EXPECT_THAT(text, testing::EndsWith("\r\x1b[K"));
  std::fclose(file);
}

}  // namespace
}  // namespace parsweep
