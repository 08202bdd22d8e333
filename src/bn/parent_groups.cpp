#include "bn/parent_groups.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace meg::bn {

std::vector<std::vector<uint32_t>> parent_groups(const data::DatasetView& data,
                                                 uint64_t max_parent_levels) {
  const size_t d = data.num_cols();
  std::vector<std::vector<uint32_t>> out(d);
  std::vector<uint32_t> scratch;
  for (size_t c = 0; c < d; ++c) {
    const uint32_t card = data.cardinality()[c];
    if (card <= max_parent_levels || max_parent_levels < 1) continue;
    std::vector<uint64_t> count(card, 0);
    data.visit(c, 0, data.num_rows(), scratch, [&](auto codes) {
      for (auto v : codes) ++count[v];
    });
    std::vector<uint32_t> order(card);
    std::iota(order.begin(), order.end(), 0U);
    size_t keep = static_cast<size_t>(max_parent_levels - 1);
    std::partial_sort(
        order.begin(), order.begin() + static_cast<long>(keep), order.end(),
        [&](uint32_t a, uint32_t b) { return count[a] != count[b] ? count[a] > count[b] : a < b; });
    // A level keeps a group of its own when it holds at least 1 / L of the rows (and
    // always the most frequent one), so rare levels never make sparse configurations.
    const double floor =
        static_cast<double>(data.num_rows()) / static_cast<double>(max_parent_levels);
    size_t frequent = 1;
    while (frequent < keep && static_cast<double>(count[order[frequent]]) >= floor) ++frequent;
    keep = frequent;
    order.resize(keep);
    std::sort(order.begin(), order.end());
    out[c] = std::move(order);
  }
  return out;
}

std::vector<uint32_t> group_map(const std::vector<uint32_t>& kept, uint32_t card) {
  const auto other = static_cast<uint32_t>(kept.size());
  std::vector<uint32_t> map(card, other);
  for (uint32_t g = 0; g < other; ++g) map[kept[g]] = g;
  return map;
}

void apply_groups(data::EncodedDataset& ds, const std::vector<std::vector<uint32_t>>& groups,
                  size_t keep) {
  for (size_t c = 0; c < ds.num_cols() && c < groups.size(); ++c) {
    if (c == keep || groups[c].empty()) continue;
    const std::vector<uint32_t> map = group_map(groups[c], ds.cardinality[c]);
    const auto card = static_cast<uint32_t>(groups[c].size() + 1);
    data::CodeColumn grouped(card, ds.num_rows());
    ds.columns[c].visit([&](auto codes) {
      grouped.visit_mut([&](auto out) {
        using T = typename decltype(out)::value_type;
        for (size_t i = 0; i < codes.size(); ++i) out[i] = static_cast<T>(map[codes[i]]);
      });
    });
    ds.columns[c] = std::move(grouped);
    ds.cardinality[c] = card;
  }
}

data::EncodedDataset grouped_copy(const data::DatasetView& view,
                                  const std::vector<std::vector<uint32_t>>& groups, size_t keep) {
  data::EncodedDataset ds = view.materialize();
  apply_groups(ds, groups, keep);
  return ds;
}

double high_card_child_configs(uint64_t r, uint64_t max_parent_levels) {
  const auto l = static_cast<double>(max_parent_levels);
  return std::max(1.0, std::floor(4.0 * l * l / static_cast<double>(std::max<uint64_t>(r, 1))));
}

bool any_groups(const std::vector<std::vector<uint32_t>>& groups) {
  return std::any_of(groups.begin(), groups.end(), [](const auto& g) { return !g.empty(); });
}

}  // namespace meg::bn
