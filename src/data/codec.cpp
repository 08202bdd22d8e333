#include "data/codec.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "data/csv.hpp"
#include "data/numeric_codec.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

// Most frequent missing token seen in a column (written back for missing cells).
std::string dominant_token(const std::vector<std::string>& cells,
                           const std::vector<std::string>& tokens) {
  std::unordered_map<std::string_view, size_t> count;
  for (const auto& t : tokens) count.emplace(t, 0);
  for (const auto& cell : cells) {
    auto it = count.find(cell);
    if (it != count.end()) ++it->second;
  }
  std::string best;
  size_t best_n = 0;
  for (const auto& t : tokens) {  // ties: first token in the list
    if (count[t] > best_n) {
      best_n = count[t];
      best = t;
    }
  }
  return best;
}

class CategoricalCodec final : public ColumnCodec {
 public:
  CategoricalCodec(std::vector<std::string> levels, std::vector<std::string> tokens,
                   bool has_missing, std::string missing_text, Code mode)
      : levels_(std::move(levels)),
        tokens_(std::move(tokens)),
        has_missing_(has_missing),
        missing_text_(std::move(missing_text)),
        mode_(mode) {
    for (size_t i = 0; i < levels_.size(); ++i) index_.emplace(levels_[i], static_cast<Code>(i));
    token_set_.insert(tokens_.begin(), tokens_.end());
  }

  uint32_t cardinality() const override {
    return static_cast<uint32_t>(levels_.size() + (has_missing_ ? 1 : 0));
  }
  Code encode(std::string_view field) const override {
    if (token_set_.count(std::string(field))) return has_missing_ ? missing() : mode_;
    auto it = index_.find(std::string(field));
    return it == index_.end() ? unknown_code() : it->second;
  }
  void decode(Code code, core::Rng&, std::string& out) const override {
    out.append(code < levels_.size() ? levels_[code] : missing_text_);
  }
  int64_t missing_code() const override {
    return has_missing_ ? static_cast<int64_t>(missing()) : -1;
  }
  Code unknown_code() const override { return has_missing_ ? missing() : mode_; }
  std::string label(Code code) const override {
    return code < levels_.size() ? levels_[code] : "(missing)";
  }
  ColumnCondition condition(std::string_view text, const std::string& name,
                            const std::string& spec) const override {
    ColumnCondition cond;
    auto it = index_.find(std::string(text));
    if (it != index_.end()) {
      cond.codes = {it->second};
    } else if (has_missing_ && token_set_.count(std::string(text))) {
      cond.codes = {missing()};
    } else {
      std::string levels;
      for (size_t i = 0; i < levels_.size() && i < 20; ++i) {
        levels += (i ? ", " : "") + levels_[i];
      }
      if (levels_.size() > 20) levels += fmt::format(", ... ({} in all)", levels_.size());
      throw InvalidArgument(fmt::format("{}: '{}' is not a value of column '{}' (levels: {})", spec,
                                        text, name, levels));
    }
    return cond;
  }
  nlohmann::json to_json() const override {
    return {{"kind", "categorical"},         {"levels", levels_},
            {"missing_tokens", tokens_},     {"has_missing", has_missing_},
            {"missing_text", missing_text_}, {"mode", mode_}};
  }

 private:
  Code missing() const { return static_cast<Code>(levels_.size()); }

  std::vector<std::string> levels_;
  std::vector<std::string> tokens_;
  bool has_missing_;
  std::string missing_text_;
  Code mode_;
  std::unordered_map<std::string, Code> index_;
  std::unordered_set<std::string> token_set_;
};

std::unique_ptr<ColumnCodec> fit_categorical(const std::vector<std::string>& cells,
                                             const ColumnSchema& schema) {
  std::unordered_set<std::string> tokens(schema.missing_tokens.begin(),
                                         schema.missing_tokens.end());
  std::unordered_map<std::string, size_t> counts;
  bool has_missing = false;
  for (const auto& cell : cells) {
    if (tokens.count(cell)) {
      has_missing = true;
    } else {
      ++counts[cell];
    }
  }
  std::vector<std::string> levels;
  levels.reserve(counts.size());
  for (const auto& kv : counts) levels.push_back(kv.first);
  // Numeric order when every level is a number (e.g. 1..16), else byte order.
  bool all_numeric = !levels.empty();
  for (const auto& l : levels) all_numeric = all_numeric && core::parse_double(l).has_value();
  if (all_numeric) {
    std::sort(levels.begin(), levels.end(), [](const std::string& a, const std::string& b) {
      double x = *core::parse_double(a), y = *core::parse_double(b);
      return x != y ? x < y : a < b;
    });
  } else {
    std::sort(levels.begin(), levels.end());
  }
  Code mode = 0;
  size_t best = 0;
  for (size_t i = 0; i < levels.size(); ++i) {
    if (counts[levels[i]] > best) {
      best = counts[levels[i]];
      mode = static_cast<Code>(i);
    }
  }
  std::string missing_text = has_missing ? dominant_token(cells, schema.missing_tokens) : "";
  return std::make_unique<CategoricalCodec>(std::move(levels), schema.missing_tokens, has_missing,
                                            std::move(missing_text), mode);
}

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

std::unique_ptr<ColumnCodec> fit_column_codec(const std::vector<std::string>& cells,
                                              const ColumnSchema& schema, uint64_t seed) {
  if (schema.type == ColumnType::Categorical) return fit_categorical(cells, schema);
  return fit_numeric_codec(cells, schema, seed, nullptr);
}

std::unique_ptr<ColumnCodec> column_codec_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string()) {
    throw ModelFormatError("model: column codec without a kind");
  }
  const std::string kind = j["kind"].get<std::string>();
  if (kind == "categorical") return categorical_from_json(j);
  if (kind == "numeric") return numeric_codec_from_json(j);
  throw ModelFormatError("model: unknown column codec kind '" + kind + "'");
}

TableCodec TableCodec::fit(const CsvTable& table, const Schema& schema, uint64_t seed) {
  TableCodec tc;
  tc.schema_ = schema;
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    const ColumnSchema& cs = schema.columns[c];
    int idx = table.column_index(cs.name);
    if (idx < 0) throw DataError(fmt::format("{}: no column named '{}'", table.source, cs.name));
    const auto& cells = table.columns[static_cast<size_t>(idx)];
    if (cs.type == ColumnType::Categorical) {
      tc.codecs_.push_back(fit_categorical(cells, cs));
    } else {
      NumericContext ctx{&table, static_cast<size_t>(idx)};
      tc.codecs_.push_back(fit_numeric_codec(cells, cs, core::derive_seed(seed, {c}), &ctx));
    }
  }
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

void TableCodec::decode_rows(const Code* codes, size_t n_rows, core::Rng& rng,
                             std::string& out) const {
  CsvWriter w(out);
  std::string cell;
  const size_t d = codecs_.size();
  for (size_t r = 0; r < n_rows; ++r) {
    for (size_t c = 0; c < d; ++c) {
      cell.clear();
      codecs_[c]->decode(codes[r * d + c], rng, cell);
      w.field(cell);
    }
    w.end_row();
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
  return {{"schema", nlohmann::json::parse(schema_to_json(schema_).dump())},
          {"codecs", std::move(cols)}};
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
  return tc;
}

}  // namespace meg::data
