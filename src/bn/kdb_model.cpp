#include "bn/kdb_model.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/json_blob.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
KdbModel::KdbModel(KdbStructure structure, std::vector<uint32_t> cardinality, KdbLayout layout,
                   ClassBlocks blocks, CountStore counts, std::vector<double> log_prior)
    : structure_(std::move(structure)),
      cardinality_(std::move(cardinality)),
      layout_(std::move(layout)),
      blocks_(std::move(blocks)),
      counts_(std::move(counts)),
      log_prior_(std::move(log_prior)) {
  if (counts_->nnz.size() != blocks_.num_blocks() || log_prior_.size() != num_classes()) {
    throw InvalidArgument("kdb: parameter arrays do not match the blocks");
  }
}

KdbModel::KdbModel(KdbStructure structure, std::vector<uint32_t> cardinality, KdbLayout layout,
                   ClassBlocks blocks, std::vector<double> logp, std::vector<double> log_prior)
    : structure_(std::move(structure)),
      cardinality_(std::move(cardinality)),
      layout_(std::move(layout)),
      blocks_(std::move(blocks)),
      log_prior_(std::move(log_prior)) {
  if (logp.size() != blocks_.total_cells() || log_prior_.size() != num_classes()) {
    throw InvalidArgument("kdb: parameter arrays do not match the blocks");
  }
  logp_.set(std::move(logp));
}

const std::vector<double>& KdbModel::logp() const {
  return logp_.get([&] { return smooth_counts(layout_, blocks_, *counts_); });
}

std::vector<double>& KdbModel::mutable_logp() {
  logp();
  sampler_.reset();
  counts_.reset();
  return logp_.value();
}

void KdbModel::release_tables() {
  if (counts_) logp_.reset();
  sampler_.reset();
}

void KdbModel::set_strength(double m) {
  if (!counts_ || counts_->kind != Smoothing::Hierarchical || !(m > 0)) {
    throw InvalidArgument("kdb: only a counted hierarchical model takes a new strength > 0");
  }
  counts_->m.assign(counts_->m.size(), m);
  release_tables();
}

uint32_t KdbModel::max_card() const {
  uint32_t r = 1;
  for (size_t f = 0; f < layout_.num_features(); ++f) r = std::max(r, layout_.feature(f).card);
  return r;
}

size_t KdbModel::parameter_bytes() const {
  size_t bytes = blocks_.total_cells() * (sizeof(double) + AliasTables::entry_bytes(max_card())) +
                 blocks_.index_bytes();
  if (counts_) bytes += (counts_->nnz.size() + 2 * counts_->values.size()) * sizeof(uint32_t);
  return bytes;
}

void KdbModel::sample_rows(const Sampler& sampler, size_t begin, size_t end, int64_t class_value,
                           uint64_t seed, data::Code* out) const {
  // Rows in batches, a feature at a time for the batch: the rows' lookups and draws of one
  // feature are independent, so their memory accesses overlap. Every draw takes one random
  // number, taken for the batch first in the order a row at a time takes them (the class's
  // unless clamped, then the features' in layout order): the same draws.
  constexpr size_t kBatch = 64;
  core::Rng rng(core::derive_seed(seed, {structure_.class_col, begin / kBlockRows}));
  const size_t num_cols = this->num_cols();
  const size_t d = layout_.num_features();
  const size_t class_draws = class_value >= 0 ? 0 : 1, per_row = class_draws + d;
  const size_t class_col = structure_.class_col;
  std::vector<uint64_t> u(kBatch * per_row);
  int32_t group[kBatch];
  size_t base[kBatch];  // each row's block, then its table's base
  for (size_t first = begin; first < end; first += kBatch) {
    const size_t rows = std::min(kBatch, end - first);
    for (size_t i = 0; i < rows * per_row; ++i) u[i] = rng.next();
    data::Code* batch = out + first * num_cols;
    for (size_t i = 0; i < rows; ++i) {
      batch[i * num_cols + class_col] =
          class_value >= 0 ? static_cast<uint32_t>(class_value)
                           : sampler.prior.draw_with(u[i * per_row], 0, num_classes());
    }
    for (size_t f = 0; f < d; ++f) {
      const FeatureLayout& fl = layout_.feature(f);
      // The rows' groups, then their blocks, then the blocks' tables (built if need be, each
      // row's entry fetched ahead), then the draws: each pass's rows are independent, so
      // their cache misses overlap (a row's own lookups depend on one another).
      for (size_t i = 0; i < rows; ++i) {
        const data::Code* codes = batch + i * num_cols;
        group[i] = layout_.lookup_row(f, [&](uint32_t col) { return codes[col]; });
      }
      for (size_t i = 0; i < rows; ++i) {
        base[i] = static_cast<size_t>(block_of(group[i], batch[i * num_cols + class_col]));
      }
      for (size_t i = 0; i < rows; ++i) {
        base[i] = table_of(sampler, base[i]);
        sampler.cells.prefetch(u[i * per_row + class_draws + f], base[i], fl.card);
      }
      for (size_t i = 0; i < rows; ++i) {
        batch[i * num_cols + fl.column] =
            sampler.cells.draw_with(u[i * per_row + class_draws + f], base[i], fl.card);
      }
    }
  }
}

