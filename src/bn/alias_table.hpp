// Vose alias tables: a draw from a distribution of r values costs one random number.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace meg::bn {

// One entry of a Vose alias table: keep i with probability prob, else take alias.
// Single precision is ample for sampling and halves the table. Trivial, so a table can be
// sized without writing it (UninitializedAllocator).
struct AliasEntry {
  float prob;
  uint32_t alias;
};

// A vector allocator that leaves elements default-initialised (unwritten, for trivial
// types) when a vector is sized: the pages of a large table are touched only where its
// entries are set.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  using value_type = T;
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>& /*other*/) noexcept {}
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// Builds Vose alias tables; keeps its scratch between calls.
class AliasBuilder {
 public:
  // The table of probabilities p[0..r) (any positive scale), valid until the next call.
  const AliasEntry* build(const double* p, uint32_t r);

 private:
  std::vector<double> scaled_;
  std::vector<uint32_t> small_, large_;
  std::vector<AliasEntry> out_;
};

// One draw from an alias table of r entries, made with the random number u.
inline uint32_t alias_draw_with(uint64_t u, const AliasEntry* table, uint32_t r) {
  const auto j = static_cast<uint32_t>(((u >> 32) * r) >> 32);
  const float coin = static_cast<float>(u & 0xffffffULL) * 0x1.0p-24f;
  return coin < table[j].prob ? j : table[j].alias;
}
// The same with the draw's random number u taken from rng (one number a draw).
inline uint32_t alias_draw(core::Rng& rng, const AliasEntry* table, uint32_t r) {
  return alias_draw_with(rng.next(), table, r);
}

// The number of 24-bit coins k with k / 2^24 < prob: in [0, 2^24].
uint32_t alias_threshold(float prob);

// The alias tables of many distributions back to back: a distribution of r values has
// the r entries from its base. A distribution of at most 256 values takes 4 bytes an
// entry instead of 8: the coin (24 random bits k, coin = k / 2^24) is below prob exactly
// when k < ceil(prob * 2^24), so the entry holds that threshold in 24 bits (an entry that
// always keeps its value becomes its own alias with threshold 0) and the alias in 8. A
// larger one keeps full entries elsewhere, its first packed slot pointing at them (so a
// unit with one many-level feature packs all its other tables). Every draw is the same
// as alias_draw's on the full entries.
class AliasTables {
 public:
  AliasTables() = default;
  // Room for `cells` entries, `wide_cells` of them in tables of more than 256 values (the
  // full entries reserved at once: no regrowth while the tables are set). The entries are
  // not written until set.
  explicit AliasTables(size_t cells, size_t wide_cells = 0);
  // Whether a table of r values keeps full entries.
  static bool wide(uint32_t r) { return r > kMaxPacked; }

  // Builds the table of p[0..r) (any positive scale) at base.
  void set(size_t base, const double* p, uint32_t r);
  // For tables set from several threads: a wide table's room at base is placed first (one
  // thread, before any fill); then fill() may set different bases at once, each thread
  // with its own builder. set() is place_wide() (if wide) and fill().
  void place_wide(size_t base, uint32_t r);
  void fill(size_t base, const double* p, uint32_t r, AliasBuilder& builder);
  uint32_t draw(core::Rng& rng, size_t base, uint32_t r) const {
    return draw_with(rng.next(), base, r);
  }
  // The draw from the random number u (draw takes rng's next number).
  uint32_t draw_with(uint64_t u, size_t base, uint32_t r) const {
    if (r > kMaxPacked) return alias_draw_with(u, &wide_[packed_[base]], r);
    const auto j = static_cast<uint32_t>(((u >> 32) * r) >> 32);
    const uint32_t e = packed_[base + j];
    return (u & 0xffffffU) < (e >> 8) ? j : (e & 0xffU);
  }
  // Asks the cache for the entry draw_with(u, base, r) reads first.
  void prefetch(uint64_t u, size_t base, uint32_t r) const {
    const auto j = static_cast<uint32_t>(((u >> 32) * r) >> 32);
    __builtin_prefetch(&packed_[r > kMaxPacked ? base : base + j]);
  }
  size_t bytes() const {
    return packed_.size() * sizeof(uint32_t) + wide_.size() * sizeof(AliasEntry);
  }
  // Bytes an entry takes at most, for tables of up to max_values values.
  static size_t entry_bytes(uint32_t max_values) {
    return max_values <= kMaxPacked ? sizeof(uint32_t) : sizeof(uint32_t) + sizeof(AliasEntry);
  }

 private:
  static constexpr uint32_t kMaxPacked = 256;
  // Every table's entries; a wide table's first: its offset in wide_.
  std::vector<uint32_t, UninitializedAllocator<uint32_t>> packed_;
  // The tables of more than kMaxPacked values.
  std::vector<AliasEntry, UninitializedAllocator<AliasEntry>> wide_;
  AliasBuilder builder_;
};

}  // namespace meg::bn
