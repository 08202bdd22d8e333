#include "data/column_profile.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/datetime_codec.hpp"
#include "data/numeric_codec.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

enum : uint64_t { kRowSampleStream = 0x726f7773 };

// Rows per block of provisional codes: large enough to be mapped memory of its own,
// which goes back to the system when the block is freed (a heap of small blocks would
// keep the process's peak at provisional + final codes).
constexpr size_t kCodeBlockRows = size_t{1} << 20;

}  // namespace

ColumnProfile::ColumnProfile(ColumnPlan plan) : plan_(std::move(plan)) {
  for (const auto* list : {&plan_.infer_tokens, &plan_.tokens}) {
    for (const auto& t : *list) {
      if (std::find(tokens_.begin(), tokens_.end(), t) == tokens_.end()) tokens_.push_back(t);
    }
  }
  for (const auto& t : tokens_) {
    in_infer_.push_back(std::find(plan_.infer_tokens.begin(), plan_.infer_tokens.end(), t) !=
                        plan_.infer_tokens.end());
    in_codec_.push_back(std::find(plan_.tokens.begin(), plan_.tokens.end(), t) !=
                        plan_.tokens.end());
  }
  token_counts_.assign(tokens_.size(), 0);
  token_first_line_.assign(tokens_.size(), 0);
  sampling_ = !plan_.exact_only && (!plan_.declared || declared_numeric());
  if (plan_.declared && is_temporal(*plan_.declared) && !plan_.declared_format.empty() &&
      !declared_numeric()) {
    declared_pattern_ = TimePattern::compile(
        plan_.declared_format, fmt::format("{}: column '{}'", plan_.source, plan_.name));
  }
  sample_key_ = core::derive_seed(plan_.seed, {kRowSampleStream});
  // Address space only: pages are touched as rows are sampled (and never for a column
  // found categorical), and the sample is never copied to grow.
  if (sampling_) sample_.reserve(plan_.limits.sample_rows + plan_.limits.sample_rows / 2 + 64);
}

int ColumnProfile::token_index(std::string_view text) const {
  for (size_t u = 0; u < tokens_.size(); ++u) {
    if (tokens_[u] == text) return static_cast<int>(u);
  }
  return -1;
}

bool ColumnProfile::refuse(uint64_t row, uint64_t line, std::string_view text, const char* problem,
                           CellError* error) const {
  error->row = row;
  error->message =
      fmt::format("{}:{}:{}: column '{}': '{}' is not {} (schema type {})", plan_.source, line,
                  plan_.index + 1, plan_.name, text, problem, to_string(*plan_.declared));
  return false;
}

bool ColumnProfile::on_new_text(std::string_view text, uint64_t line, uint64_t row,
                                CellError* error) {
  const int u = token_index(text);
  if (u >= 0 && token_first_line_[u] == 0) token_first_line_[u] = line;
  const bool infer_missing = u >= 0 && in_infer_[u];
  const bool codec_missing = u >= 0 && in_codec_[u];
  const bool number = exact_number(text).has_value();
  kind_.push_back(codec_missing ? kMissing : number ? kValue : kOther);
  if (!infer_missing && all_numbers_) {
    if (!number) {
      all_numbers_ = false;
    } else if (all_integers_ && !is_integer_text(text)) {
      all_integers_ = false;
    }
  }
  if (declared_numeric() && !codec_missing) {
    const char* problem = nullptr;
    if (!numeric_cell_value(text, *plan_.declared, &problem)) {
      return refuse(row, line, text, problem, error);
    }
  }
  if (declared_pattern_ && !codec_missing && !declared_pattern_->parse(text)) {
    const std::string problem =
        fmt::format("a date/time in the format '{}'", declared_pattern_->text());
    return refuse(row, line, text, problem.c_str(), error);
  }
  if (sampling_ && !all_numbers_ && !declared_numeric()) {
    sampling_ = false;  // categorical: every text is kept
    std::vector<Sampled>().swap(sample_);
  }
  return true;
}

