// Parameter layout of a kDB over encoded codes (docs/design.md §4).
//
// For feature X_i with parents p_1 < ... < p_K (ascending column index), the
// parent configuration is the mixed-radix number with p_1 the most significant
// digit. Level j (0..K) uses the first j parents only; level K is the full
// configuration. Every configuration observed in the training data, at every
// level, is a *group*: a block of r_i parameter slots (one per value of X_i),
// each holding one log-probability per class. Level-K groups are the trainable
// ones and come first; lower levels are the back-off tables used for
// configurations never seen in training (drop the last parent, down to
// P(X_i | Y)). No one-hot matrix exists anywhere: a row maps to d slot indices.
// The layout knows nothing of the class: which (group, class) distributions are
// stored is the business of ClassBlocks (class_blocks.hpp).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "bn/kdb_structure.hpp"
#include "data/dataset.hpp"

namespace meg::bn {

// Sorted set of observed configuration keys -> group ids (first_group + rank).
// Dense lookup array when the configuration space is small, binary search otherwise.
class ConfigMap {
 public:
  ConfigMap() = default;
  ConfigMap(uint64_t num_configs, std::vector<uint64_t> keys, int32_t first_group);
  int32_t find(uint64_t key) const {
    if (!dense_.empty()) return key < dense_.size() ? dense_[key] : -1;
    size_t lo = 0, hi = keys_.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (keys_[mid] < key)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo < keys_.size() && keys_[lo] == key ? first_group_ + static_cast<int32_t>(lo) : -1;
  }
  size_t size() const { return keys_.size(); }
  const std::vector<uint64_t>& keys() const { return keys_; }
  int32_t first_group() const { return first_group_; }

 private:
  std::vector<uint64_t> keys_;
  std::vector<int32_t> dense_;
  int32_t first_group_ = 0;
};

struct FeatureLayout {
  uint32_t column = 0;
  uint32_t card = 0;
  std::vector<uint32_t> parents;  // ascending column index
  std::vector<uint64_t> divisor;  // level-j config = full config / divisor[j]; divisor[K] = 1
  std::vector<ConfigMap> levels;  // K + 1 levels
  size_t num_parents() const { return parents.size(); }
};

class KdbLayout {
 public:
  KdbLayout() = default;
  // From the configurations observed while counting, keys[f][level] (sorted, unique);
  // throws InvalidArgument if they cannot be indexed (cpt.hpp builds them).
  static KdbLayout from_observed(const KdbStructure& structure,
                                 const std::vector<uint32_t>& cardinality,
                                 const std::vector<std::vector<std::vector<uint64_t>>>& keys);
  // From explicit key lists keys[f][level] (sorted, unique); throws ModelFormatError if invalid.
  static KdbLayout from_keys(const KdbStructure& structure,
                             const std::vector<uint32_t>& cardinality,
                             const std::vector<std::vector<std::vector<uint64_t>>>& keys);

  size_t num_features() const { return features_.size(); }
  const FeatureLayout& feature(size_t f) const { return features_[f]; }  // f = structure order
  uint32_t num_classes() const { return num_classes_; }
  size_t class_col() const { return class_col_; }
  size_t num_cols() const { return num_cols_; }
  size_t num_groups() const { return group_offset_.size(); }
  size_t trainable_groups() const { return trainable_groups_; }
  size_t trainable_slots() const { return trainable_slots_; }
  size_t total_slots() const { return total_slots_; }
  uint32_t group_offset(size_t g) const { return group_offset_[g]; }
  uint32_t group_feature(size_t g) const { return group_feature_[g]; }
  uint32_t group_size(size_t g) const { return features_[group_feature_[g]].card; }
  // The group one level down (the configuration without its last parent); -1 at level 0.
  int32_t parent_group(size_t g) const { return parent_group_[g]; }
  // Group of a slot (slot < total_slots()): group offsets ascend with the group id.
  int32_t slot_group(size_t slot) const {
    auto it = std::upper_bound(group_offset_.begin(), group_offset_.end(), slot);
    return static_cast<int32_t>(it - group_offset_.begin()) - 1;
  }

