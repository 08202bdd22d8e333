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
#include "core/shared_tasks.hpp"
#include "core/stats.hpp"
#include "ensemble/unit_fitting.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

constexpr size_t kMaxTrainRows =
    20000;  // real rows the discriminator learns from (as many synthetic)
constexpr size_t kMaxHoldout = 10000;     // held-out rows of the decision
constexpr size_t kMinHoldout = 200;       // fewer: auto leaves sampling as it is
constexpr double kMinGain = 0.005;        // held-out AUC drop auto asks for
constexpr double kClip = 4.0;             // |logit| cap: a row's weight is within e^±4
constexpr size_t kMaxStages = 4;          // stages a model file may hold
constexpr uint32_t kMaxCandidates = 256;  // rows drawn per row kept, all stages together

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

// The candidates of n rows resampled by a resampler of k candidates a row kept: n k rows
// of the mixture (they do not depend on the resampler's discriminators).
std::vector<data::Code> candidate_codes(const std::vector<train::GanblrUnit>& units,
                                        const std::vector<double>& weights, size_t d, size_t n,
                                        uint32_t k, uint64_t seed, int threads) {
  return mixture_codes(units, weights, d, n * k, core::derive_seed(seed, {0}), threads);
}

// The n rows `r` keeps of candidate_codes(..., n, r.candidates(), seed, ...).
std::vector<data::Code> picked_codes(const std::vector<data::Code>& cand, size_t d, size_t n,
                                     const Resampler& r, uint64_t seed, int threads) {
  std::vector<uint32_t> picked;
  r.select(cand.data(), n * r.candidates(), d, n, core::derive_seed(seed, {1}), picked, threads);
  std::vector<data::Code> out(n * d);
  for (size_t i = 0; i < n; ++i) std::copy_n(&cand[picked[i] * d], d, &out[i * d]);
  return out;
}

