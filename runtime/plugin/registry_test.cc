#include "runtime/plugin/registry.h"

#include <functional>
#include <map>
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
  std::map<std::string, std::string> params_;
  const std::string& name() const { return name_; }
  const std::map<std::string, std::string>& params() const { return params_; }
};

struct Widget;
using WidgetFactory = std::function<absl::StatusOr<std::unique_ptr<Widget>>(const WidgetConfig&,
                                                                            const PluginOptions&)>;

struct Widget {
  using Config = WidgetConfig;
  using Factory = WidgetFactory;
  static constexpr const char kKind[] = "widget";
  virtual ~Widget() = default;
  virtual int size() const = 0;
};

struct Box : Widget {
  Box(int size, std::string colour) : size_(size), colour_(std::move(colour)) {}
  int size() const override { return size_; }
  int size_;
  std::string colour_;
};

const Registrar<Widget> kBox("box", "a box",
                             [](const WidgetConfig& config, const PluginOptions& options)
                                 -> absl::StatusOr<std::unique_ptr<Widget>> {
                               if (config.size < 0)
                                 return absl::InvalidArgumentError("negative size");
                               return std::make_unique<Box>(config.size, options.String("colour"));
                             },
                             {EnumOption("colour", {"red", "blue"}, "red", "the box's colour")});
const Registrar<Widget> kAnother("another", "another widget",
                                 [](const WidgetConfig& config, const PluginOptions&)
                                     -> absl::StatusOr<std::unique_ptr<Widget>> {
                                   return std::make_unique<Box>(1, "");
                                 });

TEST(RegistryTest, CreatesARegisteredPluginFromItsConfig) {
  absl::StatusOr<std::unique_ptr<Widget>> box =
      Registry<Widget>::Global().Create({"box", 7, {{"colour", "blue"}}});
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_EQ((*box)->size(), 7);
  EXPECT_EQ(static_cast<const Box&>(**box).colour_, "blue");
}

TEST(RegistryTest, ParsesTheDeclaredOptionsBeforeTheFactoryRuns) {
  absl::StatusOr<std::unique_ptr<Widget>> box = Registry<Widget>::Global().Create({"box", 7, {}});
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_EQ(static_cast<const Box&>(**box).colour_, "red");  // The default.
  absl::Status status =
      Registry<Widget>::Global().Create({"box", 7, {{"colour", "green"}}}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("widget 'box': parameter colour must be red or blue, not 'green'"));
  status = Registry<Widget>::Global().Create({"box", 7, {{"size", "1"}}}).status();
  EXPECT_THAT(status.message(),
              HasSubstr("widget 'box' has no parameter 'size'; it takes: colour"));
  status = Registry<Widget>::Global().Create({"another", 7, {{"colour", "red"}}}).status();
  EXPECT_THAT(status.message(),
              HasSubstr("widget 'another' has no parameter 'colour'; it takes none"));
}

TEST(RegistryTest, DescribesEachPluginForTheList) {
  const std::vector<PluginInfo> plugins = Registry<Widget>::Global().Plugins();
  ASSERT_EQ(plugins.size(), 2u);
  EXPECT_EQ(plugins[1].name, "box");
  EXPECT_EQ(plugins[1].summary, "a box");
  ASSERT_EQ(plugins[1].options.size(), 1u);
  EXPECT_EQ(plugins[1].options[0].name, "colour");
}

TEST(RegistryTest, PassesOnTheFactorysError) {
  EXPECT_EQ(Registry<Widget>::Global().Create({"box", -1, {}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RegistryTest, UnknownNameIsNotFoundAndListsTheKnownNames) {
  const absl::Status status = Registry<Widget>::Global().Create({"sphere", 1, {}}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("unknown widget 'sphere'; known widgets: another, box"));
}

TEST(RegistryTest, NamesAreSorted) {
  EXPECT_THAT(Registry<Widget>::Global().Names(), ElementsAre("another", "box"));
}

TEST(RegistryDeathTest, RegisteringANameTwiceAborts) {
  EXPECT_DEATH(
      Registry<Widget>::Global().Register(
          "box", "", {},
          [](const WidgetConfig&, const PluginOptions&) -> absl::StatusOr<std::unique_ptr<Widget>> {
            return nullptr;
          }),
      "widget 'box' is registered twice");
}

}  // namespace
}  // namespace parsweep
