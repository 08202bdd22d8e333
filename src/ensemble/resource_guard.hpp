// Resource guard: an upper bound on a model's memory, computed from the column
// cardinalities, the options and (when the table is not too wide) a pass counting the
// distinct code pairs and triples on the rows (resource_guard_counts.hpp), so a table
// whose model would not fit is refused with a message naming the columns or the option at
// fault instead of exhausting memory half-way through a fit. The fit checks twice: before
// the structure search with every feature parentless, and after it, before any unit is
// counted, with the parents the search chose (ParentSets; docs/robustness.md).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "meg/options.hpp"

namespace meg::data {
struct EncodedDataset;
class TableCodec;
}  // namespace meg::data
namespace meg::bn {
struct KdbStructure;
}  // namespace meg::bn

namespace meg::ensemble {

struct ModelSizeEstimate {
  double total_bytes = 0;            // upper bound: the larger of fit_bytes and use_bytes
  std::vector<double> column_bytes;  // share attributed to each column (same order as input)
  // Shares of the fitting scratch set by options rather than columns ("synthetic_rows",
  // "hidden"), for the units fitted at once.
  std::vector<std::pair<std::string, double>> option_bytes;
  double scratch_bytes = 0;  // fitting scratch of the units fitted at once (in total_bytes)
  double row_bytes = 0;      // per-row arrays and fixed terms (in total_bytes)
  double fit_bytes = 0;      // the fit's phases, the largest (total_bytes: this or use_bytes)
  double use_bytes = 0;      // loading the model and building its tables
  // Diagnostics: the largest unit's scratch by part (one unit), and the bound's cells,
  // blocks, non-zero counts and groups summed over the units' tables.
  std::vector<std::pair<std::string, double>> scratch_parts;
  double model_cells = 0, model_blocks = 0, model_entries = 0, model_groups = 0;
};

// The parents the estimate gives each unit's features. Any: whichever the structure search
// may choose (the largest parent sets the limits and the counted codes allow). None: none
// (level 0 only): what the fit uses until its structures are searched, and the least any
// structure holds, so a table over the limit then is over it whatever the search chooses.
// Searched: those of the searched structures, each set one structure a unit (in
// unit_columns order), a feature taking the larger share of the sets' (the first fit's
// structures and, when the refit searches again, the refit's).
struct ParentSets {
  enum class Kind { Any, None, Searched };
  Kind kind = Kind::Any;
  std::vector<const std::vector<bn::KdbStructure>*> sets;
};

// Upper bound of the heap bytes a fit (and saving, loading, sampling and scoring its model)
// needs beyond the table's text and codec, for columns with `cardinality` (codes, missing
// included), `rows` training rows and the units whose class columns are `unit_columns`
// (indices into `cardinality`). Per unit with class C and per feature i of cardinality r_i
// with k_u parents at most: level j has at most min(rows, q_j) configurations and
// min(rows, q_j C) stored distributions (q_j = product of the j largest other
// cardinalities, at most max_parent_configs), level 0 has C; r_i cells each (a
// log-probability and an alias entry once built), at most one non-zero count per row and
// level. The fit's peak (per-row arrays, the units' counts, the largest unit's scratch
// times the units fitted at once, or at its end every unit's alias tables while the model
// is saved) and a load's (the counts, then the saved tree or every unit's tables) do not
// overlap: the estimate is the larger. Checked against measured heap peaks in
// tests/robustness/test_guard.cpp (docs/performance.md, "The guard against measured heap").
// With the table's codes (`data`, every row, the columns of `cardinality`), levels 1 and
// 2 are also bounded by the distinct codes and code pairs counted on the rows (all pairs
// up to 256 columns, each unit's class pairs beyond, within budgets; past them the bound
// without data holds, see resource_guard_counts.hpp).
ModelSizeEstimate estimate_model_bytes(const std::vector<uint32_t>& cardinality,
                                       const std::vector<std::string>& names,
                                       const std::vector<size_t>& unit_columns, uint64_t rows,
                                       const FitOptions& options,
                                       const data::EncodedDataset* data = nullptr,
                                       size_t row_model_columns = 0,
                                       const ParentSets& parents = {});

// The columns the codec's row model reads when it is fitted (data/row_model.cpp: the
// numeric columns, then, when there is one, the categorical ones of few levels; at most
// kMaxRuleColumns); 0 when there is no numeric column (no row model).
size_t row_model_columns(const data::TableCodec& codec);

// Throws InvalidArgument if the estimate exceeds options.max_model_mb, naming
// the columns that account for most of it; else returns the estimate.
ModelSizeEstimate check_model_size(const std::vector<uint32_t>& cardinality,
                                   const std::vector<std::string>& names,
                                   const std::vector<size_t>& unit_columns, uint64_t rows,
                                   const FitOptions& options,
                                   const data::EncodedDataset* data = nullptr,
                                   size_t row_model_columns = 0, const ParentSets& parents = {});

}  // namespace meg::ensemble
