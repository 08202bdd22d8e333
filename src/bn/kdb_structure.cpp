#include "bn/kdb_structure.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <unordered_map>

#include "bn/candidates.hpp"
#include "bn/mutual_info.hpp"
#include "bn/parent_groups.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {

namespace {

// Columns with the class first, for joint_entropy_cells.
struct ColumnSet {
  std::vector<uint32_t> columns;
  std::vector<uint32_t> cards;
  void add(const data::DatasetView& data, uint32_t c) {
    columns.push_back(c);
    cards.push_back(std::max<uint32_t>(data.cardinality()[c], 1));
  }
};

// The joint counts of the class with each feature and with each pair of features,
// taken in one pass each before the search: all that I(X_i; X_j | Y) and the greedy
// search's first parent read, and most of the second parent's. A set's entropy, in
// whatever column order the search names it, comes from its counts bit for bit as a
// pass over the rows in that order would give it (entropy_in_order); larger sets are
// counted when asked for.
class ClassCounts {
 public:
  // The pairs counted: every pair of features, or with restricted hints those where one is
  // a candidate of the other.
  ClassCounts(const data::DatasetView& data, size_t class_col, const SearchHints& hints,
              int threads)
      : data_(data), y_(static_cast<uint32_t>(class_col)), d_(data.num_cols()), adj_(d_) {
    single_.assign(d_, -1);
    std::vector<std::vector<uint32_t>> sets = {{y_}};
    std::vector<char> linked(d_, 0);
    for (uint32_t i = 0; i < d_; ++i) {
      if (i == y_) continue;
      if (key_space({i, y_}) <= 0x1p62) {
        single_[i] = static_cast<int>(sets.size());
        sets.push_back(sorted({i, y_}));
      }
      if (hints.restricted()) {
        std::fill(linked.begin(), linked.end(), 0);
        for (uint32_t j : hints.candidates[i]) linked[j] = 1;
      }
      // A column of more than max_parent_levels levels is neither a parent nor, then, a
      // child with parents: no pair of it is needed.
      if (!parent_levels(hints, i)) continue;
      for (uint32_t j = i + 1; j < d_; ++j) {
        if (j == y_ || !parent_levels(hints, j) ||
            (hints.restricted() && !linked[j] && !links(hints, j, i))) {
          continue;
        }
        adj_[i].push_back(j);
        adj_[j].push_back(i);
        if (key_space(sorted({i, j, y_})) > 0x1p62) continue;
        pair_[pair_key(i, j)] = static_cast<int>(sets.size());
        sets.push_back(sorted({i, j, y_}));
      }
    }
    for (auto& a : adj_) std::sort(a.begin(), a.end());
    counts_.resize(sets.size());
    core::parallel_for(sets.size(), threads,
                       [&](size_t q) { counts_[q] = joint_counts(data, sets[q]); });
  }
  // The features paired with feature i (ascending).
  const std::vector<uint32_t>& adjacent(uint32_t i) const { return adj_[i]; }
  // joint_entropy_cells of `set` (the class among them), as a pass in that order gives it.
  JointEntropy entropy(const ColumnSet& set) const {
    std::vector<uint32_t> features;
    for (uint32_t c : set.columns) {
      if (c != y_) features.push_back(c);
    }
    int q = -1;
    if (features.empty()) {
      q = 0;
    } else if (features.size() == 1) {
      q = single_[features[0]];
    } else if (features.size() == 2) {
      const auto it = pair_.find(pair_key(features[0], features[1]));
      q = it == pair_.end() ? -1 : it->second;
    }
    if (q < 0 || set.columns.size() != features.size() + 1) {
      return joint_entropy_cells(data_, set.columns, set.cards);
    }
    return entropy_in_order(counts_[static_cast<size_t>(q)], set.columns, data_.num_rows());
  }
  // I(X_i; X_j | Y) for every counted pair: per feature i, (j, value) for j in
  // adjacent(i), computed as conditional_mutual_info does.
  std::vector<std::vector<std::pair<uint32_t, double>>> cmi() const {
    std::vector<std::vector<std::pair<uint32_t, double>>> out(d_);
    auto h = [&](std::vector<uint32_t> columns) {
      ColumnSet set;
      for (uint32_t c : columns) set.add(data_, c);
      return entropy(set).h;
    };
    const double h_y = h({y_});
    std::vector<double> h_xy(d_, 0.0);
    for (uint32_t i = 0; i < d_; ++i) {
      if (i != y_) h_xy[i] = h({i, y_});
    }
    for (uint32_t i = 0; i < d_; ++i) {
      for (uint32_t j : adj_[i]) {
        if (j < i) continue;
        const double v = std::max(0.0, h_xy[i] + h_xy[j] - h({i, j, y_}) - h_y);
        out[i].emplace_back(j, v);
        out[j].emplace_back(i, v);
      }
    }
    for (auto& row : out) std::sort(row.begin(), row.end());
    return out;
  }

