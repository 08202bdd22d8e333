// A CodeBooster's predictions (discriminator_boost.hpp): the split arrays derived for them,
// the walk of one row, and the batched evaluation of many rows that sampling uses.
#include <algorithm>
#include <bit>
#include <type_traits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#define MEG_BATCHED_LOGITS 1
#else
#define MEG_BATCHED_LOGITS 0
#endif

#include "ensemble/discriminator_boost.hpp"

namespace meg::ensemble {
namespace {

// The leaves a split at `node` (level order) of a tree of depth `depth` rules out when a row
// goes to its other side: bit j is leaf j. A row's path leaves exactly one leaf standing
// when every split's ruling is applied, on its path or not: a split off the path only rules
// out leaves of its own subtree, which a split on the path has ruled out already.
struct Ruled {
  uint64_t going_left = 0;   // the right subtree's leaves
  uint64_t going_right = 0;  // the left subtree's leaves
};
Ruled ruled_out(size_t node, int depth) {
  const int level = std::bit_width(node + 1) - 1;
  const uint64_t half = uint64_t{1} << (depth - level - 1);  // leaves in each subtree
  const uint64_t first = (node + 1 - (uint64_t{1} << level)) * 2 * half;
  const uint64_t left = ((uint64_t{1} << half) - 1) << first;  // half <= 32
  return {left << half, left};
}

}  // namespace

void CodeBooster::prepare() {
  split_column_.resize(feature_.size());
  code_threshold_.resize(feature_.size());
  for (size_t k = 0; k < feature_.size(); ++k) {
    if (feature_[k] < 0) {
      split_column_[k] = 0;
      code_threshold_[k] = UINT32_MAX;
      continue;
    }
    const auto c = static_cast<size_t>(feature_[k]);
    // bucket(code) = floor(code * B / C) <= t  <=>  code <= ceil((t + 1) * C / B) - 1.
    const uint64_t B = buckets_[c], C = cardinality_[c], t = threshold_[k];
    split_column_[k] = static_cast<uint32_t>(c);
    code_threshold_[k] = static_cast<uint32_t>(((t + 1) * C + B - 1) / B - 1);
  }
  // The batched evaluation: the columns splits read, each split's place among them, its
  // threshold as a signed code (every code is below 2^31, or the walk is used) and the
  // leaves each side rules out.
  used_columns_.clear();
  std::vector<uint32_t> place(cardinality_.size(), UINT32_MAX);
  for (size_t k = 0; k < feature_.size(); ++k) {
    if (feature_[k] >= 0) place[static_cast<size_t>(feature_[k])] = 0;
  }
  for (uint32_t c = 0; c < place.size(); ++c) {
    if (place[c] == 0) {
      place[c] = static_cast<uint32_t>(used_columns_.size());
      used_columns_.push_back(c);
    }
  }
  batched_ = MEG_BATCHED_LOGITS && depth_ <= 5 &&
             std::all_of(cardinality_.begin(), cardinality_.end(),
                         [](uint32_t c) { return c <= uint32_t{INT32_MAX}; });
  // 16-bit lanes: every code a split reads below 2^15, and at most 16 leaves.
  narrow_ = depth_ <= 4 && std::all_of(used_columns_.begin(), used_columns_.end(), [&](uint32_t c) {
              return cardinality_[c] <= uint32_t{INT16_MAX} + 1;
            });
  split_place_.resize(feature_.size());
  signed_threshold_.resize(feature_.size());
  rule_left_.resize(feature_.size());
  rule_right_.resize(feature_.size());
  const size_t inner_ = inner();
  for (size_t k = 0; k < feature_.size(); ++k) {
    // A split without a column sends every row left: any column, a threshold no code passes.
    split_place_[k] = feature_[k] < 0 ? 0 : place[static_cast<size_t>(feature_[k])];
    signed_threshold_[k] =
        static_cast<int32_t>(std::min<uint32_t>(code_threshold_[k], uint32_t{INT32_MAX}));
    const Ruled r = ruled_out(k % inner_, depth_);
    rule_left_[k] = ~r.going_left;
    rule_right_[k] = ~r.going_right;
  }
}

double CodeBooster::logit(const data::Code* row) const {
  double f = base_;
  const size_t n = trees(), inner_ = inner(), leaves_ = leaves();
  for (size_t t = 0; t < n; ++t) {
    const uint32_t* col = &split_column_[t * inner_];
    const uint32_t* thr = &code_threshold_[t * inner_];
    uint32_t nd = 0;
    for (int level = 0; level < depth_; ++level) {
      const uint32_t k = (1u << level) - 1 + nd;
      nd = nd * 2 + (row[col[k]] > thr[k] ? 1 : 0);
    }
    f += leaf_[t * leaves_ + nd];
  }
  return f;
}

template <int Depth>
void CodeBooster::logits_by_walk(const data::Code* rows, size_t stride, const uint32_t* index,
                                 size_t n, double* out) const {
  constexpr size_t kInner = (size_t{1} << Depth) - 1, kLeaves = size_t{1} << Depth;
  const size_t num_trees = trees();
  const data::Code* row[kLogitBatch];
  for (size_t first = 0; first < n; first += kLogitBatch) {
    const size_t m = std::min(kLogitBatch, n - first);
    double* f = out + first;
    for (size_t i = 0; i < m; ++i) {
      row[i] = rows + size_t{index[first + i]} * stride;
      f[i] = base_;
    }
    for (size_t t = 0; t < num_trees; ++t) {
      const uint32_t* col = &split_column_[t * kInner];
      const uint32_t* thr = &code_threshold_[t * kInner];
      const float* leaf = &leaf_[t * kLeaves];
      for (size_t i = 0; i < m; ++i) {
        uint32_t nd = 0;
        for (int level = 0; level < Depth; ++level) {
          const uint32_t k = (1u << level) - 1 + nd;
          nd = nd * 2 + (row[i][col[k]] > thr[k] ? 1 : 0);
        }
        f[i] += leaf[nd];
      }
    }
  }
}

#if MEG_BATCHED_LOGITS
namespace {

// Codes as 16-bit lanes (8 rows an SSE2 register; leaves of a depth of at most 4) or 32-bit
// ones (4 rows; depth 5).
struct Lanes16 {
  using Code = int16_t;
  using Leaves = uint16_t;
  static constexpr int32_t kMax = INT16_MAX;
  static __m128i set1(int32_t v) { return _mm_set1_epi16(static_cast<int16_t>(v)); }
  static __m128i greater(__m128i a, __m128i b) { return _mm_cmpgt_epi16(a, b); }
};
struct Lanes32 {
  using Code = int32_t;
  using Leaves = uint32_t;
  static constexpr int32_t kMax = INT32_MAX;
  static __m128i set1(int32_t v) { return _mm_set1_epi32(v); }
  static __m128i greater(__m128i a, __m128i b) { return _mm_cmpgt_epi32(a, b); }
};

}  // namespace

// Every split of a tree is decided for the batch's rows together, 32 or 64 rows in registers
// (SSE2), each split removing the leaves its side rules out; the leaf left standing is the row's.
// The codes the splits read are gathered once a batch, column by column. Each row's leaves are
// added in tree order, as the walk adds them: the same numbers.
template <int Depth, class L>
void CodeBooster::logits_batched(const data::Code* rows, size_t stride, const uint32_t* index,
                                 size_t n, double* out) const {
  static_assert(Depth <= static_cast<int>(std::bit_width(sizeof(typename L::Leaves) * 8)) - 1,
                "a row's standing leaves fit its lane");
  constexpr size_t kInner = (size_t{1} << Depth) - 1, kLeaves = size_t{1} << Depth;
  // Rows whose leaves stay in registers: eight registers, so a split's three broadcast
  // values serve as many rows as the registers hold.
  constexpr size_t kPerReg = 16 / sizeof(typename L::Code), kRegs = 8, kGroup = kPerReg * kRegs;
  constexpr size_t B = kLogitBatch;
  static_assert(B % kGroup == 0);
  const size_t num_trees = trees(), used = used_columns_.size();
  std::vector<typename L::Code> codes(std::max<size_t>(1, used) * B, 0);
  alignas(16) typename L::Leaves standing[B];
  for (size_t first = 0; first < n; first += B) {
    const size_t m = std::min(B, n - first);
    double* f = out + first;
    for (size_t i = 0; i < m; ++i) {
      const data::Code* row = rows + size_t{index[first + i]} * stride;
      for (size_t u = 0; u < used; ++u) {
        codes[u * B + i] = static_cast<typename L::Code>(row[used_columns_[u]]);
      }
      f[i] = base_;
    }
    for (size_t t = 0; t < num_trees; ++t) {
      const uint32_t* place = &split_place_[t * kInner];
      const int32_t* thr = &signed_threshold_[t * kInner];
      const uint64_t* left = &rule_left_[t * kInner];
      const uint64_t* right = &rule_right_[t * kInner];
      for (size_t g = 0; g < B; g += kGroup) {
        __m128i s[kRegs];
        for (size_t r = 0; r < kRegs; ++r) s[r] = _mm_set1_epi32(-1);
        for (size_t k = 0; k < kInner; ++k) {
          const typename L::Code* c = &codes[place[k] * B + g];
          const __m128i th = L::set1(std::min(thr[k], L::kMax));
          const auto l = static_cast<typename L::Leaves>(left[k]);
          const __m128i keep = L::set1(l);  // left's leaves, or right's where code > th
          const __m128i flip = L::set1(static_cast<typename L::Leaves>(l ^ right[k]));
          for (size_t r = 0; r < kRegs; ++r) {
            const __m128i at = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + r * kPerReg));
            s[r] =
                _mm_and_si128(s[r], _mm_xor_si128(keep, _mm_and_si128(flip, L::greater(at, th))));
          }
        }
        for (size_t r = 0; r < kRegs; ++r) {
          _mm_store_si128(reinterpret_cast<__m128i*>(&standing[g + r * kPerReg]), s[r]);
        }
      }
      const float* leaf = &leaf_[t * kLeaves];
      for (size_t i = 0; i < m; ++i) f[i] += leaf[std::countr_zero(standing[i])];
    }
  }
}
#endif

namespace {

// fn(std::integral_constant<int, D>{}) for D = depth, a depth in [2, Max].
template <int Max, class Fn>
void at_depth(int depth, Fn&& fn) {
  if constexpr (Max > 2) {
    if (depth < Max) return at_depth<Max - 1>(depth, std::forward<Fn>(fn));
  }
  fn(std::integral_constant<int, Max>{});
}

}  // namespace

void CodeBooster::logits(const data::Code* rows, size_t stride, const uint32_t* index, size_t n,
                         double* out) const {
#if MEG_BATCHED_LOGITS
  if (batched_ && narrow_) {  // depth <= 4
    return at_depth<4>(depth_, [&](auto d) {
      logits_batched<decltype(d)::value, Lanes16>(rows, stride, index, n, out);
    });
  }
  if (batched_) {  // depth <= 5
    return at_depth<5>(depth_, [&](auto d) {
      logits_batched<decltype(d)::value, Lanes32>(rows, stride, index, n, out);
    });
  }
#endif
  at_depth<kMaxDepth>(
      depth_, [&](auto d) { logits_by_walk<decltype(d)::value>(rows, stride, index, n, out); });
}

}  // namespace meg::ensemble
