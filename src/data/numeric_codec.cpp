#include "data/numeric_codec.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/json_blob.hpp"
#include "core/strings.hpp"
#include "data/csv.hpp"
#include "data/dpgmm.hpp"
#include "meg/error.hpp"

namespace meg::data {

int decimals_of(std::string_view s, bool* exponent) {
  size_t e = s.find_first_of("eE");
  if (e != std::string_view::npos) *exponent = true;
  std::string_view mant = s.substr(0, e);
  size_t dot = mant.find('.');
  return dot == std::string_view::npos ? 0 : static_cast<int>(mant.size() - dot - 1);
}

std::optional<double> exact_number(std::string_view text, const char** problem) {
  const char* dummy = nullptr;
  const char*& why = problem ? *problem : dummy;
  auto v = core::parse_double(text);
  if (!v) {
    why = "a finite number";
    return std::nullopt;
  }
  bool exponent = false;
  if (decimals_of(text, &exponent) > kMaxDecimals) {
    why = "a number with at most 30 decimals";
    return std::nullopt;
  }
  // Significant digits before the decimal point (and before any exponent).
  size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  while (i < text.size() && text[i] == '0') ++i;
  size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    ++digits;
    ++i;
  }
  if (digits > 15) {
    why =
        "a number of at most 15 digits before the decimal point (larger integers are not "
        "exact in a double; declare the column categorical)";
    return std::nullopt;
  }
  return v;
}

std::optional<double> numeric_cell_value(std::string_view cell, ColumnType type,
                                         const char** problem) {
  auto v = exact_number(cell, problem);
  if (!v) return std::nullopt;
  if (type == ColumnType::Integer && (*v != std::floor(*v) || std::fabs(*v) > 9.0e15)) {
    *problem = "an integer";
    return std::nullopt;
  }
  return *v == 0.0 ? 0.0 : *v;  // -0 and 0 are one value
}

namespace {

// The index in [0, n) of the value nearest to t among value(0..n-1) (sorted ascending)
// that lies in [lo, hi], or n when none does.
template <class Value>
size_t nearest_index(size_t n, const Value& value, double t, double lo, double hi) {
  size_t a = 0, b = n;  // first index with value >= t
  while (a < b) {
    const size_t mid = (a + b) / 2;
    if (value(mid) < t) {
      a = mid + 1;
    } else {
      b = mid;
    }
  }
  size_t best = n;
  double gap = INFINITY;
  for (size_t i : {a, a - 1}) {  // a - 1 wraps to SIZE_MAX when a == 0
    if (i >= n) continue;
    const double x = value(i);
    if (x >= lo && x <= hi && std::fabs(x - t) < gap) {
      gap = std::fabs(x - t);
      best = i;
    }
  }
  return best;
}

class NumericCodec final : public ColumnCodec, public NumericView {
 public:
  struct State {
    std::vector<double> values;     // sorted distinct training values
    std::vector<uint64_t> counts;   // rows per value
    std::vector<uint32_t> code_of;  // bin code per value
    uint32_t num_bins = 0;
    bool integer = false;
    int decimals = 0;
    bool exponent = false;
    NumericDecode decode = NumericDecode::Empirical;
    DiscretizerKind discretizer = DiscretizerKind::Quantile;
    bool has_missing = false;
    std::string missing_text;
    std::vector<std::string> tokens;
  };

  explicit NumericCodec(State s) : s_(std::move(s)) {
    members_.resize(s_.num_bins);
    for (size_t i = 0; i < s_.values.size(); ++i) members_[s_.code_of[i]].push_back(i);
    cumulative_.resize(s_.num_bins);
    uint64_t best = 0;
    for (uint32_t b = 0; b < s_.num_bins; ++b) {
      uint64_t acc = 0;
      for (size_t i : members_[b]) {
        acc += s_.counts[i];
        cumulative_[b].push_back(acc);
      }
      if (acc > best) {
        best = acc;
        mode_ = b;
      }
    }
    // A guide table per bin: the draw t of a count in [0, total) starts its search at
    // guide[t * m / total] (m members), so finding its value costs O(1) on average
    // and gives what upper_bound over the cumulative counts gives.
    guide_.resize(s_.num_bins);
    scale_.resize(s_.num_bins);
    for (uint32_t b = 0; b < s_.num_bins; ++b) {
      const auto& cum = cumulative_[b];
      if (cum.empty()) continue;
      const uint64_t total = cum.back(), m = cum.size();
      scale_[b] = static_cast<double>(m) / static_cast<double>(total);
      guide_[b].resize(m);
      for (uint64_t j = 0; j < m; ++j) {
        const auto t_min = static_cast<uint64_t>((static_cast<__uint128_t>(j) * total + m - 1) /
                                                 m);  // first t of bucket j
        guide_[b][j] =
            static_cast<uint32_t>(std::upper_bound(cum.begin(), cum.end(), t_min) - cum.begin());
      }
    }
    // Every value's text, formatted once: decoding draws values, and copies their text.
    text_end_.reserve(s_.values.size());
    for (double v : s_.values) {
      format(v, texts_);
      text_end_.push_back(texts_.size());
    }
    append_csv_field(missing_csv_, s_.missing_text);
  }

