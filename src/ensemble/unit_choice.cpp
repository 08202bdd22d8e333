#include "ensemble/unit_choice.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "bn/parent_groups.hpp"
#include "core/parallel.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {

size_t auto_unit_count(size_t d, size_t m) {
  if (d < 3) return d;
  const size_t pairs = d - 2;
  const double per_unit =
      static_cast<double>(d - 1) * static_cast<double>(m == 0 ? pairs : std::min(pairs, m));
  const auto fit = static_cast<size_t>(kAutoPairBudget / per_unit);
  return std::min(d, std::max(fit, kAutoMinUnits));
}

std::vector<size_t> listed_unit_columns(const FitOptions& o,
                                        const std::vector<std::string>& names) {
  std::vector<size_t> cols;
  if (o.units.empty()) {
    cols.resize(names.size());
    std::iota(cols.begin(), cols.end(), size_t{0});
    return cols;
  }
  for (const auto& name : o.units) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      throw InvalidArgument(fmt::format("option 'units': no column named '{}'", name));
    }
    const auto idx = static_cast<size_t>(it - names.begin());
    if (std::find(cols.begin(), cols.end(), idx) != cols.end()) {
      throw InvalidArgument(fmt::format("option 'units': column '{}' listed twice", name));
    }
    cols.push_back(idx);
  }
  return cols;
}

namespace {

// The columns the units may take (listed, all, or units=auto's eligible ones) and how
// many of them are taken.
std::vector<size_t> eligible_units(const data::DatasetView& all, const FitOptions& options,
                                   size_t& count) {
  const size_t d = all.num_cols();
  std::vector<size_t> columns = listed_unit_columns(options, all.names());
  // A column of a single code (an id column, or a constant) has nothing for a class to
  // explain: a listed one is refused, and it is left out of units=all and auto.
  for (size_t c : columns) {
    if (!options.units.empty() && all.cardinality()[c] <= 1) {
      throw InvalidArgument(fmt::format(
          "option 'units': column '{}' has a single code (an id column or a constant), so it "
          "cannot be a unit's class",
          all.names()[c]));
    }
  }
  std::vector<size_t> varying;
  for (size_t c : columns) {
    if (all.cardinality()[c] > 1) varying.push_back(c);
  }
  if (!varying.empty()) columns = std::move(varying);
  const bool auto_units = options.units_auto && options.units.empty();
  if (auto_units) {
    // A class of more than max_parent_levels levels multiplies every table of its unit by
    // its levels: such a column is left to the other units (as a feature) when some
    // other column can be a class.
    std::vector<size_t> small;
    for (size_t c : columns) {
      if (all.cardinality()[c] <= static_cast<uint64_t>(options.max_parent_levels)) {
        small.push_back(c);
      }
    }
    if (!small.empty()) columns = small;
  }
  const auto m = static_cast<size_t>(options.parent_candidates);
  count = auto_units ? std::min(columns.size(), auto_unit_count(d, m)) : columns.size();
  return columns;
}

}  // namespace

std::vector<size_t> guard_units(const data::DatasetView& all, const FitOptions& options) {
  size_t count = 0;
  std::vector<size_t> columns = eligible_units(all, options, count);
  if (count >= columns.size()) return columns;
  std::stable_sort(columns.begin(), columns.end(),
                   [&](size_t a, size_t b) { return all.cardinality()[a] > all.cardinality()[b]; });
  columns.resize(count);
  std::sort(columns.begin(), columns.end());
  return columns;
}

UnitPlan plan_units(const data::DatasetView& all, const FitOptions& options) {
  UnitPlan plan;
  const size_t d = all.num_cols();
  size_t count = 0;
  plan.columns = eligible_units(all, options, count);
  const auto max_levels = static_cast<uint64_t>(options.max_parent_levels);
  plan.hints.max_parent_levels = max_levels;
  // Columns of more levels take part through their groups (bn/parent_groups.hpp).
  std::vector<std::vector<uint32_t>> groups = bn::parent_groups(all, max_levels);
  if (!bn::any_groups(groups)) groups.clear();
  plan.hints.groups = groups;
  const auto m = static_cast<size_t>(options.parent_candidates);
  const bool restrict = m > 0 && d >= 3 && m < d - 2;
  if (!restrict && count >= plan.columns.size()) return plan;
  const std::vector<double> mi =
      bn::pairwise_mutual_info(all, core::resolve_threads(options.threads), &groups);
  std::vector<uint32_t> cards = all.cardinality();
  for (size_t c = 0; c < d && c < groups.size(); ++c) {
    if (!groups[c].empty()) cards[c] = static_cast<uint32_t>(groups[c].size() + 1);
  }
  plan.hints = bn::make_search_hints(mi, cards, m, max_levels);
  plan.hints.groups = std::move(groups);
  if (count < plan.columns.size()) {
    std::vector<double> score(d, 0.0);
    for (size_t c = 0; c < d; ++c) {
      for (size_t j = 0; j < d; ++j) score[c] += std::max(0.0, mi[c * d + j]);
    }
    std::vector<size_t> order = plan.columns;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return score[a] > score[b]; });
    order.resize(count);
    std::sort(order.begin(), order.end());
    plan.columns = order;
  }
  return plan;
}

}  // namespace meg::ensemble
