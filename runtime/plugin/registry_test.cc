#include "runtime/plugin/registry.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct WidgetConfig {
  std::string name_;
  int size = 0;
  const std::string& name() const { return name_; }
};

struct Widget {
  using Config = WidgetConfig;
  static constexpr const char kKind[] = "widget";
  virtual ~Widget() = default;
  virtual int size() const = 0;
};

struct Box : Widget {
  explicit Box(int size) : size_(size) {}
  int size() const override { return size_; }
  int size_;
};

const Registrar<Widget> kBox("box", [](const WidgetConfig& config)
                                        -> absl::StatusOr<std::unique_ptr<Widget>> {
  if (config.size < 0) return absl::InvalidArgumentError("negative size");
  return std::make_unique<Box>(config.size);
});
const Registrar<Widget> kAnother("another", [](const WidgetConfig& config)
                                                -> absl::StatusOr<std::unique_ptr<Widget>> {
  return std::make_unique<Box>(1);
});

TEST(RegistryTest, CreatesARegisteredPluginFromItsConfig) {
  absl::StatusOr<std::unique_ptr<Widget>> box = Registry<Widget>::Global().Create({"box", 7});
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_EQ((*box)->size(), 7);
}

TEST(RegistryTest, PassesOnTheFactorysError) {
  EXPECT_EQ(Registry<Widget>::Global().Create({"box", -1}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RegistryTest, UnknownNameIsNotFoundAndListsTheKnownNames) {
  const absl::Status status = Registry<Widget>::Global().Create({"sphere", 1}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(),
              HasSubstr("unknown widget 'sphere'; known widgets: another, box"));
}

TEST(RegistryTest, NamesAreSorted) {
  EXPECT_THAT(Registry<Widget>::Global().Names(), ElementsAre("another", "box"));
}

TEST(RegistryDeathTest, RegisteringANameTwiceAborts) {
  EXPECT_DEATH(Registry<Widget>::Global().Register(
                   "box", [](const WidgetConfig&) -> absl::StatusOr<std::unique_ptr<Widget>> {
                     return nullptr;
                   }),
               "widget 'box' is registered twice");
}

TEST(RejectUnknownParamsTest, NamesTheUnknownParameterAndTheKnownOnes) {
  const std::map<std::string, std::string> params = {{"size", "1"}, {"colour", "red"}};
  const absl::Status status = RejectUnknownParams("widget", "box", params, {"size"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("widget 'box' has no parameter 'colour'; it takes: size"));
  EXPECT_TRUE(RejectUnknownParams("widget", "box", std::map<std::string, std::string>{{"size", "1"}},
                                  {"size"}).ok());
}

}  // namespace
}  // namespace parsweep
