// A parameterised kDB over table codes: structure, layout, log-probabilities of
// every group (trainable and back-off) and the class prior. Gives the exact
// log p(row) and ancestral sampling with one alias table per (group, class).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "bn/kdb_layout.hpp"
#include "bn/kdb_structure.hpp"
#include "data/dataset.hpp"

namespace meg::bn {

class KdbModel {
 public:
  static constexpr size_t kBlockRows = 4096;  // sampling / scoring block size

  KdbModel() = default;
  KdbModel(KdbStructure structure, std::vector<uint32_t> cardinality, KdbLayout layout,
           std::vector<double> logp, std::vector<double> log_prior);

  const KdbStructure& structure() const { return structure_; }
  const KdbLayout& layout() const { return layout_; }
  const std::vector<uint32_t>& cardinality() const { return cardinality_; }
  size_t num_cols() const { return cardinality_.size(); }
  uint32_t num_classes() const { return layout_.num_classes(); }
  // logp[slot * C + c] = log theta(value of slot | group, c); each group sums to 1 per class.
  const std::vector<double>& logp() const { return logp_; }
  const std::vector<double>& log_prior() const { return log_prior_; }
  // For the trainer: change parameters, then call refresh_sampler().
  std::vector<double>& mutable_logp() { return logp_; }
  std::vector<double>& mutable_log_prior() { return log_prior_; }
  void refresh_sampler();

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
  std::vector<double> logp_;
  std::vector<double> log_prior_;
  // Alias tables: entry [c * total_slots + slot]; prior tables of C entries.
  std::vector<double> alias_prob_;
  std::vector<uint32_t> alias_index_;
  std::vector<double> prior_prob_;
  std::vector<uint32_t> prior_index_;
};

// Vose alias table for probabilities p[0..r) (any positive scale): prob[i], alias[i].
void build_alias(const double* p, uint32_t r, double* prob, uint32_t* alias);

}  // namespace meg::bn
