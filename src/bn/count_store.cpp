#include "bn/count_store.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>

#include "core/json_blob.hpp"
#include "meg/error.hpp"

namespace meg::bn {

nlohmann::json pack_narrow(const std::vector<uint32_t>& v) {
  const uint32_t mx = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
  const int width = mx < 256 ? 1 : mx < 65536 ? 2 : 4;
  std::vector<uint8_t> bytes(v.size() * static_cast<size_t>(width));
  for (size_t i = 0; i < v.size(); ++i) {
    for (int b = 0; b < width; ++b) bytes[i * width + b] = static_cast<uint8_t>(v[i] >> (8 * b));
  }
  return {{"width", width}, {"data", nlohmann::json::binary(std::move(bytes))}};
}

namespace {

void put_varint(std::vector<uint8_t>& out, uint64_t x) {
  while (x >= 0x80) {
    out.push_back(static_cast<uint8_t>(x | 0x80));
    x >>= 7;
  }
  out.push_back(static_cast<uint8_t>(x));
}

// Calls fn(x) for each varint x of `bytes` in turn (how many: count_varints); throws
// ModelFormatError naming `name` if one is above `max` or the last is cut short.
size_t count_varints(const std::vector<uint8_t>& bytes) {
  return static_cast<size_t>(
      std::count_if(bytes.begin(), bytes.end(), [](uint8_t b) { return (b & 0x80) == 0; }));
}
template <class Fn>
void for_each_varint(const std::vector<uint8_t>& bytes, uint64_t max, const std::string& name,
                     Fn&& fn) {
  uint64_t x = 0;
  int shift = 0;
  for (uint8_t b : bytes) {
    x |= shift <= 56 ? uint64_t{b & 0x7fu} << shift : UINT64_MAX;
    if (x > max) {
      throw ModelFormatError("model: field '" + name + "' holds a value out of range");
    }
    if (b & 0x80) {
      shift += 7;
      continue;
    }
    fn(x);
    x = 0;
    shift = 0;
  }
  if (shift != 0) throw ModelFormatError("model: field '" + name + "' has a truncated array");
}

const std::vector<uint8_t>& binary_field(const nlohmann::json& j, const char* key,
                                         const std::string& name) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_binary()) {
    throw ModelFormatError("model: field '" + name + "' is not a packed integer array");
  }
  return j[key].get_binary();
}

}  // namespace

nlohmann::json pack_varint(const std::vector<uint32_t>& v) {
  std::vector<uint8_t> bytes;
  bytes.reserve(v.size() + v.size() / 4);
  for (uint32_t x : v) put_varint(bytes, x);
  return {{"varint", nlohmann::json::binary(std::move(bytes))}};
}

std::vector<uint32_t> unpack_narrow(const nlohmann::json& j, const char* what) {
  const std::string name(what);
  if (j.is_object() && j.size() == 1 && j.contains("varint")) {
    const auto& bytes = binary_field(j, "varint", name);
    std::vector<uint32_t> v;
    v.reserve(count_varints(bytes));
    for_each_varint(bytes, UINT32_MAX, name,
                    [&](uint64_t x) { v.push_back(static_cast<uint32_t>(x)); });
    return v;
  }
  if (!j.is_object() || !j.contains("width") || !j.contains("data") ||
      !j["width"].is_number_integer() || !j["data"].is_binary()) {
    throw ModelFormatError("model: field '" + name + "' is not a packed integer array");
  }
  const int width = j["width"].get<int>();
  if (width != 1 && width != 2 && width != 4) {
    throw ModelFormatError("model: field '" + name + "' has a bad integer width");
  }
  const auto& bytes = j["data"].get_binary();
  if (bytes.size() % static_cast<size_t>(width) != 0) {
    throw ModelFormatError("model: field '" + name + "' has a truncated array");
  }
  std::vector<uint32_t> v(bytes.size() / static_cast<size_t>(width), 0);
  for (size_t i = 0; i < v.size(); ++i) {
    for (int b = 0; b < width; ++b) v[i] |= uint32_t{bytes[i * width + b]} << (8 * b);
  }
  return v;
}

