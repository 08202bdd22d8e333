#include "data/codec.hpp"

#include <cmath>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "data/column_profile.hpp"
#include "data/csv.hpp"
#include "data/datetime_codec.hpp"
#include "data/id_codec.hpp"
#include "data/numeric_codec.hpp"
#include "data/row_model.hpp"
#include "data/text_dict.hpp"
#include "meg/error.hpp"

namespace meg::data {

double NumericView::value_of(size_t /*index*/) const {
  throw std::logic_error("NumericView::value_of: the view keeps no indexed values");
}

void NumericView::format_index(size_t /*index*/, std::string& /*out*/) const {
  throw std::logic_error("NumericView::format_index: the view keeps no indexed values");
}

double NumericView::number_of(std::string_view text) const {
  return core::parse_double(text).value_or(NAN);
}

namespace {

class CategoricalCodec final : public ColumnCodec {
 public:
  // `levels` sorted and distinct: level i gets code i.
  CategoricalCodec(const std::vector<std::string>& levels, std::vector<std::string> tokens,
                   bool has_missing, std::string missing_text, Code mode)
      : tokens_(std::move(tokens)),
        has_missing_(has_missing),
        missing_text_(std::move(missing_text)),
        mode_(mode) {
    for (const auto& level : levels) {
      bool added = false;
      levels_.find_or_add(level, &added);
      if (!added) throw ModelFormatError("model: categorical codec lists a level twice");
    }
    // Levels as CSV fields: most need no quotes; the others are kept quoted.
    needs_quotes_.resize(levels_.size());
    for (uint32_t i = 0; i < levels_.size(); ++i) {
      needs_quotes_[i] = csv_needs_quotes(levels_.text(i));
      if (needs_quotes_[i]) append_csv_field(quoted_[i], levels_.text(i));
    }
    append_csv_field(missing_csv_, missing_text_);
  }

  uint32_t cardinality() const override {
    return static_cast<uint32_t>(levels_.size() + (has_missing_ ? 1 : 0));
  }
  Code encode(std::string_view field) const override {
    if (is_token(field)) return has_missing_ ? missing() : mode_;
    const int64_t id = levels_.find(field);
    return id < 0 ? unknown_code() : static_cast<Code>(id);
  }
  void decode(Code code, core::Rng&, std::string& out) const override {
    out.append(code < levels_.size() ? levels_.text(code) : std::string_view(missing_text_));
  }
  void decode_csv(Code code, core::Rng&, std::string& out) const override {
    if (code >= levels_.size()) {
      out.append(missing_csv_);
    } else if (!needs_quotes_[code]) {
      out.append(levels_.text(code));
    } else {
      out.append(quoted_.at(code));
    }
  }
  int64_t missing_code() const override {
    return has_missing_ ? static_cast<int64_t>(missing()) : -1;
  }
  Code unknown_code() const override { return has_missing_ ? missing() : mode_; }
  std::string label(Code code) const override {
    return code < levels_.size() ? std::string(levels_.text(code)) : "(missing)";
  }
  ColumnCondition condition(std::string_view text, const std::string& name,
                            const std::string& spec) const override {
    ColumnCondition cond;
    const int64_t id = levels_.find(text);
    if (id >= 0) {
      cond.codes = {static_cast<Code>(id)};
    } else if (has_missing_ && is_token(text)) {
      cond.codes = {missing()};
    } else {
      std::string levels;
      for (uint32_t i = 0; i < levels_.size() && i < 20; ++i) {
        levels.append(i ? ", " : "").append(levels_.text(i));
      }
      if (levels_.size() > 20) levels += fmt::format(", ... ({} in all)", levels_.size());
      throw InvalidArgument(fmt::format("{}: '{}' is not a value of column '{}' (levels: {})", spec,
                                        text, name, levels));
    }
    return cond;
  }
  nlohmann::json to_json() const override {
    std::vector<std::string> levels;
    levels.reserve(levels_.size());
    for (uint32_t i = 0; i < levels_.size(); ++i) levels.emplace_back(levels_.text(i));
    return {{"kind", "categorical"},         {"levels", std::move(levels)},
            {"missing_tokens", tokens_},     {"has_missing", has_missing_},
            {"missing_text", missing_text_}, {"mode", mode_}};
  }

 private:
  Code missing() const { return static_cast<Code>(levels_.size()); }
  bool is_token(std::string_view field) const {
    return std::find(tokens_.begin(), tokens_.end(), field) != tokens_.end();
  }

