// The option table is the only place ranges live: the unit's own checks, the sample cap
// and the integer options of every command go through it.
#include <gtest/gtest.h>

#include <string>

#include "meg/error.hpp"
#include "meg/options.hpp"

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const meg::InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(Options, UnitChecksUseTheTableRanges) {
  meg::UnitOptions u;
  EXPECT_EQ(error_of([&] { meg::validate_unit_options(u); }), "");
  u.k = 9;  // the table allows [0, 8]
  EXPECT_NE(error_of([&] { meg::validate_unit_options(u); }).find("option 'k'"), std::string::npos);
  u = {};
  u.laplace_alpha = 0;  // (0, 1e6]
  EXPECT_NE(error_of([&] { meg::validate_unit_options(u); }).find("laplace_alpha"),
            std::string::npos);
  u = {};
  u.hidden = {5000};  // within [1, 65536]
  EXPECT_EQ(error_of([&] { meg::validate_unit_options(u); }), "");
  meg::FitOptions f;
  f.unit_overrides["a"].lr_generator = 0;
  EXPECT_NE(error_of([&] { meg::validate_options(f); }).find("lr_generator"), std::string::npos);
}

TEST(Options, UnsignedOptionsAndSampleCap) {
  EXPECT_EQ(meg::parse_unsigned_option("--seed", "18446744073709551615", 0, UINT64_MAX),
            UINT64_MAX);
  EXPECT_EQ(error_of([] { meg::parse_unsigned_option("--threads", "1025", 0, meg::kMaxThreads); }),
            "option --threads: expected an integer in [0, 1024], got '1025'");
  EXPECT_EQ(error_of([] { meg::parse_unsigned_option("-n", "-1", 1, UINT64_MAX); }),
            "option -n: expected an integer >= 1, got '-1'");
  EXPECT_EQ(error_of([] { meg::check_sample_rows(meg::kMaxSampleRows); }), "");
  EXPECT_NE(error_of([] { meg::check_sample_rows(meg::kMaxSampleRows + 1); }).find("rows per run"),
            std::string::npos);
  EXPECT_NE(error_of([] { meg::check_sample_rows(0); }), "");
  meg::FitOptions f;
  EXPECT_NE(error_of([&] { meg::set_option(f, "threads", "1025"); }), "");
  meg::set_option(f, "seed", "42");
  EXPECT_EQ(f.seed, 42u);
}

}  // namespace
