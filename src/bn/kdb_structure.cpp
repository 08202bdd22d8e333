#include "bn/kdb_structure.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "bn/mutual_info.hpp"
#include "meg/error.hpp"

namespace meg::bn {

KdbStructure KdbStructure::learn(const data::EncodedDataset& data, size_t class_col, int k,
                                 long max_parent_configs, int threads) {
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
      double next = configs * std::max<uint32_t>(data.cardinality[j], 1);
      if (next > limit) continue;
      configs = next;
      chosen.push_back(j);
    }
    std::sort(chosen.begin(), chosen.end());
  }
  return s;
}

nlohmann::json KdbStructure::to_json() const {
  return {{"class_col", class_col}, {"num_cols", num_cols}, {"order", order},
          {"parents", parents}, {"mi", mi}};
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
        if (p >= s.num_cols || p == s.class_col || position[p] < 0 ||
            position[p] >= position[c] || (q > 0 && s.parents[c][q - 1] >= p)) {
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