void ColumnProfile::offer(uint64_t row, uint64_t payload) {
  const uint64_t h = core::mix64(sample_key_ ^ core::mix64(row));
  if (h >= sample_cut_) return;
  sample_.push_back({h, payload});
  const size_t k = plan_.limits.sample_rows;
  if (sample_.size() >= k + std::max<size_t>(k / 2, 64)) shrink_sample();
}

void ColumnProfile::shrink_sample() {
  const size_t k = plan_.limits.sample_rows;
  if (sample_.size() <= k) return;
  std::nth_element(sample_.begin(), sample_.begin() + static_cast<long>(k - 1), sample_.end());
  sample_cut_ = sample_[k - 1].hash;  // later rows enter only below the k-th hash
  sample_.resize(k);
}

void ColumnProfile::sketch(uint64_t hash) {
  if (sketch_.size() < plan_.limits.distinct_sketch) {
    sketch_.insert(hash);
  } else if (hash < *sketch_.rbegin() && sketch_.insert(hash).second) {
    sketch_.erase(std::prev(sketch_.end()));
  }
}

// The loop of add() and add_coded(): `cells` gives cell i's text (text(i)) and its
// dictionary id in exact mode (id(i, dict, &added), a find_or_add of the text).
template <class Cells>
bool ColumnProfile::add_cells(const Cells& cells, const uint64_t* lines, size_t n,
                              uint64_t first_row, CellError* error) {
  if (stopped_ || mode_ == Mode::Reread) return true;
  const size_t switch_at = std::max(plan_.limits.exact_distinct, plan_.max_categorical_numeric);
  const bool exact_at_start = mode_ == Mode::Exact;
  if (exact_at_start && plan_.keep_codes) chunk_ids_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t row = first_row + i;
    if (mode_ == Mode::Exact) {
      bool added = false;
      const uint32_t id = cells.id(i, dict_, &added);
      if (added && !on_new_text(cells.text(i), lines[i], row, error)) {
        stopped_ = true;
        return false;
      }
      dict_.add_count(id);
      if (plan_.keep_codes) chunk_ids_[i] = id;
      if (sampling_ && kind_[id] == kValue) offer(row, id);
      if (added && sampling_ && dict_.size() > switch_at) to_sampled();
    } else if (mode_ == Mode::Sampled) {
      if (!add_sampled(cells.text(i), lines[i], row, error)) {
        stopped_ = true;
        return false;
      }
    } else {
      break;  // Reread
    }
  }
  // The chunk's provisional codes, stored at once (in the width the largest needs).
  if (exact_at_start && mode_ == Mode::Exact && plan_.keep_codes && n > 0) {
    if (temp_.empty() || temp_.back().size() + n > kCodeBlockRows) {
      temp_.emplace_back().reserve(kCodeBlockRows);
    }
    temp_.back().append(std::span<const Code>(chunk_ids_.data(), n));
  }
  rows_ += n;
  return true;
}

bool ColumnProfile::add(const std::string_view* cells, const uint64_t* lines, size_t n,
                        uint64_t first_row, CellError* error) {
  struct Texts {
    const std::string_view* cells;
    std::string_view text(size_t i) const { return cells[i]; }
    uint32_t id(size_t i, TextDict& dict, bool* added) const {
      return dict.find_or_add(cells[i], added);
    }
  };
  return add_cells(Texts{cells}, lines, n, first_row, error);
}

bool ColumnProfile::add_coded(const CsvChunk::Coded& cells, const uint64_t* lines, size_t n,
                              uint64_t first_row, CellError* error) {
  // The dictionary id of each of the source's texts, looked up at its first cell: the
  // same find_or_add, at the same cell, as add() makes, without hashing the repeats.
  if (coded_texts_ != cells.texts) {
    coded_texts_ = cells.texts;
    coded_ids_.assign(cells.size, UINT32_MAX);
  }
  struct Ids {
    const CsvChunk::Coded& cells;
    std::vector<uint32_t>& known;
    std::string_view text(size_t i) const { return cells.texts[cells.ids[i]]; }
    uint32_t id(size_t i, TextDict& dict, bool* added) const {
      uint32_t& slot = known[cells.ids[i]];
      if (slot == UINT32_MAX) return slot = dict.find_or_add(text(i), added);
      *added = false;
      return slot;
    }
  };
  return add_cells(Ids{cells, coded_ids_}, lines, n, first_row, error);
}