  uint32_t cardinality() const override { return s_.num_bins + (s_.has_missing ? 1 : 0); }

  Code encode(std::string_view field) const override {
    if (is_token(field)) return unknown_code();
    auto v = core::parse_double(field);
    if (!v) return unknown_code();
    return s_.code_of[nearest(*v)];
  }

  const NumericView* numeric_view() const override { return this; }

  Code locate(double v, double r, double* position) const override {
    const size_t i = nearest(v);
    const Code code = s_.code_of[i];
    const auto& mem = members_[code];
    const auto& cum = cumulative_[code];
    const size_t k = static_cast<size_t>(std::lower_bound(mem.begin(), mem.end(), i) - mem.begin());
    const double below = k == 0 ? 0.0 : static_cast<double>(cum[k - 1]);
    *position = (below + r * static_cast<double>(s_.counts[i])) / static_cast<double>(cum.back());
    return code;
  }

  double value_at(Code code, double u) const override {
    const size_t i = index_at(code, u);
    if (i != kNoIndex) return s_.values[i];
    const auto& mem = members_[code];
    const double lo = s_.values[mem.front()], hi = s_.values[mem.back()];
    u = std::clamp(u, 0.0, 1.0);
    if (s_.integer) return std::min(hi, lo + std::floor(u * (hi - lo + 1)));
    double x = lo + u * (hi - lo);
    if (!s_.exponent) {
      const double scale = std::pow(10.0, s_.decimals);
      x = std::clamp(std::round(x * scale) / scale, lo, hi);
    }
    return x;
  }

