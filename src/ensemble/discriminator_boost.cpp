#include "ensemble/discriminator_boost.hpp"

#include <algorithm>
#include <array>
#include <barrier>
#include <bit>
#include <cmath>
#include <numeric>

#include "core/parallel.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

constexpr double kLambda = 1.0;   // L2 on the leaf values
constexpr double kMinHess = 2.0;  // least hessian (about 8 undecided rows) on each side of a split
constexpr uint32_t kBuckets = CodeBooster::kBuckets;
constexpr int kMaxDepth = CodeBooster::kMaxDepth;
constexpr size_t kMaxInner = (size_t{1} << kMaxDepth) - 1, kMaxLeaves = size_t{1} << kMaxDepth;
// Below this many cells a fit stays on one thread (starting threads would cost more).
constexpr size_t kMinParallelCells = size_t{1} << 16;
// A level's partial histograms are rewritten two levels later, once every worker has met
// the barrier after reading them (below): that needs two levels a tree (fit checks it).

// A gradient and hessian sum in fixed point, in units of 2^-shift (fixed_shift): integer sums
// are exact, so every sum is the same in any order (rows, threads) and a child's histogram
// is exactly its parent's minus its sibling's.
struct GradSum {
  int64_t g = 0, h = 0;
  GradSum& operator+=(const GradSum& o) {
    g += o.g;
    h += o.h;
    return *this;
  }
  GradSum operator-(const GradSum& o) const {
    return {g - o.g, h - o.h};
    static_assert(sizeof(GradSum) == 16, "CodeBooster::fit_bytes counts 16 bytes a histogram cell");
  }
};

// The finest unit 2^-shift (shift <= 40) at which n rows' sums fit in 62 bits: a row's
// |gradient| <= 1 and hessian <= 1/4.
int fixed_shift(size_t n) { return std::min(40, 62 - static_cast<int>(std::bit_width(n))); }

struct Split {
  int32_t feature = -1;  // -1: every row goes left
  uint32_t threshold = 0;
  GradSum left, total;  // the left side's sums and the node's
};

// The best split of one node from its histogram (d columns of kBuckets cells); `unit` is
// the value of one fixed-point step.
Split best_split(const GradSum* hist, const std::vector<uint32_t>& buckets, double unit) {
  Split s;
  if (buckets.empty()) return s;
  for (uint32_t k = 0; k < kBuckets; ++k) s.total += hist[k];  // every column has every row
  s.left = s.total;
  const double G = static_cast<double>(s.total.g) * unit, H = static_cast<double>(s.total.h) * unit;
  const double parent = G * G / (H + kLambda);
  double best = 1e-9;
  for (size_t c = 0; c < buckets.size(); ++c) {
    GradSum left;
    for (uint32_t k = 0; k + 1 < buckets[c]; ++k) {
      left += hist[c * kBuckets + k];
      const double GL = static_cast<double>(left.g) * unit, HL = static_cast<double>(left.h) * unit;
      const double GR = G - GL, HR = H - HL;
      if (HL < kMinHess || HR < kMinHess) continue;
      const double gain = GL * GL / (HL + kLambda) + GR * GR / (HR + kLambda) - parent;
      if (gain > best) {
        best = gain;
        s.feature = static_cast<int32_t>(c);
        s.threshold = k;
        s.left = left;
      }
    }
  }
  return s;
}

// What the workers of a fit share: read-only during the trees, except each worker's own
// rows of f and gh.
struct Shared {
  size_t d = 0, cells = 0;
  const std::vector<uint8_t>* labels = nullptr;
  std::vector<uint32_t> buckets;
  std::vector<uint8_t> bx;  // the bucket of every cell, row-major
  std::vector<double> f;    // the current logit of each row
  std::vector<GradSum> gh;  // its gradient and hessian
  double scale = 1, unit = 1;
  bool subtract = true;
  int trees = 0, depth = 0;
  size_t inner = 0, leaves = 0;  // a tree's splits and leaves
  // Early stopping: the validation rows' buckets (row-major) and labels, and the trees
  // without a better validation loss after which the fit stops (0: no validation rows).
  std::vector<uint8_t> vbx;
  const std::vector<uint8_t>* vlabels = nullptr;
  double base = 0;  // every row's logit before the first tree
  int patience = 0;
};