bool ColumnProfile::add_sampled(std::string_view text, uint64_t line, uint64_t row,
                                CellError* error) {
  const int u = token_index(text);
  if (u >= 0) {
    ++token_counts_[u];
    if (token_first_line_[u] == 0) token_first_line_[u] = line;
  }
  const bool codec_missing = u >= 0 && in_codec_[u];
  std::optional<double> value;
  if (!(u >= 0 && in_infer_[u])) {  // a value for inference
    sketch(hash_text(text));
    value = exact_number(text);
    if (!value) {
      all_numbers_ = false;
    } else if (all_integers_ && !is_integer_text(text)) {
      all_integers_ = false;
    }
    if (!all_numbers_ && !declared_numeric()) {
      set_reread();  // a text: the column is categorical, and every text is needed
      return true;
    }
  }
  if (codec_missing) return true;
  if (declared_numeric()) {
    const char* problem = nullptr;
    value = numeric_cell_value(text, *plan_.declared, &problem);
    if (!value) return refuse(row, line, text, problem, error);
  } else if (!value) {
    value = core::parse_double(text);
  }
  if (!value) return true;  // a token of inference only, and not a number: the fit refuses it
  const int d = decimals_of(text, &exponent_);
  decimals_ = std::max(decimals_, d);
  offer(row, std::bit_cast<uint64_t>(*value == 0.0 ? 0.0 : *value));
  return true;
}

void ColumnProfile::to_sampled() {
  for (size_t u = 0; u < tokens_.size(); ++u) {
    const int64_t id = dict_.find(tokens_[u]);
    token_counts_[u] = id < 0 ? 0 : dict_.count(static_cast<uint32_t>(id));
  }
  for (uint32_t id = 0; id < dict_.size(); ++id) {
    const int u = token_index(dict_.text(id));
    if (u < 0 || !in_infer_[u]) sketch(dict_.hash(id));
    if (kind_[id] == kValue)
      decimals_ = std::max(decimals_, decimals_of(dict_.text(id), &exponent_));
  }
  shrink_sample();
  for (auto& s : sample_) {
    const double v = *core::parse_double(dict_.text(static_cast<uint32_t>(s.payload)));
    s.payload = std::bit_cast<uint64_t>(v == 0.0 ? 0.0 : v);
  }
  dict_.clear();
  std::vector<Kind>().swap(kind_);
  std::vector<CodeColumn>().swap(temp_);
  mode_ = Mode::Sampled;
}

void ColumnProfile::set_reread() {
  release();
  mode_ = Mode::Reread;
}

uint64_t ColumnProfile::token_count(size_t u) const {
  if (mode_ == Mode::Sampled) return token_counts_[u];
  const int64_t id = dict_.find(tokens_[u]);
  return id < 0 ? 0 : dict_.count(static_cast<uint32_t>(id));
}

uint64_t ColumnProfile::distinct() const {
  if (mode_ == Mode::Exact) {
    uint64_t n = dict_.size();
    for (size_t u = 0; u < tokens_.size(); ++u) n -= in_infer_[u] && dict_.find(tokens_[u]) >= 0;
    return n;
  }
  // Sampled: the k-th smallest of the distinct texts' hashes estimates the count.
  if (sketch_.size() < plan_.limits.distinct_sketch) return sketch_.size();
  const double largest = static_cast<double>(*sketch_.rbegin()) / 0x1.0p64;
  return static_cast<uint64_t>(
      std::llround(static_cast<double>(plan_.limits.distinct_sketch - 1) / largest));
}

