// Conditional sampling from a MEG model (docs/conditional.md): rows satisfying
// conditions "COL=VALUE" / "COL=LO..HI" / "COL=" (missing); several on one column allow
// any of their values (data::TableCodec::parse_conditions). Each unit samples from p_u(. | E)
// (exact for evidence on its class column, else likelihood weighting with resampling); units are
// mixed with posterior weights proportional to w_u * p_u(E). Never a rejection loop.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bn/evidence.hpp"
#include "data/codec.hpp"
#include "ensemble/meg_model.hpp"

namespace meg::ensemble {

class ConditionalSampler {
 public:
  // Particles per unit used to estimate p_u(E) when it is not computed exactly.
  static constexpr size_t kEvidenceParticles = 8192;

  // Parses `where` against the model's codec and computes the posterior unit weights
  // (deterministic: fixed particle budget and stream). Throws InvalidArgument for an
  // unknown column or value, or a condition of probability zero under the model.
  ConditionalSampler(const MegModel& model, const std::vector<std::string>& where, int threads);

  // Same contract as MegModel::sample_text: header first, then chunks in order;
  // deterministic for `seed` whatever `threads`; every row satisfies every condition.
  void sample_text(uint64_t n, uint64_t seed, int threads,
                   const std::function<void(const std::string&)>& sink,
                   const RowsWritten& written = {}) const;
  std::string sample_csv(uint64_t n, uint64_t seed, int threads) const;
  void sample_to_file(uint64_t n, uint64_t seed, int threads, const std::string& path,
                      const RowsWritten& written = {}) const;

  // Posterior unit weights (sum 1) and log sum_u w_u p_u(E).
  const std::vector<double>& posterior_weights() const { return posterior_; }
  double log_probability() const { return log_probability_; }
  const std::vector<data::ColumnCondition>& conditions() const { return conditions_; }

 private:
  const MegModel& model_;
  std::vector<data::ColumnCondition> conditions_;
  bn::Evidence evidence_;
  std::vector<double> posterior_;
  double log_probability_ = 0.0;
};

}  // namespace meg::ensemble