// The trees fitted, written by worker 0.
struct Trees {
  std::vector<int32_t>& feature;
  std::vector<uint32_t>& threshold;
  std::vector<float>& leaf;
};

// One worker of a fit: a contiguous range of rows, their order grouped by node, and their
// partial histograms. A level: each worker adds its rows' histograms, meets the others at
// a barrier, adds up every worker's and chooses the splits — the same on every worker, as
// the sums are exact — and sorts its rows into the children. One barrier a level.
class Worker {
 public:
  void init(size_t lo, size_t hi, size_t cells, size_t last_nodes) {
    lo_ = lo;
    hi_ = hi;
    order_.resize(hi - lo);
    scratch_.resize(hi - lo);
    for (auto& p : partial_) p.resize(last_nodes * cells);
    sum_.resize(last_nodes * cells);
  }

  // The tree count with the least validation loss, and that loss (the trees' count and -1
  // without validation rows).
  int best_trees = 0;
  double best_loss = -1;

  void grow(Shared& s, const std::vector<Worker>& all, std::barrier<>& sync, Trees* out) {
    const size_t inner = s.inner, leaves = s.leaves, last_nodes = leaves / 2;
    const size_t nv = s.vlabels != nullptr ? s.vlabels->size() : 0;
    // Every worker follows the validation rows alike (the same sums in the same order), so
    // all stop after the same tree.
    std::vector<double> vf(nv, s.base);
    best_trees = s.trees;
    if (nv > 0) {
      best_trees = 0;
      best_loss = validation_loss(s, vf);
    }
    for (int t = 0; t < s.trees; ++t) {
      for (size_t i = lo_; i < hi_; ++i) {
        const double p = 1.0 / (1.0 + std::exp(-s.f[i]));
        s.gh[i] = {static_cast<int64_t>((p - (*s.labels)[i]) * s.scale),
                   static_cast<int64_t>(std::max(p * (1 - p), 1e-6) * s.scale)};
      }
      std::iota(order_.begin(), order_.end(), static_cast<uint32_t>(lo_));
      seg_[0] = 0;
      seg_[1] = order_.size();
      Split split[kMaxInner];
      for (int level = 0; level < s.depth; ++level) {
        const size_t nodes = size_t{1} << level, first = nodes - 1;
        // Levels alternate between the two histogram buffers across trees too: with an odd
        // depth a tree's first level would otherwise rewrite the buffer of the tree before's
        // last, which other workers may still be adding up.
        const size_t buf =
            (static_cast<size_t>(t) * static_cast<size_t>(s.depth) + static_cast<size_t>(level)) %
            2;
        add_level(s, level, buf);
        sync.arrive_and_wait();
        const size_t len = nodes * s.cells;
        std::fill_n(sum_.begin(), len, GradSum{});
        for (const Worker& w : all) {
          const GradSum* p = w.partial_[buf].data();
          for (size_t x = 0; x < len; ++x) sum_[x] += p[x];
        }
        for (size_t nd = 0; nd < nodes; ++nd) {
          split[first + nd] = best_split(&sum_[nd * s.cells], s.buckets, s.unit);
        }
        if (level + 1 < s.depth) partition(s, &split[first], nodes);
      }
      // The leaves' sums are their parents' split sides: no pass over the rows.
      const Split* last = &split[last_nodes - 1];
      float leaf[kMaxLeaves];
      for (size_t l = 0; l < leaves; ++l) {
        const Split& sp = last[l / 2];
        const GradSum sum = l % 2 == 0 ? sp.left : sp.total - sp.left;
        leaf[l] =
            static_cast<float>(-CodeBooster::kLearningRate * (static_cast<double>(sum.g) * s.unit) /
                               (static_cast<double>(sum.h) * s.unit + kLambda));
      }
      for (size_t nd = 0; nd < last_nodes; ++nd) {
        for (size_t k = seg_[nd]; k < seg_[nd + 1]; ++k) {
          const uint32_t i = order_[k];
          s.f[i] += leaf[2 * nd + (goes_right(s, last[nd], i) ? 1 : 0)];
        }
      }
      if (out != nullptr) {
        for (size_t k = 0; k < inner; ++k) {
          out->feature[t * inner + k] = split[k].feature;
          out->threshold[t * inner + k] = split[k].threshold;
        }
        std::copy_n(leaf, leaves, &out->leaf[t * leaves]);
      }
      if (nv > 0) {
        for (size_t i = 0; i < nv; ++i) {
          size_t nd = 0;
          for (int level = 0; level < s.depth; ++level) {
            const Split& sp = split[(size_t{1} << level) - 1 + nd];
            const bool right =
                sp.feature >= 0 && s.vbx[i * s.d + static_cast<size_t>(sp.feature)] > sp.threshold;
            nd = nd * 2 + (right ? 1 : 0);
          }
          vf[i] += leaf[nd];
        }
        const double loss = validation_loss(s, vf);
        if (loss < best_loss) {
          best_loss = loss;
          best_trees = t + 1;
        } else if (t + 1 - best_trees >= s.patience) {
          break;
        }
      }
    }
  }

