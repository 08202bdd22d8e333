// A parameterised kDB over table codes: structure, layout, the stored (group, class)
// blocks of log-probabilities (class_blocks.hpp: a (configuration, class) never seen
// together uses its back-off block) and the class prior. Gives the exact log p(row) and
// ancestral sampling with one alias table per stored block.
//
// A counted model keeps only its sparse counts: the log-probabilities and the alias
// tables are built on first use (thread-safe) and can be dropped again with
// release_tables(), so a unit that is fitted and saved never holds a value per cell.
// Sampling builds a block's alias table the first time a row draws from it
// (kdb_tables.cpp): a sample that reaches part of the blocks builds only those.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "bn/alias_table.hpp"
#include "bn/class_blocks.hpp"
#include "bn/count_store.hpp"
#include "bn/kdb_layout.hpp"
#include "bn/kdb_structure.hpp"
#include "core/lazy.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace meg::bn {

class KdbModel {
 public:
  static constexpr size_t kBlockRows = 4096;  // sampling / scoring block size

  KdbModel() = default;
  // A counted model: the parameters are the smoothed `counts` (smooth_counts).
  KdbModel(KdbStructure structure, std::vector<uint32_t> cardinality, KdbLayout layout,
           ClassBlocks blocks, CountStore counts, std::vector<double> log_prior);
  // Explicit parameters, logp[blocks.total_cells()].
  KdbModel(KdbStructure structure, std::vector<uint32_t> cardinality, KdbLayout layout,
           ClassBlocks blocks, std::vector<double> logp, std::vector<double> log_prior);

  const KdbStructure& structure() const { return structure_; }
  const KdbLayout& layout() const { return layout_; }
  const ClassBlocks& blocks() const { return blocks_; }
  const std::vector<uint32_t>& cardinality() const { return cardinality_; }
  size_t num_cols() const { return cardinality_.size(); }
  uint32_t num_classes() const { return layout_.num_classes(); }
  // logp[blocks().offset(b) + v] = log theta(v | group, class of block b); each block sums
  // to 1. Blocks [0, blocks().trainable_blocks()) are the trainable ones. Built from the
  // counts on first use for a counted model.
  const std::vector<double>& logp() const;
  // Block used for (group g, class c): g's own if stored, else its back-off.
  int32_t block_of(int32_t g, uint32_t c) const { return blocks_.resolve(layout_, g, c); }
  // log theta(value of slot | slot's group, c), with back-off.
  double log_theta(int32_t slot, uint32_t c) const {
    const int32_t g = layout_.slot_group(static_cast<size_t>(slot));
    return logp()[blocks_.offset(static_cast<size_t>(block_of(g, c))) +
                  (static_cast<uint32_t>(slot) - layout_.group_offset(static_cast<size_t>(g)))];
  }
  // Bytes of the parameters, the block index and the alias tables once built (a double and
  // an alias entry per cell), plus the counts of a counted model.
  size_t parameter_bytes() const;
  const std::vector<double>& log_prior() const { return log_prior_; }
  // The counts logp was smoothed from (saved instead of logp), or none once trained.
  const std::optional<CountStore>& counts() const { return counts_; }
  // For the trainer: change parameters, then call refresh_sampler(). The parameters are
  // then no longer the smoothed counts, and the model is saved as explicit logp.
  std::vector<double>& mutable_logp();
  std::vector<double>& mutable_log_prior() { return log_prior_; }
  // After changing parameters: the alias tables are rebuilt on next use.
  void refresh_sampler() { sampler_.reset(); }
  // Drops the tables derived from the parameters (a counted model's logp, the alias
  // tables); they are rebuilt on next use. Not concurrent with other calls.
  void release_tables();
  // A counted hierarchical model's smoothing strength set to m for every feature: the
  // counts, layout and blocks do not depend on it, so this is the model counting the same
  // rows with m would give. Drops the tables built with the old strength. InvalidArgument
  // for a trained model or another smoothing.
  void set_strength(double m);
  // One draw of a value from block b, and of a class from the prior, each with one random
  // number of rng (alias tables parallel to logp(); block b's built on its first draw).
  uint32_t draw_value(core::Rng& rng, size_t b) const {
    const Sampler& s = sampler();
    return s.cells.draw(rng, table_of(s, b), blocks_.block_size(b));
  }
  uint32_t draw_class(core::Rng& rng) const { return sampler().prior.draw(rng, 0, num_classes()); }
  // Builds every block's alias table now (sampling builds them on first use; the draws are
  // the same either way).
  void build_tables() const;

