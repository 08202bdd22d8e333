#include "eval/utility.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "eval/features.hpp"
#include "eval/metrics.hpp"
#include "eval/privacy.hpp"
#include "meg/error.hpp"

namespace meg::eval {

namespace {

nlohmann::json num(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json score(const Classifier& model, const LabeledData& test, int k) {
  std::vector<float> proba = model.predict_proba(test.x);
  std::vector<int> pred = argmax_rows(proba, static_cast<size_t>(k));
  nlohmann::json out;
  out["accuracy"] = num(accuracy(test.y, pred));
  out["macro_f1"] = num(macro_f1(test.y, pred, k));
  // Per-class recall (class index order; null for a class absent from the test set): the
  // augmentation lift of docs/conditional.md reads it from TRTR vs TSTR on real+synthetic.
  std::vector<double> hit(static_cast<size_t>(k), 0.0), all(static_cast<size_t>(k), 0.0);
  for (size_t r = 0; r < test.y.size(); ++r) {
    all[static_cast<size_t>(test.y[r])] += 1;
    hit[static_cast<size_t>(test.y[r])] += pred[r] == test.y[r] ? 1 : 0;
  }
  nlohmann::json recall = nlohmann::json::array();
  for (size_t c = 0; c < all.size(); ++c) recall.push_back(all[c] > 0 ? num(hit[c] / all[c]) : nullptr);
  out["recall"] = recall;
  if (k == 2) {
    std::vector<double> s(test.y.size());
    for (size_t r = 0; r < s.size(); ++r) s[r] = proba[2 * r + 1];
    out["roc_auc"] = num(roc_auc(test.y, s));
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

nlohmann::json utility_scores(const Preprocessor& pre, const PreparedTable& train,
                              const PreparedTable& test, const PreparedTable& synthetic,
                              int target, const std::vector<std::string>& models,
                              const ClassifierSettings& settings) {
  const auto t = static_cast<size_t>(target);
  const int k = static_cast<int>(pre.levels(t).size());
  if (k < 2) {
    throw DataError(fmt::format("{}: target column '{}' has fewer than two classes",
                                train.source, pre.names()[t]));
  }
  FeatureEncoder enc(pre, train, target);
  LabeledData real = enc.encode_labeled(train, target);
  LabeledData held = enc.encode_labeled(test, target);
  LabeledData syn = enc.encode_labeled(synthetic, target);
  if (held.y.empty()) {
    throw DataError(fmt::format("{}: no row has a target class seen in the real train table",
                                test.source));
  }
  if (syn.y.empty()) {
    throw DataError(fmt::format("{}: no row has a target class seen in the real train table",
                                synthetic.source));
  }
  // Majority-class rate: accuracy on test of always predicting train's most frequent class
  // (level 0: levels are sorted by train frequency).
  size_t majority_hits = std::count(held.y.begin(), held.y.end(), 0);

  nlohmann::json out;
  out["target"] = pre.names()[t];
  out["classes"] = pre.levels(t);
  out["num_features"] = enc.num_features();
  out["majority_class"] = pre.levels(t)[0];
  out["majority_class_rate"] =
      static_cast<double>(majority_hits) / static_cast<double>(held.y.size());
  out["rows"] = {{"train", real.y.size()}, {"test", held.y.size()}, {"synthetic", syn.y.size()}};
  out["rows_dropped"] = {
      {"train", real.dropped}, {"test", held.dropped}, {"synthetic", syn.dropped}};
  // Every (classifier, side) fit is one single-threaded task, and the tasks run in parallel:
  // no model depends on the thread count (XGBoost boosters always get nthread=1), and XGBoost's
  // OpenMP barriers never compete with each other on a busy machine.
  struct Task {
    size_t model;
    int side;  // 0 = TRTR (fit on real train), 1 = TSTR (fit on synthetic)
  };
  std::vector<Task> tasks;
  for (size_t m = models.size(); m-- > 0;) {  // slowest (trees) first
    if (!classifier_available(models[m])) continue;
    tasks.push_back({m, 0});
    tasks.push_back({m, 1});
  }
  std::vector<nlohmann::json> results(tasks.size());
  std::vector<double> task_seconds(tasks.size());
  core::parallel_for(tasks.size(), settings.threads, [&](size_t i) {
    auto t0 = std::chrono::steady_clock::now();
    ClassifierSettings cs = settings;
    cs.threads = 1;
    cs.seed = core::derive_seed(settings.seed, {tasks[i].model, static_cast<uint64_t>(tasks[i].side)});
    std::unique_ptr<Classifier> model = make_classifier(models[tasks[i].model], cs);
    const LabeledData& fit_on = tasks[i].side == 0 ? real : syn;
    model->fit(fit_on.x, fit_on.y, k);
    results[i] = score(*model, held, k);
    task_seconds[i] = seconds_since(t0);
  });
  nlohmann::json list = nlohmann::json::array();
  for (size_t m = 0; m < models.size(); ++m) {
    nlohmann::json entry;
    entry["name"] = models[m];
    entry["available"] = classifier_available(models[m]);
    double secs = 0;
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (tasks[i].model != m) continue;
      entry[tasks[i].side == 0 ? "trtr" : "tstr"] = results[i];
      secs += task_seconds[i];
    }
    if (entry["available"].get<bool>()) entry["cpu_seconds"] = secs;
    list.push_back(entry);
  }
  out["classifiers"] = list;
  return out;
}

nlohmann::json detection_score(const Preprocessor& pre, const PreparedTable& train,
                               const PreparedTable& synthetic, const DetectionSettings& s) {
  FeatureEncoder enc(pre, train, -1);
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
  // Folds run in parallel, each model single-threaded (see utility_scores).
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
  nlohmann::json out;
  double auc = roc_auc(y, oof);
  out["roc_auc"] = num(auc);
  out["classifier"] = trees ? "gradient_boosting" : "logistic_regression";
  out["folds"] = folds;
  out["rounds"] = trees ? s.rounds : 0;
  out["rows"] = {{"real", xr.rows}, {"synthetic", xs.rows}};
  out["copied_pairs"] = units[0].size();
  return out;
}

}  // namespace meg::eval