ColumnSchema ColumnProfile::infer(const InferOptions& options) const {
  ColumnSchema col;
  col.name = plan_.name;
  col.missing_tokens = plan_.infer_tokens;
  col.bins = options.bins;
  col.discretizer = options.discretizer;
  for (size_t u = 0; u < tokens_.size(); ++u) {
    if (in_infer_[u]) col.missing += token_count(u);
  }
  col.distinct = distinct();
  const bool numeric = all_numbers_ && col.distinct > 0;
  if (!numeric || col.distinct <= plan_.max_categorical_numeric) {
    col.type = ColumnType::Categorical;
  } else {
    col.type = all_integers_ ? ColumnType::Integer : ColumnType::Continuous;
  }
  if (mode_ == Mode::Exact) infer_role(options, &col);  // column_roles.cpp
  return col;
}

std::unique_ptr<ColumnCodec> ColumnProfile::fit(const ColumnSchema& schema, uint64_t seed) const {
  // Counts of the codec's missing tokens, in the schema's order.
  std::vector<uint64_t> missing(schema.missing_tokens.size(), 0);
  for (size_t t = 0; t < missing.size(); ++t) {
    const int u = token_index(schema.missing_tokens[t]);
    missing[t] = u < 0 ? 0 : token_count(static_cast<size_t>(u));
  }
  if (schema.type == ColumnType::Categorical) {
    std::vector<std::string> levels;
    std::vector<uint64_t> counts;
    for (uint32_t id = 0; id < dict_.size(); ++id) {
      if (kind_[id] == kMissing) continue;
      levels.emplace_back(dict_.text(id));
      counts.push_back(dict_.count(id));
    }
    return fit_categorical_codec(std::move(levels), counts, missing, schema);
  }
  if (schema.type == ColumnType::Id || (is_temporal(schema.type) && schema.format != "%s")) {
    if (mode_ != Mode::Exact) {
      throw DataError(fmt::format("{}: column '{}': declared {} after its values were sampled",
                                  plan_.source, plan_.name, to_string(schema.type)));
    }
    return fit_role(schema, missing, seed);
  }
  if (schema.decode == NumericDecode::Jitter && !is_temporal(schema.type)) {
    throw DataError(
        fmt::format("{}: column '{}': decode 'jitter' is for datetime, date and time "
                    "columns (schema type {})",
                    plan_.source, plan_.name, to_string(schema.type)));
  }
  NumericSummary summary;
  std::vector<std::pair<double, uint64_t>> tally;
  const char* problem = nullptr;
  if (mode_ == Mode::Exact) {
    for (uint32_t id = 0; id < dict_.size(); ++id) {
      if (kind_[id] == kMissing) continue;
      const std::string_view text = dict_.text(id);
      const auto v = numeric_cell_value(text, schema.type, &problem);
      if (!v) {
        // Only a token of inference that the codec does not count as missing gets here
        // (other texts were refused as they came, or made the column categorical).
        const int u = token_index(text);
        const uint64_t line = u < 0 ? 0 : token_first_line_[u];
        throw DataError(fmt::format("{}:{}:{}: column '{}': '{}' is not {} (schema type {})",
                                    plan_.source, line, plan_.index + 1, plan_.name, text, problem,
                                    to_string(schema.type)));
      }
      tally.emplace_back(*v, dict_.count(id));
      summary.decimals = std::max(summary.decimals, decimals_of(text, &summary.exponent));
    }
  } else {
    for (size_t u = 0; u < tokens_.size(); ++u) {
      if (!in_codec_[u] && token_counts_[u] > 0 && !core::parse_double(tokens_[u])) {
        (void)numeric_cell_value(tokens_[u], schema.type, &problem);
        throw DataError(fmt::format("{}:{}:{}: column '{}': '{}' is not {} (schema type {})",
                                    plan_.source, token_first_line_[u], plan_.index + 1, plan_.name,
                                    tokens_[u], problem, to_string(schema.type)));
      }
    }
    std::vector<Sampled> sample = sample_;  // the bottom k of the rows
    if (sample.size() > plan_.limits.sample_rows) {
      const auto kth = sample.begin() + static_cast<long>(plan_.limits.sample_rows - 1);
      std::nth_element(sample.begin(), kth, sample.end());
      sample.resize(plan_.limits.sample_rows);
    }
    for (const auto& s : sample) tally.emplace_back(std::bit_cast<double>(s.payload), 1);
    summary.decimals = decimals_;
    summary.exponent = exponent_;
  }
  tally_values(std::move(tally), &summary);
  if (summary.values.empty()) {
    throw DataError(fmt::format(
        "{}: column '{}': no numeric values (every cell is missing); declare it categorical",
        plan_.source, plan_.name));
  }
  tally_missing(missing, schema.missing_tokens, &summary);
  if (schema.discretizer == DiscretizerKind::Dpgmm && !summary.values.empty() &&
      !std::isfinite(summary.values.back() - summary.values.front())) {
    throw DataError(fmt::format(
        "{}: column '{}': values from {} to {} span more than a double can hold; the dpgmm "
        "discretizer needs a finite range (declare the column with \"discretizer\": "
        "\"quantile\")",
        plan_.source, plan_.name, summary.values.front(), summary.values.back()));
  }
  if (is_temporal(schema.type)) {  // epoch seconds: a number column written as it is read
    ColumnSchema as_number = schema;
    as_number.type = summary.decimals > 0 ? ColumnType::Continuous : ColumnType::Integer;
    if (as_number.decode == NumericDecode::Jitter) as_number.decode = NumericDecode::Uniform;
    return temporal_codec(schema.format, 0, fit_numeric_codec(std::move(summary), as_number, seed));
  }
  return fit_numeric_codec(std::move(summary), schema, seed);
}

