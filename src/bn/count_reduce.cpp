#include "bn/count_reduce.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <tuple>

#include "meg/error.hpp"

namespace meg::bn {
namespace {

struct Shape {
  uint64_t classes = 1, r = 1;
  double cells = 0;  // classes * r * the parents' cardinalities
};

Shape feature_shape(const KdbStructure& s, const std::vector<uint32_t>& cardinality, size_t f) {
  const uint32_t col = s.order[f];
  Shape out;
  out.classes = std::max<uint32_t>(cardinality[s.class_col], 1);
  out.r = std::max<uint32_t>(cardinality[col], 1);
  out.cells = static_cast<double>(out.classes) * static_cast<double>(out.r);
  for (uint32_t p : s.parents[col]) out.cells *= std::max<uint32_t>(cardinality[p], 1);
  return out;
}

bool dense(const Shape& shape) { return shape.cells <= static_cast<double>(kReduceDenseCells); }

constexpr uint64_t kSparseCellBytes = 24;  // config, class, value, all, masked

// The occurring cells of a dense table (per = 1: all only; 2: all, masked).
FeatureCounts from_dense(const uint32_t* cells, uint64_t num_cells, size_t per,
                         const Shape& shape) {
  FeatureCounts out;
  const uint64_t yx_cells = shape.classes * shape.r;
  for (uint64_t key = 0; key < num_cells; ++key) {
    const uint32_t all = cells[per * key];
    if (all == 0) continue;
    const uint64_t yx = key % yx_cells;
    out.config.push_back(key / yx_cells);
    out.cls.push_back(static_cast<uint32_t>(yx / shape.r));
    out.value.push_back(static_cast<uint32_t>(yx % shape.r));
    out.all.push_back(all);
    out.masked.push_back(per == 2 ? cells[per * key + 1] : 0);
  }
  return out;
}

template <class T>
void put(std::vector<uint8_t>& out, const std::vector<T>& v) {
  const size_t at = out.size();
  out.resize(at + v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data() + at, v.data(), v.size() * sizeof(T));
}

template <class T>
void take(const std::vector<uint8_t>& in, size_t& at, size_t n, std::vector<T>& v) {
  if (at + n * sizeof(T) > in.size()) throw Error("distributed fit: garbled sparse counts");
  const size_t old = v.size();
  v.resize(old + n);
  if (n) std::memcpy(v.data() + old, in.data() + at, n * sizeof(T));
  at += n * sizeof(T);
}

// Sums the sparse features `which` across processes: allgather of their cells, then a
// sort and a merge of equal (config, cls, value) cells.
void reduce_sparse(core::CountReducer& reducer, const std::vector<size_t>& which,
                   std::vector<FeatureCounts>& features) {
  std::vector<uint8_t> mine;
  for (size_t f : which) {
    const FeatureCounts& fc = features[f];
    put(mine, std::vector<uint64_t>{fc.size()});
    put(mine, fc.config);
    put(mine, fc.cls);
    put(mine, fc.value);
    put(mine, fc.all);
    put(mine, fc.masked);
  }
  const std::vector<std::vector<uint8_t>> every = reducer.allgather(mine);
  std::vector<FeatureCounts> joined(which.size());
  for (const auto& bytes : every) {
    size_t at = 0;
    for (size_t i = 0; i < which.size(); ++i) {
      std::vector<uint64_t> n;
      take(bytes, at, 1, n);
      FeatureCounts& j = joined[i];
      take(bytes, at, n[0], j.config);
      take(bytes, at, n[0], j.cls);
      take(bytes, at, n[0], j.value);
      take(bytes, at, n[0], j.all);
      take(bytes, at, n[0], j.masked);
    }
  }
  for (size_t i = 0; i < which.size(); ++i) {
    const FeatureCounts& j = joined[i];
    std::vector<size_t> idx(j.size());
    std::iota(idx.begin(), idx.end(), size_t{0});
    auto key = [&](size_t a) { return std::tuple(j.config[a], j.cls[a], j.value[a]); };
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
    FeatureCounts out;
    for (size_t a = 0; a < idx.size();) {
      uint32_t all = 0, masked = 0;
      size_t b = a;
      for (; b < idx.size() && key(idx[b]) == key(idx[a]); ++b) {
        all += j.all[idx[b]];
        masked += j.masked[idx[b]];
      }
      out.config.push_back(j.config[idx[a]]);
      out.cls.push_back(j.cls[idx[a]]);
      out.value.push_back(j.value[idx[a]]);
      out.all.push_back(all);
      out.masked.push_back(masked);
      a = b;
    }
    features[which[i]] = std::move(out);
  }
}

}  // namespace

void reduce_unit_counts(core::CountReducer& reducer, const KdbStructure& structure,
                        const std::vector<uint32_t>& cardinality, bool masked,
                        std::vector<FeatureCounts>& features, std::vector<uint64_t>& class_all,
                        std::vector<uint64_t>& class_masked) {
  const size_t per = masked ? 2 : 1;
  // The cells that occur on some process (an upper bound: a cell occurring on several
  // counts once a process) decide each feature's way: the cheaper of a dense table
  // (4 per bytes a cell) and the occurring cells (kSparseCellBytes each).
  std::vector<uint64_t> occurring(features.size());
  for (size_t f = 0; f < features.size(); ++f) occurring[f] = features[f].size();
  reducer.sum(std::span<uint64_t>(occurring));
  std::vector<size_t> sparse;
  std::vector<uint64_t> offset(features.size() + 1, 0);
  for (size_t f = 0; f < features.size(); ++f) {
    const Shape shape = feature_shape(structure, cardinality, f);
    const bool as_dense = dense(shape) && static_cast<double>(kSparseCellBytes * occurring[f]) >=
                                              static_cast<double>(4 * per) * shape.cells;
    if (!as_dense) sparse.push_back(f);
    offset[f + 1] = offset[f] + (as_dense ? per * static_cast<uint64_t>(shape.cells) : 0);
  }
  const size_t classes = class_all.size();
  std::vector<uint32_t> buffer(offset.back() + per * classes, 0);
  for (size_t f = 0; f < features.size(); ++f) {
    if (offset[f + 1] == offset[f]) continue;
    const Shape shape = feature_shape(structure, cardinality, f);
    const FeatureCounts& fc = features[f];
    uint32_t* cells = buffer.data() + offset[f];
    for (size_t i = 0; i < fc.size(); ++i) {
      const uint64_t key = (fc.config[i] * shape.classes + fc.cls[i]) * shape.r + fc.value[i];
      cells[per * key] = fc.all[i];
      if (masked) cells[per * key + 1] = fc.masked[i];
    }
  }
  uint32_t* tail = buffer.data() + offset.back();
  for (size_t c = 0; c < classes; ++c) {
    tail[per * c] = static_cast<uint32_t>(class_all[c]);
    if (masked) tail[per * c + 1] = static_cast<uint32_t>(class_masked[c]);
  }
  reducer.sum(buffer);
  for (size_t f = 0; f < features.size(); ++f) {
    if (offset[f + 1] == offset[f]) continue;
    const Shape shape = feature_shape(structure, cardinality, f);
    features[f] =
        from_dense(buffer.data() + offset[f], (offset[f + 1] - offset[f]) / per, per, shape);
  }
  for (size_t c = 0; c < classes; ++c) {
    class_all[c] = tail[per * c];
    class_masked[c] = masked ? tail[per * c + 1] : 0;
  }
  if (!sparse.empty()) reduce_sparse(reducer, sparse, features);
}

}  // namespace meg::bn
