#include <cmath>
#include <cstdint>

#include <gtest/gtest.h>

#include "core/stats.hpp"

namespace meg::core {
namespace {

TEST(RocAuc, RanksWithTiesCountingOneHalf) {
  EXPECT_DOUBLE_EQ(roc_auc<int>({0.1, 0.2, 0.3, 0.4}, {0, 0, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc<int>({0.1, 0.2, 0.3, 0.4}, {1, 1, 0, 0}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc<uint8_t>({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75);
  // Every score tied: one half.
  EXPECT_DOUBLE_EQ(roc_auc<int>({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), 0.5);
  // Pairs (pos, neg): (0.8,0.3) win, (0.8,0.8) tie, (0.2,0.3) loss, (0.2,0.8) loss -> 1.5 / 4.
  EXPECT_DOUBLE_EQ(roc_auc<int>({0.8, 0.3, 0.2, 0.8}, {1, 0, 1, 0}), 0.375);
}

TEST(RocAuc, UndefinedWithoutBothLabels) {
  EXPECT_TRUE(std::isnan(roc_auc<int>({0.1, 0.2}, {1, 1})));
  EXPECT_TRUE(std::isnan(roc_auc<uint8_t>({0.1, 0.2}, {0, 0})));
  EXPECT_TRUE(std::isnan(roc_auc<int>({}, {})));
}

}  // namespace
}  // namespace meg::core
