// Learned sums: a numeric column that equals a signed sum of 2..4 others within its
// rounding in every training row (docs/data.md, "Learned sums").
//
// Search, bounded and not exponential in the columns: on a seeded sample of rows, each
// column's values are folded into two keys (random positive combinations of up to
// kSumKeyRows rows, chosen so that each column is away from 0 in some); a relation total = s1 a +
// s2 b (+ s3 c + s4 d) makes the keys agree within the total's rounding. Signed single columns and
// pairs ("halves", O(p^2) for p columns) are sorted by key; for each total and each half, the other
// half is found by a range search and screened by the second key, O(p^3 log p) in all (p <= 64), at
// most kMaxSumVisits matches looked at. Candidates are checked on every sample row, then verified
// on every training row by the caller.
#pragma once
#include <cstdint>
#include <vector>

#include "data/row_model.hpp"

namespace meg::data {

// Rows of the sample the search uses, and of them the rows folded into the keys.
inline constexpr size_t kSumSampleRows = 1024;
inline constexpr size_t kSumKeyRows = 64;
// Relations checked on every row at most (the search stops there: a sum may then be missed).
inline constexpr size_t kMaxSumCandidates = 256;
// Key matches looked at, at most (bounds the search when many columns share keys).
inline constexpr size_t kMaxSumVisits = size_t{1} << 22;

// Whether total = sum of signed parts within the total's rounding: |difference| at most
// half its step (plus a relative 1e-9 for the binary fractions of parsed decimals).
inline bool sum_within(double total, double sum, double magnitude, double unit) {
  return std::abs(total - sum) <= 0.5 * unit + 1e-9 * magnitude;
}

// Candidate relations over columns cols[0..p) (units[i] > 0 each: plain decimals) from
// sample rows (s x p values, row-major, NaN: missing); each checked on every sample row
// with all its columns present. Each relation appears once, written the preferred way
// (orientations).
std::vector<SumRule> sum_candidates(const std::vector<double>& sample, size_t s,
                                    const std::vector<uint32_t>& cols,
                                    const std::vector<double>& units, uint64_t seed);

// Keeps the candidates that hold in every training row with their columns present, read
// in blocks through `values` (one more pass over the candidates' columns only);
// `unit[c]`: column c's step.
void keep_verified(std::vector<SumRule>& candidates, uint64_t rows, size_t num_cols,
                   const std::vector<double>& unit, const ValueSource& values);

// A relation's ways of being written as a sum, the preferred first: the most '+' parts,
// ties: the later column as the total (the first is how a learned candidate is written).
std::vector<SumRule> orientations(const SumRule& rule);

// The sums to enforce: the declared ones, then the verified learned ones (the most '+'
// parts first, then the fewest parts), each written the first way (orientations) whose
// total is not already a total, has a step no finer than the verified total's, and that
// does not make a total depend on itself (a relation implied by those kept always would:
// no sum is listed twice).
// `unit[c]`: column c's step; empty: each learned sum only as it is written.
std::vector<SumRule> choose_sums(const std::vector<SumRule>& declared, std::vector<SumRule> learned,
                                 const std::vector<double>& unit);

// The order columns are decoded in: column order, each sum's total moved right after the
// last of its parts (totals whose parts never all come first, a cycle: at the end).
std::vector<uint32_t> decode_order(size_t num_cols, const std::vector<SumRule>& sums);

}  // namespace meg::data
