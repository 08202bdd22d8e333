// The 4-byte alias entries draw exactly what the full (float, uint32) entries draw.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "bn/alias_table.hpp"
#include "core/rng.hpp"

namespace meg::bn {
namespace {

TEST(AliasTables, ThresholdDecidesLikeTheFloatCoin) {
  std::vector<float> probs = {0.0f,
                              -0.5f,
                              std::numeric_limits<float>::denorm_min(),
                              1e-30f,
                              0x1.0p-24f,
                              0x1.0p-23f,
                              0.5f,
                              0.75f,
                              1.0f,
                              1.5f,
                              std::nextafter(1.0f, 0.0f),
                              std::nextafter(0.5f, 1.0f),
                              std::numeric_limits<float>::quiet_NaN()};
  core::Rng rng(5);
  for (int i = 0; i < 2000; ++i) {
    const auto k = static_cast<float>(rng.below(1u << 24));
    probs.push_back(k * 0x1.0p-24f);                        // on a coin value
    probs.push_back(std::nextafter(k * 0x1.0p-24f, 2.0f));  // just above
    probs.push_back(static_cast<float>(rng.uniform()));     // anywhere
  }
  for (float prob : probs) {
    const uint32_t t = alias_threshold(prob);
    ASSERT_LE(t, 1u << 24);
    for (int64_t d = -2; d <= 2; ++d) {
      for (int64_t k : {int64_t{t} + d, int64_t{0}, int64_t{(1 << 24) - 1}}) {
        if (k < 0 || k >= (1 << 24)) continue;
        const float coin = static_cast<float>(k) * 0x1.0p-24f;
        ASSERT_EQ(static_cast<uint32_t>(k) < t, coin < prob) << prob << " " << k;
      }
    }
  }
}

TEST(AliasTables, PackedDrawsEqualFullEntries) {
  core::Rng gen(9);
  for (uint32_t r : {1u, 2u, 3u, 7u, 42u, 255u, 256u}) {
    for (int rep = 0; rep < 20; ++rep) {
      std::vector<double> p(r);
      for (auto& x : p) {
        const uint64_t kind = gen.below(4);
        x = kind == 0 ? 0.0 : kind == 1 ? 1e-12 * gen.uniform() : gen.uniform();
      }
      p[gen.below(r)] += 1e-9;                           // never all zero
      if (rep == 0) std::fill(p.begin(), p.end(), 1.0);  // uniform: every entry keeps
      AliasBuilder builder;
      const AliasEntry* t = builder.build(p.data(), r);
      const std::vector<AliasEntry> full(t, t + r);
      AliasTables packed(3 + r);
      packed.set(3, p.data(), r);
      core::Rng a(rep), b(rep);
      for (int i = 0; i < 20000; ++i) {
        ASSERT_EQ(packed.draw(b, 3, r), alias_draw(a, full.data(), r));
      }
    }
  }
}

// Tables of more than 256 values keep full entries beside the packed ones, set in any
// order: every draw is still alias_draw's, and the packed tables stay 4 bytes an entry.
TEST(AliasTables, WideTablesBesidePackedOnes) {
  core::Rng gen(5);
  const std::vector<std::pair<size_t, uint32_t>> tables = {
      {562, 256}, {5, 300}, {0, 5}, {305, 257}, {818, 700}};
  AliasTables all(818 + 700);
  std::vector<std::vector<AliasEntry>> full;
  for (const auto& [base, r] : tables) {
    std::vector<double> p(r);
    for (auto& x : p) x = gen.below(3) == 0 ? 0.0 : gen.uniform();
    p[0] += 1e-9;
    AliasBuilder builder;
    const AliasEntry* t = builder.build(p.data(), r);
    full.emplace_back(t, t + r);
    all.set(base, p.data(), r);
  }
  EXPECT_EQ(all.bytes(), (818 + 700) * 4 + (300 + 257 + 700) * sizeof(AliasEntry));
  for (size_t k = 0; k < tables.size(); ++k) {
    const auto [base, r] = tables[k];
    core::Rng a(k), b(k);
    for (int i = 0; i < 5000; ++i) {
      ASSERT_EQ(all.draw(b, base, r), alias_draw(a, full[k].data(), r)) << r;
    }
  }
}

// Vose's method with std::vector stacks, as AliasBuilder built its tables before it kept
// its stacks in arrays: the reference the builder's entries must equal bit for bit.
std::vector<AliasEntry> reference_alias(const std::vector<double>& p) {
  const auto r = static_cast<uint32_t>(p.size());
  double total = 0.0;
  for (double x : p) total += x;
  std::vector<double> scaled(r);
  std::vector<uint32_t> small, large;
  std::vector<AliasEntry> out(r);
  for (uint32_t i = 0; i < r; ++i) {
    scaled[i] = p[i] * r / total;
    (scaled[i] < 1.0 ? small : large).push_back(i);
    out[i] = {1.0f, i};
  }
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back(), l = large.back();
    small.pop_back();
    out[s] = {static_cast<float>(scaled[s]), l};
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (uint32_t i : large) out[i].prob = 1.0f;
  for (uint32_t i : small) out[i].prob = 1.0f;
  return out;
}

TEST(AliasTables, BuilderEntriesEqualTheReferenceBitForBit) {
  core::Rng gen(17);
  AliasBuilder builder;  // reused across sizes, as a unit's sampler reuses it
  for (uint32_t r : {1u, 2u, 3u, 5u, 16u, 64u, 255u, 256u, 257u, 700u, 3000u, 2u, 700u}) {
    for (int rep = 0; rep < 30; ++rep) {
      std::vector<double> p(r);
      for (auto& x : p) {
        const uint64_t kind = gen.below(5);
        x = kind == 0   ? 0.0
            : kind == 1 ? 1e-12 * gen.uniform()
            : kind == 2 ? 1.0 / r  // ties at exactly 1 once scaled
                        : gen.uniform();
      }
      p[gen.below(r)] += 1e-9;
      if (rep == 0) std::fill(p.begin(), p.end(), 0.25);
      const std::vector<AliasEntry> want = reference_alias(p);
      const AliasEntry* got = builder.build(p.data(), r);
      for (uint32_t i = 0; i < r; ++i) {
        ASSERT_EQ(got[i].alias, want[i].alias) << r << " " << i;
        ASSERT_EQ(std::bit_cast<uint32_t>(got[i].prob), std::bit_cast<uint32_t>(want[i].prob))
            << r << " " << i;
      }
    }
  }
}

}  // namespace
}  // namespace meg::bn
