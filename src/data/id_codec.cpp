#include "data/id_codec.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

constexpr uint64_t kMaxSize = uint64_t{1} << 62;
// Room a shape makes for fresh ids where it can: this many times the training ids.
constexpr uint64_t kRoom = 64;

// A canonical integer text (no sign '+', no leading zero): its value.
std::optional<int64_t> canonical_integer(std::string_view s) {
  if (!is_integer_text(s) || s[0] == '+') return std::nullopt;
  const size_t digits_at = s[0] == '-' ? 1 : 0;
  if (s.size() - digits_at > 1 && s[digits_at] == '0') return std::nullopt;
  if (s == "-0") return std::nullopt;
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string alphabet_of(const std::string& seen) {
  static constexpr std::array<std::string_view, 5> kClasses = {
      "0123456789", "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEF", "GHIJKLMNOPQRSTUVWXYZ"};
  std::string out;
  for (char c : seen) {
    bool in_class = false;
    for (auto cls : kClasses) {
      if (cls.find(c) != std::string_view::npos) {
        in_class = true;
        if (out.find(cls[0]) == std::string::npos) out += cls;
      }
    }
    if (!in_class && out.find(c) == std::string::npos) out.push_back(c);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A keyed permutation of [0, size): a balanced Feistel network on 2^(2h) >= size values,
// walked until the value is inside the range.
class Permutation {
 public:
  Permutation(uint64_t key, uint64_t size) : key_(key), size_(size) {
    const int bits = size <= 1 ? 2 : std::bit_width(size - 1);
    half_ = std::max(1, (bits + 1) / 2);
    mask_ = (uint64_t{1} << half_) - 1;
  }
  uint64_t forward(uint64_t x) const {
    do x = rounds(x, false);
    while (x >= size_);
    return x;
  }
  uint64_t inverse(uint64_t x) const {
    do x = rounds(x, true);
    while (x >= size_);
    return x;
  }

 private:
  static constexpr int kRounds = 6;
  uint64_t f(int round, uint64_t x) const {
    return core::mix64(key_ ^
                       core::mix64(x + static_cast<uint64_t>(round) * 0x9e3779b97f4a7c15ULL)) &
           mask_;
  }
  uint64_t rounds(uint64_t x, bool back) const {
    uint64_t l = x >> half_, r = x & mask_;
    for (int i = 0; i < kRounds; ++i) {
      if (!back) {
        const uint64_t t = l ^ f(i, r);
        l = r;
        r = t;
      } else {
        const uint64_t t = r ^ f(kRounds - 1 - i, l);
        r = l;
        l = t;
      }
    }
    return (l << half_) | r;
  }
  uint64_t key_, size_;
  int half_;
  uint64_t mask_;
};

class IdCodec final : public ColumnCodec {
 public:
  IdCodec(std::string name, IdShape shape, uint64_t key, std::vector<uint64_t> excluded,
          std::vector<std::string> tokens, bool has_missing, std::string missing_text)
      : name_(std::move(name)),
        shape_(std::move(shape)),
        key_(key),
        excluded_(std::move(excluded)),
        tokens_(std::move(tokens)),
        has_missing_(has_missing),
        missing_text_(std::move(missing_text)),
        perm_(key, shape_.size) {
    if (shape_.size > kMaxSize || excluded_.size() > shape_.size ||
        !std::is_sorted(excluded_.begin(), excluded_.end()) ||
        (!excluded_.empty() && excluded_.back() >= shape_.size) ||
        (!shape_.integer && shape_.alphabets.size() != shape_.pattern.size())) {
      throw ModelFormatError("model: bad id codec");
    }
    // The permuted positions: the last varying ones whose product fits the size.
    tail_from_ = shape_.alphabets.size();
    uint64_t product = 1;
    while (tail_from_ > 0) {
      const size_t k = shape_.alphabets[tail_from_ - 1].size();
      if (k > 0 && product > kMaxSize / k) break;
      product *= std::max<size_t>(k, 1);
      --tail_from_;
    }
    if (!shape_.integer && product != shape_.size) throw ModelFormatError("model: bad id shape");
  }

  uint32_t cardinality() const override { return has_missing_ ? 2 : 1; }
  Code encode(std::string_view field) const override {
    return has_missing_ && is_token(field) ? 1 : 0;
  }
  void decode(Code code, core::Rng& rng, std::string& out) const override {
    const uint64_t room = capacity();
    if (code == 1 || room == 0) {
      out += missing_text_;
    } else {
      generate(rng.below(room), out);
    }
  }
  void decode_row(Code code, uint64_t row, core::Rng&, std::string& out) const override {
    if (code == 1) {
      out += missing_text_;
    } else {
      generate(row, out);
    }
  }
  void decode_csv_row(Code code, uint64_t row, core::Rng& rng, std::string& out) const override {
    std::string cell;
    decode_row(code, row, rng, cell);
    append_csv_field(out, cell);
  }
  int64_t missing_code() const override { return has_missing_ ? 1 : -1; }
  Code unknown_code() const override { return 0; }
  std::string label(Code code) const override { return code == 1 ? "(missing)" : "(fresh id)"; }
  ColumnCondition condition(std::string_view, const std::string& name,
                            const std::string& spec) const override {
    throw InvalidArgument(fmt::format(
        "{}: column '{}' is an id column: its values are generated fresh, not modelled, and "
        "cannot be a condition",
        spec, name));
  }
  nlohmann::json to_json() const override {
    std::vector<uint64_t> gaps(excluded_.size());  // delta-coded
    for (size_t i = 0; i < gaps.size(); ++i) gaps[i] = excluded_[i] - (i ? excluded_[i - 1] : 0);
    return {{"kind", "id"},
            {"name", name_},
            {"integer", shape_.integer},
            {"lo", shape_.lo},
            {"pattern", shape_.pattern},
            {"alphabets", shape_.alphabets},
            {"size", shape_.size},
            {"key", key_},
            {"excluded_gaps", std::move(gaps)},
            {"missing_tokens", tokens_},
            {"has_missing", has_missing_},
            {"missing_text", missing_text_}};
  }

  // The permuted position of an id of the shape, or nullopt when the text is not one.
  std::optional<uint64_t> position(std::string_view id) const {
    if (shape_.integer) {
      const auto v = canonical_integer(id);
      if (!v || *v < shape_.lo || static_cast<uint64_t>(*v - shape_.lo) >= shape_.size) {
        return std::nullopt;
      }
      return static_cast<uint64_t>(*v - shape_.lo);
    }
    if (id.size() != shape_.pattern.size()) return std::nullopt;
    uint64_t p = 0;
    for (size_t i = 0; i < id.size(); ++i) {
      const std::string& a = shape_.alphabets[i];
      if (a.empty()) {
        if (id[i] != shape_.pattern[i]) return std::nullopt;
        continue;
      }
      const size_t k = a.find(id[i]);
      if (k == std::string::npos) return std::nullopt;
      if (i >= tail_from_) p = p * a.size() + k;
    }
    return p;
  }
  const Permutation& permutation() const { return perm_; }

 private:
  bool is_token(std::string_view field) const {
    return std::find(tokens_.begin(), tokens_.end(), field) != tokens_.end();
  }
  uint64_t capacity() const { return shape_.size - excluded_.size(); }
  // Row r's id: pi(j) for j the r-th number of [0, size) outside the exclusion set.
  void generate(uint64_t row, std::string& out) const {
    if (row >= capacity()) {
      throw DataError(fmt::format(
          "column '{}': its id shape holds {} fresh ids, fewer than the rows asked for; "
          "sample fewer rows or declare the column categorical",
          name_, capacity()));
    }
    // The first k with excluded_[k] - k > row: the excluded numbers below the answer.
    size_t lo = 0, hi = excluded_.size();
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (excluded_[mid] - mid > row) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    uint64_t p = perm_.forward(row + lo);
    if (shape_.integer) {
      out += fmt::format("{}", shape_.lo + static_cast<int64_t>(p));
      return;
    }
    const size_t start = out.size();
    out += shape_.pattern;
    for (size_t i = shape_.alphabets.size(); i-- > tail_from_;) {
      const std::string& a = shape_.alphabets[i];
      if (a.empty()) continue;
      out[start + i] = a[p % a.size()];
      p /= a.size();
    }
    for (size_t i = 0; i < tail_from_; ++i) {
      const std::string& a = shape_.alphabets[i];
      if (a.empty()) continue;
      out[start + i] = a[core::mix64(key_ ^ core::mix64(row * 131 + i + 1)) % a.size()];
    }
  }

  std::string name_;
  IdShape shape_;
  uint64_t key_;
  std::vector<uint64_t> excluded_;
  std::vector<std::string> tokens_;
  bool has_missing_;
  std::string missing_text_;
  Permutation perm_;
  size_t tail_from_ = 0;
};

}  // namespace

IdShape id_shape(const std::vector<std::string_view>& ids) {
  IdShape shape;
  std::vector<int64_t> ints;
  for (auto id : ids) {
    const auto v = canonical_integer(id);
    if (!v) break;
    ints.push_back(*v);
  }
  if (!ids.empty() && ints.size() == ids.size()) {
    shape.integer = true;
    const auto [mn, mx] = std::minmax_element(ints.begin(), ints.end());
    shape.lo = *mn;
    const uint64_t span = static_cast<uint64_t>(*mx - *mn) + 1;
    shape.size = std::min(kMaxSize, std::max(span, kRoom * static_cast<uint64_t>(ids.size())));
    const size_t len = ids[0].size();
    const bool same_length =
        *mn > 0 && std::all_of(ids.begin(), ids.end(), [&](auto s) { return s.size() == len; });
    if (same_length && len < 18) {  // stay within the digit count
      uint64_t end = 1;
      for (size_t i = 0; i < len; ++i) end *= 10;
      shape.size = std::min(shape.size, end - static_cast<uint64_t>(shape.lo));
    }
    return shape;
  }
  std::map<size_t, size_t> lengths;
  for (auto id : ids) ++lengths[id.size()];
  size_t len = 0, best = 0;
  for (auto [l, n] : lengths) {
    if (n > best) best = n, len = l;
  }
  std::vector<std::string> seen(len);
  for (auto id : ids) {
    if (id.size() != len) continue;
    for (size_t i = 0; i < len; ++i) {
      if (seen[i].size() < 64 && seen[i].find(id[i]) == std::string::npos) seen[i] += id[i];
    }
  }
  shape.pattern.assign(len, ' ');
  shape.alphabets.resize(len);
  for (size_t i = 0; i < len; ++i) {
    shape.pattern[i] = seen[i].empty() ? ' ' : seen[i][0];
    if (seen[i].size() > 1) shape.alphabets[i] = alphabet_of(seen[i]);
  }
  auto size_of = [&] {
    uint64_t size = 1;
    for (size_t i = len; i-- > 0;) {
      const size_t k = shape.alphabets[i].size();
      if (k == 0) continue;
      if (size > kMaxSize / k) break;
      size *= k;
    }
    return size;
  };
  // Room for fresh ids: constant digits left of varying ones vary too (right to left), so
  // "T0100000".."T0104193" also makes "T0123456", until the shape holds kRoom x the ids.
  uint64_t size = size_of();
  const uint64_t want = std::min(kMaxSize, kRoom * static_cast<uint64_t>(ids.size()));
  for (size_t i = len; size < want && i-- > 0;) {
    const bool digit = shape.pattern[i] >= '0' && shape.pattern[i] <= '9';
    if (!shape.alphabets[i].empty() || !digit) continue;
    bool varying_right = false;
    for (size_t k = i + 1; k < len; ++k)
      varying_right = varying_right || !shape.alphabets[k].empty();
    if (!varying_right) continue;
    shape.alphabets[i] = "0123456789";
    size = size_of();
  }
  shape.size = size;
  return shape;
}

std::unique_ptr<ColumnCodec> fit_id_codec(const std::vector<std::string_view>& ids,
                                          const std::vector<uint64_t>& missing_counts,
                                          const ColumnSchema& schema, uint64_t seed) {
  IdShape shape = id_shape(ids);
  const uint64_t key = core::derive_seed(seed, {0x6964});
  bool has_missing = false;
  std::string missing_text;
  uint64_t best = 0;
  for (size_t t = 0; t < missing_counts.size(); ++t) {
    has_missing = has_missing || missing_counts[t] > 0;
    if (missing_counts[t] > best) best = missing_counts[t], missing_text = schema.missing_tokens[t];
  }
  IdCodec probe(schema.name, shape, key, {}, schema.missing_tokens, has_missing, missing_text);
  std::vector<uint64_t> excluded;
  for (auto id : ids) {
    if (const auto p = probe.position(id)) excluded.push_back(probe.permutation().inverse(*p));
  }
  std::sort(excluded.begin(), excluded.end());
  excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());
  return std::make_unique<IdCodec>(schema.name, std::move(shape), key, std::move(excluded),
                                   schema.missing_tokens, has_missing, std::move(missing_text));
}

std::unique_ptr<ColumnCodec> id_codec_from_json(const nlohmann::json& j) {
  try {
    IdShape shape;
    shape.integer = j.at("integer").get<bool>();
    shape.lo = j.at("lo").get<int64_t>();
    shape.pattern = j.at("pattern").get<std::string>();
    shape.alphabets = j.at("alphabets").get<std::vector<std::string>>();
    shape.size = j.at("size").get<uint64_t>();
    std::vector<uint64_t> excluded = j.at("excluded_gaps").get<std::vector<uint64_t>>();
    for (size_t i = 1; i < excluded.size(); ++i) {
      if (excluded[i] == 0 || excluded[i] > UINT64_MAX - excluded[i - 1])
        throw ModelFormatError("model: bad id codec exclusions");
      excluded[i] += excluded[i - 1];
    }
    return std::make_unique<IdCodec>(
        j.at("name").get<std::string>(), std::move(shape), j.at("key").get<uint64_t>(),
        std::move(excluded), j.at("missing_tokens").get<std::vector<std::string>>(),
        j.at("has_missing").get<bool>(), j.at("missing_text").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad id codec: ") + e.what());
  }
}

}  // namespace meg::data
