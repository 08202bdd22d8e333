// Declared constraints of a schema file (docs/data.md, "Constraints").
#include <algorithm>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "data/row_model.hpp"
#include "data/sum_rules.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

std::string trim(std::string_view s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return {};
  const auto b = s.find_last_not_of(" \t");
  return std::string(s.substr(a, b - a + 1));
}

}  // namespace

void parse_constraints(const nlohmann::json& file, const Schema& schema, const std::string& source,
                       RowModelOptions& options) {
  if (!file.is_object() || !file.contains("constraints")) return;
  const auto& list = file["constraints"];
  if (!list.is_array()) {
    throw DataError(
        fmt::format("{}: 'constraints' must be an array of strings such as "
                    "\"start <= end\" or \"total = a + b\"",
                    source));
  }
  for (const auto& item : list) {
    if (!item.is_string()) {
      throw DataError(fmt::format("{}: constraint {} is not a string (e.g. \"start <= end\")",
                                  source, item.dump()));
    }
    const std::string text = item.get<std::string>();
    auto fail = [&](const std::string& why) {
      throw DataError(fmt::format("{}: constraint '{}': {}", source, text, why));
    };
    auto column = [&](std::string_view name_text) {
      const std::string name = trim(name_text);
      if (name.empty()) fail("a column name is empty");
      const int idx = schema.column_index(name);
      if (idx < 0) fail(fmt::format("no column named '{}'", name));
      if (schema.columns[static_cast<size_t>(idx)].type == ColumnType::Categorical) {
        fail(fmt::format("column '{}' is categorical; constraints take numeric columns", name));
      }
      return static_cast<uint32_t>(idx);
    };
    const size_t le = text.find("<="), ge = text.find(">=");
    if (le != std::string::npos || ge != std::string::npos) {
      if (le != std::string::npos && ge != std::string::npos) fail("use one '<=' or '>='");
      const size_t at = le != std::string::npos ? le : ge;
      const std::string_view rest = std::string_view(text).substr(at + 2);
      if (rest.find_first_of("<>=") != std::string_view::npos) fail("use one '<=' or '>='");
      const uint32_t a = column(std::string_view(text).substr(0, at)), b = column(rest);
      if (a == b) fail("both sides name the same column");
      options.declared_orders.push_back(le != std::string::npos ? OrderRule{a, b, true}
                                                                : OrderRule{b, a, true});
      continue;
    }
    const size_t eq = text.find('=');
    if (eq == std::string::npos || text.find('=', eq + 1) != std::string::npos ||
        text.find_first_of("<>") != std::string::npos) {
      fail("expected \"A <= B\", \"A >= B\" or \"total = a + b - c ...\"");
    }
    SumRule sum;
    sum.total = column(std::string_view(text).substr(0, eq));
    auto add = [&](std::string_view name, int sign) {
      const uint32_t p = column(name);
      if (p == sum.total) fail("the total is also one of its parts");
      if (std::find(sum.parts.begin(), sum.parts.end(), p) != sum.parts.end()) {
        fail(fmt::format("column '{}' is a part twice", trim(name)));
      }
      sum.parts.push_back(p);
      sum.signs.push_back(sign);
    };
    for (const auto& piece : core::split(text.substr(eq + 1), '+')) {
      // "a - b": '-' separates parts unless the whole piece names a column ("pickup-zone").
      if (schema.column_index(trim(piece)) >= 0) {
        add(piece, 1);
        continue;
      }
      const auto terms = core::split(piece, '-');
      for (size_t i = 0; i < terms.size(); ++i) {
        if (i == 0 && trim(terms[0]).empty() && terms.size() > 1) continue;  // "- a"
        add(terms[i], i == 0 ? 1 : -1);
      }
    }
    for (const auto& other : options.declared_sums) {
      if (other.total == sum.total) fail("the column is already the total of another sum");
    }
    options.declared_sums.push_back(std::move(sum));
  }
  if (choose_sums({}, options.declared_sums, {}).size() != options.declared_sums.size()) {
    throw DataError(
        fmt::format("{}: the declared sums form a cycle (a total is among the parts "
                    "of its own parts)",
                    source));
  }
}

}  // namespace meg::data
