// IsValidUtf8 accepts every well-formed sequence and refuses each kind of malformed one.
#include "runtime/base/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace parsweep {
namespace {

TEST(IsValidUtf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("/data/samples.csv"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9"));               // U+00E9, two bytes.
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));              // U+20AC, three bytes.
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));          // U+1F600, four bytes.
  EXPECT_TRUE(IsValidUtf8("\xed\x9f\xbf\xee\x80\x80"));  // U+D7FF, U+E000: around surrogates.
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));          // U+10FFFF, the last code point.
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));      // NUL is a character.
}

TEST(IsValidUtf8Test, RefusesEachKindOfMalformedText) {
  EXPECT_FALSE(IsValidUtf8("x\xff.csv"));         // Not a lead byte.
  EXPECT_FALSE(IsValidUtf8("\x80"));              // A continuation byte alone.
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // Cut short.
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // Cut short.
  EXPECT_FALSE(IsValidUtf8("\xc3\x28"));          // Not a continuation byte.
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // Overlong '/'.
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // Overlong '/'.
  EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\xaf"));  // Overlong '/'.
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // U+D800, a surrogate.
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000, past the last code point.
  EXPECT_FALSE(IsValidUtf8("\xf5\x80\x80\x80"));  // No such lead byte.
  EXPECT_FALSE(IsValidUtf8("\xe2\x82\xac\xe2"));  // Good, then cut short.
}

}  // namespace
}  // namespace parsweep