  size_t index_at(Code code, double u) const override {
    const auto& mem = members_[code];
    if (s_.decode == NumericDecode::Uniform && mem.size() > 1) return kNoIndex;
    const auto& cum = cumulative_[code];
    u = std::clamp(u, 0.0, 1.0);
    const uint64_t total = cum.back();
    const auto t = std::min(total - 1, static_cast<uint64_t>(u * static_cast<double>(total)));
    const size_t k = static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), t) - cum.begin());
    return mem[k];
  }
  double value_of(size_t index) const override { return s_.values[index]; }
  void format_index(size_t i, std::string& out) const override {
    const size_t begin = i == 0 ? 0 : text_end_[i - 1];
    out.append(texts_, begin, text_end_[i] - begin);
  }

  bool nearest_within(Code code, double v, double lo, double hi, double* out) const override {
    if (code < s_.num_bins) {
      const auto& mem = members_[code];
      const size_t k = nearest_index(
          mem.size(), [&](size_t j) { return s_.values[mem[j]]; }, v, lo, hi);
      if (k < mem.size()) {
        *out = s_.values[mem[k]];
        return true;
      }
    }
    const size_t i = nearest_index(
        s_.values.size(), [&](size_t j) { return s_.values[j]; }, v, lo, hi);
    if (i >= s_.values.size()) return false;
    *out = s_.values[i];
    return true;
  }

  void format_value(double v, std::string& out) const override {
    // A training value's text is ready (formatted once); others (sums, bounds) are formatted.
    auto it = std::lower_bound(s_.values.begin(), s_.values.end(), v);
    if (it == s_.values.end() || *it != v) return format(v, out);
    format_index(static_cast<size_t>(it - s_.values.begin()), out);
  }
  double min_value() const override { return s_.values.front(); }
  double max_value() const override { return s_.values.back(); }
  double unit() const override {
    return s_.integer ? 1.0 : s_.exponent ? 0.0 : std::pow(10.0, -s_.decimals);
  }

  void decode(Code code, core::Rng& rng, std::string& out) const override {
    if (code >= s_.num_bins) {
      out.append(s_.missing_text);
      return;
    }
    draw(code, rng, out);
  }
  void decode_csv(Code code, core::Rng& rng, std::string& out) const override {
    if (code >= s_.num_bins) {
      out.append(missing_csv_);
      return;
    }
    draw(code, rng, out);  // a number's text never needs quotes
  }

  // The text of a value drawn in bin `code`.
  void draw(Code code, core::Rng& rng, std::string& out) const {
    const auto& cum = cumulative_[code];
    const auto& mem = members_[code];
    if (s_.decode == NumericDecode::Empirical || mem.size() == 1) {
      const uint64_t t = rng.below(cum.back());
      // The bucket estimated in floating point may be one off: the search goes both
      // ways, and ends where upper_bound would.
      const auto bucket = std::min(cum.size() - 1, static_cast<size_t>(t * scale_[code]));
      size_t k = guide_[code][bucket];
      while (k > 0 && cum[k - 1] > t) --k;
      while (cum[k] <= t) ++k;
      const size_t i = mem[k];
      const size_t begin = i == 0 ? 0 : text_end_[i - 1];
      out.append(texts_, begin, text_end_[i] - begin);
      return;
    }
    double lo = s_.values[mem.front()], hi = s_.values[mem.back()];
    if (s_.integer) {
      auto span = static_cast<uint64_t>(hi - lo) + 1;
      format(lo + static_cast<double>(rng.below(span)), out);
    } else {
      double x = lo + rng.uniform() * (hi - lo);
      if (!s_.exponent) {
        double scale = std::pow(10.0, s_.decimals);
        x = std::clamp(std::round(x * scale) / scale, lo, hi);
      }
      format(x, out);
    }
  }

  ColumnCondition condition(std::string_view text, const std::string& name,
                            const std::string& spec) const override {
    ColumnCondition cond;
    if (is_token(text)) {
      if (!s_.has_missing) {
        throw InvalidArgument(fmt::format("{}: column '{}' had no missing values", spec, name));
      }
      cond.codes = {s_.num_bins};
      return cond;
    }
    auto bound = [&](std::string_view t, double open) {
      if (t.empty()) return open;
      auto v = core::parse_double(t);
      if (!v || std::isnan(*v)) {
        throw InvalidArgument(
            fmt::format("{}: '{}' is not a number (column '{}' is numeric; "
                        "use VALUE or LO..HI, either side may be open)",
                        spec, t, name));
      }
      return *v;
    };
    const size_t dots = text.find("..");
    ValueRange range;
    if (dots == std::string_view::npos) {
      if (text.empty()) throw InvalidArgument(fmt::format("{}: empty value", spec));
      range.lo = range.hi = bound(text, 0.0);
    } else {
      range.lo = bound(text.substr(0, dots), -INFINITY);
      range.hi = bound(text.substr(dots + 2), INFINITY);
    }
    if (range.lo > range.hi) {
      throw InvalidArgument(fmt::format("{}: the range is empty (low end above high end)", spec));
    }
    cond.ranges = {range};
    auto first = std::lower_bound(s_.values.begin(), s_.values.end(), range.lo);
    auto last = std::upper_bound(s_.values.begin(), s_.values.end(), range.hi);
    for (auto it = first; it < last; ++it) {
      cond.codes.push_back(s_.code_of[static_cast<size_t>(it - s_.values.begin())]);
    }
    std::sort(cond.codes.begin(), cond.codes.end());
    cond.codes.erase(std::unique(cond.codes.begin(), cond.codes.end()), cond.codes.end());
    if (cond.codes.empty()) {
      std::string lo, hi;
      format(s_.values.front(), lo);
      format(s_.values.back(), hi);
      throw InvalidArgument(
          fmt::format("{}: no training value of column '{}' lies in the range "
                      "(training values span {} to {})",
                      spec, name, lo, hi));
    }
    return cond;
  }

  void decode_within(Code code, const std::vector<ValueRange>& ranges, core::Rng& rng,
                     std::string& out) const override {
    if (code >= s_.num_bins) return decode(code, rng, out);
    const auto& mem = members_[code];
    auto inside = [&](double v) {
      return std::any_of(ranges.begin(), ranges.end(),
                         [v](const ValueRange& r) { return v >= r.lo && v <= r.hi; });
    };
    uint64_t total = 0;
    for (size_t i : mem) total += inside(s_.values[i]) ? s_.counts[i] : 0;
    if (total == 0) return decode(code, rng, out);  // not reached for a parsed condition
    uint64_t t = rng.below(total);
    for (size_t i : mem) {
      if (!inside(s_.values[i])) continue;
      if (t < s_.counts[i]) return format(s_.values[i], out);
      t -= s_.counts[i];
    }
  }

  int64_t missing_code() const override {
    return s_.has_missing ? static_cast<int64_t>(s_.num_bins) : -1;
  }
  Code unknown_code() const override { return s_.has_missing ? s_.num_bins : mode_; }

  std::string label(Code code) const override {
    if (code >= s_.num_bins) return "(missing)";
    std::string lo, hi;
    format(s_.values[members_[code].front()], lo);
    format(s_.values[members_[code].back()], hi);
    return lo == hi ? lo : "[" + lo + ", " + hi + "]";
  }

  nlohmann::json to_json() const override {
    return {{"kind", "numeric"},
            {"values", core::pack_array(s_.values)},
            {"counts", core::pack_array(s_.counts)},
            {"code_of", core::pack_array(s_.code_of)},
            {"num_bins", s_.num_bins},
            {"integer", s_.integer},
            {"decimals", s_.decimals},
            {"exponent", s_.exponent},
            {"decode", to_string(s_.decode)},
            {"discretizer", to_string(s_.discretizer)},
            {"has_missing", s_.has_missing},
            {"missing_text", s_.missing_text},
            {"missing_tokens", s_.tokens}};
  }

 private:
  void format(double v, std::string& out) const {
    if (s_.integer) {
      fmt::format_to(std::back_inserter(out), "{}", static_cast<long long>(v));
    } else if (s_.exponent) {
      fmt::format_to(std::back_inserter(out), "{}", v);
    } else {
      fmt::format_to(std::back_inserter(out), "{:.{}f}", v, s_.decimals);
    }
  }

  bool is_token(std::string_view field) const {
    return std::find(s_.tokens.begin(), s_.tokens.end(), field) != s_.tokens.end();
  }

  // Index of the training value nearest to v (ties to the lower one).
  size_t nearest(double v) const {
    auto it = std::lower_bound(s_.values.begin(), s_.values.end(), v);
    if (it == s_.values.end()) return s_.values.size() - 1;
    if (it == s_.values.begin() || *it == v) return static_cast<size_t>(it - s_.values.begin());
    const size_t hi = static_cast<size_t>(it - s_.values.begin());
    return (v - s_.values[hi - 1] <= s_.values[hi] - v) ? hi - 1 : hi;
  }

  State s_;
  std::string texts_;                              // every value's text, formatted
  std::vector<size_t> text_end_;                   // end of value i's text in texts_
  std::string missing_csv_;                        // the missing text as a CSV field
  std::vector<std::vector<size_t>> members_;       // value indices per bin
  std::vector<std::vector<uint64_t>> cumulative_;  // cumulative counts per bin
  std::vector<std::vector<uint32_t>> guide_;       // per bin: where a draw's search starts
  std::vector<double> scale_;                      // per bin: members / total count
  Code mode_ = 0;
};

}  // namespace

