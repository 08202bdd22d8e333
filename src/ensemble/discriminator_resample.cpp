#include "ensemble/discriminator_resample.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numeric>
#include <span>
#include <unordered_set>
#include <utility>

#include "core/checksum.hpp"
#include "core/count_reducer.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "core/stats.hpp"
#include "ensemble/unit_fitting.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

constexpr size_t kMaxTrainRows =
    20000;  // real rows the discriminator learns from (as many synthetic)
constexpr size_t kMaxHoldout = 10000;  // held-out rows of the decision
constexpr size_t kMinHoldout = 200;    // fewer: auto leaves sampling as it is
constexpr double kMinGain = 0.005;     // held-out AUC drop auto asks for
constexpr double kClip = 4.0;          // |logit| cap: a row's weight is within e^±4

// Up to `limit` rows of `v` (a seeded choice, in row order), row-major.
std::vector<data::Code> gather(const data::DatasetView& v, size_t limit, uint64_t seed) {
  std::vector<size_t> idx(v.num_rows());
  std::iota(idx.begin(), idx.end(), size_t{0});
  if (idx.size() > limit) {
    core::Rng rng(seed);
    for (size_t i = 0; i < limit; ++i) std::swap(idx[i], idx[i + rng.below(idx.size() - i)]);
    idx.resize(limit);
    std::sort(idx.begin(), idx.end());
  }
  const size_t d = v.num_cols();
  std::vector<data::Code> out(idx.size() * d);
  for (size_t c = 0; c < d; ++c) {
    for (size_t i = 0; i < idx.size(); ++i) out[i * d + c] = v.code(c, idx[i]);
  }
  return out;
}

// n rows of the mixture, resampled by `r`.
std::vector<data::Code> resampled_codes(const std::vector<train::GanblrUnit>& units,
                                        const std::vector<double>& weights, size_t d, size_t n,
                                        const Resampler& r, uint64_t seed, int threads) {
  const size_t m = n * r.candidates;
  const std::vector<data::Code> cand =
      mixture_codes(units, weights, d, m, core::derive_seed(seed, {0}), threads);
  std::vector<uint32_t> picked;
  r.select(cand.data(), m, d, n, core::derive_seed(seed, {1}), picked, threads);
  std::vector<data::Code> out(n * d);
  for (size_t i = 0; i < n; ++i) std::copy_n(&cand[picked[i] * d], d, &out[i * d]);
  return out;
}

// The AUC of a fresh discriminator learning from one fold of real vs synthetic rows
// (split by parity) and scoring the other.
double fold_auc(const std::vector<data::Code>& real, const std::vector<data::Code>& synth,
                const std::vector<uint32_t>& card, size_t fold, int threads) {
  const size_t d = card.size(), nr = real.size() / d, ns = synth.size() / d;
  std::vector<data::Code> rows;
  std::vector<uint8_t> labels;
  auto add = [&](const std::vector<data::Code>& src, size_t n, uint8_t label) {
    for (size_t i = fold; i < n; i += 2) {
      rows.insert(rows.end(), &src[i * d], &src[i * d] + d);
      labels.push_back(label);
    }
  };
  add(real, nr, 1);
  add(synth, ns, 0);
  const CodeBooster b = CodeBooster::fit(rows, labels, card, threads);
  std::vector<double> pos, neg;
  for (size_t i = 1 - fold; i < nr; i += 2) pos.push_back(b.logit(&real[i * d]));
  for (size_t i = 1 - fold; i < ns; i += 2) neg.push_back(b.logit(&synth[i * d]));
  return roc_auc(pos, neg);
}