// n rows of the mixture, resampled by `r`.
std::vector<data::Code> resampled_codes(const std::vector<train::GanblrUnit>& units,
                                        const std::vector<double>& weights, size_t d, size_t n,
                                        const Resampler& r, uint64_t seed, int threads) {
  return picked_codes(candidate_codes(units, weights, d, n, r.candidates(), seed, threads), d, n, r,
                      seed, threads);
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

// Two-fold detection AUCs of each set of synthetic rows against the real ones. The folds
// (two a set) run side by side on the threads, each discriminator on one (the same trees at
// any count; one thread a fit spends no time meeting the others). With a reducer (a
// distributed fit, core/count_reducer.hpp) the folds are shared among the processes and
// their AUCs allgathered: each is a function of the same rows on every process.
std::vector<double> detection_aucs(const std::vector<data::Code>& real,
                                   const std::vector<const std::vector<data::Code>*>& synth,
                                   const std::vector<uint32_t>& card, int threads,
                                   core::CountReducer* reducer) {
  std::vector<double> auc(2 * synth.size());
  auto folds = [&](size_t first, size_t end, double* out) {
    core::parallel_for(end - first, threads, [&](size_t k) {
      const size_t i = first + k;
      out[k] = fold_auc(real, *synth[i / 2], card, i % 2, 1);
    });
  };
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
  std::vector<double> out(synth.size());
  for (size_t k = 0; k < synth.size(); ++k) {
    double sum = 0;  // the folds added in order, as one process does
    sum += auc[2 * k];
    sum += auc[2 * k + 1];
    out[k] = sum / 2;
  }
  return out;
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

uint32_t Resampler::candidates() const {
  uint32_t k = 1;
  for (const ResampleStage& st : stages) k *= st.candidates;
  return k;
}

void Resampler::select(const data::Code* rows, size_t n, size_t num_cols, size_t keep,
                       uint64_t seed, std::vector<uint32_t>& picked, int threads) const {
  // Stage s keeps `keep` times the later stages' K of the rows the earlier ones kept; the
  // first stage's draws come from `seed` itself, a later stage's from its own stream. A
  // stage's logits (a function of each row alone) are computed in blocks on the threads,
  // then the keys in row order from the one stream (the same picks at any count).
  constexpr size_t kBlock = 4096;
  std::vector<uint32_t> from(n);
  std::iota(from.begin(), from.end(), 0u);
  std::vector<double> key;
  std::vector<uint32_t> order;
  for (size_t s = 0; s < stages.size(); ++s) {
    size_t stage_keep = keep;
    for (size_t t = s + 1; t < stages.size(); ++t) stage_keep *= stages[t].candidates;
    const size_t m = from.size();
    key.resize(m);
    const CodeBooster& booster = stages[s].booster;
    core::parallel_for((m + kBlock - 1) / kBlock, threads, [&](size_t b) {
      const size_t first = b * kBlock;
      booster.logits(rows, num_cols, &from[first], std::min(m, first + kBlock) - first,
                     &key[first]);
    });
    core::Rng rng(s == 0 ? seed : core::derive_seed(seed, {s}));
    for (size_t i = 0; i < m; ++i) {
      const double logit = std::clamp(key[i], -kClip, kClip);
      // log(u^(1/w)) with w = e^logit; u in (0, 1].
      key[i] = std::log(1.0 - rng.uniform()) * std::exp(-logit);
    }
    order.resize(m);
    std::iota(order.begin(), order.end(), 0u);
    stage_keep = std::min(stage_keep, m);
    auto larger = [&](uint32_t a, uint32_t b) {
      return key[a] != key[b] ? key[a] > key[b] : a < b;
    };
    std::nth_element(order.begin(), order.begin() + static_cast<long>(stage_keep), order.end(),
                     larger);
    order.resize(stage_keep);
    std::sort(order.begin(), order.end());
    for (size_t i = 0; i < stage_keep; ++i) order[i] = from[order[i]];
    from.swap(order);
  }
  picked = std::move(from);
}

nlohmann::json Resampler::to_json() const {
  auto stage = [](const ResampleStage& st) {
    return nlohmann::json{{"candidates", st.candidates}, {"discriminator", st.booster.to_json()}};
  };
  if (stages.size() == 1) {  // version 1: one stage, the fields at the top
    nlohmann::json j = stage(stages[0]);
    j["version"] = 1;
    return j;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const ResampleStage& st : stages) list.push_back(stage(st));
  return {{"version", 2}, {"stages", std::move(list)}};
}

Resampler Resampler::from_json(const nlohmann::json& j, const std::vector<uint32_t>& cardinality) {
  auto stage = [&](const nlohmann::json& js) {
    if (!js.is_object() || !js.contains("discriminator")) {
      throw ModelFormatError("model: resampler: a stage without its discriminator");
    }
    ResampleStage st;
    const auto k = js.value("candidates", 0);
    if (k < 2 || k > 64) throw ModelFormatError("model: resampler: candidates out of [2, 64]");
    st.candidates = static_cast<uint32_t>(k);
    st.booster = CodeBooster::from_json(js["discriminator"], cardinality);
    return st;
  };
  const int version = j.is_object() ? j.value("version", 0) : 0;
  Resampler r;
  if (version == 1) {
    r.stages.push_back(stage(j));
  } else if (version == 2 && j.contains("stages") && j["stages"].is_array() &&
             !j["stages"].empty() && j["stages"].size() <= kMaxStages) {
    for (const auto& js : j["stages"]) r.stages.push_back(stage(js));
    if (r.candidates() > kMaxCandidates)
      throw ModelFormatError("model: resampler: over 256 candidates a row");
  } else {
    throw ModelFormatError("model: resampler: unknown version");
  }
  return r;
}

namespace {

// A later stage's discriminator: deeper trees, as many as its own validation rows ask for.
constexpr CodeBooster::Shape kLaterShape{400, 5};
constexpr int kPatience = 40;      // trees without a lower validation loss before it stops
constexpr size_t kValidEvery = 5;  // every fifth row of each side validates a later stage

// A stage's discriminator of `real` (label 1) against `synth` (label 0), m rows each. The
// first stage fits the default shape on every row; a later one leaves every fifth row of
// each side out and keeps the tree count that gives those rows the least log loss.
CodeBooster fit_stage(const std::vector<data::Code>& real, const std::vector<data::Code>& synth,
                      const std::vector<uint32_t>& card, int threads, bool first,
                      nlohmann::json& summary) {
  const size_t d = card.size(), m = real.size() / d;
  std::vector<data::Code> rows, valid_rows;
  std::vector<uint8_t> labels, valid_labels;
  for (const uint8_t label : {uint8_t{1}, uint8_t{0}}) {
    const std::vector<data::Code>& src = label == 1 ? real : synth;
    for (size_t i = 0; i < m; ++i) {
      const bool held = !first && i % kValidEvery == kValidEvery - 1;
      std::vector<data::Code>& to = held ? valid_rows : rows;
      to.insert(to.end(), &src[i * d], &src[i * d] + d);
      (held ? valid_labels : labels).push_back(label);
    }
  }
  if (first) {
    CodeBooster b = CodeBooster::fit(rows, labels, card, threads);
    summary = {{"trees", b.trees()}, {"depth", b.depth()}};
    return b;
  }
  const CodeBooster::Validation valid{valid_rows, valid_labels, kPatience};
  CodeBooster::Stopped stopped;
  CodeBooster b = CodeBooster::fit(rows, labels, card, threads, CodeBooster::Histograms::Subtract,
                                   kLaterShape, &valid, &stopped);
  summary = {{"trees", b.trees()}, {"depth", b.depth()}, {"validation_logloss", stopped.loss}};
  return b;
}

// A stage's discriminator with its summary, as a shared task's result (CBOR: the
// booster's fields and the summary's numbers exactly).
struct FittedStage {
  CodeBooster booster;
  nlohmann::json summary;

  std::vector<uint8_t> save() const {
    return nlohmann::json::to_cbor(
        nlohmann::json{{"booster", booster.to_json()}, {"summary", summary}});
  }
  void load(std::span<const uint8_t> bytes, const std::vector<uint32_t>& card) {
    const nlohmann::json j = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    booster = CodeBooster::from_json(j.at("booster"), card);
    summary = j.at("summary");
  }
};

// Held-out rows of one set (plain or resampled mixture rows) with their detection AUC,
// and candidates drawn for a later selection, as a shared task's result.
struct HeldOutSet {
  std::vector<data::Code> rows, candidates, next_candidates;
  double auc = 0;

  std::vector<uint8_t> save() const {
    core::ByteWriter out;
    out.put_list(std::span<const data::Code>(rows));
    out.put_list(std::span<const data::Code>(candidates));
    out.put_list(std::span<const data::Code>(next_candidates));
    out.put(auc);
    return out.take();
  }
  void load(std::span<const uint8_t> bytes) {
    core::ByteReader in(bytes, "resampler rows");
    rows = in.get_list<data::Code>();
    candidates = in.get_list<data::Code>();
    next_candidates = in.get_list<data::Code>();
    auc = in.get<double>();
    in.finish();
  }
};

}  // namespace

ResampleFit fit_resampler(const std::vector<train::GanblrUnit>& units,
                          const std::vector<double>& weights, const data::DatasetView& train,
                          const data::DatasetView& holdout, const FitOptions& options,
                          uint64_t seed) {
  const std::vector<uint32_t>& card = train.cardinality();
  const size_t d = card.size();
  const int threads = core::resolve_threads(options.threads);
  const uint32_t k = options.resample_candidates;
  const std::vector<data::Code> real_rows =
      gather(train, kMaxTrainRows, core::derive_seed(seed, {1}));
  const size_t m = real_rows.size() / d;
  ResampleFit out;
  out.summary = {
      {"mode", get_option(options, "resample")}, {"candidates", k}, {"discriminator_rows", m}};
  // Held-out rows decide (else auto leaves sampling as it is); a second stage is tried when
  // the options allow it and its candidates a row stay within kMaxCandidates.
  const bool decide = holdout.num_rows() >= kMinHoldout;
  const bool second = options.resample_stages >= 2 && uint64_t{k} * k <= kMaxCandidates;
  const std::vector<data::Code> real =
      decide ? gather(holdout, kMaxHoldout, core::derive_seed(seed, {3}))
             : std::vector<data::Code>();
  const size_t h = real.size() / d;
  // The seeds of the first stage's held-out rows and of the second stage's training rows.
  const uint64_t resampled_seed = core::derive_seed(seed, {5});
  const uint64_t next_seed = core::derive_seed(seed, {6, 1});
  // The first stage and the second's decision as two rounds of independent tasks
  // (core/shared_tasks.hpp: in a distributed fit each on one process, the results
  // exchanged; in one process, in turn). Round 1: the first stage's discriminator; the
  // plain rows' detection AUC and the candidates the first stage selects among. Round 2:
  // the second stage's discriminator; the first stage's held-out rows and their AUC.
  core::CountReducer* reducer = core::count_reducer();
  FittedStage first, next;
  HeldOutSet plain, resampled;
  std::vector<core::SharedTask> round;
  round.push_back({[&] {
                     const std::vector<data::Code> synth =
                         mixture_codes(units, weights, d, m, core::derive_seed(seed, {2}), threads);
                     first.booster =
                         fit_stage(real_rows, synth, card, threads, true, first.summary);
                   },
                   [&] { return first.save(); },
                   [&](std::span<const uint8_t> bytes) { first.load(bytes, card); }});
  if (decide || second) {
    round.push_back(
        {[&] {
           if (decide) {
             plain.rows =
                 mixture_codes(units, weights, d, h, core::derive_seed(seed, {4}), threads);
             plain.auc = detection_aucs(real, {&plain.rows}, card, threads, nullptr)[0];
             plain.candidates = candidate_codes(units, weights, d, h, k, resampled_seed, threads);
           }
           if (second)
             plain.next_candidates = candidate_codes(units, weights, d, m, k, next_seed, threads);
         },
         [&] { return plain.save(); }, [&](std::span<const uint8_t> bytes) { plain.load(bytes); }});
  }
  core::run_shared(round, reducer);
  Resampler r;
  r.stages.push_back({std::move(first.booster), k});
  round.clear();
  if (second) {
    round.push_back({[&] {
                       const std::vector<data::Code> prev =
                           picked_codes(plain.next_candidates, d, m, r, next_seed, threads);
                       next.booster =
                           fit_stage(real_rows, prev, card, threads, false, next.summary);
                     },
                     [&] { return next.save(); },
                     [&](std::span<const uint8_t> bytes) { next.load(bytes, card); }});
  }
  if (decide) {
    round.push_back({[&] {
                       resampled.rows =
                           picked_codes(plain.candidates, d, h, r, resampled_seed, threads);
                       resampled.auc =
                           detection_aucs(real, {&resampled.rows}, card, threads, nullptr)[0];
                     },
                     [&] { return resampled.save(); },
                     [&](std::span<const uint8_t> bytes) { resampled.load(bytes); }});
  }
  core::run_shared(round, reducer);
  plain.candidates = {};
  plain.next_candidates = {};
  nlohmann::json stages = nlohmann::json::array();
  stages.push_back(std::move(first.summary));
  if (second) {
    stages.push_back(std::move(next.summary));
    // No tree lowered the validation loss: the stages so far left nothing this one finds
    // (Adult), so it is neither measured nor used.
    if (next.booster.trees() != 0) {
      r.stages.push_back({std::move(next.booster), k});
      while (r.stages.size() < options.resample_stages && r.candidates() * k <= kMaxCandidates) {
        // The next stage learns the real rows against the stages so far.
        const std::vector<data::Code> prev = resampled_codes(
            units, weights, d, m, r, core::derive_seed(seed, {6, r.stages.size()}), threads);
        ResampleStage later{fit_stage(real_rows, prev, card, threads, false, stages.emplace_back()),
                            k};
        if (later.booster.trees() == 0) break;
        r.stages.push_back(std::move(later));
      }
    }
  }
  size_t use = options.resample == Resample::On ? r.stages.size() : 0;
  if (decide) {
    std::vector<std::vector<data::Code>> sets;
    sets.push_back(std::move(plain.rows));
    sets.push_back(std::move(resampled.rows));
    std::vector<double> auc = {plain.auc, resampled.auc};
    // The rows of the first s > 1 stages (shared folds, as the first two sets' were).
    for (size_t s = 2; s <= r.stages.size(); ++s) {
      Resampler stages_so_far;
      stages_so_far.stages.assign(r.stages.begin(), r.stages.begin() + static_cast<long>(s));
      sets.push_back(resampled_codes(units, weights, d, h, stages_so_far,
                                     core::derive_seed(seed, {5, s}), threads));
    }
    if (sets.size() > 2) {
      std::vector<const std::vector<data::Code>*> ptrs;
      for (size_t s = 2; s < sets.size(); ++s) ptrs.push_back(&sets[s]);
      const std::vector<double> later = detection_aucs(real, ptrs, card, threads, reducer);
      auc.insert(auc.end(), later.begin(), later.end());
    }
    // Privacy: resampled rows may copy training rows no more often than held-out real rows
    // or plain mixture rows do (codes equal to one of the discriminator's real rows').
    const CopyRate copies(real_rows, m, d);
    const double copy_real = copies(real);
    std::vector<double> copy(sets.size());  // of the plain rows, then of each stage's
    for (size_t s = 0; s < sets.size(); ++s) copy[s] = copies(sets[s]);
    out.summary["holdout_rows"] = h;
    out.summary["holdout_auc_plain"] = auc[0];
    out.summary["holdout_auc_resampled"] = auc[1];
    out.summary["copy_rate_holdout"] = copy_real;
    out.summary["copy_rate_plain"] = copy[0];
    out.summary["copy_rate_resampled"] = copy[1];
    for (size_t s = 1; s < sets.size(); ++s) {
      stages[s - 1]["holdout_auc"] = auc[s];
      stages[s - 1]["copy_rate"] = copy[s];
    }
    if (options.resample == Resample::Auto) {
      // Each stage kept only when it lowers the AUC of the stages before it.
      for (size_t s = 1; s < sets.size(); ++s) {
        if (auc[s] < auc[s - 1] - kMinGain && copy[s] <= std::max(copy_real, copy[0])) {
          use = s;
        } else {
          break;
        }
      }
    }
  } else {
    out.summary["holdout_rows"] = holdout.num_rows();  // too few to decide: auto leaves it off
  }
  if (use > 1) {  // what the stages kept give (the fields of one stage kept otherwise)
    out.summary["holdout_auc_resampled"] = stages[use - 1]["holdout_auc"];
    out.summary["copy_rate_resampled"] = stages[use - 1]["copy_rate"];
  }
  out.summary["stages"] = std::move(stages);
  out.summary["used"] = use > 0;
  out.summary["stages_used"] = use;
  if (use > 0) {
    r.stages.resize(use);
    out.resampler = std::move(r);
  }
  return out;
}

}  // namespace meg::ensemble