std::vector<uint32_t> quantile_bins(const std::vector<double>& values,
                                    const std::vector<uint64_t>& counts, int max_bins) {
  const size_t m = values.size();
  std::vector<uint32_t> bin(m, 0);
  if (m == 0) return bin;
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  const int bins = std::max(1, max_bins);
  std::vector<bool> point(m, false);
  uint64_t rest = total;
  int rest_bins = bins;
  for (size_t i = 0; i < m; ++i) {
    if (bins > 1 && counts[i] * static_cast<uint64_t>(bins) >= total) {
      point[i] = true;
      rest -= counts[i];
      --rest_bins;
    }
  }
  rest_bins = std::max(1, rest_bins);
  uint32_t current = 0;
  bool open = false;    // a non-point bin is being filled
  uint64_t filled = 0;  // rows in the open bin
  double target = static_cast<double>(rest) / rest_bins;
  for (size_t i = 0; i < m; ++i) {
    if (point[i]) {
      if (open) ++current;
      bin[i] = current++;
      open = false;
      continue;
    }
    if (!open) {
      open = true;
      filled = 0;
    }
    bin[i] = current;
    filled += counts[i];
    rest -= counts[i];
    bool next_is_point = i + 1 < m && point[i + 1];
    if (static_cast<double>(filled) >= target && i + 1 < m && !next_is_point) {
      ++current;
      open = false;
      rest_bins = std::max(1, rest_bins - 1);
      target = static_cast<double>(rest) / rest_bins;
    }
  }
  // Renumber densely (a trailing point mass may leave a gap).
  uint32_t next = 0;
  std::map<uint32_t, uint32_t> dense;
  for (auto& b : bin) {
    auto [it, inserted] = dense.emplace(b, next);
    if (inserted) ++next;
    b = it->second;
  }
  return bin;
}

