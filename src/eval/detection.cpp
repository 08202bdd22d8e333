#include "eval/detection.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "core/stats.hpp"
#include "eval/classifier.hpp"
#include "eval/privacy.hpp"

namespace meg::eval {

DetectionResult detection_score(const Preprocessor& pre, const PreparedTable& train,
                                const PreparedTable& synthetic, const DetectionSettings& s) {
  FeatureEncoder enc(pre, train, -1, s.limits);
  std::vector<size_t> real_rows =
      sample_indices(train.rows, s.max_rows, core::derive_seed(s.seed, {1}));
  std::vector<size_t> syn_rows =
      sample_indices(synthetic.rows, s.max_rows, core::derive_seed(s.seed, {2}));
  Matrix xr = enc.encode(train, &real_rows), xs = enc.encode(synthetic, &syn_rows);
  Matrix x = std::move(xr);
  for (size_t i = 0; i < xs.rows; ++i) x.append_row(xs, i);
  std::vector<int> y(x.rows, 0);
  const size_t n_real = real_rows.size();
  std::fill(y.begin() + static_cast<long>(n_real), y.end(), 1);

  // Folds. A synthetic row that exactly equals a sampled real row is paired with it (one to
  // one) and the pair shares a fold: otherwise the classifier would learn the real twin's label
  // and call the copy "real", pushing the AUC of a copied table below 0.5. Pairs, real singles
  // and synthetic singles are each shuffled and dealt round-robin (stratified folds).
  const int folds = std::max(2, s.folds);
  std::vector<int> fold(x.rows);
  std::unordered_map<std::string, std::vector<size_t>> real_by_content;
  // A row's content: its entries' columns and values, byte for byte.
  auto content = [&](size_t i) {
    const size_t b = x.begin(i), e = x.end(i);
    std::string key(reinterpret_cast<const char*>(x.index.data() + b), (e - b) * sizeof(uint32_t));
    key.append(reinterpret_cast<const char*>(x.value.data() + b), (e - b) * sizeof(float));
    return key;
  };
  for (size_t i = 0; i < n_real; ++i) real_by_content[content(i)].push_back(i);
  std::vector<std::vector<size_t>> units[3];  // pairs, real singles, synthetic singles
  std::vector<bool> paired(x.rows, false);
  for (size_t i = n_real; i < x.rows; ++i) {
    auto it = real_by_content.find(content(i));
    if (it == real_by_content.end() || it->second.empty()) continue;
    size_t twin = it->second.back();
    it->second.pop_back();
    paired[i] = paired[twin] = true;
    units[0].push_back({twin, i});
  }
  for (size_t i = 0; i < x.rows; ++i) {
    if (!paired[i]) units[i < n_real ? 1 : 2].push_back({i});
  }
  core::Rng rng(core::derive_seed(s.seed, {3}));
  for (auto& group : units) {
    for (size_t i = group.size(); i > 1; --i) std::swap(group[i - 1], group[rng.below(i)]);
    for (size_t i = 0; i < group.size(); ++i) {
      for (size_t row : group[i]) fold[row] = static_cast<int>(i % static_cast<size_t>(folds));
    }
  }
  const bool trees = classifier_available("gradient_boosting");
  std::vector<double> oof(x.rows, 0.5);
  // Folds run in parallel, each model single-threaded (see classifier_scores).
  core::parallel_for(static_cast<size_t>(folds), s.threads, [&](size_t fi) {
    const int f = static_cast<int>(fi);
    std::vector<size_t> fit_rows, test_rows;
    for (size_t i = 0; i < x.rows; ++i) (fold[i] == f ? test_rows : fit_rows).push_back(i);
    if (test_rows.empty() || fit_rows.empty()) return;
    auto take = [&](const std::vector<size_t>& rows, std::vector<int>* labels) {
      Matrix m;
      m.cols = x.cols;
      for (size_t r : rows) {
        m.append_row(x, r);
        if (labels) labels->push_back(y[r]);
      }
      return m;
    };
    std::vector<int> fit_y;
    Matrix fit_x = take(fit_rows, &fit_y), test_x = take(test_rows, nullptr);
    std::unique_ptr<Classifier> model;
    if (trees) {
      TreeSettings t;
      t.rounds = s.rounds;
      t.max_depth = 6;
      t.eta = 0.1;
      t.threads = 1;
      t.seed = core::derive_seed(s.seed, {4, fi});
      model = make_xgboost(t);
    } else {
      model = make_logistic_regression(1.0, 300, 1);
    }
    model->fit(fit_x, fit_y, 2);
    std::vector<float> p = model->predict_proba(test_x);
    for (size_t i = 0; i < test_rows.size(); ++i) oof[test_rows[i]] = p[2 * i + 1];
  });
  DetectionResult out;
  out.roc_auc = core::roc_auc(oof, y);
  out.classifier = trees ? "gradient_boosting" : "logistic_regression";
  out.folds = folds;
  out.rounds = trees ? s.rounds : 0;
  out.rows_real = n_real;
  out.rows_synthetic = syn_rows.size();
  out.copied_pairs = units[0].size();
  return out;
}

}  // namespace meg::eval
