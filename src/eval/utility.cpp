#include "eval/utility.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
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

nlohmann::json num_array(const std::vector<double>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (double x : v) out.push_back(num(x));
  return out;
}

nlohmann::json score(const Classifier& model, const LabeledData& test, int k) {
  std::vector<float> proba = model.predict_proba(test.x);
  std::vector<int> pred = argmax_rows(proba, static_cast<size_t>(k));
  nlohmann::json out;
  out["accuracy"] = num(accuracy(test.y, pred));
  out["macro_f1"] = num(macro_f1(test.y, pred, k));
  // Per class, in the `classes` order; null where undefined (see class_scores).
  ClassScores per_class = class_scores(test.y, pred, k);
  out["precision"] = num_array(per_class.precision);
  out["recall"] = num_array(per_class.recall);
  out["f1"] = num_array(per_class.f1);
  if (k == 2) {
    std::vector<double> s(test.y.size());
    for (size_t r = 0; r < s.size(); ++r) s[r] = proba[2 * r + 1];
    out["roc_auc"] = num(roc_auc(test.y, s));
  }
  return out;
}

// b - a for every number of a score (arrays element by element); null where either is null.
nlohmann::json difference(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) return b.get<double>() - a.get<double>();
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < a.size(); ++i) out.push_back(difference(a[i], b[i]));
    return out;
  }
  if (a.is_object() && b.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : a.items()) {
      if (b.contains(key)) out[key] = difference(value, b[key]);
    }
    return out;
  }
  return nullptr;
}

std::vector<size_t> class_rows(const LabeledData& d, int k) {
  std::vector<size_t> n(static_cast<size_t>(k), 0);
  for (int y : d.y) ++n[static_cast<size_t>(y)];
  return n;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Training tables of the comparison.
enum Side { kReal = 0, kSynthetic = 1, kAugmented = 2 };

}  // namespace

