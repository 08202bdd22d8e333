// The gradient phases of a GANBLR unit: CLL warm-up and the adversarial phase
// of docs/design.md §5 (discriminator-weighted log-likelihood of synthetic rows).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/rng.hpp"
#include "core/stats.hpp"
#include "train/discriminator.hpp"
#include "train/elr_generator.hpp"
#include "train/unit.hpp"

namespace meg::train {
namespace {

constexpr size_t kDiscriminatorBatch = 256;  // discriminator mini-batch (fixed), docs/design.md §5

void shuffle(std::vector<uint32_t>& v, core::Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

struct Trainer {
  bn::KdbModel& model;
  const data::DatasetView data;
  const UnitOptions& opt;
  core::Rng rng;
  ElrGenerator gen;
  size_t n, d, num_cols, class_col;
  std::vector<int32_t> slots;  // n x d
  std::vector<uint32_t> perm;

  Trainer(bn::KdbModel& m, const data::DatasetView& ds, const UnitOptions& o, uint64_t seed)
      : model(m),
        data(ds),
        opt(o),
        rng(seed),
        gen(m, o.init, o.lr_generator, rng),
        n(ds.num_rows()),
        d(m.layout().num_features()),
        num_cols(ds.num_cols()),
        class_col(m.structure().class_col) {
    slots.resize(n * d);
    model.layout().slots_of_rows(data, 0, n, slots.data());
    perm.resize(n);
    std::iota(perm.begin(), perm.end(), 0u);
  }

  uint32_t label(size_t row) const { return data.code(class_col, row); }

  // Adds the real rows perm[begin, end) (CLL and the optional joint anchor); returns sum CLL.
  double add_real(size_t begin, size_t end) {
    const double inv = 1.0 / static_cast<double>(end - begin);
    double ll = 0.0;
    for (size_t i = begin; i < end; ++i) {
      const uint32_t row = perm[i];
      ll += gen.add_cll(&slots[size_t{row} * d], label(row), inv);
      if (opt.mu > 0) gen.add_joint(&slots[size_t{row} * d], label(row), opt.mu * inv);
    }
    return ll;
  }

  double cll_epoch() {
    shuffle(perm, rng);
    const auto batch = static_cast<size_t>(opt.batch_size);
    double ll = 0.0;
    for (size_t start = 0; start < n; start += batch) {
      ll += add_real(start, std::min(n, start + batch));
      gen.step();
    }
    return ll / static_cast<double>(n);
  }
};

}  // namespace

void train_generator(bn::KdbModel& model, const data::DatasetView& data, const UnitOptions& options,
                     uint64_t seed, const EpochCallback& on_epoch, nlohmann::json& log) {
  Trainer t(model, data, options, core::derive_seed(seed, {1}));
  nlohmann::json& epochs = log["epochs"];
  for (int e = 0; e < options.warmup_epochs; ++e) {
    double cll = t.cll_epoch();
    epochs.push_back({{"phase", "warmup"}, {"epoch", e + 1}, {"cll", cll}});
    if (on_epoch) on_epoch("warmup", e + 1, options.warmup_epochs);
  }
  if (options.epochs == 0) return;
  if (options.adversarial == Adversarial::None) {
    for (int e = 0; e < options.epochs; ++e) {
      t.gen.reset_optimizer();  // reference parity: a new optimiser every epoch
      double cll = t.cll_epoch();
      epochs.push_back({{"phase", "adversarial"}, {"epoch", e + 1}, {"cll", cll}});
      if (on_epoch) on_epoch("adversarial", e + 1, options.epochs);
    }
    return;
  }

  // Score-function adversarial phase.
  const size_t n = t.n, d = t.d, num_cols = t.num_cols;
  const DiscriminatorFeatures features(model.cardinality(), t.class_col);
  const size_t nnz = features.nnz();
  Discriminator disc(features.dim(), nnz, options, core::derive_seed(seed, {2}));
  const size_t m_rows =
      options.synthetic_rows > 0 ? static_cast<size_t>(options.synthetic_rows) : n;
  std::vector<uint32_t> active((n + m_rows) * nnz);
  std::vector<uint8_t> labels(n + m_rows, 0);
  {
    std::vector<data::Code> row(num_cols);
    for (size_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < num_cols; ++c) row[c] = data.code(c, r);
      features.encode(row.data(), &active[r * nnz]);
      labels[r] = 1;
    }
  }
  std::vector<data::Code> synth(m_rows * num_cols);
  std::vector<int32_t> synth_slots(m_rows * d);
  std::vector<double> advantage(m_rows);
  std::vector<uint32_t> split(n + m_rows);
  std::iota(split.begin(), split.end(), 0u);
  const size_t d_batch = kDiscriminatorBatch;
  const auto batch = static_cast<size_t>(options.batch_size);

