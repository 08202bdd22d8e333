#include "bn/count_store.hpp"

#include <algorithm>
#include <cmath>
#include <string>

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

std::vector<uint32_t> unpack_narrow(const nlohmann::json& j, const char* what) {
  const std::string name(what);
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

nlohmann::json CountStore::to_json() const {
  return {{"smoothing", kind == Smoothing::Laplace ? "laplace" : "hierarchical"},
          {"alpha", alpha},
          {"m", m},
          {"nnz", pack_narrow(nnz)},
          {"values", pack_narrow(values)},
          {"counts", pack_narrow(counts)}};
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
  s.values = unpack_narrow(j.at("values"), "values");
  s.counts = unpack_narrow(j.at("counts"), "counts");
  if (s.nnz.size() != blocks.num_blocks() || s.values.size() != s.counts.size()) {
    throw ModelFormatError("model: count arrays have the wrong size");
  }
  std::vector<char> level0(layout.num_groups(), 0);
  for (size_t f = 0; f < layout.num_features(); ++f) {
    level0[static_cast<size_t>(layout.feature(f).levels[0].first_group())] = 1;
  }
  size_t e = 0;
  for (size_t b = 0; b < blocks.num_blocks(); ++b) {
    const uint32_t r = blocks.block_size(b);
    // Above level 0 a block is stored only when its (configuration, class) was counted.
    const bool empty_ok = level0[static_cast<size_t>(blocks.block_group(b))] != 0;
    if (s.nnz[b] > r || s.nnz[b] > s.values.size() - e || (s.nnz[b] == 0 && !empty_ok)) {
      throw ModelFormatError("model: count arrays do not match the blocks");
    }
    for (uint32_t i = 0; i < s.nnz[b]; ++i, ++e) {
      if (s.values[e] >= r || (i > 0 && s.values[e - 1] >= s.values[e]) || s.counts[e] == 0) {
        throw ModelFormatError("model: counts out of range or unsorted");
      }
    }
  }
  if (e != s.values.size()) throw ModelFormatError("model: count arrays do not match the blocks");
  return s;
}

void for_each_smoothed_block(const KdbLayout& layout, const ClassBlocks& blocks,
                             const CountStore& store,
                             const std::function<void(size_t b, const double* p)>& fn) {
  std::vector<size_t> first_entry(blocks.num_blocks() + 1, 0);
  for (size_t b = 0; b < blocks.num_blocks(); ++b) first_entry[b + 1] = first_entry[b] + store.nnz[b];
  // Back-off blocks come after the trainable (full-level) ones, cells included.
  const size_t backoff_cells = blocks.trainable_cells();
  std::vector<double> backoff(blocks.total_cells() - backoff_cells, 0.0);
  std::vector<double> n, top;
  for (size_t f = 0; f < layout.num_features(); ++f) {
    const FeatureLayout& fl = layout.feature(f);
    const uint32_t r = fl.card;
    n.resize(r);
    top.resize(r);
    for (size_t j = 0; j < fl.levels.size(); ++j) {  // parents before children
      const ConfigMap& level = fl.levels[j];
      const auto g_begin = static_cast<size_t>(level.first_group());
      for (size_t b = blocks.begin(g_begin); b < blocks.begin(g_begin + level.size()); ++b) {
        std::fill(n.begin(), n.end(), 0.0);
        double total = 0.0;
        for (size_t e = first_entry[b]; e < first_entry[b + 1]; ++e) {
          n[store.values[e]] = store.counts[e];
          total += store.counts[e];
        }
        double* p = b < blocks.trainable_blocks() ? top.data()
                                                  : &backoff[blocks.offset(b) - backoff_cells];
        if (j == 0 || (store.kind == Smoothing::Laplace && total > 0)) {
          for (uint32_t v = 0; v < r; ++v) p[v] = (n[v] + store.alpha) / (total + store.alpha * r);
        } else {
          const int32_t below = blocks.resolve(
              layout, layout.parent_group(static_cast<size_t>(blocks.block_group(b))),
              blocks.block_class(b));
          const double* pb = &backoff[blocks.offset(static_cast<size_t>(below)) - backoff_cells];
          if (store.kind == Smoothing::Laplace) {
            std::copy(pb, pb + r, p);
          } else {
            const double m = store.m[f];
            for (uint32_t v = 0; v < r; ++v) p[v] = (n[v] + m * pb[v]) / (total + m);
          }
        }
        fn(b, p);
      }
    }
  }
}

CountLookup::CountLookup(const KdbLayout& layout, const ClassBlocks& blocks,
                         const CountStore& store)
    : layout_(layout), blocks_(blocks), store_(store) {
  first_entry_.assign(blocks.num_blocks() + 1, 0);
  total_.assign(blocks.num_blocks(), 0.0);
  for (size_t b = 0; b < blocks.num_blocks(); ++b) {
    first_entry_[b + 1] = first_entry_[b] + store.nnz[b];
    for (size_t e = first_entry_[b]; e < first_entry_[b + 1]; ++e) total_[b] += store.counts[e];
  }
}

double CountLookup::prob(size_t b, uint32_t v) const {
  const auto* begin = store_.values.data() + first_entry_[b];
  const auto* end = store_.values.data() + first_entry_[b + 1];
  const auto* it = std::lower_bound(begin, end, v);
  const double n = it != end && *it == v ? store_.counts[static_cast<size_t>(it - store_.values.data())] : 0.0;
  const double total = total_[b];
  const auto g = static_cast<size_t>(blocks_.block_group(b));
  const uint32_t r = layout_.group_size(g);
  const int32_t below = layout_.parent_group(g);
  if (below < 0 || (store_.kind == Smoothing::Laplace && total > 0)) {
    return (n + store_.alpha) / (total + store_.alpha * r);
  }
  const double pb = prob(static_cast<size_t>(blocks_.resolve(layout_, below, blocks_.block_class(b))), v);
  if (store_.kind == Smoothing::Laplace) return pb;
  const double m = store_.m[layout_.group_feature(g)];
  return (n + m * pb) / (total + m);
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