void KdbModel::sample(size_t n, int64_t class_value, uint64_t seed, data::Code* out,
                      int threads) const {
  if (class_value >= static_cast<int64_t>(num_classes())) {
    throw InvalidArgument("sample: class value " + std::to_string(class_value) +
                          " out of range (the class has " + std::to_string(num_classes()) +
                          " values)");
  }
  const Sampler& s = sampler();
  const size_t blocks = (n + kBlockRows - 1) / kBlockRows;
  core::parallel_for(blocks, threads, [&](size_t b) {
    sample_rows(s, b * kBlockRows, std::min(n, (b + 1) * kBlockRows), class_value, seed, out);
  });
}

void KdbModel::slots_of_row(const data::Code* row, int32_t* slots) const {
  auto code_at = [&](uint32_t col) { return row[col]; };
  for (size_t f = 0; f < layout_.num_features(); ++f) {
    const int32_t g = layout_.lookup_row(f, code_at);
    slots[f] = static_cast<int32_t>(layout_.group_offset(g) + row[layout_.feature(f).column]);
  }
}

double KdbModel::log_prob_row(const data::Code* row) const {
  const std::vector<double>& logp = this->logp();
  const uint32_t y = row[structure_.class_col];
  double lp = log_prior_[y];
  auto code_at = [&](uint32_t col) { return row[col]; };
  for (size_t f = 0; f < layout_.num_features(); ++f) {
    const int32_t g = layout_.lookup_row(f, code_at);
    lp +=
        logp[blocks_.offset(static_cast<size_t>(block_of(g, y))) + row[layout_.feature(f).column]];
  }
  return lp;
}

void KdbModel::log_prob(const data::DatasetView& data, double* out, int threads) const {
  const size_t num_cols = this->num_cols();
  if (data.num_cols() != num_cols) {
    throw InvalidArgument("log_prob: the data has " + std::to_string(data.num_cols()) +
                          " columns, the unit models " + std::to_string(num_cols));
  }
  const size_t n = data.num_rows();
  const size_t table_rows = data.data().num_rows();
  for (size_t c = 0; c < num_cols; ++c) {
    if (data.data().columns[c].size() != table_rows) {
      throw InvalidArgument("log_prob: ragged columns");
    }
  }
  const size_t blocks = (n + kBlockRows - 1) / kBlockRows;
  auto for_rows = [&](auto&& fn) {  // fn(r) for every row, blocks of rows in parallel
    core::parallel_for(blocks, threads, [&](size_t b) {
      for (size_t r = b * kBlockRows; r < std::min(n, (b + 1) * kBlockRows); ++r) fn(r);
    });
  };
  auto code = [&](size_t c, size_t r) {
    const data::Code v = data.code(c, r);
    if (v >= cardinality_[c]) {
      throw InvalidArgument("log_prob: code " + std::to_string(v) + " of column " +
                            std::to_string(c) + " out of range in row " + std::to_string(r));
    }
    return v;
  };
  // As many lookups as cells or more: build (and keep) logp(), one value per cell.
  if (logp_.ready() || !counts_ || n * layout_.num_features() >= blocks_.total_cells()) {
    core::parallel_for(blocks, threads, [&](size_t b) {
      std::vector<data::Code> row(num_cols);
      for (size_t r = b * kBlockRows; r < std::min(n, (b + 1) * kBlockRows); ++r) {
        for (size_t c = 0; c < num_cols; ++c) row[c] = code(c, r);
        out[r] = log_prob_row(row.data());
      }
    });
    return;
  }
  // Fewer rows: one feature's log-probabilities at a time, added in log_prob_row's order
  // (the same sums), never a value per cell of the unit.
  for_rows([&](size_t r) {
    for (size_t c = 0; c < num_cols; ++c) code(c, r);
    out[r] = log_prior_[data.code(structure_.class_col, r)];
  });
  // A feature with more cells than rows keeps its probabilities and takes the logarithm
  // of the rows' cells only: the same values (std::log of the same double), fewer calls.
  CountSmoother smoother(layout_, blocks_, *counts_);
  std::vector<double> lp;
  for (size_t f = 0; f < layout_.num_features(); ++f) {
    const FeatureCells cells = feature_cells(layout_, blocks_, f);
    const bool log_per_row = n < cells.size();
    lp.resize(cells.size());
    smoother.smooth_feature(f, [&](size_t b, const double* p) {
      double* o = &lp[cells.index(blocks_.offset(b))];
      if (log_per_row) {
        std::copy(p, p + blocks_.block_size(b), o);
      } else {
        for (uint32_t v = 0; v < blocks_.block_size(b); ++v) o[v] = std::log(p[v]);
      }
    });
    const uint32_t x_col = layout_.feature(f).column;
    const auto y_col = static_cast<uint32_t>(structure_.class_col);
    for_rows([&](size_t r) {
      auto code_at = [&](uint32_t col) { return data.code(col, r); };
      const int32_t g = layout_.lookup_row(f, code_at);
      const double v =
          lp[cells.index(blocks_.offset(static_cast<size_t>(block_of(g, code_at(y_col))))) +
             code_at(x_col)];
      out[r] += log_per_row ? std::log(v) : v;
    });
  }
}