  // Full configuration of feature f for a row; code_at(col) returns the row's code (a
  // grouped parent's code is read as its group, KdbStructure::groups).
  template <class CodeAt>
  uint64_t full_config(size_t f, CodeAt&& code_at) const {
    uint64_t key = 0;
    const FeatureLayout& fl = features_[f];
    for (size_t q = 0; q < fl.parents.size(); ++q) {
      const uint32_t code = code_at(fl.parents[q]);
      const std::vector<uint32_t>& map = parent_maps_[fl.parents[q]];
      key = key * parent_cards_[f][q] + (map.empty() ? code : map[code]);
    }
    return key;
  }
  // Group of the deepest observed level for a full configuration (always found:
  // level 0 has the single empty configuration).
  int32_t lookup(size_t f, uint64_t full_config) const {
    const FeatureLayout& fl = features_[f];
    for (size_t j = fl.levels.size(); j-- > 0;) {
      int32_t g = fl.levels[j].find(full_config / fl.divisor[j]);
      if (g >= 0) return g;
    }
    return -1;  // unreachable for a valid layout
  }
  // A row's group (every caller with a row uses this): lookup(f, full_config(f, code_at))
  // without its divisions: level j's configuration (full / divisor[j]) is the key of the
  // first j parents, built on the way to the full one.
  template <class CodeAt>
  int32_t lookup_row(size_t f, CodeAt&& code_at) const {
    const FeatureLayout& fl = features_[f];
    constexpr size_t kMaxPrefixes = 16;
    if (fl.levels.size() > kMaxPrefixes) return lookup(f, full_config(f, code_at));
    uint64_t prefix[kMaxPrefixes];
    prefix[0] = 0;
    for (size_t q = 0; q + 1 < fl.levels.size(); ++q) {
      const uint32_t code = code_at(fl.parents[q]);
      const std::vector<uint32_t>& map = parent_maps_[fl.parents[q]];
      prefix[q + 1] = prefix[q] * parent_cards_[f][q] + (map.empty() ? code : map[code]);
    }
    for (size_t j = fl.levels.size(); j-- > 0;) {
      int32_t g = fl.levels[j].find(prefix[j]);
      if (g >= 0) return g;
    }
    return -1;  // unreachable for a valid layout
  }
  // Level-j group of a full configuration, or -1 if that configuration was never observed.
  int32_t group_at_level(size_t f, size_t j, uint64_t full_config) const {
    const FeatureLayout& fl = features_[f];
    return fl.levels[j].find(full_config / fl.divisor[j]);
  }

  // slots[row * d + f] = slot of row's value of feature f (with back-off), for rows
  // [begin, end) of data (columns as the layout's). Codes must be in range.
  void slots_of_rows(const data::DatasetView& data, size_t begin, size_t end, int32_t* slots) const;

  // keys()[f][level] for serialisation.
  std::vector<std::vector<std::vector<uint64_t>>> keys() const;

 private:
  void finish(const KdbStructure& structure, const std::vector<uint32_t>& cardinality,
              const std::vector<std::vector<std::vector<uint64_t>>>& keys);

  size_t class_col_ = 0;
  size_t num_cols_ = 0;
  uint32_t num_classes_ = 0;
  std::vector<FeatureLayout> features_;
  std::vector<std::vector<uint32_t>> parent_cards_;
  std::vector<std::vector<uint32_t>> parent_maps_;  // per column: code -> group, or empty
  std::vector<uint32_t> group_offset_;
  std::vector<uint32_t> group_feature_;
  std::vector<int32_t> parent_group_;
  size_t trainable_groups_ = 0;
  size_t trainable_slots_ = 0;
  size_t total_slots_ = 0;
};

}  // namespace meg::bn