ClassifierResults classifier_scores(const Preprocessor& pre, const PreparedTable& train,
                                    const PreparedTable& test, const PreparedTable* synthetic,
                                    const PreparedTable* augmented, int target,
                                    const std::vector<std::string>& models,
                                    const ClassifierSettings& settings) {
  const auto t = static_cast<size_t>(target);
  const int k = static_cast<int>(pre.levels(t).size());
  if (k < 2) {
    throw DataError(fmt::format("{}: target column '{}' has fewer than two classes", train.source,
                                pre.names()[t]));
  }
  FeatureEncoder enc(pre, train, target);
  auto labeled = [&](const PreparedTable& table) {
    LabeledData d = enc.encode_labeled(table, target);
    if (d.y.empty()) {
      throw DataError(
          fmt::format("{}: no row has a target class seen in the real train table", table.source));
    }
    return d;
  };
  const LabeledData held = labeled(test);
  LabeledData fit_data[3];
  fit_data[kReal] = enc.encode_labeled(train, target);
  if (synthetic) fit_data[kSynthetic] = labeled(*synthetic);
  if (augmented) fit_data[kAugmented] = labeled(*augmented);

  // Every (classifier, side) fit is one single-threaded task, and the tasks run in parallel:
  // no model depends on the thread count (XGBoost boosters always get nthread=1), and XGBoost's
  // OpenMP barriers never compete with each other on a busy machine.
  struct Task {
    size_t model;
    Side side;
  };
  std::vector<Task> tasks;
  for (size_t m = models.size(); m-- > 0;) {  // slowest (trees) first
    if (!classifier_available(models[m])) continue;
    tasks.push_back({m, kReal});
    if (synthetic) tasks.push_back({m, kSynthetic});
    if (augmented) tasks.push_back({m, kAugmented});
  }
  std::vector<nlohmann::json> results(tasks.size());
  std::vector<double> task_seconds(tasks.size());
  core::parallel_for(tasks.size(), settings.threads, [&](size_t i) {
    auto t0 = std::chrono::steady_clock::now();
    ClassifierSettings cs = settings;
    cs.threads = 1;
    // The augmented fit shares the real fit's seed (common random numbers: the lift measures
    // the added rows, not a different seed). The classifier's place in classifier_names(),
    // not in the requested list, picks its seed: its scores do not depend on which others run.
    const uint64_t seed_side = tasks[i].side == kSynthetic ? 1 : 0;
    const std::vector<std::string> names = classifier_names();
    const auto canonical = static_cast<uint64_t>(
        std::find(names.begin(), names.end(), models[tasks[i].model]) - names.begin());
    cs.seed = core::derive_seed(settings.seed, {canonical, seed_side});
    std::unique_ptr<Classifier> model = make_classifier(models[tasks[i].model], cs);
    const LabeledData& fit_on = fit_data[tasks[i].side];
    model->fit(fit_on.x, fit_on.y, k);
    results[i] = score(*model, held, k);
    task_seconds[i] = seconds_since(t0);
  });
  // fitted[side][m]: the score of classifier m fitted on `side`; cpu[side][m]: its CPU seconds.
  std::vector<nlohmann::json> fitted[3];
  std::vector<double> cpu[3];
  for (auto& f : fitted) f.assign(models.size(), nullptr);
  for (auto& c : cpu) c.assign(models.size(), 0.0);
  for (size_t i = 0; i < tasks.size(); ++i) {
    fitted[tasks[i].side][tasks[i].model] = results[i];
    cpu[tasks[i].side][tasks[i].model] = task_seconds[i];
  }
  // Majority-class rate: accuracy on test of always predicting train's most frequent class
  // (level 0: levels are sorted by train frequency).
  const size_t majority_hits = std::count(held.y.begin(), held.y.end(), 0);
  auto common = [&](const char* other, const LabeledData& other_data) {
    nlohmann::json out;
    out["target"] = pre.names()[t];
    out["classes"] = pre.levels(t);
    out["num_features"] = enc.num_features();
    out["majority_class"] = pre.levels(t)[0];
    out["majority_class_rate"] =
        static_cast<double>(majority_hits) / static_cast<double>(held.y.size());
    out["rows"] = {
        {"train", fit_data[kReal].y.size()}, {"test", held.y.size()}, {other, other_data.y.size()}};
    out["rows_dropped"] = {
        {"train", fit_data[kReal].dropped}, {"test", held.dropped}, {other, other_data.dropped}};
    return out;
  };

  // One entry per classifier; `fill` adds the scores of an available one.
  auto classifier_list = [&](const std::function<void(size_t, nlohmann::json&)>& fill) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t m = 0; m < models.size(); ++m) {
      nlohmann::json entry = {{"name", models[m]}, {"available", classifier_available(models[m])}};
      if (entry["available"].get<bool>()) fill(m, entry);
      list.push_back(entry);
    }
    return list;
  };
  ClassifierResults out;
  if (synthetic) {
    out.utility = common("synthetic", fit_data[kSynthetic]);
    out.utility["classifiers"] = classifier_list([&](size_t m, nlohmann::json& entry) {
      entry["trtr"] = fitted[kReal][m];
      entry["tstr"] = fitted[kSynthetic][m];
      entry["cpu_seconds"] = cpu[kReal][m] + cpu[kSynthetic][m];
    });
  }
  if (augmented) {
    out.lift = common("augmented", fit_data[kAugmented]);
    out.lift["class_rows"] = {{"train", class_rows(fit_data[kReal], k)},
                              {"test", class_rows(held, k)},
                              {"augmented", class_rows(fit_data[kAugmented], k)}};
    out.lift["classifiers"] = classifier_list([&](size_t m, nlohmann::json& entry) {
      entry["real"] = fitted[kReal][m];
      entry["augmented"] = fitted[kAugmented][m];
      entry["difference"] = difference(fitted[kReal][m], fitted[kAugmented][m]);
      entry["cpu_seconds"] = cpu[kAugmented][m];
    });
  }
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