nlohmann::json KdbModel::to_json() const {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& feature_keys : layout_.keys()) {
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& k : feature_keys) levels.push_back(core::pack_array(k));
    keys.push_back(std::move(levels));
  }
  nlohmann::json j = {{"structure", structure_.to_json()},
                      {"cardinality", cardinality_},
                      {"configs", std::move(keys)},
                      {"block_counts", pack_narrow(blocks_.counts())},
                      {"block_classes", pack_narrow(blocks_.classes())},
                      {"log_prior", core::pack_array(log_prior_)}};
  if (counts_) {
    j["counts"] = counts_->to_json();
  } else {
    j["logp"] = core::pack_array(logp());
  }
  return j;
}

KdbModel KdbModel::from_json(const nlohmann::json& j) {
  try {
    auto cardinality = j.at("cardinality").get<std::vector<uint32_t>>();
    if (cardinality.size() < 1) throw ModelFormatError("model: unit has no columns");
    KdbStructure structure = KdbStructure::from_json(j.at("structure"), cardinality);
    const auto& jk = j.at("configs");
    if (!jk.is_array() || jk.size() != structure.order.size()) {
      throw ModelFormatError("model: unit configuration lists have the wrong size");
    }
    std::vector<std::vector<std::vector<uint64_t>>> keys(jk.size());
    for (size_t f = 0; f < jk.size(); ++f) {
      if (!jk[f].is_array() || jk[f].size() > 65) {
        throw ModelFormatError("model: bad unit configuration list");
      }
      for (const auto& level : jk[f])
        keys[f].push_back(core::unpack_array<uint64_t>(level, "configs"));
    }
    KdbLayout layout = KdbLayout::from_keys(structure, cardinality, keys);
    ClassBlocks blocks;
    try {
      blocks = ClassBlocks(layout, unpack_narrow(j.at("block_counts"), "block_counts"),
                           unpack_narrow(j.at("block_classes"), "block_classes"));
    } catch (const InvalidArgument& e) {
      throw ModelFormatError(std::string("model: bad unit blocks: ") + e.what());
    }
    auto log_prior = core::unpack_array<double>(j.at("log_prior"), "log_prior");
    if (log_prior.size() != layout.num_classes()) {
      throw ModelFormatError("model: unit parameter arrays have the wrong size");
    }
    std::optional<KdbModel> model;
    if (j.contains("counts")) {
      CountStore counts = CountStore::from_json(j.at("counts"), layout, blocks);
      model.emplace(std::move(structure), std::move(cardinality), std::move(layout),
                    std::move(blocks), std::move(counts), std::move(log_prior));
    } else {
      auto logp = core::unpack_array<double>(j.at("logp"), "logp");
      if (logp.size() != blocks.total_cells()) {
        throw ModelFormatError("model: unit parameter arrays have the wrong size");
      }
      model.emplace(std::move(structure), std::move(cardinality), std::move(layout),
                    std::move(blocks), std::move(logp), std::move(log_prior));
    }
    // A loaded model is for sampling: every distribution is checked now, and its sampler
    // made (a block's alias table is built on its first draw; a counted model's
    // log-probabilities are not kept).
    model->sampler_.set(model->make_sampler(true));
    return std::move(*model);
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad unit: ") + e.what());
  }
}

}  // namespace meg::bn
