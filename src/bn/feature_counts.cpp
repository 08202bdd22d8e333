#include "bn/feature_counts.hpp"

#include <algorithm>
#include <numeric>

#include "bn/row_keys.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

constexpr uint64_t kMaxDenseCells = uint64_t{1} << 22;

// Open-addressing table of the occurring cells: (configuration, class * r + value) ->
// two counts. Grows at half load.
class CellTable {
 public:
  void add(uint64_t config, uint64_t yx, uint32_t masked) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    Slot& s = find(config, yx);
    if (s.all == 0) {
      s.config = config;
      s.yx = yx;
      ++used_;
    }
    ++s.all;
    s.masked += masked;
  }
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.all > 0) fn(s.config, s.yx, s.all, s.masked);
    }
  }
  size_t size() const { return used_; }

 private:
  struct Slot {
    uint64_t config = 0, yx = 0;
    uint32_t all = 0, masked = 0;
  };
  Slot& find(uint64_t config, uint64_t yx) {
    const size_t mask = slots_.size() - 1;
    size_t i = core::mix64(config * 0x9e3779b97f4a7c15ULL ^ yx) & mask;
    while (slots_[i].all > 0 && (slots_[i].config != config || slots_[i].yx != yx)) {
      i = (i + 1) & mask;
    }
    return slots_[i];
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(1024, 2 * old.size()), Slot{});
    for (const Slot& s : old) {
      if (s.all > 0) find(s.config, s.yx) = s;
    }
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace

FeatureCounts count_feature(const data::DatasetView& data, const std::vector<uint32_t>& cardinality,
                            std::span<const uint32_t> parents, uint32_t class_col, uint32_t x_col,
                            const uint8_t* mask, const KdbStructure* groups) {
  const size_t n = data.num_rows();
  const uint64_t num_classes = std::max<uint32_t>(cardinality[class_col], 1);
  const uint64_t r = std::max<uint32_t>(cardinality[x_col], 1);
  std::vector<uint64_t> radix;
  std::vector<std::vector<uint32_t>> group_maps(parents.size());
  std::vector<const std::vector<uint32_t>*> maps;
  double q = 1.0;
  for (size_t i = 0; i < parents.size(); ++i) {
    const uint32_t p = parents[i];
    if (groups) group_maps[i] = groups->group_map(p, cardinality[p]);
    maps.push_back(&group_maps[i]);
    radix.push_back(groups ? groups->parent_card(p, cardinality[p])
                           : std::max<uint32_t>(cardinality[p], 1));
    q *= static_cast<double>(radix.back());
  }
  if (q > 9.0e18) throw InvalidArgument("kdb: parent configuration space too large");
  FeatureCounts out;
  auto emit = [&](uint64_t config, uint64_t yx, uint32_t all, uint32_t masked) {
    out.config.push_back(config);
    out.cls.push_back(static_cast<uint32_t>(yx / r));
    out.value.push_back(static_cast<uint32_t>(yx % r));
    out.all.push_back(all);
    out.masked.push_back(masked);
  };
  const double cells = q * static_cast<double>(num_classes) * static_cast<double>(r);
  if (cells <= static_cast<double>(std::min(kMaxDenseCells, std::max<uint64_t>(1 << 16, 4 * n)))) {
    // Dense: one counter per cell (two with a mask: all rows' minus masked, masked).
    const auto num_cells = static_cast<uint64_t>(cells);
    std::vector<uint32_t> counts(mask ? 2 * num_cells : num_cells, 0);
    std::vector<uint32_t> cols(parents.begin(), parents.end());
    cols.push_back(class_col);
    cols.push_back(x_col);
    radix.push_back(num_classes);
    radix.push_back(r);
    // The keys are below num_cells <= kMaxDenseCells: 32 bits.
    for_each_key_block<uint32_t>(
        data, cols, radix,
        [&](size_t begin, std::span<const uint32_t> keys) {
          if (mask) {
            const uint8_t* m = mask + begin;
            for (size_t i = 0; i < keys.size(); ++i) ++counts[2 * size_t{keys[i]} + (m[i] != 0)];
          } else {
            for (uint32_t key : keys) ++counts[key];
          }
        },
        maps);
    const uint64_t yx_cells = num_classes * r;
    for (uint64_t key = 0; key < num_cells; ++key) {
      const uint32_t masked = mask ? counts[2 * key + 1] : 0;
      const uint32_t all = (mask ? counts[2 * key] : counts[key]) + masked;
      if (all > 0) emit(key / yx_cells, key % yx_cells, all, masked);
    }
    return out;
  }
  // Sparse: a hash table of the occurring cells, then sorted.
  CellTable table;
  const std::vector<uint32_t> yx_cols = {class_col, x_col};
  const std::vector<uint64_t> yx_radix = {num_classes, r};
  std::vector<uint64_t> config(std::min(n, kKeyBlockRows)), yx(config.size());
  std::vector<uint32_t> scratch;
  for (size_t begin = 0; begin < n; begin += kKeyBlockRows) {
    const size_t end = std::min(n, begin + kKeyBlockRows);
    block_keys(data, begin, end, parents, radix, scratch, config.data(), maps);
    block_keys(data, begin, end, yx_cols, yx_radix, scratch, yx.data());
    for (size_t i = 0; i < end - begin; ++i) {
      table.add(config[i], yx[i], mask && mask[begin + i] ? 1 : 0);
    }
  }
  struct Cell {
    uint64_t config, yx;
    uint32_t all, masked;
  };
  std::vector<Cell> sorted;
  sorted.reserve(table.size());
  table.for_each([&](uint64_t c, uint64_t k, uint32_t a, uint32_t m) {
    sorted.push_back({c, k, a, m});
  });
  std::sort(sorted.begin(), sorted.end(), [](const Cell& a, const Cell& b) {
    return a.config != b.config ? a.config < b.config : a.yx < b.yx;
  });
  for (const Cell& c : sorted) emit(c.config, c.yx, c.all, c.masked);
  return out;
}

}  // namespace meg::bn
