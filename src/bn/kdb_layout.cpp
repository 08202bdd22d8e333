#include "bn/kdb_layout.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "meg/error.hpp"

namespace meg::bn {
namespace {

constexpr uint64_t kAlwaysDense = 4096;
constexpr uint64_t kMaxSlots = std::numeric_limits<int32_t>::max();

// Product of the parent cardinalities, or throws when it cannot be indexed.
uint64_t config_count(const std::vector<uint32_t>& cards) {
  double q = 1.0;
  uint64_t qi = 1;
  for (uint32_t r : cards) {
    q *= static_cast<double>(r);
    qi *= r;
  }
  if (q > 9.0e18) throw InvalidArgument("kdb: parent configuration space too large");
  return qi;
}

}  // namespace

ConfigMap::ConfigMap(uint64_t num_configs, std::vector<uint64_t> keys, int32_t first_group)
    : keys_(std::move(keys)), first_group_(first_group) {
  if (num_configs <= kAlwaysDense || num_configs <= 8 * keys_.size()) {
    dense_.assign(num_configs, -1);
    for (size_t i = 0; i < keys_.size(); ++i) {
      dense_[keys_[i]] = first_group_ + static_cast<int32_t>(i);
    }
  }
}

KdbLayout KdbLayout::from_observed(const KdbStructure& structure,
                                   const std::vector<uint32_t>& cardinality,
                                   const std::vector<std::vector<std::vector<uint64_t>>>& keys) {
  KdbLayout layout;
  layout.finish(structure, cardinality, keys);
  return layout;
}

KdbLayout KdbLayout::from_keys(const KdbStructure& structure,
                               const std::vector<uint32_t>& cardinality,
                               const std::vector<std::vector<std::vector<uint64_t>>>& keys) {
  KdbLayout layout;
  try {
    layout.finish(structure, cardinality, keys);
  } catch (const InvalidArgument& e) {
    throw ModelFormatError(std::string("model: bad unit layout: ") + e.what());
  }
  return layout;
}

void KdbLayout::finish(const KdbStructure& structure, const std::vector<uint32_t>& cardinality,
                       const std::vector<std::vector<std::vector<uint64_t>>>& keys) {
  class_col_ = structure.class_col;
  num_cols_ = structure.num_cols;
  if (cardinality.size() != num_cols_ || class_col_ >= num_cols_) {
    throw InvalidArgument("kdb: cardinalities do not match the structure");
  }
  for (uint32_t r : cardinality) {
    if (r == 0) throw InvalidArgument("kdb: a column has cardinality 0");
  }
  num_classes_ = cardinality[class_col_];
  const size_t d = structure.order.size();
  if (keys.size() != d) throw InvalidArgument("kdb: wrong number of features in the layout");
  features_.assign(d, {});
  parent_cards_.assign(d, {});
  parent_maps_.assign(num_cols_, {});
  for (size_t c = 0; c < num_cols_; ++c) parent_maps_[c] = structure.group_map(c, cardinality[c]);
  // First pass: validate and count groups per (feature, level).
  size_t total_groups = 0;
  for (size_t f = 0; f < d; ++f) {
    FeatureLayout& fl = features_[f];
    fl.column = structure.order[f];
    fl.card = cardinality[fl.column];
    fl.parents = structure.parents[fl.column];
    for (uint32_t p : fl.parents)
      parent_cards_[f].push_back(structure.parent_card(p, cardinality[p]));
    const size_t num_parents = fl.parents.size();
    if (keys[f].size() != num_parents + 1) throw InvalidArgument("kdb: wrong number of levels");
    fl.divisor.assign(num_parents + 1, 1);
    for (size_t j = num_parents; j-- > 0;) fl.divisor[j] = fl.divisor[j + 1] * parent_cards_[f][j];
    const uint64_t q = config_count(parent_cards_[f]);
    for (size_t j = 0; j <= num_parents; ++j) {
      const auto& k = keys[f][j];
      const uint64_t qj = q / fl.divisor[j];
      if (k.empty() || k.size() > qj) throw InvalidArgument("kdb: bad configuration list");
      for (size_t i = 0; i < k.size(); ++i) {
        if (k[i] >= qj || (i > 0 && k[i - 1] >= k[i])) {
          throw InvalidArgument("kdb: configuration keys out of range or unsorted");
        }
      }
      total_groups += k.size();
    }
  }
  // Second pass: trainable (full-level) groups first, then the back-off levels.
  group_offset_.clear();
  group_feature_.clear();
  group_offset_.reserve(total_groups);
  group_feature_.reserve(total_groups);
  uint64_t slot = 0;
  auto add_level = [&](size_t f, size_t j) {
    FeatureLayout& fl = features_[f];
    const uint64_t qj = config_count(parent_cards_[f]) / fl.divisor[j];
    const auto first = static_cast<int32_t>(group_offset_.size());
    for (size_t i = 0; i < keys[f][j].size(); ++i) {
      group_offset_.push_back(static_cast<uint32_t>(slot));
      group_feature_.push_back(static_cast<uint32_t>(f));
      slot += fl.card;
      if (slot > kMaxSlots) throw InvalidArgument("kdb: too many parameters for one unit");
    }
    fl.levels[j] = ConfigMap(qj, keys[f][j], first);
  };
  for (size_t f = 0; f < d; ++f) {
    features_[f].levels.resize(features_[f].parents.size() + 1);
    add_level(f, features_[f].parents.size());
  }
  trainable_groups_ = group_offset_.size();
  trainable_slots_ = slot;
  for (size_t f = 0; f < d; ++f) {
    for (size_t j = 0; j < features_[f].parents.size(); ++j) add_level(f, j);
  }
  total_slots_ = slot;
  // Parent groups: an observed level-j configuration has an observed level-(j-1) prefix.
  parent_group_.assign(group_offset_.size(), -1);
  for (size_t f = 0; f < d; ++f) {
    const FeatureLayout& fl = features_[f];
    for (size_t j = 1; j < fl.levels.size(); ++j) {
      const ConfigMap& level = fl.levels[j];
      const uint64_t ratio = fl.divisor[j - 1] / fl.divisor[j];
      for (size_t i = 0; i < level.size(); ++i) {
        const int32_t below = fl.levels[j - 1].find(level.keys()[i] / ratio);
        if (below < 0) throw InvalidArgument("kdb: back-off configuration missing");
        parent_group_[static_cast<size_t>(level.first_group()) + i] = below;
      }
    }
  }
}

void KdbLayout::slots_of_rows(const data::DatasetView& data, size_t begin, size_t end,
                              int32_t* slots) const {
  const size_t d = features_.size();
  for (size_t row = begin; row < end; ++row) {
    auto code_at = [&](uint32_t col) { return data.code(col, row); };
    int32_t* out = slots + (row - begin) * d;
    for (size_t f = 0; f < d; ++f) {
      int32_t g = lookup_row(f, code_at);
      out[f] = static_cast<int32_t>(group_offset_[g] + data.code(features_[f].column, row));
    }
  }
}

std::vector<std::vector<std::vector<uint64_t>>> KdbLayout::keys() const {
  std::vector<std::vector<std::vector<uint64_t>>> out(features_.size());
  for (size_t f = 0; f < features_.size(); ++f) {
    for (const auto& level : features_[f].levels) out[f].push_back(level.keys());
  }
  return out;
}

}  // namespace meg::bn
