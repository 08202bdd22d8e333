#include "ensemble/discriminator_boost.hpp"

#include <algorithm>
#include <cmath>

#include "core/parallel.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

constexpr double kLambda = 1.0;   // L2 on the leaf values
constexpr double kMinHess = 2.0;  // least hessian (about 8 undecided rows) on each side of a split

}  // namespace

// Rows a parallel task of the row-wise steps takes; the split of the rows changes no sum.
constexpr size_t kRowChunk = 8192;
// Below this many cells a fit stays on one thread (starting threads would cost more).
constexpr size_t kMinParallelCells = size_t{1} << 16;

CodeBooster CodeBooster::fit(const std::vector<data::Code>& rows,
                             const std::vector<uint8_t>& labels,
                             const std::vector<uint32_t>& cardinality, int threads) {
  CodeBooster b;
  const size_t d = cardinality.size(), n = labels.size();
  b.cardinality_.resize(d);
  b.buckets_.resize(d);
  for (size_t c = 0; c < d; ++c) {
    b.cardinality_[c] = std::max<uint32_t>(1, cardinality[c]);
    b.buckets_[c] = std::min(b.cardinality_[c], kBuckets);
  }
  if (n * d < kMinParallelCells) threads = 1;
  const size_t chunks = (n + kRowChunk - 1) / kRowChunk;
  // The histograms are added by column ranges, one a thread, in one pass over the rows
  // each: a row's cells are distinct, so its additions are independent and overlap in the
  // processor, while every cell adds its rows in row order (the same sums at any count).
  const size_t groups = std::min<size_t>(d, static_cast<size_t>(core::resolve_threads(threads)));
  auto by_rows = [&](auto&& fn) {
    core::parallel_for(chunks, threads, [&](size_t k) {
      const size_t begin = k * kRowChunk;
      fn(begin, std::min(n, begin + kRowChunk));
    });
  };
  // The bucket of every cell, row-major (one byte each).
  std::vector<uint8_t> bx(n * d);
  by_rows([&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      for (size_t c = 0; c < d; ++c) {
        bx[i * d + c] = static_cast<uint8_t>(b.bucket(&rows[i * d], static_cast<uint32_t>(c)));
      }
    }
  });
  size_t pos = 0;
  for (uint8_t y : labels) pos += y;
  b.base_ = std::log((static_cast<double>(pos) + 1) / (static_cast<double>(n - pos) + 1));
  // f: the current logit of each row; gh: its gradient and hessian, side by side.
  std::vector<double> f(n, b.base_), gh(2 * n);
  std::vector<uint8_t> node(n);
  std::vector<double> hist;
  for (int t = 0; t < kTrees; ++t) {
    by_rows([&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        const double p = 1.0 / (1.0 + std::exp(-f[i]));
        gh[2 * i] = p - labels[i];
        gh[2 * i + 1] = std::max(p * (1 - p), 1e-6);
      }
    });
    std::fill(node.begin(), node.end(), 0);
    int32_t feat[kInner];
    uint32_t thr[kInner];
    std::fill_n(feat, kInner, -1);
    std::fill_n(thr, kInner, 0);
    for (int level = 0; level < kDepth; ++level) {
      const size_t nodes = size_t{1} << level, first = nodes - 1;
      hist.assign(nodes * d * kBuckets * 2, 0.0);
      core::parallel_for(groups, threads, [&](size_t grp) {
        const size_t c0 = grp * d / groups, c1 = (grp + 1) * d / groups;
        for (size_t i = 0; i < n; ++i) {
          const double gi = gh[2 * i], hi = gh[2 * i + 1];
          double* base = &hist[node[i] * d * kBuckets * 2];
          const uint8_t* row = &bx[i * d];
          for (size_t c = c0; c < c1; ++c) {
            double* cell = base + (c * kBuckets + row[c]) * 2;
            cell[0] += gi;
            cell[1] += hi;
          }
        }
      });
      for (size_t nd = 0; nd < nodes; ++nd) {
        double G = 0, H = 0;
        for (uint32_t k = 0; k < kBuckets; ++k) {
          G += hist[(nd * d * kBuckets + k) * 2];
          H += hist[(nd * d * kBuckets + k) * 2 + 1];
        }
        const double parent = G * G / (H + kLambda);
        double best = 1e-9;
        for (size_t c = 0; c < d; ++c) {
          double GL = 0, HL = 0;
          for (uint32_t k = 0; k + 1 < b.buckets_[c]; ++k) {
            GL += hist[((nd * d + c) * kBuckets + k) * 2];
            HL += hist[((nd * d + c) * kBuckets + k) * 2 + 1];
            const double GR = G - GL, HR = H - HL;
            if (HL < kMinHess || HR < kMinHess) continue;
            const double gain = GL * GL / (HL + kLambda) + GR * GR / (HR + kLambda) - parent;
            if (gain > best) {
              best = gain;
              feat[first + nd] = static_cast<int32_t>(c);
              thr[first + nd] = k;
            }
          }
        }
      }
      by_rows([&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
          const size_t k = first + node[i];
          const bool right = feat[k] >= 0 && bx[i * d + static_cast<size_t>(feat[k])] > thr[k];
          node[i] = static_cast<uint8_t>(node[i] * 2 + (right ? 1 : 0));
        }
      });
    }
    double G[kLeaves] = {}, H[kLeaves] = {};
    for (size_t i = 0; i < n; ++i) {
      G[node[i]] += gh[2 * i];
      H[node[i]] += gh[2 * i + 1];
    }
    float leaf[kLeaves];
    for (int l = 0; l < kLeaves; ++l) {
      leaf[l] = static_cast<float>(-kLearningRate * G[l] / (H[l] + kLambda));
    }
    for (size_t i = 0; i < n; ++i) f[i] += leaf[node[i]];
    b.feature_.insert(b.feature_.end(), feat, feat + kInner);
    b.threshold_.insert(b.threshold_.end(), thr, thr + kInner);
    b.leaf_.insert(b.leaf_.end(), leaf, leaf + kLeaves);
  }
  b.prepare();
  return b;
}

