// A CodeBooster's batched logits (booster_predict.cpp) against the walk of one row down each
// tree: random trees of every depth (16- and 32-bit lanes), with splits that send every row left,
// thresholds at both ends of a column's buckets, codes at 0 and at the column's last code, rows
// reached through an index (repeated, out of order), batches cut short, and a cardinality past 2^31
// (the walk's path). The numbers must be the same bit for bit.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"
#include "ensemble/discriminator_boost.hpp"

using meg::data::Code;
using meg::ensemble::CodeBooster;

namespace {

struct RandomBooster {
  std::vector<uint32_t> cardinality;
  CodeBooster booster;
};

// `trees` trees of depth `depth` over columns of the given cardinalities, from the model
// file's fields (as a loaded model gets them).
RandomBooster random_booster(const std::vector<uint32_t>& cardinality, int depth, size_t trees,
                             uint64_t seed) {
  meg::core::Rng rng(seed);
  std::vector<uint32_t> buckets;
  for (uint32_t c : cardinality) buckets.push_back(std::min(c, CodeBooster::kBuckets));
  const size_t inner = (size_t{1} << depth) - 1, leaves = size_t{1} << depth;
  std::vector<int32_t> feature;
  std::vector<uint32_t> threshold;
  std::vector<float> leaf;
  for (size_t k = 0; k < trees * inner; ++k) {
    const bool none = rng.below(10) == 0;
    const auto col = static_cast<uint32_t>(rng.below(cardinality.size()));
    feature.push_back(none ? -1 : static_cast<int32_t>(col));
    const uint64_t pick = rng.below(4);  // the first bucket, the last, or any
    threshold.push_back(none        ? 0
                        : pick == 0 ? 0
                        : pick == 1 ? buckets[col] - 1
                                    : static_cast<uint32_t>(rng.below(buckets[col])));
  }
  for (size_t k = 0; k < trees * leaves; ++k) {
    leaf.push_back(static_cast<float>(rng.uniform() * 2 - 1) * (k % 7 == 0 ? 1e-6f : 1.0f));
  }
  const nlohmann::json j = {
      {"version", 1},           {"depth", depth},     {"cardinality", cardinality},
      {"buckets", buckets},     {"base", 0.1 + seed}, {"feature", feature},
      {"threshold", threshold}, {"leaf", leaf}};
  return {cardinality, CodeBooster::from_json(j, cardinality)};
}

// Codes of n rows, a third of them at 0 or the column's last code.
std::vector<Code> random_rows(const std::vector<uint32_t>& cardinality, size_t n, uint64_t seed) {
  meg::core::Rng rng(seed);
  std::vector<Code> rows;
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t c : cardinality) {
      const uint64_t pick = rng.below(6);
      rows.push_back(pick == 0 ? 0 : pick == 1 ? c - 1 : static_cast<Code>(rng.below(c)));
    }
  }
  return rows;
}

void expect_batched_is_walk(const RandomBooster& rb, size_t n, uint64_t seed) {
  const size_t d = rb.cardinality.size();
  const std::vector<Code> rows = random_rows(rb.cardinality, n, seed);
  meg::core::Rng rng(seed + 1);
  std::vector<uint32_t> index;
  for (size_t i = 0; i < n + n / 3; ++i) index.push_back(static_cast<uint32_t>(rng.below(n)));
  std::vector<double> batched(index.size());
  rb.booster.logits(rows.data(), d, index.data(), index.size(), batched.data());
  for (size_t i = 0; i < index.size(); ++i) {
    const double walk = rb.booster.logit(&rows[size_t{index[i]} * d]);
    ASSERT_EQ(std::memcmp(&walk, &batched[i], sizeof walk), 0)
        << "row " << i << ": " << walk << " vs " << batched[i];
  }
}

TEST(BoosterPredict, BatchedLogitsAreTheWalksAtEveryDepth) {
  // Codes below 2^15 (16-bit lanes up to depth 4, the last code 32767 included), and a
  // column of 100,000 codes (32-bit lanes).
  const std::vector<uint32_t> narrow = {1, 2, 3, 64, 65, 700, 32768, 7, 2, 1000};
  const std::vector<uint32_t> wide = {1, 2, 3, 64, 65, 700, 100000, 7, 2, 1000};
  for (const auto& cardinality : {narrow, wide}) {
    for (int depth = 2; depth <= CodeBooster::kMaxDepth; ++depth) {
      for (size_t trees : {size_t{1}, size_t{37}}) {
        const RandomBooster rb = random_booster(cardinality, depth, trees, 10 * depth + trees);
        for (size_t n : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{300}}) {
          expect_batched_is_walk(rb, n, n + depth);
        }
      }
    }
  }
}

TEST(BoosterPredict, SplitsThatSendEveryRowLeftAndEmptyBatches) {
  // Depth 3, every split "every row goes left": each row gets leaf 0 of every tree.
  const std::vector<uint32_t> cardinality = {5, 9};
  const size_t trees = 4;
  const nlohmann::json j = {{"version", 1},
                            {"depth", 3},
                            {"cardinality", cardinality},
                            {"buckets", cardinality},
                            {"base", -0.5},
                            {"feature", std::vector<int32_t>(trees * 7, -1)},
                            {"threshold", std::vector<uint32_t>(trees * 7, 0)},
                            {"leaf", std::vector<float>(trees * 8, 0.25f)}};
  const CodeBooster b = CodeBooster::from_json(j, cardinality);
  const std::vector<Code> rows = {4, 8, 0, 0};
  const uint32_t index[] = {1, 0};
  double out[2] = {7, 7};
  b.logits(rows.data(), 2, index, 0, out);  // no rows: nothing written
  EXPECT_EQ(out[0], 7);
  b.logits(rows.data(), 2, index, 2, out);
  EXPECT_EQ(out[0], -0.5 + 4 * 0.25);
  EXPECT_EQ(out[1], -0.5 + 4 * 0.25);
  EXPECT_EQ(out[0], b.logit(rows.data()));
}

TEST(BoosterPredict, CardinalityPast2To31WalksTheSameNumbers) {
  const std::vector<uint32_t> cardinality = {3, 0x90000000u, 70};
  for (int depth : {2, 4, 6}) {
    expect_batched_is_walk(random_booster(cardinality, depth, 20, depth), 200, depth);
  }
}

}  // namespace