  TextDict levels_;  // ids are codes
  std::vector<std::string> tokens_;
  bool has_missing_;
  std::string missing_text_;
  Code mode_;
  std::vector<bool> needs_quotes_;                // per level
  std::unordered_map<Code, std::string> quoted_;  // the levels that need quotes, quoted
  std::string missing_csv_;
};

std::unique_ptr<ColumnCodec> categorical_from_json(const nlohmann::json& j) {
  try {
    auto levels = j.at("levels").get<std::vector<std::string>>();
    bool has_missing = j.at("has_missing").get<bool>();
    auto mode = j.at("mode").get<Code>();
    if (levels.empty() && !has_missing)
      throw ModelFormatError("model: categorical codec has no codes");
    if (!levels.empty() && mode >= levels.size())
      throw ModelFormatError("model: bad categorical mode");
    return std::make_unique<CategoricalCodec>(
        std::move(levels), j.at("missing_tokens").get<std::vector<std::string>>(), has_missing,
        j.at("missing_text").get<std::string>(), mode);
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad categorical codec: ") + e.what());
  }
}

}  // namespace

std::unique_ptr<ColumnCodec> fit_categorical_codec(std::vector<std::string> levels,
                                                   const std::vector<uint64_t>& counts,
                                                   const std::vector<uint64_t>& missing_counts,
                                                   const ColumnSchema& schema) {
  std::vector<size_t> order(levels.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Numeric order when every level is a number (e.g. 1..16), else byte order.
  std::vector<double> number(levels.size());
  bool all_numeric = !levels.empty();
  for (size_t i = 0; i < levels.size() && all_numeric; ++i) {
    const auto v = core::parse_double(levels[i]);
    all_numeric = v.has_value();
    number[i] = v.value_or(0.0);
  }
  if (all_numeric) {
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return number[a] != number[b] ? number[a] < number[b] : levels[a] < levels[b];
    });
  } else {
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return levels[a] < levels[b]; });
  }
  std::vector<std::string> sorted(levels.size());
  Code mode = 0;
  uint64_t best = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    sorted[i] = std::move(levels[order[i]]);
    if (counts[order[i]] > best) {  // the most frequent level, ties to the first in order
      best = counts[order[i]];
      mode = static_cast<Code>(i);
    }
  }
  bool has_missing = false;
  std::string missing_text;
  uint64_t best_missing = 0;
  for (size_t t = 0; t < missing_counts.size(); ++t) {  // ties: first token in the list
    has_missing = has_missing || missing_counts[t] > 0;
    if (missing_counts[t] > best_missing) {
      best_missing = missing_counts[t];
      missing_text = schema.missing_tokens[t];
    }
  }
  return std::make_unique<CategoricalCodec>(sorted, schema.missing_tokens, has_missing,
                                            std::move(missing_text), mode);
}

std::unique_ptr<ColumnCodec> column_codec_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string()) {
    throw ModelFormatError("model: column codec without a kind");
  }
  const std::string kind = j["kind"].get<std::string>();
  if (kind == "categorical") return categorical_from_json(j);
  if (kind == "numeric") return numeric_codec_from_json(j);
  if (kind == "id") return id_codec_from_json(j);
  if (kind == "temporal") return temporal_codec_from_json(j);
  throw ModelFormatError("model: unknown column codec kind '" + kind + "'");
}

TableCodec TableCodec::fit(const CsvTable& table, const Schema& schema, uint64_t seed) {
  std::vector<std::unique_ptr<ColumnCodec>> codecs;
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    const ColumnSchema& cs = schema.columns[c];
    const int idx = table.column_index(cs.name);
    if (idx < 0) throw DataError(fmt::format("{}: no column named '{}'", table.source, cs.name));
    ColumnPlan plan;
    plan.source = table.source;
    plan.name = cs.name;
    plan.index = static_cast<size_t>(idx);
    plan.declared = cs.type;
    plan.declared_format = cs.format;
    plan.infer_tokens = plan.tokens = cs.missing_tokens;
    plan.seed = core::derive_seed(seed, {c});
    ColumnProfile profile(std::move(plan));
    add_table_column(profile, table, static_cast<size_t>(idx));
    codecs.push_back(profile.fit(cs, core::derive_seed(seed, {c})));
  }
  return from_codecs(schema, std::move(codecs));
}

TableCodec TableCodec::from_codecs(Schema schema,
                                   std::vector<std::unique_ptr<ColumnCodec>> codecs) {
  TableCodec tc;
  tc.schema_ = std::move(schema);
  for (auto& c : codecs) tc.codecs_.push_back(std::move(c));
  return tc;
}

