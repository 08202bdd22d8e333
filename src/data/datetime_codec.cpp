#include "data/datetime_codec.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/datetime_format.hpp"
#include "data/numeric_codec.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

// The numeric view (joint decoding, order rules: data/row_model.hpp) works in the inner
// codec's units; a jittered column's values are moved off the training values as decode()
// moves them, the grid point chosen from the bits of the position (itself drawn).
class TemporalCodec final : public ColumnCodec, public NumericView {
 public:
  // `values`: the sorted distinct training values (units) for a jittered decode, else empty.
  TemporalCodec(TimePattern pattern, int offset, std::unique_ptr<ColumnCodec> inner,
                std::vector<double> values)
      : pattern_(std::move(pattern)),
        offset_(offset),
        inner_(std::move(inner)),
        values_(std::move(values)) {
    if (!std::is_sorted(values_.begin(), values_.end()))
      throw ModelFormatError("model: date/time values not sorted");
    for (double v : values_) codes_.push_back(inner_->encode(fmt::format("{}", v)));
    scale_ = std::pow(10.0, pattern_.epoch() ? 0 : pattern_.fraction_digits());
  }

  const NumericView* numeric_view() const override {
    return inner_->numeric_view() ? this : nullptr;
  }
  Code locate(double v, double r, double* position) const override {
    return inner_->numeric_view()->locate(v, r, position);
  }
  double value_at(Code code, double u) const override {
    const double v = inner_->numeric_view()->value_at(code, u);
    if (values_.empty()) return v;
    uint64_t bits = 0;
    std::memcpy(&bits, &u, sizeof bits);
    core::Rng rng(core::derive_seed(bits, {code}));
    return jitter_value(code, v, rng);
  }
  bool nearest_within(Code code, double v, double lo, double hi, double* out) const override {
    double w = 0;
    if (!inner_->numeric_view()->nearest_within(code, v, lo, hi, &w)) return false;
    if (!values_.empty()) {  // off the training value, kept in [lo, hi]
      uint64_t bits = 0;
      std::memcpy(&bits, &v, sizeof bits);
      core::Rng rng(core::derive_seed(bits, {code, 1}));
      w = std::clamp(jitter_value(code, w, rng), lo, hi);
    }
    *out = w;
    return true;
  }
  void format_value(double v, std::string& out) const override {
    if (pattern_.epoch()) return inner_->numeric_view()->format_value(v, out);
    pattern_.format(v * pattern_.unit(), offset_, out);
  }
  bool text_may_need_quotes() const override {
    return pattern_.text().find_first_of(",\"\r\n") != std::string::npos;
  }
  double min_value() const override { return inner_->numeric_view()->min_value(); }
  double max_value() const override { return inner_->numeric_view()->max_value(); }
  double number_of(std::string_view text) const override {
    const auto s = pattern_.parse(text);
    return s ? *s / pattern_.unit() : NAN;
  }

  uint32_t cardinality() const override { return inner_->cardinality(); }
  Code encode(std::string_view field) const override {
    const auto v = value_text(field);
    return v ? inner_->encode(*v) : inner_->encode(field);  // a token, or unknown
  }
  void decode(Code code, core::Rng& rng, std::string& out) const override {
    std::string number;
    inner_->decode(code, rng, number);
    if (!values_.empty() && static_cast<int64_t>(code) != inner_->missing_code()) {
      number = jitter(code, number, rng);
    }
    write(code, number, out);
  }
  void decode_within(Code code, const std::vector<ValueRange>& ranges, core::Rng& rng,
                     std::string& out) const override {
    std::string number;
    inner_->decode_within(code, ranges, rng, number);
    write(code, number, out);
  }
  int64_t missing_code() const override { return inner_->missing_code(); }
  Code unknown_code() const override { return inner_->unknown_code(); }
  std::string label(Code code) const override { return inner_->label(code); }
  ColumnCondition condition(std::string_view text, const std::string& name,
                            const std::string& spec) const override {
    // A value, or a range LO..HI (either side open), in the column's own format.
    const size_t dots = text.find("..");
    if (dots == std::string_view::npos) {
      const auto v = value_text(text);
      return inner_->condition(v ? std::string_view(*v) : text, name, spec);
    }
    auto side = [&](std::string_view t) -> std::string {
      if (t.empty()) return "";
      const auto v = value_text(t);
      if (!v) {
        throw InvalidArgument(fmt::format("{}: '{}' is not a value of column '{}' (format {})",
                                          spec, t, name, pattern_.text()));
      }
      return *v;
    };
    return inner_->condition(side(text.substr(0, dots)) + ".." + side(text.substr(dots + 2)), name,
                             spec);
  }
  nlohmann::json to_json() const override {
    nlohmann::json j = {{"kind", "temporal"},
                        {"format", pattern_.text()},
                        {"offset_minutes", offset_},
                        {"inner", inner_->to_json()}};
    if (!values_.empty()) j["jitter_values"] = values_;
    return j;
  }