namespace {

// A block's entries (model format 2): per entry one varint, gap * 4 + min(count, 4) - 1,
// where gap is the value itself for the block's first entry, else the value minus the
// previous one minus 1 (values ascend within a block); a count of 4 or more is continued
// in "large_counts" (count - 4). Most entries take one byte.
constexpr uint64_t kMaxEntryCode = (uint64_t{UINT32_MAX} << 2) | 3;

nlohmann::json pack_entries(const std::vector<uint32_t>& nnz, const std::vector<uint32_t>& values,
                            const std::vector<uint32_t>& counts) {
  std::vector<uint8_t> entries;
  entries.reserve(values.size() + values.size() / 8);
  std::vector<uint32_t> large;
  size_t e = 0;
  for (uint32_t k : nnz) {
    for (uint32_t i = 0; i < k; ++i, ++e) {
      const uint64_t gap = i == 0 ? values[e] : values[e] - values[e - 1] - 1;
      const uint32_t low = std::min<uint32_t>(counts[e], 4) - 1;
      put_varint(entries, gap << 2 | low);
      if (low == 3) large.push_back(counts[e] - 4);
    }
  }
  return {{"entries", nlohmann::json::binary(std::move(entries))},
          {"large_counts", pack_varint(large)}};
}

// The inverse of pack_entries into s.values and s.counts (s.nnz set). A value beyond 32
// bits becomes UINT32_MAX (out of range for any block, so the checks of from_json refuse
// it); so does a count.
void unpack_entries(const nlohmann::json& j, CountStore& s) {
  const auto& bytes = binary_field(j, "entries", "entries");
  const std::vector<uint32_t> large = unpack_narrow(j.at("large_counts"), "large_counts");
  // Written through plain pointers into arrays of the final size (one entry a varint): a
  // push_back through `s` reloads the vector's end and capacity every entry.
  std::vector<uint32_t> values(count_varints(bytes)), counts(values.size());
  uint32_t* value_out = values.data();
  uint32_t* count_out = counts.data();
  const uint32_t* nnz = s.nnz.data();
  const size_t blocks = s.nnz.size();
  size_t block = 0, left = 0, l = 0, e = 0;  // the block of the next entry, its entries to come
  uint64_t v = 0;
  for_each_varint(bytes, kMaxEntryCode, "entries", [&](uint64_t code) {
    while (left == 0 && block < blocks) left = nnz[block++];
    // Past the blocks' entries: kept as they come (from_json refuses the sizes).
    const bool first = left == 0 || left == nnz[block - 1];
    v = first ? code >> 2 : v + (code >> 2) + 1;
    if (left > 0) --left;
    value_out[e] = static_cast<uint32_t>(std::min<uint64_t>(v, UINT32_MAX));
    const uint64_t low = code & 3;
    if (low < 3) {
      count_out[e++] = static_cast<uint32_t>(low + 1);
      return;
    }
    if (l >= large.size()) throw ModelFormatError("model: count arrays do not match the blocks");
    count_out[e++] =
        static_cast<uint32_t>(std::min<uint64_t>(uint64_t{large[l++]} + 4, UINT32_MAX));
  });
  if (l != large.size()) throw ModelFormatError("model: count arrays do not match the blocks");
  s.values = std::move(values);
  s.counts = std::move(counts);
}

}  // namespace

nlohmann::json CountStore::to_json() const {
  return {{"smoothing", kind == Smoothing::Laplace ? "laplace" : "hierarchical"},
          {"alpha", alpha},
          {"m", m},
          {"nnz", pack_varint(nnz)},
          {"entries", pack_entries(nnz, values, counts)}};
}

CountStore CountStore::from_json(const nlohmann::json& j, const KdbLayout& layout,
                                 const ClassBlocks& blocks) {
  CountStore s;
  const std::string kind = j.at("smoothing").get<std::string>();
  if (kind != "laplace" && kind != "hierarchical") {
    throw ModelFormatError("model: unknown smoothing '" + kind + "'");
  }
  s.kind = kind == "laplace" ? Smoothing::Laplace : Smoothing::Hierarchical;
  s.alpha = j.at("alpha").get<double>();
  s.m = j.at("m").get<std::vector<double>>();
  if (!(s.alpha > 0 && std::isfinite(s.alpha)) || s.m.size() != layout.num_features()) {
    throw ModelFormatError("model: bad smoothing settings");
  }
  for (double m : s.m) {
    if (!(m >= 0 && std::isfinite(m))) throw ModelFormatError("model: bad smoothing strength");
  }
  s.nnz = unpack_narrow(j.at("nnz"), "nnz");
  // Format 1 stored the values and counts with fixed widths; format 2 packs them as
  // entries (pack_entries).
  if (j.contains("entries")) {
    unpack_entries(j.at("entries"), s);
  } else {
    s.values = unpack_narrow(j.at("values"), "values");
    s.counts = unpack_narrow(j.at("counts"), "counts");
  }
  if (s.nnz.size() != blocks.num_blocks() || s.values.size() != s.counts.size()) {
    throw ModelFormatError("model: count arrays have the wrong size");
  }
  std::vector<char> level0(layout.num_groups(), 0);
  for (size_t f = 0; f < layout.num_features(); ++f) {
    level0[static_cast<size_t>(layout.feature(f).levels[0].first_group())] = 1;
  }
  // Through plain pointers, a block's entries checked without a branch each (the first
  // exception is the same: a block's entries are checked only once its sizes are).
  const uint32_t* values = s.values.data();
  const uint32_t* counts = s.counts.data();
  const size_t entries = s.values.size();
  size_t e = 0;
  for (size_t b = 0; b < blocks.num_blocks(); ++b) {
    const uint32_t r = blocks.block_size(b), k = s.nnz[b];
    // Above level 0 a block is stored only when its (configuration, class) was counted.
    const bool empty_ok = level0[static_cast<size_t>(blocks.block_group(b))] != 0;
    if (k > r || k > entries - e || (k == 0 && !empty_ok)) {
      throw ModelFormatError("model: count arrays do not match the blocks");
    }
    bool bad = false;
    for (uint32_t i = 0; i < k; ++i) bad |= (values[e + i] >= r) | (counts[e + i] == 0);
    for (uint32_t i = 1; i < k; ++i) bad |= values[e + i - 1] >= values[e + i];
    if (bad) throw ModelFormatError("model: counts out of range or unsorted");
    e += k;
  }
  if (e != entries) throw ModelFormatError("model: count arrays do not match the blocks");
  return s;
}

