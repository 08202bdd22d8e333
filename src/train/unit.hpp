// One GANBLR unit (docs/design.md §3-§5): a kDB over every column of
// an encoded table with one column as the class, initialised from hierarchically
// smoothed counts, then optionally trained (CLL warm-up, adversarial phase).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bn/kdb_model.hpp"
#include "data/dataset.hpp"
#include "meg/options.hpp"

namespace meg::train {

using EpochCallback = std::function<void(const std::string& phase, int epoch, int total_epochs)>;

// Throws InvalidArgument naming the first code (in column order, then row order) that is
// not below its column's cardinality in `data`'s table, or a ragged table. A fit reads
// every code of the table, so it is checked once: the units then skip the scan.
void check_codes(const data::DatasetView& data);

// Whether a unit's fit scans the table's codes (Scan) or its caller already did
// (check_codes on the same table: Checked).
enum class CodeCheck { Scan, Checked };

class GanblrUnit {
 public:
  GanblrUnit() = default;

  // Learns the kDB structure, initialises the generator from smoothed counts, runs the warm-up
  // and the adversarial phase on `data` with column `class_col` as the class. `seed` fixes every
  // random choice; `threads` (0 = all cores) changes only the speed, never the result.
  // `hints`: what the units of a fit share in the structure search (bn/candidates.hpp).
  static GanblrUnit fit(const data::DatasetView& data, size_t class_col, const UnitOptions& options,
                        uint64_t seed, int threads, const EpochCallback& on_epoch = {},
                        const bn::SearchHints* hints = nullptr, CodeCheck check = CodeCheck::Scan);
  // The same with a structure already learned on `data` (by fit, or kept from a fit of the
  // same unit on the same rows: the search reads neither the smoothing nor the seed).
  static GanblrUnit fit_structure(const data::DatasetView& data, bn::KdbStructure structure,
                                  const UnitOptions& options, uint64_t seed, int threads,
                                  const EpochCallback& on_epoch = {},
                                  CodeCheck check = CodeCheck::Scan);

  size_t class_column() const { return model_.structure().class_col; }
  size_t num_columns() const { return model_.num_cols(); }
  // n rows x num_columns() codes, row-major, columns in table order. Deterministic for
  // (seed): rows come in blocks of bn::KdbModel::kBlockRows, one RNG stream per block.
  void sample(size_t n, uint64_t seed, data::Code* out, int threads) const;
  // The same rows as sample(n, seed, out, 1), with sampling tables for the blocks they
  // reach only (bn::KdbModel::sample_sparse): for a few thousand rows of a fitted unit.
  void sample_sparse(size_t n, uint64_t seed, data::Code* out) const {
    model_.sample_sparse(n, seed, out);
  }
  // Same with the class column clamped to class_value (exact: the root is fixed).
  void sample_with_class(size_t n, uint32_t class_value, uint64_t seed, data::Code* out,
                         int threads) const;
  // Exact natural-log joint probability log p(row) of every row of `data` into out[0..n).
  void log_prob(const data::DatasetView& data, double* out, int threads) const;
  // Drops the tables built on first sample() / log_prob() (bn::KdbModel::release_tables).
  void release_tables() { model_.release_tables(); }
  // A counted (untrained) unit with hierarchical smoothing refitted at strength m without
  // counting again: what fit with smoothing_m = m on the same rows and structure gives
  // (bn::KdbModel::set_strength). InvalidArgument for a trained unit.
  void set_strength(double m);
  // parents()[c]: kDB parents (table columns, ascending, class excluded); empty for the class.
  const std::vector<std::vector<uint32_t>>& parents() const { return model_.structure().parents; }
  // Feature order (table columns), parents before children.
  const std::vector<uint32_t>& order() const { return model_.structure().order; }
  // Per-epoch figures and the smoothing strengths, for `meg inspect`.
  nlohmann::json training_log() const { return training_log_; }
  const bn::KdbModel& model() const { return model_; }

  nlohmann::json to_json() const;
  // Throws ModelFormatError on bad input; sizes and indices are validated first.
  static GanblrUnit from_json(const nlohmann::json& j);

 private:
  // Counts, tables and the optional gradient phases on a validated `data`.
  static GanblrUnit build(const data::DatasetView& data, bn::KdbStructure structure,
                          const UnitOptions& options, uint64_t seed, int threads,
                          const EpochCallback& on_epoch);
  bn::KdbModel model_;
  nlohmann::json training_log_ = nlohmann::json::object();
};

// The gradient phases (warm-up, adversarial) on a counted model; appends per-epoch
// figures to log["epochs"]. Single-threaded; deterministic for `seed`.
void train_generator(bn::KdbModel& model, const data::DatasetView& data, const UnitOptions& options,
                     uint64_t seed, const EpochCallback& on_epoch, nlohmann::json& log);

}  // namespace meg::train
