// KdbModel's sampling tables (kdb_model.hpp): the class prior's alias table, made with the
// sampler, and a block's alias table, built the first time a row draws from it. A block's
// table is the one an eager build gives (its probabilities are a function of the counts, or
// of logp()), so the draws are the same whichever blocks were built before and by whom.
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "bn/count_store.hpp"
#include "bn/kdb_model.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

// With `validate`: a table's probabilities must add up to 1 (a loaded model's check).
void check_distribution(bool validate, double sum) {
  if (validate && !(std::fabs(sum - 1.0) < 1e-6)) {
    throw ModelFormatError("model: unit parameters are not probability distributions");
  }
}

// A block's probabilities (for the checks) and exp(log theta) of its cells (for its table).
struct BlockScratch {
  std::vector<double> n, q, p;
  AliasBuilder builder;
};

}  // namespace

std::shared_ptr<KdbModel::Sampler> KdbModel::make_sampler(bool validate) const {
  auto s = std::make_shared<Sampler>();
  const size_t num_blocks = blocks_.num_blocks();
  size_t wide_cells = 0;
  for (size_t b = 0; b < num_blocks; ++b) {
    if (AliasTables::wide(blocks_.block_size(b))) wide_cells += blocks_.block_size(b);
  }
  s->cells = AliasTables(blocks_.total_cells(), wide_cells);
  for (size_t b = 0; b < num_blocks; ++b) {
    if (AliasTables::wide(blocks_.block_size(b))) {
      s->cells.place_wide(blocks_.offset(b), blocks_.block_size(b));
    }
  }
  s->state = std::make_unique<std::atomic<uint8_t>[]>(num_blocks);
  if (logp_.ready() || !counts_) {
    if (validate) {  // log theta finite, and exp(log theta) a distribution, in every block
      const std::vector<double>& lp = logp();
      for (size_t b = 0; b < num_blocks; ++b) {
        double sum = 0.0;
        for (uint32_t v = 0; v < blocks_.block_size(b); ++v) {
          const double x = lp[blocks_.offset(b) + v];
          if (!std::isfinite(x)) throw ModelFormatError("model: unit parameter is not finite");
          sum += std::exp(x);
        }
        check_distribution(true, sum);
      }
    }
    s->prior = prior_table(validate);
    return s;
  }
  // A counted model: the back-off blocks' probabilities are kept (a full-level block is
  // smoothed from its back-off block when it is built). With `validate` every block is
  // checked: log theta is finite exactly when theta is finite and positive.
  const size_t trainable_cells = blocks_.trainable_cells();
  s->backoff.resize(blocks_.total_cells() - trainable_cells);
  s->first_entry.assign(num_blocks + 1, 0);
  for (size_t b = 0; b < num_blocks; ++b) {
    s->first_entry[b + 1] = s->first_entry[b] + counts_->nnz[b];
  }
  auto keep = [&](size_t b, const double* q) {
    const uint32_t r = blocks_.block_size(b);
    if (b >= blocks_.trainable_blocks()) {
      std::copy(q, q + r, &s->backoff[blocks_.offset(b) - trainable_cells]);
    }
    if (!validate) return;
    // The cells' checks without a branch each (the sum is taken in the same order).
    double sum = 0.0;
    bool ok = true;
    for (uint32_t v = 0; v < r; ++v) {
      ok &= (q[v] > 0.0) & (q[v] <= std::numeric_limits<double>::max());
      sum += q[v];
    }
    if (!ok) throw ModelFormatError("model: unit parameter is not finite");
    check_distribution(true, sum);
  };
  CountSmoother smoother(layout_, blocks_, *counts_);
  // Without the checks, only the back-off levels (the full level is smoothed block by block).
  for (size_t f = 0; f < layout_.num_features(); ++f) smoother.smooth_feature(f, keep, validate);
  s->prior = prior_table(validate);
  return s;
}

void KdbModel::build_table(const Sampler& s, size_t b) const {
  std::atomic<uint8_t>& state = s.state[b];
  uint8_t expected = 0;
  if (!state.compare_exchange_strong(expected, Sampler::kBuilding, std::memory_order_acquire)) {
    while (state.load(std::memory_order_acquire) != Sampler::kBuilt) std::this_thread::yield();
    return;
  }
  thread_local BlockScratch scratch;
  const uint32_t r = blocks_.block_size(b);
  scratch.p.resize(r);
  try {
    if (s.first_entry.empty()) {  // from logp(), as a trained model holds its parameters
      const double* lp = &logp()[blocks_.offset(b)];
      for (uint32_t v = 0; v < r; ++v) scratch.p[v] = std::exp(lp[v]);
    } else {
      const size_t trainable_cells = blocks_.trainable_cells();
      const double* q = nullptr;
      if (b >= blocks_.trainable_blocks()) {  // a back-off block: kept
        q = &s.backoff[blocks_.offset(b) - trainable_cells];
      } else {
        const auto g = static_cast<size_t>(blocks_.block_group(b));
        const double* below = nullptr;
        if (layout_.parent_group(g) >= 0) {
          const int32_t bb =
              blocks_.resolve(layout_, layout_.parent_group(g), blocks_.block_class(b));
          below = &s.backoff[blocks_.offset(static_cast<size_t>(bb)) - trainable_cells];
        }
        scratch.n.resize(r);
        scratch.q.resize(r);
        smooth_block(*counts_, layout_.group_feature(g), s.first_entry[b], s.first_entry[b + 1], r,
                     below, scratch.n.data(), scratch.q.data());
        q = scratch.q.data();
      }
      // exp(log theta), as the parameters a loaded model held gave.
      for (uint32_t v = 0; v < r; ++v) scratch.p[v] = std::exp(std::log(q[v]));
    }
    s.cells.fill(blocks_.offset(b), scratch.p.data(), r, scratch.builder);
  } catch (...) {
    state.store(0, std::memory_order_release);
    throw;
  }
  state.store(Sampler::kBuilt, std::memory_order_release);
}

void KdbModel::build_tables() const {
  const Sampler& s = sampler();
  for (size_t b = 0; b < blocks_.num_blocks(); ++b) table_of(s, b);
}

AliasTables KdbModel::prior_table(bool validate) const {
  const uint32_t num_classes = this->num_classes();
  std::vector<double> p(num_classes);
  double sum = 0.0;
  for (uint32_t c = 0; c < num_classes; ++c) {
    if (validate && !std::isfinite(log_prior_[c])) {
      throw ModelFormatError("model: unit class prior is not finite");
    }
    p[c] = std::exp(log_prior_[c]);
    sum += p[c];
  }
  check_distribution(validate, sum);
  AliasTables prior(num_classes);
  prior.set(0, p.data(), num_classes);
  return prior;
}

}  // namespace meg::bn