FeatureCells feature_cells(const KdbLayout& layout, const ClassBlocks& blocks, size_t f) {
  const FeatureLayout& fl = layout.feature(f);
  auto cells_of = [&](const ConfigMap& first, const ConfigMap& last) {
    const auto g_begin = static_cast<size_t>(first.first_group());
    const auto g_end = static_cast<size_t>(last.first_group()) + last.size();
    return std::pair<size_t, size_t>(blocks.offset(blocks.begin(g_begin)),
                                     blocks.offset(blocks.begin(g_end)));
  };
  FeatureCells out;
  std::tie(out.top_begin, out.top_end) = cells_of(fl.levels.back(), fl.levels.back());
  if (fl.levels.size() > 1) {
    std::tie(out.backoff_begin, out.backoff_end) =
        cells_of(fl.levels[0], fl.levels[fl.levels.size() - 2]);
  }
  return out;
}

void smooth_block(const CountStore& store, size_t f, size_t first, size_t last, uint32_t r,
                  const double* below, double* n, double* p) {
  std::fill(n, n + r, 0.0);
  double total = 0.0;
  for (size_t e = first; e < last; ++e) {
    n[store.values[e]] = store.counts[e];
    total += store.counts[e];
  }
  if (below == nullptr || (store.kind == Smoothing::Laplace && total > 0)) {
    for (uint32_t v = 0; v < r; ++v) p[v] = (n[v] + store.alpha) / (total + store.alpha * r);
  } else if (store.kind == Smoothing::Laplace) {
    std::copy(below, below + r, p);
  } else {
    const double m = store.m[f];
    for (uint32_t v = 0; v < r; ++v) p[v] = (n[v] + m * below[v]) / (total + m);
  }
}

CountSmoother::CountSmoother(const KdbLayout& layout, const ClassBlocks& blocks,
                             const CountStore& store)
    : layout_(layout), blocks_(blocks), store_(store), first_entry_(blocks.num_blocks() + 1, 0) {
  for (size_t b = 0; b < blocks.num_blocks(); ++b)
    first_entry_[b + 1] = first_entry_[b] + store.nnz[b];
}

void CountSmoother::smooth_feature(size_t f,
                                   const std::function<void(size_t b, const double* p)>& fn,
                                   bool top) {
  const FeatureLayout& fl = layout_.feature(f);
  const FeatureCells cells = feature_cells(layout_, blocks_, f);
  const uint32_t r = fl.card;
  backoff_.assign(cells.backoff_end - cells.backoff_begin, 0.0);
  n_.resize(r);
  top_.resize(r);
  const size_t levels = fl.levels.size() - (top ? 0 : 1);
  for (size_t j = 0; j < levels; ++j) {  // parents before children
    const ConfigMap& level = fl.levels[j];
    const auto g_begin = static_cast<size_t>(level.first_group());
    for (size_t b = blocks_.begin(g_begin); b < blocks_.begin(g_begin + level.size()); ++b) {
      double* p = j + 1 == fl.levels.size() ? top_.data()
                                            : &backoff_[blocks_.offset(b) - cells.backoff_begin];
      const double* below = nullptr;
      if (j > 0) {
        const int32_t bb = blocks_.resolve(
            layout_, layout_.parent_group(static_cast<size_t>(blocks_.block_group(b))),
            blocks_.block_class(b));
        below = &backoff_[blocks_.offset(static_cast<size_t>(bb)) - cells.backoff_begin];
      }
      smooth_block(store_, f, first_entry_[b], first_entry_[b + 1], r, below, n_.data(), p);
      fn(b, p);
    }
  }
}

void for_each_smoothed_block(const KdbLayout& layout, const ClassBlocks& blocks,
                             const CountStore& store,
                             const std::function<void(size_t b, const double* p)>& fn) {
  CountSmoother smoother(layout, blocks, store);
  for (size_t f = 0; f < layout.num_features(); ++f) smoother.smooth_feature(f, fn);
}

std::vector<double> smooth_counts(const KdbLayout& layout, const ClassBlocks& blocks,
                                  const CountStore& store) {
  std::vector<double> logp(blocks.total_cells());
  for_each_smoothed_block(layout, blocks, store, [&](size_t b, const double* p) {
    double* out = &logp[blocks.offset(b)];
    for (uint32_t v = 0; v < blocks.block_size(b); ++v) out[v] = std::log(p[v]);
  });
  return logp;
}

}  // namespace meg::bn