 private:
  // The mean log loss of the validation rows at logits vf.
  static double validation_loss(const Shared& s, const std::vector<double>& vf) {
    double sum = 0;
    for (size_t i = 0; i < vf.size(); ++i) {
      const double z = (*s.vlabels)[i] ? -vf[i] : vf[i];  // log(1 + e^z)
      sum += z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
    }
    return sum / static_cast<double>(vf.size());
  }

  static bool goes_right(const Shared& s, const Split& sp, uint32_t i) {
    return sp.feature >= 0 &&
           s.bx[size_t{i} * s.d + static_cast<size_t>(sp.feature)] > sp.threshold;
  }

  // Adds the rows of order_[b, e) to the histogram `h`.
  void add_rows(const Shared& s, size_t b, size_t e, GradSum* h) const {
    std::fill_n(h, s.cells, GradSum{});
    const uint8_t* bx = s.bx.data();
    const GradSum* gh = s.gh.data();
    const size_t d = s.d;
    for (size_t k = b; k < e; ++k) {
      const uint32_t i = order_[k];
      const GradSum gi = gh[i];
      const uint8_t* row = bx + size_t{i} * d;
      for (size_t c = 0; c < d; ++c) h[c * kBuckets + row[c]] += gi;
    }
  }

  // This worker's histograms of the level's nodes: the root's from its rows; below, of each
  // pair of siblings the one with fewer rows here (the left on a tie) from its rows and the
  // other's as their parent's minus it (Direct: both from their rows).
  void add_level(const Shared& s, int level, size_t buf) {
    GradSum* mine = partial_[buf].data();
    if (level == 0) {
      add_rows(s, seg_[0], seg_[1], mine);
      return;
    }
    const GradSum* parent = partial_[1 - buf].data();
    const size_t cells = s.cells;
    for (size_t p = 0; p < (size_t{1} << (level - 1)); ++p) {
      const size_t l = 2 * p, r = 2 * p + 1;
      if (!s.subtract) {
        add_rows(s, seg_[l], seg_[l + 1], mine + l * cells);
        add_rows(s, seg_[r], seg_[r + 1], mine + r * cells);
        continue;
      }
      const bool left = seg_[l + 1] - seg_[l] <= seg_[r + 1] - seg_[r];
      const size_t built = left ? l : r, other = left ? r : l;
      add_rows(s, seg_[built], seg_[built + 1], mine + built * cells);
      for (size_t x = 0; x < cells; ++x) {
        mine[other * cells + x] = parent[p * cells + x] - mine[built * cells + x];
      }
    }
  }