 private:
  static std::vector<uint32_t> sorted(std::vector<uint32_t> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
  double key_space(const std::vector<uint32_t>& columns) const {
    double q = 1.0;
    for (uint32_t c : columns) q *= std::max<double>(data_.cardinality()[c], 1.0);
    return q;
  }
  bool parent_levels(const SearchHints& hints, uint32_t c) const {
    return std::max<uint64_t>(data_.cardinality()[c], 1) <= hints.max_parent_levels;
  }
  static bool links(const SearchHints& hints, uint32_t from, uint32_t to) {
    const auto& c = hints.candidates[from];
    return std::binary_search(c.begin(), c.end(), to);
  }
  uint64_t pair_key(uint32_t i, uint32_t j) const {
    return static_cast<uint64_t>(std::min(i, j)) * d_ + std::max(i, j);
  }
  const data::DatasetView& data_;
  uint32_t y_;
  size_t d_;
  std::vector<int> single_;                 // {i, Y}; -1: counted when asked
  std::unordered_map<uint64_t, int> pair_;  // {i, j, Y} of the counted pairs
  std::vector<std::vector<uint32_t>> adj_;  // the counted pairs, per feature
  std::vector<JointCounts> counts_;
};

// Prim's order: the feature with the largest I(X;Y) first, then repeatedly the
// unplaced feature with the strongest I(X_i;X_j|Y) to a placed one (ties: larger
// I(X;Y), then smaller index).
// Only counted pairs link (all of them without restricted hints).
using SparseCmi = std::vector<std::vector<std::pair<uint32_t, double>>>;

std::vector<uint32_t> prim_order(const std::vector<uint32_t>& by_mi, const SparseCmi& cmi,
                                 const std::vector<double>& mi, size_t num_cols) {
  std::vector<uint32_t> order;
  std::vector<uint32_t> rest = by_mi;
  std::vector<double> link(num_cols, -1.0);
  while (!rest.empty()) {
    size_t best = 0;
    for (size_t q = 1; q < rest.size(); ++q) {
      uint32_t a = rest[q], b = rest[best];
      if (link[a] > link[b] ||
          (link[a] == link[b] && (mi[a] > mi[b] || (mi[a] == mi[b] && a < b)))) {
        best = q;
      }
    }
    const uint32_t next = rest[best];
    rest.erase(rest.begin() + static_cast<long>(best));
    order.push_back(next);
    link[next] = -2.0;  // placed
    for (const auto& [r, v] : cmi[next]) {
      if (link[r] > -2.0) link[r] = std::max(link[r], v);
    }
  }
  return order;
}

// Greedy parents of feature i among `placed`, most informative first: each step
// adds the candidate with the largest penalised I(X_i; P | Y, chosen), if it is
// positive. The order is kept: back-off drops the last parent first. The penalty:
// joint entropy plus (cells - 1) / n, twice the Miller-Madow bias correction; a
// difference of these, I(X;P|Z) - (new free parameters) / n, is positive exactly when
// adding P improves the AIC of the network, with a table's free parameters counted as
// its observed cells (unobserved ones are backed off).
std::vector<uint32_t> greedy_parents(const data::DatasetView& data, const ClassCounts& counts,
                                     size_t class_col, uint32_t i,
                                     const std::vector<uint32_t>& placed, int k, double limit) {
  const double n = static_cast<double>(data.num_rows());
  auto entropy_aic = [&](const ColumnSet& set) {
    const JointEntropy e = counts.entropy(set);
    return e.h + (static_cast<double>(e.cells) - 1.0) / n;
  };
  // A set of more than three columns, the last being j: from the rows grouped by the
  // others (one sort for all candidates), the same bits as a pass.
  auto entropy_aic_with = [&](const RowGroups* groups, const ColumnSet& set, uint32_t j) {
    if (!groups) return entropy_aic(set);
    const JointEntropy e = groups->entropy_with(j);
    return e.h + (static_cast<double>(e.cells) - 1.0) / n;
  };
  std::vector<uint32_t> chosen;
  double configs = 1.0;
  ColumnSet z;  // the class and the chosen parents
  z.add(data, static_cast<uint32_t>(class_col));
  while (chosen.size() < static_cast<size_t>(k)) {
    ColumnSet xz = z;
    xz.add(data, i);
    const double h_z = entropy_aic(z), h_xz = entropy_aic(xz);
    std::unique_ptr<RowGroups> by_z, by_xz;
    if (chosen.size() >= 1) by_xz = std::make_unique<RowGroups>(data, xz.columns);
    if (chosen.size() >= 2) by_z = std::make_unique<RowGroups>(data, z.columns);
    double best_gain = 0.0;
    int best = -1;
    for (uint32_t j : placed) {
      if (std::find(chosen.begin(), chosen.end(), j) != chosen.end()) continue;
      if (configs * std::max<uint32_t>(data.cardinality()[j], 1) > limit) continue;
      ColumnSet jz = z, xjz = xz;
      jz.add(data, j);
      xjz.add(data, j);
      const double gain =
          h_xz + entropy_aic_with(by_z.get(), jz, j) - entropy_aic_with(by_xz.get(), xjz, j) - h_z;
      if (gain > best_gain) {
        best_gain = gain;
        best = static_cast<int>(j);
      }
    }
    if (best < 0) break;
    const auto p = static_cast<uint32_t>(best);
    chosen.push_back(p);
    configs *= std::max<uint32_t>(data.cardinality()[p], 1);
    z.add(data, p);
  }
  return chosen;
}

// The groups of the columns that are parents in `s` (none: s.groups stays empty).
void keep_parent_groups(KdbStructure& s, const std::vector<std::vector<uint32_t>>& groups) {
  if (!any_groups(groups)) return;
  std::vector<std::vector<uint32_t>> kept(s.num_cols);
  for (const auto& parents : s.parents) {
    for (uint32_t p : parents) kept[p] = groups[p];
  }
  if (any_groups(kept)) s.groups = std::move(kept);
}

}  // namespace

KdbStructure KdbStructure::learn(const data::DatasetView& rows, size_t class_col, int k,
                                 long max_parent_configs, int threads, StructureSearch search,
                                 const SearchHints* hints, const data::DatasetView* searched) {
  const size_t num_cols = rows.num_cols();
  if (class_col >= num_cols) throw InvalidArgument("kdb: class column out of range");
  if (k < 0) throw InvalidArgument("kdb: k must be >= 0");
  const SearchHints unrestricted;
  const SearchHints& h = hints ? *hints : unrestricted;
  if ((h.restricted() && h.candidates.size() != num_cols) ||
      (!h.groups.empty() && h.groups.size() != num_cols)) {
    throw InvalidArgument("kdb: search hints do not match the columns");
  }
  // The search reads grouped columns (but the class) by their group codes.
  std::unique_ptr<data::EncodedDataset> copy = searched ? nullptr : row_subset(rows, kSearchRows);
  const data::DatasetView& picked = searched ? *searched : rows;
  const bool grouped = any_groups(h.groups);
  if (grouped) {
    if (!copy) copy = std::make_unique<data::EncodedDataset>(picked.materialize());
    apply_groups(*copy, h.groups, class_col);
  }
  const data::DatasetView data = copy ? data::DatasetView(*copy) : picked;
  KdbStructure s;
  s.class_col = class_col;
  s.num_cols = num_cols;
  s.parents.assign(num_cols, {});
  s.mi = mutual_info_with_class(data, class_col);
  for (size_t c = 0; c < num_cols; ++c) {
    if (c != class_col) s.order.push_back(static_cast<uint32_t>(c));
  }
  std::stable_sort(s.order.begin(), s.order.end(), [&](uint32_t a, uint32_t b) {
    return s.mi[a] > s.mi[b];  // stable: ties keep ascending column index
  });
  if (k == 0 || s.order.size() < 2) return s;

  const ClassCounts counts(data, class_col, h, threads);
  const SparseCmi cmi = counts.cmi();
  const double limit = static_cast<double>(std::max<long>(max_parent_configs, 1));
  // A grouped child's full table has its own levels in every configuration's block.
  auto child_limit = [&](uint32_t i) {
    if (!grouped || h.groups[i].empty()) return limit;
    return std::min(limit, high_card_child_configs(rows.cardinality()[i], h.max_parent_levels));
  };
  // Feature i's possible parents among the first t of the order, in that order: the
  // features paired with it, of at most max_parent_levels levels.
  auto possible = [&](uint32_t i, size_t t) {
    const auto& adj = counts.adjacent(i);
    std::vector<uint32_t> out;
    for (size_t q = 0; q < t; ++q) {
      const uint32_t j = s.order[q];
      if (std::max<uint64_t>(data.cardinality()[j], 1) <= h.max_parent_levels &&
          std::binary_search(adj.begin(), adj.end(), j)) {
        out.push_back(j);
      }
    }
    return out;
  };
  if (search == StructureSearch::Greedy) {
    s.order = prim_order(s.order, cmi, s.mi, num_cols);
    std::vector<std::vector<uint32_t>> chosen(s.order.size());
    core::parallel_for(s.order.size() - 1, threads, [&](size_t q) {
      const size_t t = q + 1;
      chosen[t] = greedy_parents(data, counts, class_col, s.order[t], possible(s.order[t], t), k,
                                 child_limit(s.order[t]));
    });
    for (size_t t = 1; t < s.order.size(); ++t) s.parents[s.order[t]] = std::move(chosen[t]);
    keep_parent_groups(s, h.groups);
    return s;
  }
  for (size_t t = 1; t < s.order.size(); ++t) {
    const uint32_t i = s.order[t];
    std::vector<uint32_t> cand = possible(i, t);
    auto cmi_of = [&](uint32_t j) {
      const auto it = std::lower_bound(cmi[i].begin(), cmi[i].end(), std::make_pair(j, -1.0));
      return it != cmi[i].end() && it->first == j ? it->second : 0.0;
    };
    std::sort(cand.begin(), cand.end(), [&](uint32_t a, uint32_t b) {
      double ca = cmi_of(a), cb = cmi_of(b);
      return ca != cb ? ca > cb : a < b;
    });
    double configs = 1.0;
    auto& chosen = s.parents[i];
    for (uint32_t j : cand) {
      if (chosen.size() >= static_cast<size_t>(k)) break;
      double next = configs * std::max<uint32_t>(data.cardinality()[j], 1);
      if (next > child_limit(i)) continue;
      configs = next;
      chosen.push_back(j);
    }
  }
  keep_parent_groups(s, h.groups);
  return s;
}

std::vector<uint32_t> KdbStructure::group_map(size_t c, uint32_t card) const {
  if (c >= groups.size() || groups[c].empty()) return {};
  return bn::group_map(groups[c], card);
}

nlohmann::json KdbStructure::to_json() const {
  nlohmann::json j = {{"class_col", class_col},
                      {"num_cols", num_cols},
                      {"order", order},
                      {"parents", parents},
                      {"mi", mi}};
  if (grouped()) {
    nlohmann::json g = nlohmann::json::array();
    for (size_t c = 0; c < groups.size(); ++c) {
      if (!groups[c].empty()) g.push_back({c, groups[c]});
    }
    j["groups"] = std::move(g);  // [[column, kept codes], ...]: format 3 (model_io.hpp)
  }
  return j;
}

KdbStructure KdbStructure::from_json(const nlohmann::json& j,
                                     const std::vector<uint32_t>& cardinality) {
  KdbStructure s;
  try {
    s.class_col = j.at("class_col").get<size_t>();
    s.num_cols = j.at("num_cols").get<size_t>();
    if (s.num_cols != cardinality.size() || s.class_col >= s.num_cols) {
      throw ModelFormatError("model: unit structure does not match the columns");
    }
    const auto& jo = j.at("order");
    const auto& jp = j.at("parents");
    const auto& jm = j.at("mi");
    if (!jo.is_array() || jo.size() + 1 != s.num_cols || !jp.is_array() ||
        jp.size() != s.num_cols || !jm.is_array() || jm.size() != s.num_cols) {
      throw ModelFormatError("model: unit structure has wrong sizes");
    }
    s.order = jo.get<std::vector<uint32_t>>();
    s.mi = jm.get<std::vector<double>>();
    std::vector<int> position(s.num_cols, -1);
    for (size_t t = 0; t < s.order.size(); ++t) {
      uint32_t c = s.order[t];
      if (c >= s.num_cols || c == s.class_col || position[c] >= 0) {
        throw ModelFormatError("model: unit structure order is not a permutation of the features");
      }
      position[c] = static_cast<int>(t);
    }
    s.parents.resize(s.num_cols);
    for (size_t c = 0; c < s.num_cols; ++c) {
      if (!jp[c].is_array() || jp[c].size() > 64) {
        throw ModelFormatError("model: unit structure has a bad parent list");
      }
      s.parents[c] = jp[c].get<std::vector<uint32_t>>();
      if (c == s.class_col && !s.parents[c].empty()) {
        throw ModelFormatError("model: the class column cannot have parents");
      }
      for (size_t q = 0; q < s.parents[c].size(); ++q) {
        uint32_t p = s.parents[c][q];
        if (p >= s.num_cols || p == s.class_col || position[p] < 0 || position[p] >= position[c] ||
            std::find(s.parents[c].begin(), s.parents[c].begin() + static_cast<long>(q), p) !=
                s.parents[c].begin() + static_cast<long>(q)) {
          throw ModelFormatError("model: unit structure has an invalid parent");
        }
      }
    }
    if (j.contains("groups")) {
      s.groups.assign(s.num_cols, {});
      for (const auto& g : j.at("groups")) {
        const auto c = g.at(0).get<size_t>();
        auto kept = g.at(1).get<std::vector<uint32_t>>();
        if (c >= s.num_cols || !s.groups[c].empty() || kept.empty() ||
            kept.size() >= cardinality[c] || kept.back() >= cardinality[c] ||
            std::adjacent_find(kept.begin(), kept.end(), std::greater_equal<>()) != kept.end()) {
          throw ModelFormatError("model: unit structure has invalid parent groups");
        }
        s.groups[c] = std::move(kept);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad unit structure: ") + e.what());
  }
  return s;
}

}  // namespace meg::bn
