#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "meg/error.hpp"
#include "privacy/secure_rng.hpp"
#include "stats.hpp"

using namespace meg::privacy;
using meg::privacy::testing::chi2_critical;
using meg::privacy::testing::chi2_statistic;

TEST(SecureRng, SeededStreamsAreReproducibleAndDistinct) {
  SecureRng a = SecureRng::from_seed(42), b = SecureRng::from_seed(42),
            c = SecureRng::from_seed(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differs |= x != c.next_u64();
  }
  EXPECT_TRUE(differs);
  EXPECT_FALSE(a.from_entropy());
}

TEST(SecureRng, KeyStreamIsChaCha20OfTheKey) {
  // from_key(k) emits the ChaCha20 blocks of k with counter 0, 1, ... (state words 12-13)
  // and zero words 14-15: block 0 is the RFC 8439 A.1 vector for the zero key.
  SecureRng r = SecureRng::from_key(ChaChaKey{});
  EXPECT_EQ(r.next_u32(), 0xade0b876u);
  EXPECT_EQ(r.next_u32(), 0x903df1a0u);
  for (int i = 2; i < 16; ++i) r.next_u32();
  EXPECT_EQ(r.next_u32(), 0xbee7079fu);  // block 1 (A.1, test vector 2)
}

TEST(SecureRng, DerivedStreamsAreDeterministicAndIndependentOfUse) {
  SecureRng base = SecureRng::from_seed(7);
  SecureRng d1 = base.derive({1, 2});
  for (int i = 0; i < 100; ++i) base.next_u64();  // drawing from the parent changes nothing
  SecureRng d2 = base.derive({1, 2});
  SecureRng other = base.derive({2, 1});
  SecureRng parent_again = SecureRng::from_seed(7);
  bool differs = false, differs_parent = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = d1.next_u64();
    EXPECT_EQ(x, d2.next_u64());
    differs |= x != other.next_u64();
    differs_parent |= x != parent_again.next_u64();
  }
  EXPECT_TRUE(differs);
  EXPECT_TRUE(differs_parent);
}

TEST(SecureRng, OsKeysDiffer) {
  SecureRng a = SecureRng::from_os(), b = SecureRng::from_os();
  EXPECT_TRUE(a.from_entropy());
  EXPECT_TRUE(a.derive({3}).from_entropy());
  std::set<uint64_t> seen;
  for (int i = 0; i < 8; ++i) {
    seen.insert(a.next_u64());
    seen.insert(b.next_u64());
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST(SecureRng, MovedFromStreamIsNotReplayed) {
  SecureRng a = SecureRng::from_seed(5);
  const uint64_t first = SecureRng::from_seed(5).next_u64();
  SecureRng b = std::move(a);
  EXPECT_EQ(b.next_u64(), first);
}

TEST(SecureRng, BelowIsUniform) {
  SecureRng r = SecureRng::from_seed(11);
  for (uint64_t n : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{7}, uint64_t{10}}) {
    std::vector<uint64_t> counts(n, 0);
    const uint64_t draws = 70000;
    for (uint64_t i = 0; i < draws; ++i) {
      const uint64_t x = r.below(n);
      ASSERT_LT(x, n);
      ++counts[x];
    }
    if (n == 1) continue;
    const auto [stat, dof] = chi2_statistic(counts, std::vector<double>(n, 1.0 / n), draws);
    EXPECT_LT(stat, chi2_critical(dof)) << "n = " << n;
  }
  // Large bounds, 64 and 128 bits: the top half is hit about half the time.
  const uint64_t big = (uint64_t{1} << 63) + 12345;
  const u128 huge = (u128{1} << 100) + 999;
  int top64 = 0, top128 = 0;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t x = r.below(big);
    ASSERT_LT(x, big);
    top64 += x >= big / 2;
    const u128 y = r.below(huge);
    ASSERT_LT(y, huge);
    top128 += y >= huge / 2;
  }
  EXPECT_NEAR(top64, 10000, 5 * 71);
  EXPECT_NEAR(top128, 10000, 5 * 71);
  EXPECT_THROW(r.below(uint64_t{0}), meg::InvalidArgument);
}