  // Sorts each node's rows into its left and then its right child (each in row order).
  void partition(const Shared& s, const Split* split, size_t nodes) {
    std::array<size_t, kMaxLeaves + 1> next{};
    for (size_t nd = 0; nd < nodes; ++nd) {
      size_t l = seg_[nd], r = 0;
      for (size_t k = seg_[nd]; k < seg_[nd + 1]; ++k) {
        const uint32_t i = order_[k];
        const bool right = goes_right(s, split[nd], i);
        order_[l] = i;
        scratch_[r] = i;
        l += right ? 0 : 1;
        r += right ? 1 : 0;
      }
      std::copy_n(scratch_.begin(), r, order_.begin() + static_cast<std::ptrdiff_t>(l));
      next[2 * nd] = seg_[nd];
      next[2 * nd + 1] = l;
    }
    next[2 * nodes] = seg_[nodes];
    seg_ = next;
  }

  size_t lo_ = 0, hi_ = 0;                    // rows [lo_, hi_)
  std::vector<uint32_t> order_, scratch_;     // rows by node; a partition's right sides
  std::array<size_t, kMaxLeaves + 1> seg_{};  // node nd's rows: order_[seg_[nd], seg_[nd + 1])
  // Histograms of the levels by parity: a level's are read by the other workers until they
  // meet the next level's barrier, and are this worker's parents at the next level.
  std::array<std::vector<GradSum>, 2> partial_;
  std::vector<GradSum> sum_;  // every worker's added up
};

}  // namespace

CodeBooster CodeBooster::fit(const std::vector<data::Code>& rows,
                             const std::vector<uint8_t>& labels,
                             const std::vector<uint32_t>& cardinality, int threads,
                             Histograms histograms, Shape shape, const Validation* valid,
                             Stopped* stopped) {
  if (shape.depth < 2 || shape.depth > kMaxDepth || shape.trees < 0) {
    throw Error("resampling discriminator: depth out of [2, 6] or a negative tree count");
  }
  CodeBooster b;
  b.depth_ = shape.depth;
  const size_t d = cardinality.size(), n = labels.size();
  b.cardinality_.resize(d);
  b.buckets_.resize(d);
  for (size_t c = 0; c < d; ++c) {
    b.cardinality_[c] = std::max<uint32_t>(1, cardinality[c]);
    b.buckets_[c] = std::min(b.cardinality_[c], kBuckets);
  }
  size_t pos = 0;
  for (uint8_t y : labels) pos += y;
  b.base_ = std::log((static_cast<double>(pos) + 1) / (static_cast<double>(n - pos) + 1));
  Shared s;
  s.d = d;
  s.cells = d * kBuckets;
  s.labels = &labels;
  s.buckets = b.buckets_;
  s.bx.resize(n * d);
  s.f.assign(n, b.base_);
  s.base = b.base_;
  s.gh.resize(n);
  const int shift = fixed_shift(n);
  s.scale = std::ldexp(1.0, shift);
  s.unit = std::ldexp(1.0, -shift);
  s.subtract = histograms == Histograms::Subtract;
  s.trees = shape.trees;
  s.depth = shape.depth;
  s.inner = b.inner();
  s.leaves = b.leaves();
  if (valid != nullptr && !valid->labels.empty()) {
    s.vlabels = &valid->labels;
    s.patience = std::max(1, valid->patience);
    s.vbx.resize(valid->labels.size() * d);
    for (size_t i = 0; i < valid->labels.size(); ++i) {
      for (size_t c = 0; c < d; ++c) {
        s.vbx[i * d + c] =
            static_cast<uint8_t>(b.bucket(&valid->rows[i * d], static_cast<uint32_t>(c)));
      }
    }
  }
  const size_t workers =
      n * d < kMinParallelCells ? 1 : static_cast<size_t>(core::resolve_threads(threads));
  std::vector<Worker> all(workers);
  for (size_t w = 0; w < workers; ++w)
    all[w].init(n * w / workers, n * (w + 1) / workers, s.cells, s.leaves / 2);
  const auto trees = static_cast<size_t>(shape.trees);
  b.feature_.resize(trees * s.inner);
  b.threshold_.resize(trees * s.inner);
  b.leaf_.resize(trees * s.leaves);
  Trees out{b.feature_, b.threshold_, b.leaf_};
  std::barrier<> sync(static_cast<std::ptrdiff_t>(workers));
  // As many tasks as threads: each runs on its own thread, as the barrier needs. Nothing
  // below allocates or throws.
  core::parallel_for(workers, static_cast<int>(workers), [&](size_t w) {
    for (size_t i = n * w / workers; i < n * (w + 1) / workers; ++i) {
      for (size_t c = 0; c < d; ++c) {
        s.bx[i * d + c] = static_cast<uint8_t>(b.bucket(&rows[i * d], static_cast<uint32_t>(c)));
      }
    }
    all[w].grow(s, all, sync, w == 0 ? &out : nullptr);
  });
  b.prepare();
  b.truncate(static_cast<size_t>(all[0].best_trees));
  if (stopped != nullptr) *stopped = {all[0].best_trees, all[0].best_loss};
  return b;
}

