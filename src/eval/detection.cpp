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
  Matrix x;
  x.rows = xr.rows + xs.rows;
  x.cols = enc.num_features();
  x.data = std::move(xr.data);
  x.data.insert(x.data.end(), xs.data.begin(), xs.data.end());
  std::vector<int> y(x.rows, 0);
  std::fill(y.begin() + static_cast<long>(xr.rows), y.end(), 1);

  // Folds. A synthetic row that exactly equals a sampled real row is paired with it (one to
  // one) and the pair shares a fold: otherwise the classifier would learn the real twin's label
  // and call the copy "real", pushing the AUC of a copied table below 0.5. Pairs, real singles
  // and synthetic singles are each shuffled and dealt round-robin (stratified folds).
  const int folds = std::max(2, s.folds);
  std::vector<int> fold(x.rows);
  std::unordered_map<std::string, std::vector<size_t>> real_by_content;
  auto content = [&](size_t i) {
    return std::string(reinterpret_cast<const char*>(x.row(i)), x.cols * sizeof(float));
  };
  for (size_t i = 0; i < xr.rows; ++i) real_by_content[content(i)].push_back(i);
  std::vector<std::vector<size_t>> units[3];  // pairs, real singles, synthetic singles
  std::vector<bool> paired(x.rows, false);
  for (size_t i = xr.rows; i < x.rows; ++i) {
    auto it = real_by_content.find(content(i));
    if (it == real_by_content.end() || it->second.empty()) continue;
    size_t twin = it->second.back();
    it->second.pop_back();
    paired[i] = paired[twin] = true;
    units[0].push_back({twin, i});
  }
  for (size_t i = 0; i < x.rows; ++i) {
    if (!paired[i]) units[i < xr.rows ? 1 : 2].push_back({i});
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
      m.rows = rows.size();
      m.cols = x.cols;
      m.data.resize(m.rows * m.cols);
      for (size_t i = 0; i < rows.size(); ++i) {
        std::copy(x.row(rows[i]), x.row(rows[i]) + x.cols, m.data.begin() + i * m.cols);
        if (labels) labels->push_back(y[rows[i]]);
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
  out.rows_real = xr.rows;
  out.rows_synthetic = xs.rows;
  out.copied_pairs = units[0].size();
  return out;
}

}  // namespace meg::eval
