#include "eval/utility.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "core/stats.hpp"
#include "eval/features.hpp"
#include "eval/metrics.hpp"
#include "meg/error.hpp"

namespace meg::eval {

namespace {

EvaluationScore classification_score(const Classifier& model, const LabeledData& test, int k) {
  std::vector<float> proba = model.predict_proba(test.x);
  std::vector<int> pred = argmax_rows(proba, static_cast<size_t>(k));
  EvaluationScore out;
  out.accuracy = accuracy(test.y, pred);
  out.macro_f1 = macro_f1(test.y, pred, k);
  // Per class, in the `classes` order; NaN where undefined (see class_scores).
  ClassScores per_class = class_scores(test.y, pred, k);
  out.precision = per_class.precision;
  out.recall = per_class.recall;
  out.f1 = per_class.f1;
  if (k == 2) {
    std::vector<double> s(test.y.size());
    for (size_t r = 0; r < s.size(); ++r) s[r] = proba[2 * r + 1];
    out.roc_auc = core::roc_auc(s, test.y);
  }
  return out;
}

EvaluationScore regression_score(const std::vector<double>& truth,
                                 const std::vector<double>& pred) {
  const RegressionScores s = regression_scores(truth, pred);
  EvaluationScore out;
  out.r2 = s.r2;
  out.mae = s.mae;
  out.rmse = s.rmse;
  return out;
}

// b - a for every number of a score (lists element by element); NaN where either is.
EvaluationScore difference(const EvaluationScore& a, const EvaluationScore& b) {
  auto diff = [](const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> out;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) out.push_back(y[i] - x[i]);
    return out;
  };
  EvaluationScore d;
  d.accuracy = b.accuracy - a.accuracy;
  d.macro_f1 = b.macro_f1 - a.macro_f1;
  d.roc_auc = b.roc_auc - a.roc_auc;
  d.precision = diff(a.precision, b.precision);
  d.recall = diff(a.recall, b.recall);
  d.f1 = diff(a.f1, b.f1);
  d.r2 = b.r2 - a.r2;
  d.mae = b.mae - a.mae;
  d.rmse = b.rmse - a.rmse;
  return d;
}

std::vector<uint64_t> class_rows(const LabeledData& d, int k) {
  std::vector<uint64_t> n(static_cast<size_t>(k), 0);
  for (int y : d.y) ++n[static_cast<size_t>(y)];
  return n;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Training tables of the comparison.
enum Side { kReal = 0, kSynthetic = 1, kAugmented = 2 };

}  // namespace

ModelResults model_scores(const Preprocessor& pre, const PreparedTable& train,
                          const PreparedTable& test, const PreparedTable* synthetic,
                          const PreparedTable* augmented, int target, EvaluationTask task,
                          const std::vector<std::string>& models,
                          const ClassifierSettings& settings, const EncoderLimits& limits) {
  const auto t = static_cast<size_t>(target);
  const bool regression = task == EvaluationTask::Regression;
  const int k = regression ? 0 : static_cast<int>(pre.levels(t).size());
  if (!regression && k < 2) {
    throw DataError(fmt::format("{}: target column '{}' has fewer than two classes", train.source,
                                pre.names()[t]));
  }
  FeatureEncoder enc(pre, train, target, limits);
  auto encode = [&](const PreparedTable& table) {
    return regression ? enc.encode_valued(table, target) : enc.encode_labeled(table, target);
  };
  auto labeled = [&](const PreparedTable& table) {
    LabeledData d = encode(table);
    if (d.size() == 0) {
      throw DataError(table.source + (regression
                                          ? ": no row has a value in the target column"
                                          : ": no row has a target class seen in the real train "
                                            "table"));
    }
    return d;
  };
  const LabeledData held = labeled(test);
  LabeledData fit_data[3];
  fit_data[kReal] = labeled(train);
  if (synthetic) fit_data[kSynthetic] = labeled(*synthetic);
  if (augmented) fit_data[kAugmented] = labeled(*augmented);

  // Every (model, side) fit is one single-threaded task, and the tasks run in parallel: no
  // model depends on the thread count (XGBoost boosters always get nthread=1), and XGBoost's
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
  std::vector<EvaluationScore> results(tasks.size());
  std::vector<double> task_seconds(tasks.size());
  core::parallel_for(tasks.size(), settings.threads, [&](size_t i) {
    auto t0 = std::chrono::steady_clock::now();
    ClassifierSettings cs = settings;
    cs.threads = 1;
    // The augmented fit shares the real fit's seed (common random numbers: the lift measures
    // the added rows, not a different seed). The model's family, not its place in the
    // requested list, picks its seed: its scores do not depend on which others run.
    const uint64_t seed_side = tasks[i].side == kSynthetic ? 1 : 0;
    const auto family = static_cast<uint64_t>(model_family(models[tasks[i].model]));
    cs.seed = core::derive_seed(settings.seed, {family, seed_side});
    const LabeledData& fit_on = fit_data[tasks[i].side];
    if (regression) {
      std::unique_ptr<Regressor> model = make_regressor(models[tasks[i].model], cs);
      model->fit(fit_on.x, fit_on.value);
      results[i] = regression_score(held.value, model->predict(held.x));
    } else {
      std::unique_ptr<Classifier> model = make_classifier(models[tasks[i].model], cs);
      model->fit(fit_on.x, fit_on.y, k);
      results[i] = classification_score(*model, held, k);
    }
    task_seconds[i] = seconds_since(t0);
  });
  // fitted[side][m]: the score of model m fitted on `side`; cpu[side][m]: its CPU seconds.
  std::vector<EvaluationScore> fitted[3];
  std::vector<double> cpu[3];
  for (auto& f : fitted) f.assign(models.size(), EvaluationScore{});
  for (auto& c : cpu) c.assign(models.size(), 0.0);
  for (size_t i = 0; i < tasks.size(); ++i) {
    fitted[tasks[i].side][tasks[i].model] = results[i];
    cpu[tasks[i].side][tasks[i].model] = task_seconds[i];
  }
  auto common = [&](EvaluationTarget& out, const LabeledData& other) {
    out.task = task;
    out.target = pre.names()[t];
    out.num_features = enc.num_features();
    out.rows = {fit_data[kReal].size(), held.size(), other.size()};
    out.rows_dropped = {fit_data[kReal].dropped, held.dropped, other.dropped};
    if (regression) {
      // Always predicting the train mean.
      double mean = 0;
      for (double v : fit_data[kReal].value) mean += v;
      mean /= static_cast<double>(fit_data[kReal].size());
      out.mean_predictor =
          regression_score(held.value, std::vector<double>(held.value.size(), mean));
    } else {
      // Accuracy on test of always predicting train's most frequent class (level 0: levels are
      // sorted by train frequency).
      const auto majority_hits = static_cast<double>(std::count(held.y.begin(), held.y.end(), 0));
      out.classes = pre.levels(t);
      out.majority_class = pre.levels(t)[0];
      out.majority_class_rate = majority_hits / static_cast<double>(held.y.size());
    }
  };
  auto name_of = [&](size_t m) { return model_name(model_family(models[m]), regression); };

  ModelResults out;
  if (synthetic) {
    UtilityResult u;
    common(u, fit_data[kSynthetic]);
    for (size_t m = 0; m < models.size(); ++m) {
      UtilityModel e{name_of(m), classifier_available(models[m]), {}, {}, 0.0};
      if (e.available) {
        e.trtr = fitted[kReal][m];
        e.tstr = fitted[kSynthetic][m];
        e.cpu_seconds = cpu[kReal][m] + cpu[kSynthetic][m];
      }
      u.models.push_back(std::move(e));
    }
    out.utility = std::move(u);
  }
  if (augmented) {
    LiftResult l;
    common(l, fit_data[kAugmented]);
    if (!regression) {
      l.class_rows_train = class_rows(fit_data[kReal], k);
      l.class_rows_test = class_rows(held, k);
      l.class_rows_augmented = class_rows(fit_data[kAugmented], k);
    }
    for (size_t m = 0; m < models.size(); ++m) {
      LiftModel e{name_of(m), classifier_available(models[m]), {}, {}, {}, 0.0};
      if (e.available) {
        e.real = fitted[kReal][m];
        e.augmented = fitted[kAugmented][m];
        e.difference = difference(e.real, e.augmented);
        e.cpu_seconds = cpu[kAugmented][m];
      }
      l.models.push_back(std::move(e));
    }
    out.lift = std::move(l);
  }
  return out;
}

}  // namespace meg::eval
