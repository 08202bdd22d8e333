// The one UTF-8 check, on sequences whose verdict is known.
#include <gtest/gtest.h>

#include <string>

#include "core/strings.hpp"

namespace {

using meg::core::Utf8Step;

Utf8Step::Kind kind_of(const std::string& bytes) {
  return meg::core::utf8_step(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size())
      .kind;
}

TEST(Utf8, EachVerdict) {
  EXPECT_EQ(kind_of("a"), Utf8Step::Ok);
  EXPECT_EQ(kind_of("\xC3\xA9"), Utf8Step::Ok);          // é
  EXPECT_EQ(kind_of("\xF0\x9F\x98\x80"), Utf8Step::Ok);  // U+1F600
  EXPECT_EQ(kind_of("\xFF"), Utf8Step::BadLead);
  EXPECT_EQ(kind_of("\x80"), Utf8Step::BadLead);  // a lone continuation byte
  EXPECT_EQ(kind_of("\xC3("), Utf8Step::BadContinuation);
  EXPECT_EQ(kind_of("\xE2\x82"), Utf8Step::Truncated);         // € cut short
  EXPECT_EQ(kind_of("\xC0\xAF"), Utf8Step::BadValue);          // overlong '/'
  EXPECT_EQ(kind_of("\xED\xA0\x80"), Utf8Step::BadValue);      // a surrogate
  EXPECT_EQ(kind_of("\xF4\x90\x80\x80"), Utf8Step::BadValue);  // above U+10FFFF
  EXPECT_TRUE(meg::core::valid_utf8("na\xC3\xAFve caf\xC3\xA9"));
  EXPECT_FALSE(meg::core::valid_utf8("caf\xC3"));
  EXPECT_TRUE(meg::core::valid_utf8(""));
}

}  // namespace