  for (int e = 0; e < options.epochs; ++e) {
    // 1. M synthetic rows from the current generator.
    model.refresh_sampler();
    model.sample(m_rows, -1, core::derive_seed(seed, {3, static_cast<uint64_t>(e)}), synth.data(),
                 1);
    for (size_t m = 0; m < m_rows; ++m) {
      const data::Code* row = &synth[m * num_cols];
      model.slots_of_row(row, &synth_slots[m * d]);
      features.encode(row, &active[(n + m) * nnz]);
    }
    // 2. Discriminator (warm-started) on 80% of real + synthetic rows, scored on the rest.
    shuffle(split, t.rng);
    const size_t n_train = (split.size() * 4) / 5;
    std::vector<uint32_t> train_rows(split.begin(), split.begin() + static_cast<long>(n_train));
    double d_loss = 0.0;
    for (int de = 0; de < options.discriminator_epochs; ++de) {
      shuffle(train_rows, t.rng);
      d_loss = disc.train_epoch(active, labels, train_rows, d_batch);
    }
    std::vector<double> test_scores;
    std::vector<uint8_t> test_labels;
    size_t correct = 0;
    for (size_t i = n_train; i < split.size(); ++i) {
      const double z = disc.logit(&active[size_t{split[i]} * nnz]);
      test_scores.push_back(z);
      test_labels.push_back(labels[split[i]]);
      correct += (z > 0) == (labels[split[i]] == 1);
    }
    // 3. Advantages: clipped logits of the synthetic rows minus their mean.
    double mean_s = 0.0;
    for (size_t m = 0; m < m_rows; ++m) {
      advantage[m] = std::clamp(disc.logit(&active[(n + m) * nnz]), -10.0, 10.0);
      mean_s += advantage[m];
    }
    mean_s /= static_cast<double>(m_rows);
    double mean_abs = 0.0;
    for (double& a : advantage) {
      a -= mean_s;
      mean_abs += std::fabs(a);
    }
    mean_abs /= static_cast<double>(m_rows);
    // 4. One generator pass: CLL (+ mu anchor) on real batches, lambda * advantage-weighted
    //    log-likelihood on the matching share of synthetic rows.
    shuffle(t.perm, t.rng);
    const size_t num_batches = (n + batch - 1) / batch;
    double cll = 0.0;
    for (size_t b = 0; b < num_batches; ++b) {
      cll += t.add_real(b * batch, std::min(n, (b + 1) * batch));
      const size_t s_begin = b * m_rows / num_batches, s_end = (b + 1) * m_rows / num_batches;
      if (s_end > s_begin && options.lambda > 0) {
        const double w = options.lambda / static_cast<double>(s_end - s_begin);
        for (size_t m = s_begin; m < s_end; ++m) {
          t.gen.add_joint(&synth_slots[m * d], synth[m * num_cols + t.class_col], w * advantage[m]);
        }
      }
      t.gen.step();
    }
    epochs.push_back(
        {{"phase", "adversarial"},
         {"epoch", e + 1},
         {"cll", cll / static_cast<double>(n)},
         {"d_loss", d_loss},
         {"d_accuracy", test_scores.empty() ? 0.0
                                            : static_cast<double>(correct) /
                                                  static_cast<double>(test_scores.size())},
         {"d_auc", core::roc_auc(test_scores, test_labels)},
         {"mean_abs_advantage", mean_abs}});
    if (on_epoch) on_epoch("adversarial", e + 1, options.epochs);
  }
}

}  // namespace meg::train
