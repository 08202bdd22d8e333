// Fidelity: how close the synthetic distribution is to the real train one.
//
// Missing values are part of the distribution everywhere: a categorical
// column's domain is {train levels, missing, other (any level train never
// had)}; a numeric column's missing cells sit above every number (+inf) in the
// empirical CDF used by Kolmogorov-Smirnov.
#pragma once
#include <string>
#include <vector>

#include "eval/prepared.hpp"
#include "meg/evaluation_result.hpp"

namespace meg::eval {

// Total variation distance (categorical) or KS statistic (numeric) of column c.
double column_distance(const Preprocessor& pre, size_t c, const PreparedTable& a,
                       const PreparedTable& b);

// Pairwise dependence of every column pair of `t`, a symmetric matrix with 1 on
// the diagonal: Cramér's V (categorical x categorical, missing = a level),
// Pearson correlation (numeric x numeric, rows with both present), correlation
// ratio eta (categorical x numeric, rows with the number present). Constant
// columns give 0. A categorical column keeps its `max_levels` most frequent
// train levels and pools the rest (and levels train never had) into one, so a
// contingency table has at most (max_levels + 2)^2 cells: O(columns^2 x rows)
// time, O(columns x rows + max_levels^2) memory, whatever the levels.
std::vector<std::vector<double>> dependence_matrix(const Preprocessor& pre, const PreparedTable& t,
                                                   size_t max_levels);

// Mean |a - b| over the pairs i < j.
double mean_pairwise_error(const std::vector<std::vector<double>>& a,
                           const std::vector<std::vector<double>>& b);

// Chart data of column c for the listed tables: categorical -> shares of up to
// `max_levels` levels (most frequent in train first; the rest pooled); numeric
// -> shares in `bins` equal-width bins over the range of all tables, plus the
// share missing.
ColumnChart column_chart(const Preprocessor& pre, size_t c,
                         const std::vector<const PreparedTable*>& tables, int bins,
                         size_t max_levels);

}  // namespace meg::eval