size_t ColumnProfile::memory_bytes() const {
  size_t codes = 0;
  for (const auto& block : temp_) codes += block.bytes();
  return dict_.memory_bytes() + kind_.capacity() + codes + chunk_ids_.capacity() * 4 +
         sample_.capacity() * sizeof(Sampled) + sketch_.size() * 48;
}

void add_table_column(ColumnProfile& profile, const CsvTable& table, size_t column) {
  const auto& cells = table.columns[column];
  std::vector<std::string_view> views(cells.begin(), cells.end());
  // A table made in memory may have no line numbers: row r is then on line r + 2 (after
  // the header).
  std::vector<uint64_t> lines;
  const uint64_t* line = table.row_line.data();
  if (table.row_line.size() < views.size()) {
    lines.resize(views.size());
    for (size_t r = 0; r < lines.size(); ++r) lines[r] = r + 2;
    line = lines.data();
  }
  CellError error;
  if (!profile.add(views.data(), line, views.size(), 0, &error)) {
    throw DataError(error.message);
  }
}

std::vector<double> ColumnProfile::text_numbers(const NumericView& view) const {
  std::vector<double> out(dict_.size(), NAN);
  for (uint32_t id = 0; id < dict_.size(); ++id) {
    if (kind_[id] != kMissing) out[id] = view.number_of(dict_.text(id));  // NaN if not one
  }
  return out;
}

std::vector<double> ColumnProfile::text_codes(const ColumnCodec& codec) const {
  std::vector<double> out(dict_.size());
  for (uint32_t id = 0; id < dict_.size(); ++id) out[id] = codec.encode(dict_.text(id));
  return out;
}

void ColumnProfile::row_values(uint64_t first, size_t n, const std::vector<double>& numbers,
                               double* out) const {
  uint64_t start = 0;  // first row of the block
  for (const CodeColumn& block : temp_) {
    const uint64_t end = start + block.size();
    if (end > first && n > 0) {
      const size_t from = static_cast<size_t>(first - start);
      const size_t take = std::min<size_t>(n, block.size() - from);
      block.visit([&](auto ids) {
        for (size_t i = 0; i < take; ++i) out[i] = numbers[ids[from + i]];
      });
      out += take;
      first += take;
      n -= take;
    }
    start = end;
  }
}

void ColumnProfile::release() {
  dict_.clear();
  std::vector<Kind>().swap(kind_);
  std::vector<CodeColumn>().swap(temp_);
  std::vector<Code>().swap(chunk_ids_);
  std::vector<Sampled>().swap(sample_);
  sketch_.clear();
}

}  // namespace meg::data
