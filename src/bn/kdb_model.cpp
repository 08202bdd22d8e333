#include "bn/kdb_model.hpp"

#include <cmath>
#include <string>

#include "core/json_blob.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

inline uint32_t alias_draw(core::Rng& rng, const double* prob, const uint32_t* alias, uint32_t r) {
  const uint64_t u = rng.next();
  const auto j = static_cast<uint32_t>(((u >> 32) * r) >> 32);
  const double coin = static_cast<double>(u & 0xffffffffULL) * 0x1.0p-32;
  return coin < prob[j] ? j : alias[j];
}

}  // namespace

void build_alias(const double* p, uint32_t r, double* prob, uint32_t* alias) {
  double total = 0.0;
  for (uint32_t i = 0; i < r; ++i) total += p[i];
  std::vector<double> scaled(r);
  std::vector<uint32_t> small, large;
  for (uint32_t i = 0; i < r; ++i) {
    scaled[i] = p[i] * r / total;
    (scaled[i] < 1.0 ? small : large).push_back(i);
    alias[i] = i;
  }
  while (!small.empty() && !large.empty()) {
    uint32_t s = small.back(), l = large.back();
    small.pop_back();
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (uint32_t i : large) prob[i] = 1.0;
  for (uint32_t i : small) prob[i] = 1.0;  // rounding leftovers
}

KdbModel::KdbModel(KdbStructure structure, std::vector<uint32_t> cardinality, KdbLayout layout,
                   std::vector<double> logp, std::vector<double> log_prior)
    : structure_(std::move(structure)),
      cardinality_(std::move(cardinality)),
      layout_(std::move(layout)),
      logp_(std::move(logp)),
      log_prior_(std::move(log_prior)) {
  refresh_sampler();
}

void KdbModel::refresh_sampler() {
  const uint32_t num_classes = this->num_classes();
  const size_t slots = layout_.total_slots();
  alias_prob_.assign(slots * num_classes, 1.0);
  alias_index_.assign(slots * num_classes, 0);
  std::vector<double> p;
  for (size_t g = 0; g < layout_.num_groups(); ++g) {
    const uint32_t r = layout_.group_size(g);
    const size_t off = layout_.group_offset(g);
    p.resize(r);
    for (uint32_t c = 0; c < num_classes; ++c) {
      for (uint32_t v = 0; v < r; ++v) p[v] = std::exp(logp_[(off + v) * num_classes + c]);
      const size_t base = c * slots + off;
      build_alias(p.data(), r, &alias_prob_[base], &alias_index_[base]);
    }
  }
  prior_prob_.resize(num_classes);
  prior_index_.resize(num_classes);
  p.resize(num_classes);
  for (uint32_t c = 0; c < num_classes; ++c) p[c] = std::exp(log_prior_[c]);
  build_alias(p.data(), num_classes, prior_prob_.data(), prior_index_.data());
}

void KdbModel::sample_rows(size_t begin, size_t end, int64_t class_value, uint64_t seed,
                           data::Code* out) const {
  core::Rng rng(core::derive_seed(seed, {structure_.class_col, begin / kBlockRows}));
  const size_t num_cols = this->num_cols();
  const size_t slots = layout_.total_slots();
  const size_t d = layout_.num_features();
  const uint32_t num_classes = this->num_classes();
  for (size_t row = begin; row < end; ++row) {
    data::Code* codes = out + row * num_cols;
    const uint32_t y = class_value >= 0
                           ? static_cast<uint32_t>(class_value)
                           : alias_draw(rng, prior_prob_.data(), prior_index_.data(), num_classes);
    codes[structure_.class_col] = y;
    auto code_at = [&](uint32_t col) { return codes[col]; };
    for (size_t f = 0; f < d; ++f) {
      const FeatureLayout& fl = layout_.feature(f);
      const int32_t g = layout_.lookup(f, layout_.full_config(f, code_at));
      const size_t base = y * slots + layout_.group_offset(g);
      codes[fl.column] = alias_draw(rng, &alias_prob_[base], &alias_index_[base], fl.card);
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
  const size_t blocks = (n + kBlockRows - 1) / kBlockRows;
  core::parallel_for(blocks, threads, [&](size_t b) {
    sample_rows(b * kBlockRows, std::min(n, (b + 1) * kBlockRows), class_value, seed, out);
  });
}

void KdbModel::slots_of_row(const data::Code* row, int32_t* slots) const {
  auto code_at = [&](uint32_t col) { return row[col]; };
  for (size_t f = 0; f < layout_.num_features(); ++f) {
    const int32_t g = layout_.lookup(f, layout_.full_config(f, code_at));
    slots[f] = static_cast<int32_t>(layout_.group_offset(g) + row[layout_.feature(f).column]);
  }
}

double KdbModel::log_prob_row(const data::Code* row) const {
  const uint32_t num_classes = this->num_classes();
  const uint32_t y = row[structure_.class_col];
  double lp = log_prior_[y];
  auto code_at = [&](uint32_t col) { return row[col]; };
  for (size_t f = 0; f < layout_.num_features(); ++f) {
    const int32_t g = layout_.lookup(f, layout_.full_config(f, code_at));
    lp += logp_[(size_t{layout_.group_offset(g)} + row[layout_.feature(f).column]) * num_classes +
                y];
  }
  return lp;
}

void KdbModel::log_prob(const data::EncodedDataset& data, double* out, int threads) const {
  const size_t num_cols = this->num_cols();
  if (data.num_cols() != num_cols) {
    throw InvalidArgument("log_prob: the data has " + std::to_string(data.num_cols()) +
                          " columns, the unit models " + std::to_string(num_cols));
  }
  const size_t n = data.num_rows();
  for (size_t c = 0; c < num_cols; ++c) {
    if (data.columns[c].size() != n) throw InvalidArgument("log_prob: ragged columns");
  }
  const size_t blocks = (n + kBlockRows - 1) / kBlockRows;
  core::parallel_for(blocks, threads, [&](size_t b) {
    std::vector<data::Code> row(num_cols);
    for (size_t r = b * kBlockRows; r < std::min(n, (b + 1) * kBlockRows); ++r) {
      for (size_t c = 0; c < num_cols; ++c) {
        row[c] = data.columns[c][r];
        if (row[c] >= cardinality_[c]) {
          throw InvalidArgument("log_prob: code " + std::to_string(row[c]) + " of column " +
                                std::to_string(c) + " out of range in row " + std::to_string(r));
        }
      }
      out[r] = log_prob_row(row.data());
    }
  });
}

nlohmann::json KdbModel::to_json() const {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& feature_keys : layout_.keys()) {
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& k : feature_keys) levels.push_back(core::pack_array(k));
    keys.push_back(std::move(levels));
  }
  return {{"structure", structure_.to_json()},
          {"cardinality", cardinality_},
          {"configs", std::move(keys)},
          {"logp", core::pack_array(logp_)},
          {"log_prior", core::pack_array(log_prior_)}};
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
      for (const auto& level : jk[f]) keys[f].push_back(core::unpack_array<uint64_t>(level, "configs"));
    }
    KdbLayout layout = KdbLayout::from_keys(structure, cardinality, keys);
    auto logp = core::unpack_array<double>(j.at("logp"), "logp");
    auto log_prior = core::unpack_array<double>(j.at("log_prior"), "log_prior");
    const uint32_t num_classes = layout.num_classes();
    if (logp.size() != layout.total_slots() * num_classes || log_prior.size() != num_classes) {
      throw ModelFormatError("model: unit parameter arrays have the wrong size");
    }
    auto check_distribution = [](double sum) {
      if (!(std::fabs(sum - 1.0) < 1e-6)) {
        throw ModelFormatError("model: unit parameters are not probability distributions");
      }
    };
    for (size_t g = 0; g < layout.num_groups(); ++g) {
      for (uint32_t c = 0; c < num_classes; ++c) {
        double sum = 0.0;
        for (uint32_t v = 0; v < layout.group_size(g); ++v) {
          double lp = logp[(size_t{layout.group_offset(g)} + v) * num_classes + c];
          if (!std::isfinite(lp)) throw ModelFormatError("model: unit parameter is not finite");
          sum += std::exp(lp);
        }
        check_distribution(sum);
      }
    }
    double sum = 0.0;
    for (double lp : log_prior) {
      if (!std::isfinite(lp)) throw ModelFormatError("model: unit class prior is not finite");
      sum += std::exp(lp);
    }
    check_distribution(sum);
    return KdbModel(std::move(structure), std::move(cardinality), std::move(layout),
                    std::move(logp), std::move(log_prior));
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad unit: ") + e.what());
  }
}

}  // namespace meg::bn
