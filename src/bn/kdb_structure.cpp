#include "bn/kdb_structure.hpp"

#include <algorithm>
#include <memory>
#include <numeric>
#include <string>

#include "bn/mutual_info.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {

namespace {

// The search reads at most this many rows: above it, a fixed pseudo-random subset of
// about this many (a row is kept when a hash of its index falls below the fraction).
// Its information quantities are then estimated to about 1 / sqrt(2^16) of their
// scale, its AIC penalty is the subset's, and it costs the same at any table length
// (docs/performance.md).
constexpr size_t kSearchRows = size_t{1} << 16;

// The rows the search reads, as a dataset of their own (narrow codes read in place):
// every row of `data`, or its subset above kSearchRows. Null when `data` is every row
// of its dataset and short enough: read as it is.
std::unique_ptr<data::EncodedDataset> search_rows(const data::DatasetView& data) {
  const size_t n = data.num_rows();
  if (n <= kSearchRows && data.is_whole()) return nullptr;
  std::vector<data::RowIndex> rows;
  if (n <= kSearchRows) {
    rows.reserve(n);
    for (size_t i = 0; i < n; ++i) rows.push_back(static_cast<data::RowIndex>(data.row(i)));
  } else {
    const double fraction = static_cast<double>(kSearchRows) / static_cast<double>(n);
    const auto threshold = static_cast<uint64_t>(fraction * 18446744073709551615.0);
    rows.reserve(kSearchRows + kSearchRows / 8);
    for (size_t i = 0; i < n; ++i) {
      if (core::mix64(i ^ 0x6b64622d726f7773ULL) < threshold) {
        rows.push_back(static_cast<data::RowIndex>(data.row(i)));
      }
    }
  }
  return std::make_unique<data::EncodedDataset>(data::DatasetView(data.data(), rows).materialize());
}

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
  ClassCounts(const data::DatasetView& data, size_t class_col, int threads)
      : data_(data), y_(static_cast<uint32_t>(class_col)), d_(data.num_cols()) {
    index_.assign(d_ * d_, -1);
    std::vector<std::vector<uint32_t>> sets = {{y_}};
    for (uint32_t i = 0; i < d_; ++i) {
      if (i == y_) continue;
      if (key_space({i, y_}) <= 0x1p62) {
        index_[i * d_ + i] = static_cast<int>(sets.size());
        sets.push_back(sorted({i, y_}));
      }
      for (uint32_t j = i + 1; j < d_; ++j) {
        if (j == y_ || key_space(sorted({i, j, y_})) > 0x1p62) continue;
        index_[i * d_ + j] = index_[j * d_ + i] = static_cast<int>(sets.size());
        sets.push_back(sorted({i, j, y_}));
      }
    }
    counts_.resize(sets.size());
    core::parallel_for(sets.size(), threads,
                       [&](size_t q) { counts_[q] = joint_counts(data, sets[q]); });
  }
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
      q = index_[features[0] * d_ + features[0]];
    } else if (features.size() == 2) {
      q = index_[features[0] * d_ + features[1]];
    }
    if (q < 0 || set.columns.size() != features.size() + 1) {
      return joint_entropy_cells(data_, set.columns, set.cards);
    }
    return entropy_in_order(counts_[static_cast<size_t>(q)], set.columns, data_.num_rows());
  }
  // I(X_i; X_j | Y) for every pair of features, D x D row-major (0 on the diagonal and
  // the class's row and column), computed as conditional_mutual_info does.
  std::vector<double> cmi() const {
    std::vector<double> out(d_ * d_, 0.0);
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
      for (uint32_t j = i + 1; j < d_; ++j) {
        if (i == y_ || j == y_) continue;
        const double v = std::max(0.0, h_xy[i] + h_xy[j] - h({i, j, y_}) - h_y);
        out[i * d_ + j] = out[j * d_ + i] = v;
      }
    }
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
  const data::DatasetView& data_;
  uint32_t y_;
  size_t d_;
  std::vector<int> index_;  // (i, i): {i, Y}; (i, j): {i, j, Y}; -1: counted when asked
  std::vector<JointCounts> counts_;
};

