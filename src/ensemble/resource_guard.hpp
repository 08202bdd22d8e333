// Resource guard: an upper bound on a model's memory, computed from the column
// cardinalities and the options before any unit is fitted, so a table whose
// model would not fit is refused with a message naming the columns at fault
// instead of exhausting memory half-way through a fit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "meg/options.hpp"

namespace meg::ensemble {

struct ModelSizeEstimate {
  double total_bytes = 0;                // upper bound for the whole fit
  std::vector<double> column_bytes;      // share attributed to each column (same order as input)
};

// Upper bound of the bytes a fit needs, for columns with `cardinality` (codes,
// missing included), `rows` training rows and the units whose class columns are
// `unit_columns` (indices into `cardinality`). Bound per unit with class C and
// per feature i of cardinality r_i (k_u parents at most, whose configuration
// space q_i is at most min(max_parent_configs, product of the k_u largest other
// cardinalities)): the stored (configuration, class) distributions are the C of
// level 0 plus at most min(rows, q_i * C) per higher level, r_i doubles each.
// A factor covers the counts and, with gradient epochs, the optimiser state.
ModelSizeEstimate estimate_model_bytes(const std::vector<uint32_t>& cardinality,
                                       const std::vector<std::string>& names,
                                       const std::vector<size_t>& unit_columns, uint64_t rows,
                                       const FitOptions& options);

// Throws InvalidArgument if the estimate exceeds options.max_model_mb, naming
// the columns that account for most of it.
void check_model_size(const std::vector<uint32_t>& cardinality,
                      const std::vector<std::string>& names,
                      const std::vector<size_t>& unit_columns, uint64_t rows,
                      const FitOptions& options);

}  // namespace meg::ensemble