EncodedDataset TableCodec::encode(const CsvTable& table) const {
  EncodedDataset ds;
  std::vector<size_t> source_col(codecs_.size());
  for (size_t c = 0; c < codecs_.size(); ++c) {
    int idx = table.column_index(schema_.columns[c].name);
    if (idx < 0) {
      throw DataError(fmt::format("{}: missing column '{}' (the model has columns: {})",
                                  table.source, schema_.columns[c].name,
                                  fmt::join(column_names(), ", ")));
    }
    source_col[c] = static_cast<size_t>(idx);
  }
  for (const auto& name : table.header) {
    if (schema_.column_index(name) < 0) {
      throw DataError(
          fmt::format("{}: unexpected column '{}' (not in the model)", table.source, name));
    }
  }
  for (size_t c = 0; c < codecs_.size(); ++c) {
    ds.names.push_back(schema_.columns[c].name);
    ds.cardinality.push_back(codecs_[c]->cardinality());
    const auto& cells = table.columns[source_col[c]];
    CodeColumn codes(codecs_[c]->cardinality(), cells.size());
    codes.visit_mut([&](auto out) {
      using T = typename decltype(out)::value_type;
      for (size_t r = 0; r < cells.size(); ++r)
        out[r] = static_cast<T>(codecs_[c]->encode(cells[r]));
    });
    ds.columns.push_back(std::move(codes));
  }
  return ds;
}

std::vector<std::string> TableCodec::column_names() const {
  std::vector<std::string> names;
  for (const auto& c : schema_.columns) names.push_back(c.name);
  return names;
}

void TableCodec::write_header(std::string& out) const {
  CsvWriter w(out);
  w.row(column_names());
}

void TableCodec::decode_rows(const Code* codes, size_t n_rows, core::Rng& rng, std::string& out,
                             uint64_t first_row) const {
  if (rows_) return rows_->decode_rows(*this, codes, n_rows, rng, out, nullptr, first_row);
  const size_t d = codecs_.size();
  for (size_t r = 0; r < n_rows; ++r) {
    const size_t row_start = out.size();
    for (size_t c = 0; c < d; ++c) {
      if (c > 0) out.push_back(',');
      codecs_[c]->decode_csv_row(codes[r * d + c], first_row + r, rng, out);
    }
    // A row made of one empty field would read back as a blank (skipped) line.
    if (d == 1 && out.size() == row_start) out.append("\"\"");
    out.push_back('\n');
  }
}

std::vector<uint32_t> TableCodec::cardinalities() const {
  std::vector<uint32_t> out;
  for (const auto& c : codecs_) out.push_back(c->cardinality());
  return out;
}

nlohmann::json TableCodec::to_json() const {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : codecs_) cols.push_back(c->to_json());
  nlohmann::json j = {{"schema", nlohmann::json::parse(schema_to_json(schema_).dump())},
                      {"codecs", std::move(cols)}};
  if (rows_) j["rows"] = rows_->to_json();  // absent: cells decoded alone (older models)
  return j;
}

TableCodec TableCodec::from_json(const nlohmann::json& j) {
  TableCodec tc;
  if (!j.is_object() || !j.contains("schema") || !j.contains("codecs") || !j["codecs"].is_array()) {
    throw ModelFormatError("model: missing table codec");
  }
  try {
    // The stored schema is complete: apply it over an empty skeleton with the same names.
    Schema skeleton;
    for (const auto& jc : j["schema"].at("columns")) {
      ColumnSchema cs;
      cs.name = jc.at("name").get<std::string>();
      cs.distinct = jc.value("distinct", size_t{0});
      cs.missing = jc.value("missing", size_t{0});
      skeleton.columns.push_back(cs);
    }
    tc.schema_ = apply_schema_overrides(skeleton, j["schema"], "model");
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad schema: ") + e.what());
  } catch (const DataError& e) {
    throw ModelFormatError(std::string("model: bad schema: ") + e.what());
  }
  if (j["codecs"].size() != tc.schema_.columns.size()) {
    throw ModelFormatError("model: codec count does not match the schema");
  }
  for (const auto& jc : j["codecs"]) tc.codecs_.push_back(column_codec_from_json(jc));
  if (j.contains("rows")) tc.rows_ = RowModel::from_json(j["rows"], tc);
  return tc;
}

}  // namespace meg::data