// Prim's order: the feature with the largest I(X;Y) first, then repeatedly the
// unplaced feature with the strongest I(X_i;X_j|Y) to a placed one (ties: larger
// I(X;Y), then smaller index).
std::vector<uint32_t> prim_order(const std::vector<uint32_t>& by_mi, const std::vector<double>& cmi,
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
    for (uint32_t r : rest) link[r] = std::max(link[r], cmi[r * num_cols + next]);
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
  std::vector<uint32_t> chosen;
  double configs = 1.0;
  ColumnSet z;  // the class and the chosen parents
  z.add(data, static_cast<uint32_t>(class_col));
  while (chosen.size() < static_cast<size_t>(k)) {
    ColumnSet xz = z;
    xz.add(data, i);
    const double h_z = entropy_aic(z), h_xz = entropy_aic(xz);
    double best_gain = 0.0;
    int best = -1;
    for (uint32_t j : placed) {
      if (std::find(chosen.begin(), chosen.end(), j) != chosen.end()) continue;
      if (configs * std::max<uint32_t>(data.cardinality()[j], 1) > limit) continue;
      ColumnSet jz = z, xjz = xz;
      jz.add(data, j);
      xjz.add(data, j);
      const double gain = h_xz + entropy_aic(jz) - entropy_aic(xjz) - h_z;
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

}  // namespace

KdbStructure KdbStructure::learn(const data::DatasetView& rows, size_t class_col, int k,
                                 long max_parent_configs, int threads, StructureSearch search) {
  const std::unique_ptr<data::EncodedDataset> copy = search_rows(rows);
  const data::DatasetView data = copy ? data::DatasetView(*copy) : rows;
  const size_t num_cols = data.num_cols();
  if (class_col >= num_cols) throw InvalidArgument("kdb: class column out of range");
  if (k < 0) throw InvalidArgument("kdb: k must be >= 0");
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

  const ClassCounts counts(data, class_col, threads);
  const std::vector<double> cmi = counts.cmi();
  const double limit = static_cast<double>(std::max<long>(max_parent_configs, 1));
  if (search == StructureSearch::Greedy) {
    s.order = prim_order(s.order, cmi, s.mi, num_cols);
    std::vector<std::vector<uint32_t>> chosen(s.order.size());
    core::parallel_for(s.order.size() - 1, threads, [&](size_t q) {
      const size_t t = q + 1;
      std::vector<uint32_t> placed(s.order.begin(), s.order.begin() + static_cast<long>(t));
      chosen[t] = greedy_parents(data, counts, class_col, s.order[t], placed, k, limit);
    });
    for (size_t t = 1; t < s.order.size(); ++t) s.parents[s.order[t]] = std::move(chosen[t]);
    return s;
  }
  for (size_t t = 1; t < s.order.size(); ++t) {
    const uint32_t i = s.order[t];
    std::vector<uint32_t> cand(s.order.begin(), s.order.begin() + static_cast<long>(t));
    std::sort(cand.begin(), cand.end(), [&](uint32_t a, uint32_t b) {
      double ca = cmi[i * num_cols + a], cb = cmi[i * num_cols + b];
      return ca != cb ? ca > cb : a < b;
    });
    double configs = 1.0;
    auto& chosen = s.parents[i];
    for (uint32_t j : cand) {
      if (chosen.size() >= static_cast<size_t>(k)) break;
      double next = configs * std::max<uint32_t>(data.cardinality()[j], 1);
      if (next > limit) continue;
      configs = next;
      chosen.push_back(j);
    }
  }
  return s;
}

nlohmann::json KdbStructure::to_json() const {
  return {{"class_col", class_col},
          {"num_cols", num_cols},
          {"order", order},
          {"parents", parents},
          {"mi", mi}};
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
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad unit structure: ") + e.what());
  }
  return s;
}

}  // namespace meg::bn
