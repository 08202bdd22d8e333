#include "bn/kdb_structure.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "bn/mutual_info.hpp"
#include "core/parallel.hpp"
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

// Joint entropy plus (cells - 1) / n: twice the Miller-Madow bias correction.
// A difference of these, I(X;P|Z) - (new free parameters) / n, is positive
// exactly when adding P improves the AIC of the network, with a table's free
// parameters counted as its observed cells (unobserved ones are backed off).
double entropy_aic(const data::DatasetView& data, const ColumnSet& set, double n) {
  JointEntropy e = joint_entropy_cells(data, set.columns, set.cards);
  return e.h + (static_cast<double>(e.cells) - 1.0) / n;
}

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
// positive. The order is kept: back-off drops the last parent first.
std::vector<uint32_t> greedy_parents(const data::DatasetView& data, size_t class_col, uint32_t i,
                                     const std::vector<uint32_t>& placed, int k, double limit) {
  const double n = static_cast<double>(data.num_rows());
  std::vector<uint32_t> chosen;
  double configs = 1.0;
  ColumnSet z;  // the class and the chosen parents
  z.add(data, static_cast<uint32_t>(class_col));
  while (chosen.size() < static_cast<size_t>(k)) {
    ColumnSet xz = z;
    xz.add(data, i);
    const double h_z = entropy_aic(data, z, n), h_xz = entropy_aic(data, xz, n);
    double best_gain = 0.0;
    int best = -1;
    for (uint32_t j : placed) {
      if (std::find(chosen.begin(), chosen.end(), j) != chosen.end()) continue;
      if (configs * std::max<uint32_t>(data.cardinality()[j], 1) > limit) continue;
      ColumnSet jz = z, xjz = xz;
      jz.add(data, j);
      xjz.add(data, j);
      const double gain = h_xz + entropy_aic(data, jz, n) - entropy_aic(data, xjz, n) - h_z;
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

KdbStructure KdbStructure::learn(const data::DatasetView& data, size_t class_col, int k,
                                 long max_parent_configs, int threads, StructureSearch search) {
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

  const std::vector<double> cmi = conditional_mutual_info(data, class_col, threads);
  const double limit = static_cast<double>(std::max<long>(max_parent_configs, 1));
  if (search == StructureSearch::Greedy) {
    s.order = prim_order(s.order, cmi, s.mi, num_cols);
    std::vector<std::vector<uint32_t>> chosen(s.order.size());
    core::parallel_for(s.order.size() - 1, threads, [&](size_t q) {
      const size_t t = q + 1;
      std::vector<uint32_t> placed(s.order.begin(), s.order.begin() + static_cast<long>(t));
      chosen[t] = greedy_parents(data, class_col, s.order[t], placed, k, limit);
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