std::unique_ptr<ColumnCodec> fit_numeric_codec(NumericSummary summary, const ColumnSchema& schema,
                                               uint64_t seed) {
  if (summary.values.empty()) {
    throw DataError(
        fmt::format("column '{}': no numeric values (every cell is missing); declare it "
                    "categorical",
                    schema.name));
  }
  NumericCodec::State s;
  s.integer = schema.type == ColumnType::Integer;
  s.decode = schema.decode;
  s.discretizer = schema.discretizer;
  s.tokens = schema.missing_tokens;
  s.decimals = s.integer ? 0 : summary.decimals;
  s.exponent = !s.integer && summary.exponent;
  s.has_missing = summary.has_missing;
  s.missing_text = std::move(summary.missing_text);
  s.values = std::move(summary.values);
  s.counts = std::move(summary.counts);
  if (schema.discretizer == DiscretizerKind::Quantile) {
    s.code_of = quantile_bins(s.values, s.counts, schema.bins);
  } else {
    DpgmmOptions opt;
    opt.max_components = std::max(1, schema.components);
    std::vector<double> weights(s.counts.begin(), s.counts.end());
    DpgmmModel model = fit_dpgmm(s.values, weights, opt, seed);
    std::vector<int> raw(s.values.size());
    for (size_t i = 0; i < s.values.size(); ++i) raw[i] = model.code(s.values[i]);
    // Dense codes in order of (mode by mean, sigma bin).
    std::map<int, uint32_t> dense;
    for (int r : raw) dense.emplace(r, 0);
    uint32_t next = 0;
    for (auto& kv : dense) kv.second = next++;
    s.code_of.resize(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) s.code_of[i] = dense[raw[i]];
  }
  s.num_bins = s.code_of.empty() ? 0 : *std::max_element(s.code_of.begin(), s.code_of.end()) + 1;
  return std::make_unique<NumericCodec>(std::move(s));
}

std::unique_ptr<ColumnCodec> numeric_codec_from_json(const nlohmann::json& j) {
  NumericCodec::State s;
  try {
    s.values = core::unpack_array<double>(j.at("values"), "values");
    s.counts = core::unpack_array<uint64_t>(j.at("counts"), "counts");
    s.code_of = core::unpack_array<uint32_t>(j.at("code_of"), "code_of");
    s.num_bins = j.at("num_bins").get<uint32_t>();
    s.integer = j.at("integer").get<bool>();
    s.decimals = j.at("decimals").get<int>();
    s.exponent = j.at("exponent").get<bool>();
    s.decode = j.at("decode").get<std::string>() == "uniform" ? NumericDecode::Uniform
                                                              : NumericDecode::Empirical;
    s.discretizer = j.at("discretizer").get<std::string>() == "dpgmm" ? DiscretizerKind::Dpgmm
                                                                      : DiscretizerKind::Quantile;
    s.has_missing = j.at("has_missing").get<bool>();
    s.missing_text = j.at("missing_text").get<std::string>();
    s.tokens = j.at("missing_tokens").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad numeric codec: ") + e.what());
  }
  const size_t m = s.values.size();
  if (m == 0 || s.counts.size() != m || s.code_of.size() != m || s.num_bins == 0 ||
      s.num_bins > m || s.decimals < 0 || s.decimals > kMaxDecimals) {
    throw ModelFormatError("model: inconsistent numeric codec");
  }
  std::vector<bool> used(s.num_bins, false);
  for (size_t i = 0; i < m; ++i) {
    if (s.code_of[i] >= s.num_bins || s.counts[i] == 0 || !std::isfinite(s.values[i]) ||
        (i > 0 && !(s.values[i - 1] < s.values[i]))) {
      throw ModelFormatError("model: inconsistent numeric codec");
    }
    used[s.code_of[i]] = true;
  }
  for (bool u : used) {
    if (!u) throw ModelFormatError("model: numeric codec has an empty bin");
  }
  return std::make_unique<NumericCodec>(std::move(s));
}

void tally_values(std::vector<std::pair<double, uint64_t>> tally, NumericSummary* summary) {
  std::sort(tally.begin(), tally.end());
  for (const auto& [v, c] : tally) {
    if (!summary->values.empty() && summary->values.back() == v) {
      summary->counts.back() += c;
    } else {
      summary->values.push_back(v);
      summary->counts.push_back(c);
    }
  }
}

void tally_missing(const std::vector<uint64_t>& counts, const std::vector<std::string>& tokens,
                   NumericSummary* summary) {
  uint64_t best = 0;
  for (size_t t = 0; t < counts.size(); ++t) {
    summary->has_missing = summary->has_missing || counts[t] > 0;
    if (counts[t] > best) {
      best = counts[t];
      summary->missing_text = tokens[t];
    }
  }
}

}  // namespace meg::data
