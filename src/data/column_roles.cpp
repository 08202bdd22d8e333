#include "data/column_roles.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "data/datetime_format.hpp"

namespace meg::data {

std::string infer_column_format(const ColumnFacts& facts) {
  if (facts.all_numbers || facts.texts.empty()) return "";
  return infer_time_pattern(facts.texts).value_or("");
}

bool looks_like_ids(const ColumnFacts& facts, const InferOptions& options) {
  const uint64_t distinct = facts.texts.size();
  if (facts.present < options.min_id_rows || distinct * 100 < facts.present * 99) return false;
  if (facts.all_numbers) {
    if (!facts.all_integers || distinct != facts.present) return false;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    const size_t len = facts.texts[0].size();
    bool same_length = true;
    for (auto t : facts.texts) {
      if (t[0] == '+' || (t.size() > 1 && t[0] == '0') ||
          (t.size() > 2 && t[0] == '-' && t[1] == '0'))
        return false;  // not a canonical integer: leading zeros make it text-shaped
      int64_t v = 0;
      std::from_chars(t.data(), t.data() + t.size(), v);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      same_length = same_length && t.size() == len;
    }
    const auto span = static_cast<double>(hi) - static_cast<double>(lo);
    return span < 4.0 * static_cast<double>(distinct) || (same_length && lo > 0 && len >= 6);
  }
  std::map<size_t, uint64_t> lengths;
  for (auto t : facts.texts) {
    if (t.empty() || t.size() > 64) return false;
    for (char c : t) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return false;
    }
    ++lengths[t.size()];
  }
  uint64_t most = 0;
  for (const auto& [l, n] : lengths) most = std::max(most, n);
  return most * 10 >= distinct * 9 && infer_column_format(facts).empty();
}

}  // namespace meg::data
