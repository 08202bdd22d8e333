// The model-size guard: an upper bound computed before fitting.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ensemble/resource_guard.hpp"
#include "meg/error.hpp"

using meg::ensemble::check_model_size;
using meg::ensemble::estimate_model_bytes;

TEST(ResourceGuard, SmallTablePassesTheDefault) {
  const std::vector<uint32_t> card = {4, 4, 3, 3, 3, 3, 4};
  const std::vector<std::string> names = {"a", "b", "c", "d", "e", "f", "g"};
  const std::vector<size_t> units = {0, 1, 2, 3, 4, 5, 6};
  meg::FitOptions o;
  EXPECT_NO_THROW(check_model_size(card, names, units, 1728, o));
  const auto est = estimate_model_bytes(card, names, units, 1728, o);
  EXPECT_GT(est.total_bytes, 0);
  EXPECT_LT(est.total_bytes, 64e6);
}

TEST(ResourceGuard, GrowsWithRowsKAndCardinality) {
  const std::vector<std::string> names = {"x", "y", "z"};
  const std::vector<size_t> units = {0, 1, 2};
  meg::FitOptions o;
  auto total = [&](std::vector<uint32_t> card, uint64_t rows, int k) {
    meg::FitOptions oo = o;
    oo.unit.k = k;
    return estimate_model_bytes(card, names, units, rows, oo).total_bytes;
  };
  EXPECT_LE(total({100, 100, 2}, 1000, 2), total({100, 100, 2}, 100000, 2));
  EXPECT_LE(total({100, 100, 2}, 100000, 0), total({100, 100, 2}, 100000, 2));
  EXPECT_LT(total({10, 100, 2}, 100000, 2), total({1000, 100, 2}, 100000, 2));
}

TEST(ResourceGuard, RefusesAndNamesTheColumns) {
  const std::vector<uint32_t> card = {100000, 90000, 2, 3};
  const std::vector<std::string> names = {"user_id", "session_id", "flag", "kind"};
  const std::vector<size_t> units = {0, 1, 2, 3};
  meg::FitOptions o;
  try {
    check_model_size(card, names, units, 100000, o);
    FAIL() << "expected the guard to refuse";
  } catch (const meg::InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("max_model_mb"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'user_id'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'session_id'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("'flag'"), std::string::npos) << msg;
  }
  // The small columns alone are accepted; so is everything with the limit raised.
  EXPECT_NO_THROW(check_model_size({2, 3}, {"flag", "kind"}, {0, 1}, 100000, o));
  o.max_model_mb = 1L << 30;
  EXPECT_NO_THROW(check_model_size(card, names, units, 100000, o));
}