// Two-fold detection AUCs of the plain and the resampled rows: {plain, resampled}. The four
// folds run side by side on the threads, each discriminator on one (the same trees at any
// count; one thread a fit spends no time meeting the others). In a distributed fit
// (core/count_reducer.hpp) the folds are shared among the processes and their AUCs
// allgathered: each is a function of the same rows on every process.
std::pair<double, double> detection_aucs(const std::vector<data::Code>& real,
                                         const std::vector<data::Code>& plain,
                                         const std::vector<data::Code>& resampled,
                                         const std::vector<uint32_t>& card, int threads) {
  std::array<double, 4> auc{};
  auto folds = [&](size_t first, size_t end, double* out) {
    core::parallel_for(end - first, threads, [&](size_t k) {
      const size_t i = first + k;
      out[k] = fold_auc(real, i < 2 ? plain : resampled, card, i % 2, 1);
    });
  };
  core::CountReducer* reducer = core::count_reducer();
  if (reducer == nullptr) {
    folds(0, auc.size(), auc.data());
  } else {
    const auto share = reducer->share(auc.size());
    std::vector<double> mine(share.second - share.first);
    folds(share.first, share.second, mine.data());
    const std::vector<double> every = core::allgather_doubles(*reducer, mine, "detection AUCs");
    if (every.size() != auc.size()) throw Error("distributed fit: detection AUCs are missing");
    std::copy(every.begin(), every.end(), auc.begin());
  }
  double plain_sum = 0, resampled_sum = 0;  // the folds added in order, as one process does
  plain_sum += auc[0];
  plain_sum += auc[1];
  resampled_sum += auc[2];
  resampled_sum += auc[3];
  return {plain_sum / 2, resampled_sum / 2};
}

// Share of the rows (row-major, d codes each) whose codes equal one of the reference rows'.
class CopyRate {
 public:
  CopyRate(const std::vector<data::Code>& reference, size_t rows, size_t d) : d_(d) {
    for (size_t i = 0; i < rows; ++i) seen_.insert(hash(&reference[i * d]));
  }
  double operator()(const std::vector<data::Code>& rows) const {
    const size_t n = rows.size() / d_;
    size_t copies = 0;
    for (size_t i = 0; i < n; ++i) copies += seen_.count(hash(&rows[i * d_]));
    return n ? static_cast<double>(copies) / static_cast<double>(n) : 0.0;
  }

 private:
  uint64_t hash(const data::Code* row) const {
    return core::fnv1a64({reinterpret_cast<const char*>(row), d_ * sizeof(data::Code)});
  }
  size_t d_;
  std::unordered_set<uint64_t> seen_;
};

}  // namespace

double roc_auc(const std::vector<double>& pos, const std::vector<double>& neg) {
  if (pos.empty() || neg.empty()) return 0.5;
  std::vector<double> scores(pos);
  scores.insert(scores.end(), neg.begin(), neg.end());
  std::vector<uint8_t> labels(scores.size(), 0);
  std::fill(labels.begin(), labels.begin() + static_cast<long>(pos.size()), uint8_t{1});
  return core::roc_auc(scores, labels);
}

void Resampler::select(const data::Code* rows, size_t n, size_t num_cols, size_t keep,
                       uint64_t seed, std::vector<uint32_t>& picked, int threads) const {
  // The logits (a function of each row alone) in blocks on the threads, then the keys in
  // row order from the one stream.
  constexpr size_t kBlock = 4096;
  std::vector<double> key(n);
  core::parallel_for((n + kBlock - 1) / kBlock, threads, [&](size_t b) {
    for (size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
      key[i] = booster.logit(rows + i * num_cols);
    }
  });
  core::Rng rng(seed);
  for (size_t i = 0; i < n; ++i) {
    const double logit = std::clamp(key[i], -kClip, kClip);
    // log(u^(1/w)) with w = e^logit; u in (0, 1].
    key[i] = std::log(1.0 - rng.uniform()) * std::exp(-logit);
  }
  picked.resize(n);
  std::iota(picked.begin(), picked.end(), 0u);
  keep = std::min(keep, n);
  auto larger = [&](uint32_t a, uint32_t b) { return key[a] != key[b] ? key[a] > key[b] : a < b; };
  std::nth_element(picked.begin(), picked.begin() + static_cast<long>(keep), picked.end(), larger);
  picked.resize(keep);
  std::sort(picked.begin(), picked.end());
}

