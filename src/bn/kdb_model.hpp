// A parameterised kDB over table codes: structure, layout, the stored (group, class)
// blocks of log-probabilities (class_blocks.hpp: a (configuration, class) never seen
// together uses its back-off block) and the class prior. Gives the exact log p(row) and
// ancestral sampling with one alias table per stored block.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "bn/class_blocks.hpp"
#include "bn/count_store.hpp"
#include "bn/kdb_layout.hpp"
#include "bn/kdb_structure.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace meg::bn {

// One entry of a Vose alias table: keep i with probability prob, else take alias.
// Single precision is ample for sampling and halves the table.
struct AliasEntry {
  float prob = 1.0f;
  uint32_t alias = 0;
};

// Vose alias table for probabilities p[0..r) (any positive scale).
void build_alias(const double* p, uint32_t r, AliasEntry* out);

// One draw from an alias table of r entries.
inline uint32_t alias_draw(core::Rng& rng, const AliasEntry* table, uint32_t r) {
  const uint64_t u = rng.next();
  const auto j = static_cast<uint32_t>(((u >> 32) * r) >> 32);
  const float coin = static_cast<float>(u & 0xffffffULL) * 0x1.0p-24f;
  return coin < table[j].prob ? j : table[j].alias;
}

class KdbModel {
 public:
  static constexpr size_t kBlockRows = 4096;  // sampling / scoring block size

  KdbModel() = default;
  KdbModel(KdbStructure structure, std::vector<uint32_t> cardinality, KdbLayout layout,
           ClassBlocks blocks, std::vector<double> logp, std::vector<double> log_prior,
           std::optional<CountStore> counts = std::nullopt);

  const KdbStructure& structure() const { return structure_; }
  const KdbLayout& layout() const { return layout_; }
  const ClassBlocks& blocks() const { return blocks_; }
  const std::vector<uint32_t>& cardinality() const { return cardinality_; }
  size_t num_cols() const { return cardinality_.size(); }
  uint32_t num_classes() const { return layout_.num_classes(); }
  // logp[blocks().offset(b) + v] = log theta(v | group, class of block b); each block sums
  // to 1. Blocks [0, blocks().trainable_blocks()) are the trainable ones.
  const std::vector<double>& logp() const { return logp_; }
  // Block used for (group g, class c): g's own if stored, else its back-off.
  int32_t block_of(int32_t g, uint32_t c) const { return blocks_.resolve(layout_, g, c); }
  // log theta(value of slot | slot's group, c), with back-off.
  double log_theta(int32_t slot, uint32_t c) const {
    const int32_t g = layout_.slot_group(static_cast<size_t>(slot));
    return logp_[blocks_.offset(static_cast<size_t>(block_of(g, c))) +
                 (static_cast<uint32_t>(slot) - layout_.group_offset(static_cast<size_t>(g)))];
  }
  // Bytes held by the parameters, the block index and the alias tables.
  size_t parameter_bytes() const;
  const std::vector<double>& log_prior() const { return log_prior_; }
  // The counts logp was smoothed from (saved instead of logp), or none once trained.
  const std::optional<CountStore>& counts() const { return counts_; }
  // For the trainer: change parameters, then call refresh_sampler(). The parameters are
  // then no longer the smoothed counts, and the model is saved as explicit logp.
  std::vector<double>& mutable_logp() {
    counts_.reset();
    return logp_;
  }
  std::vector<double>& mutable_log_prior() { return log_prior_; }
  void refresh_sampler();
  // Alias tables parallel to logp() (one entry per cell), and the class prior's.
  const std::vector<AliasEntry>& alias() const { return alias_; }
  const std::vector<AliasEntry>& prior_alias() const { return prior_alias_; }

  // n rows x num_cols() codes, row-major, table column order. class_value < 0 samples
  // the class from the prior, otherwise clamps it. Rows come in blocks of kBlockRows,
  // block b drawn from stream derive_seed(seed, {class_col, b}): independent of threads.
  void sample(size_t n, int64_t class_value, uint64_t seed, data::Code* out, int threads) const;
  // Exact natural-log joint probability of every row of `data`.
  void log_prob(const data::EncodedDataset& data, double* out, int threads) const;

  // Row-major helpers used by the trainer: log p of one row given as codes[num_cols()],
  // and its slots (slot per feature, structure order).
  double log_prob_row(const data::Code* row) const;
  void slots_of_row(const data::Code* row, int32_t* slots) const;

  nlohmann::json to_json() const;
  static KdbModel from_json(const nlohmann::json& j);

 private:
  void sample_rows(size_t begin, size_t end, int64_t class_value, uint64_t seed,
                   data::Code* out) const;

  KdbStructure structure_;
  std::vector<uint32_t> cardinality_;
  KdbLayout layout_;
  ClassBlocks blocks_;
  std::vector<double> logp_;
  std::vector<double> log_prior_;
  std::optional<CountStore> counts_;
  // Alias tables: one entry per cell (parallel to logp_); the prior's C entries.
  std::vector<AliasEntry> alias_;
  std::vector<AliasEntry> prior_alias_;
};

}  // namespace meg::bn