 private:
  // A value drawn uniformly, at the resolution, in the neighbourhood of the training value
  // `number` (halfway to the training values on either side that have the same code), other
  // than the training value itself unless the neighbourhood holds nothing else.
  std::string jitter(Code code, const std::string& number, core::Rng& rng) const {
    const auto v = core::parse_double(number);
    if (!v) return number;
    const double y = jitter_value(code, *v, rng);
    return y == *v ? number : fmt::format("{}", y);
  }
  double jitter_value(Code code, double v, core::Rng& rng) const {
    size_t i =
        static_cast<size_t>(std::lower_bound(values_.begin(), values_.end(), v) - values_.begin());
    if (i == values_.size() || (i > 0 && v - values_[i - 1] < values_[i] - v)) --i;
    const double x = values_[i];
    const double lo = i > 0 && codes_[i - 1] == code ? (values_[i - 1] + x) / 2 : x;
    const double hi =
        i + 1 < values_.size() && codes_[i + 1] == code ? (x + values_[i + 1]) / 2 : x;
    // The grid points (value x scale) of [lo, hi], and x's.
    const double a = std::ceil(lo * scale_ - 1e-6), b = std::floor(hi * scale_ + 1e-6);
    const double c = std::round(x * scale_);
    if (!(b - a >= 1.0) || b - a > 9.0e15) return v;
    double y = a + static_cast<double>(rng.below(static_cast<uint64_t>(b - a)));
    if (y >= c) y += 1.0;  // skip the training value
    return y / scale_;
  }
  // The number the inner codec knows for a text of the pattern.
  std::optional<std::string> value_text(std::string_view text) const {
    const auto s = pattern_.parse(text);
    if (!s) return std::nullopt;
    return fmt::format("{}", *s / pattern_.unit());
  }
  void write(Code code, const std::string& number, std::string& out) const {
    if (static_cast<int64_t>(code) == inner_->missing_code() || pattern_.epoch()) {
      out += number;
      return;
    }
    const auto v = core::parse_double(number);
    if (!v) throw DataError("date/time codec: the numeric codec gave '" + number + "'");
    pattern_.format(*v * pattern_.unit(), offset_, out);
  }

  TimePattern pattern_;
  int offset_;
  std::unique_ptr<ColumnCodec> inner_;
  std::vector<double> values_;  // jitter: sorted distinct training values, with their codes
  std::vector<Code> codes_;
  double scale_ = 1.0;  // 10^decimals of the values
};

}  // namespace

std::unique_ptr<ColumnCodec> fit_temporal_codec(const std::vector<std::string_view>& texts,
                                                const std::vector<uint64_t>& counts,
                                                const std::vector<uint64_t>& missing_counts,
                                                const ColumnSchema& schema, uint64_t seed) {
  TimePattern pattern = TimePattern::compile(schema.format, "column '" + schema.name + "'");
  const double unit = pattern.unit();
  std::vector<std::pair<double, uint64_t>> tally;
  std::map<int, uint64_t> offsets;
  for (size_t i = 0; i < texts.size(); ++i) {
    int offset = 0;
    const auto s = pattern.parse(texts[i], &offset);
    if (!s) {
      throw DataError(fmt::format("column '{}': '{}' does not fit the format '{}'", schema.name,
                                  core::printable(texts[i]), schema.format));
    }
    tally.emplace_back(*s / unit, counts[i]);
    offsets[offset] += counts[i];
  }
  NumericSummary summary;
  tally_values(std::move(tally), &summary);
  if (summary.values.empty()) {
    throw DataError(
        fmt::format("column '{}': no date/time values (every cell is missing)", schema.name));
  }
  // Values in units are whole, but for the fraction of a second (and offsets in minutes
  // of a minute-unit column, always whole).
  summary.decimals = pattern.epoch() ? 0 : pattern.fraction_digits();
  tally_missing(missing_counts, schema.missing_tokens, &summary);
  int offset = 0;  // the most frequent offset
  uint64_t best = 0;
  for (const auto& [o, n] : offsets) {
    if (n > best) best = n, offset = o;
  }
  ColumnSchema inner = schema;
  inner.type = summary.decimals > 0 ? ColumnType::Continuous : ColumnType::Integer;
  std::vector<double> values;
  if (schema.decode == NumericDecode::Jitter) {  // the inner codec draws training values
    inner.decode = NumericDecode::Empirical;
    values = summary.values;
  }
  return std::make_unique<TemporalCodec>(std::move(pattern), offset,
                                         fit_numeric_codec(std::move(summary), inner, seed),
                                         std::move(values));
}

std::unique_ptr<ColumnCodec> temporal_codec(const std::string& format, int offset_minutes,
                                            std::unique_ptr<ColumnCodec> inner) {
  return std::make_unique<TemporalCodec>(TimePattern::compile(format, "format"), offset_minutes,
                                         std::move(inner), std::vector<double>{});
}

std::unique_ptr<ColumnCodec> temporal_codec_from_json(const nlohmann::json& j) {
  try {
    TimePattern pattern = TimePattern::compile(j.at("format").get<std::string>(), "model");
    const int offset = j.at("offset_minutes").get<int>();
    if (offset < -24 * 60 || offset > 24 * 60) throw ModelFormatError("model: bad offset");
    return std::make_unique<TemporalCodec>(
        std::move(pattern), offset, numeric_codec_from_json(j.at("inner")),
        j.contains("jitter_values") ? j["jitter_values"].get<std::vector<double>>()
                                    : std::vector<double>{});
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad date/time codec: ") + e.what());
  } catch (const DataError& e) {
    throw ModelFormatError(std::string("model: bad date/time codec: ") + e.what());
  }
}

}  // namespace meg::data