  // n rows x num_cols() codes, row-major, table column order. class_value < 0 samples
  // the class from the prior, otherwise clamps it. Rows come in blocks of kBlockRows,
  // block b drawn from stream derive_seed(seed, {class_col, b}): independent of threads.
  void sample(size_t n, int64_t class_value, uint64_t seed, data::Code* out, int threads) const;
  // The rows sample(n, -1, seed, out, threads) gives, drawn a feature at a time for all n
  // rows: a feature's distributions are smoothed in turn and only the blocks the rows
  // reach get an alias table, so a few thousand rows of a large counted model cost no
  // table per cell (the fit's mixture draws). Builds and keeps no table; 8 (d + 1) bytes
  // a row of scratch. Single-threaded.
  void sample_sparse(size_t n, uint64_t seed, data::Code* out) const;
  // Exact natural-log joint probability of every row of `data`. A counted model whose logp()
  // is not built scores fewer rows than it has cells feature by feature (the same numbers)
  // without building it; more rows build and keep it.
  void log_prob(const data::DatasetView& data, double* out, int threads) const;

  // Row-major helpers used by the trainer: log p of one row given as codes[num_cols()],
  // and its slots (slot per feature, structure order).
  double log_prob_row(const data::Code* row) const;
  void slots_of_row(const data::Code* row, int32_t* slots) const;

  nlohmann::json to_json() const;
  static KdbModel from_json(const nlohmann::json& j);

 private:
  // The sampling tables (kdb_tables.cpp): the class prior's alias table, and one per block
  // built on its first draw by one thread while others wanting it wait.
  struct Sampler {
    static constexpr uint8_t kBuilding = 1, kBuilt = 2;
    mutable AliasTables cells;  // one entry per cell, parallel to logp(); a block's once built
    AliasTables prior;          // the class prior's C entries
    std::unique_ptr<std::atomic<uint8_t>[]> state;  // per block: 0, kBuilding or kBuilt
    // A counted model's back-off blocks' probabilities (cells from blocks().trainable_cells())
    // and the first count entry of each block; empty when the tables come from logp().
    std::vector<double> backoff;
    std::vector<size_t> first_entry;
  };
  uint32_t max_card() const;
  const Sampler& sampler() const {
    return *sampler_.get([&] { return make_sampler(false); });
  }
  // The sampler with no block built; with `validate`, throws ModelFormatError unless every
  // block and the prior are finite distributions (used on load). Does not build logp().
  std::shared_ptr<Sampler> make_sampler(bool validate) const;
  // Block b's base in s.cells, its table built first if it is not yet.
  size_t table_of(const Sampler& s, size_t b) const {
    if (s.state[b].load(std::memory_order_acquire) != Sampler::kBuilt) build_table(s, b);
    return blocks_.offset(b);
  }
  void build_table(const Sampler& s, size_t b) const;
  // The class prior's alias table (validate: as make_sampler's).
  AliasTables prior_table(bool validate) const;
  void sample_rows(const Sampler& sampler, size_t begin, size_t end, int64_t class_value,
                   uint64_t seed, data::Code* out) const;

  KdbStructure structure_;
  std::vector<uint32_t> cardinality_;
  KdbLayout layout_;
  ClassBlocks blocks_;
  std::optional<CountStore> counts_;
  // The parameters when explicit; else built from counts_ on first use.
  core::Lazy<std::vector<double>> logp_;
  std::vector<double> log_prior_;
  // Shared by copies of the model (the tables are a function of the parameters; a change
  // of them resets the owner's pointer only).
  core::Lazy<std::shared_ptr<Sampler>> sampler_;
};

}  // namespace meg::bn