void CodeBooster::prepare() {
  split_column_.resize(feature_.size());
  code_threshold_.resize(feature_.size());
  for (size_t k = 0; k < feature_.size(); ++k) {
    if (feature_[k] < 0) {
      split_column_[k] = 0;
      code_threshold_[k] = UINT32_MAX;
      continue;
    }
    const auto c = static_cast<size_t>(feature_[k]);
    // bucket(code) = floor(code * B / C) <= t  <=>  code <= ceil((t + 1) * C / B) - 1.
    const uint64_t B = buckets_[c], C = cardinality_[c], t = threshold_[k];
    split_column_[k] = static_cast<uint32_t>(c);
    code_threshold_[k] = static_cast<uint32_t>(((t + 1) * C + B - 1) / B - 1);
  }
}

double CodeBooster::logit(const data::Code* row) const {
  double f = base_;
  const size_t trees = leaf_.size() / kLeaves;
  for (size_t t = 0; t < trees; ++t) {
    const uint32_t* col = &split_column_[t * kInner];
    const uint32_t* thr = &code_threshold_[t * kInner];
    uint32_t nd = 0;
    for (int level = 0; level < kDepth; ++level) {
      const uint32_t k = (1u << level) - 1 + nd;
      nd = nd * 2 + (row[col[k]] > thr[k] ? 1 : 0);
    }
    f += leaf_[t * kLeaves + nd];
  }
  return f;
}

nlohmann::json CodeBooster::to_json() const {
  return {
      {"version", 1},  {"depth", kDepth},     {"cardinality", cardinality_}, {"buckets", buckets_},
      {"base", base_}, {"feature", feature_}, {"threshold", threshold_},     {"leaf", leaf_}};
}

CodeBooster CodeBooster::from_json(const nlohmann::json& j,
                                   const std::vector<uint32_t>& cardinality) {
  auto bad = [](const char* what) {
    throw ModelFormatError(std::string("model: resampling discriminator: ") + what);
  };
  if (!j.is_object() || j.value("version", 0) != 1 || j.value("depth", 0) != kDepth) {
    bad("unknown version or depth");
  }
  CodeBooster b;
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
  const size_t trees = b.leaf_.size() / kLeaves;
  if (b.leaf_.size() != trees * kLeaves || b.feature_.size() != trees * kInner ||
      b.threshold_.size() != trees * kInner || !std::isfinite(b.base_)) {
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