nlohmann::json Resampler::to_json() const {
  return {{"version", 1}, {"candidates", candidates}, {"discriminator", booster.to_json()}};
}

Resampler Resampler::from_json(const nlohmann::json& j, const std::vector<uint32_t>& cardinality) {
  if (!j.is_object() || j.value("version", 0) != 1 || !j.contains("discriminator")) {
    throw ModelFormatError("model: resampler: unknown version");
  }
  Resampler r;
  const auto k = j.value("candidates", 0);
  if (k < 2 || k > 64) throw ModelFormatError("model: resampler: candidates out of [2, 64]");
  r.candidates = static_cast<uint32_t>(k);
  r.booster = CodeBooster::from_json(j["discriminator"], cardinality);
  return r;
}

ResampleFit fit_resampler(const std::vector<train::GanblrUnit>& units,
                          const std::vector<double>& weights, const data::DatasetView& train,
                          const data::DatasetView& holdout, const FitOptions& options,
                          uint64_t seed) {
  const std::vector<uint32_t>& card = train.cardinality();
  const size_t d = card.size();
  const int threads = core::resolve_threads(options.threads);
  std::vector<data::Code> rows = gather(train, kMaxTrainRows, core::derive_seed(seed, {1}));
  const size_t m = rows.size() / d;
  const std::vector<data::Code> synth =
      mixture_codes(units, weights, d, m, core::derive_seed(seed, {2}), threads);
  rows.insert(rows.end(), synth.begin(), synth.end());
  std::vector<uint8_t> labels(2 * m, 0);
  std::fill_n(labels.begin(), m, uint8_t{1});
  Resampler r;
  r.booster = CodeBooster::fit(rows, labels, card, threads);
  r.candidates = options.resample_candidates;
  ResampleFit out;
  out.summary = {{"mode", get_option(options, "resample")},
                 {"candidates", r.candidates},
                 {"discriminator_rows", m}};
  bool use = options.resample == Resample::On;
  if (holdout.num_rows() >= kMinHoldout) {
    const std::vector<data::Code> real = gather(holdout, kMaxHoldout, core::derive_seed(seed, {3}));
    const size_t h = real.size() / d;
    const std::vector<data::Code> plain_rows =
        mixture_codes(units, weights, d, h, core::derive_seed(seed, {4}), threads);
    const std::vector<data::Code> resampled_rows =
        resampled_codes(units, weights, d, h, r, core::derive_seed(seed, {5}), threads);
    const auto [plain, resampled] = detection_aucs(real, plain_rows, resampled_rows, card, threads);
    // Privacy: resampled rows may copy training rows no more often than held-out real rows
    // or plain mixture rows do (codes equal to one of the discriminator's real rows').
    const CopyRate copies(rows, m, d);
    const double copy_real = copies(real), copy_plain = copies(plain_rows),
                 copy_resampled = copies(resampled_rows);
    out.summary["holdout_rows"] = h;
    out.summary["holdout_auc_plain"] = plain;
    out.summary["holdout_auc_resampled"] = resampled;
    out.summary["copy_rate_holdout"] = copy_real;
    out.summary["copy_rate_plain"] = copy_plain;
    out.summary["copy_rate_resampled"] = copy_resampled;
    if (options.resample == Resample::Auto) {
      use = resampled < plain - kMinGain && copy_resampled <= std::max(copy_real, copy_plain);
    }
  } else {
    out.summary["holdout_rows"] = holdout.num_rows();  // too few to decide: auto leaves it off
  }
  out.summary["used"] = use;
  if (use) out.resampler = std::move(r);
  return out;
}

}  // namespace meg::ensemble
