#include "data/column_roles.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "data/column_profile.hpp"
#include "data/datetime_codec.hpp"
#include "data/datetime_format.hpp"
#include "data/id_codec.hpp"
#include "meg/error.hpp"

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

// ColumnProfile's role members (declared in column_profile.hpp), kept beside the rules.

void ColumnProfile::infer_role(const InferOptions& options, ColumnSchema* col) const {
  // A date/time format that every text fits, else ids.
  ColumnFacts facts;
  facts.all_numbers = all_numbers_;
  facts.all_integers = all_integers_;
  present_texts(true, &facts.texts, nullptr);
  facts.present = rows_ - col->missing;
  col->format = infer_column_format(facts);
  if (!col->format.empty() && col->distinct > plan_.max_categorical_numeric) {
    const TimePattern p = TimePattern::compile(col->format, "inferred");
    col->type = !p.has_time()   ? ColumnType::Date
                : !p.has_date() ? ColumnType::Time
                                : ColumnType::Datetime;
    col->decode = NumericDecode::Jitter;
  } else if (col->format.empty() && looks_like_ids(facts, options)) {
    col->type = ColumnType::Id;
  }
}

void ColumnProfile::present_texts(bool of_inference, std::vector<std::string_view>* texts,
                                  std::vector<uint64_t>* counts) const {
  for (uint32_t id = 0; id < dict_.size(); ++id) {
    const int u = token_index(dict_.text(id));
    if (u >= 0 && (of_inference ? in_infer_[u] : in_codec_[u])) continue;
    texts->push_back(dict_.text(id));
    if (counts) counts->push_back(dict_.count(id));
  }
}

std::unique_ptr<ColumnCodec> ColumnProfile::fit_role(const ColumnSchema& schema,
                                                     const std::vector<uint64_t>& missing,
                                                     uint64_t seed) const {
  std::vector<std::string_view> texts;
  std::vector<uint64_t> counts;
  present_texts(false, &texts, &counts);
  if (schema.type == ColumnType::Id) return fit_id_codec(texts, missing, schema, seed);
  ColumnSchema with_format = schema;
  if (with_format.format.empty()) {
    ColumnFacts facts;
    facts.texts = texts;
    with_format.format = infer_column_format(facts);
    if (with_format.format.empty()) {
      throw DataError(fmt::format(
          "{}: column '{}': the values fit no single date/time format (first value '{}'); "
          "give the column's \"format\" in the schema file{}",
          plan_.source, plan_.name, texts.empty() ? "" : core::printable(texts[0]),
          all_numbers_ ? " (epoch seconds: \"format\": \"%s\")" : ""));
    }
  }
  try {
    return fit_temporal_codec(texts, counts, missing, with_format, seed);
  } catch (const DataError& e) {
    throw DataError(fmt::format("{}: {}", plan_.source, e.what()));
  }
}

}  // namespace meg::data
