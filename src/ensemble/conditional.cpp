#include "ensemble/conditional.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/file_io.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "ensemble/weights.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

// Stream ids for derive_seed (distinct from meg_model.cpp's).
enum : uint64_t { kEvidenceStream = 21, kCondSampleStream = 22, kCondShuffleStream = 23,
                  kCondDecodeStream = 24 };

// Per-chunk unit counts for n rows with weights w (as MegModel::chunk_plan).
std::vector<std::vector<uint64_t>> plan_chunks(const std::vector<double>& w, uint64_t n) {
  std::vector<uint64_t> remaining = largest_remainder(w, n);
  const uint64_t chunks = (n + MegModel::kChunkRows - 1) / MegModel::kChunkRows;
  std::vector<std::vector<uint64_t>> plan(chunks);
  uint64_t left = n;
  for (uint64_t c = 0; c < chunks; ++c) {
    const uint64_t rows = std::min<uint64_t>(MegModel::kChunkRows, left);
    std::vector<double> share(remaining.begin(), remaining.end());
    plan[c] = largest_remainder(share, rows);
    for (size_t u = 0; u < remaining.size(); ++u) remaining[u] -= plan[c][u];
    left -= rows;
  }
  return plan;
}

}  // namespace

ConditionalSampler::ConditionalSampler(const MegModel& model,
                                       const std::vector<std::string>& where, int threads)
    : model_(model) {
  conditions_ = model.codec().parse_conditions(where);
  evidence_.allowed.assign(model.codec().num_cols(), {});
  for (const auto& c : conditions_) evidence_.allowed[c.column] = c.codes;
  const auto& units = model.units();
  const auto& w = model.weights();
  std::vector<double> logpost(units.size(), -std::numeric_limits<double>::infinity());
  core::parallel_for(units.size(), threads, [&](size_t u) {
    if (!(w[u] > 0.0)) return;
    logpost[u] = std::log(w[u]) + bn::log_evidence(units[u].model(), evidence_,
                                                   kEvidenceParticles,
                                                   core::derive_seed(0, {kEvidenceStream, u}));
  });
  const double mx = *std::max_element(logpost.begin(), logpost.end());
  if (!std::isfinite(mx)) {
    throw InvalidArgument("condition has probability zero under the model");
  }
  double total = 0.0;
  posterior_.resize(units.size());
  for (size_t u = 0; u < units.size(); ++u) total += (posterior_[u] = std::exp(logpost[u] - mx));
  for (double& p : posterior_) p /= total;
  log_probability_ = mx + std::log(total);
}

void ConditionalSampler::sample_chunk(uint64_t chunk, const std::vector<uint64_t>& counts,
                                      uint64_t seed, std::vector<data::Code>& out) const {
  const size_t d = model_.codec().num_cols();
  const uint64_t rows = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  std::vector<data::Code> block(rows * d);
  size_t at = 0;
  for (size_t u = 0; u < counts.size(); ++u) {
    if (counts[u] == 0) continue;
    bn::sample_with_evidence(model_.units()[u].model(), evidence_, counts[u],
                             core::derive_seed(seed, {kCondSampleStream, chunk, u}),
                             block.data() + at * d, 1);
    at += counts[u];
  }
  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  core::Rng rng(core::derive_seed(seed, {kCondShuffleStream, chunk}));
  for (size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  out.resize(rows * d);
  for (size_t r = 0; r < rows; ++r) {
    std::copy_n(block.data() + static_cast<size_t>(order[r]) * d, d, out.data() + r * d);
  }
}

void ConditionalSampler::sample_text(uint64_t n, uint64_t seed, int threads,
                                     const std::function<void(const std::string&)>& sink) const {
  const auto& codec = model_.codec();
  std::string header;
  codec.write_header(header);
  sink(header);
  if (n == 0) return;
  const auto plan = plan_chunks(posterior_, n);
  const int workers = core::resolve_threads(threads);
  const size_t batch = static_cast<size_t>(std::max(1, workers)) * 2;
  std::vector<std::string> texts;
  for (size_t first = 0; first < plan.size(); first += batch) {
    const size_t count = std::min(batch, plan.size() - first);
    texts.assign(count, std::string());
    core::parallel_for(count, workers, [&](size_t i) {
      const uint64_t chunk = first + i;
      std::vector<data::Code> codes;
      sample_chunk(chunk, plan[chunk], seed, codes);
      core::Rng rng(core::derive_seed(seed, {kCondDecodeStream, chunk}));
      texts[i].reserve(codes.size() * 8);
      codec.decode_rows(codes.data(), codes.size() / std::max<size_t>(1, codec.num_cols()), rng,
                        texts[i], conditions_);
    });
    for (const auto& t : texts) sink(t);
  }
}

std::string ConditionalSampler::sample_csv(uint64_t n, uint64_t seed, int threads) const {
  std::string out;
  sample_text(n, seed, threads, [&](const std::string& t) { out += t; });
  return out;
}

void ConditionalSampler::sample_to_file(uint64_t n, uint64_t seed, int threads,
                                        const std::string& path) const {
  core::AtomicFile file(path);
  sample_text(n, seed, threads, [&](const std::string& t) { file.write(t); });
  file.commit();
}

}  // namespace meg::ensemble