void CodeBooster::truncate(size_t trees_kept) {
  if (trees_kept >= trees()) return;
  feature_.resize(trees_kept * inner());
  threshold_.resize(trees_kept * inner());
  leaf_.resize(trees_kept * leaves());
  prepare();
}

nlohmann::json CodeBooster::to_json() const {
  return {
      {"version", 1},  {"depth", depth_},     {"cardinality", cardinality_}, {"buckets", buckets_},
      {"base", base_}, {"feature", feature_}, {"threshold", threshold_},     {"leaf", leaf_}};
}

CodeBooster CodeBooster::from_json(const nlohmann::json& j,
                                   const std::vector<uint32_t>& cardinality) {
  auto bad = [](const char* what) {
    throw ModelFormatError(std::string("model: resampling discriminator: ") + what);
  };
  if (!j.is_object() || j.value("version", 0) != 1 || j.value("depth", 0) < 2 ||
      j.value("depth", 0) > kMaxDepth) {
    bad("unknown version or depth");
  }
  CodeBooster b;
  b.depth_ = j.value("depth", 0);
  try {
    b.cardinality_ = j.at("cardinality").get<std::vector<uint32_t>>();
    b.buckets_ = j.at("buckets").get<std::vector<uint32_t>>();
    b.base_ = j.at("base").get<double>();
    b.feature_ = j.at("feature").get<std::vector<int32_t>>();
    b.threshold_ = j.at("threshold").get<std::vector<uint32_t>>();
    b.leaf_ = j.at("leaf").get<std::vector<float>>();
  } catch (const nlohmann::json::exception&) {
    bad("a field is missing or of the wrong type");
  }
  const size_t d = cardinality.size();
  if (b.cardinality_.size() != d || b.buckets_.size() != d) bad("does not match the columns");
  for (size_t c = 0; c < d; ++c) {
    if (b.cardinality_[c] != std::max<uint32_t>(1, cardinality[c]) ||
        b.buckets_[c] != std::min(b.cardinality_[c], kBuckets)) {
      bad("does not match the columns");
    }
  }
  const size_t trees = b.leaf_.size() / b.leaves();
  if (b.leaf_.size() != trees * b.leaves() || b.feature_.size() != trees * b.inner() ||
      b.threshold_.size() != trees * b.inner() || !std::isfinite(b.base_)) {
    bad("tree arrays of inconsistent sizes");
  }
  for (size_t k = 0; k < b.feature_.size(); ++k) {
    if (b.feature_[k] < -1 || b.feature_[k] >= static_cast<int32_t>(d)) bad("a split's column");
    if (b.feature_[k] >= 0 && b.threshold_[k] >= b.buckets_[static_cast<size_t>(b.feature_[k])]) {
      bad("a split's threshold");
    }
  }
  for (float v : b.leaf_) {
    if (!std::isfinite(v)) bad("a leaf value");
  }
  b.prepare();
  return b;
}

}  // namespace meg::ensemble
