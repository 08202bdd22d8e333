// The option table of `meg evaluate` / `meg report` / meg.evaluate(): each tunable option
// defined once, with its flag, range, help and default (include/meg/evaluate.hpp).
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "eval/classifier.hpp"
#include "meg/error.hpp"
#include "meg/evaluate.hpp"
#include "meg/options.hpp"

namespace meg {
namespace {

struct Entry {
  EvaluateOptionInfo info;
  std::function<void(EvaluateOptions&, const std::string&)> set;
  std::function<std::string(const EvaluateOptions&)> get;
};

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : ",") + p;
  return s;
}

std::vector<Entry> build_table() {
  std::vector<Entry> t;
  // An integer field in [lo, hi]; the help gets the range appended.
  auto integer = [&](const char* key, const char* flag, const char* help, auto member, long lo,
                     long hi) {
    t.push_back({{key, flag, fmt::format("{} [{}, {}]", help, lo, hi), ""},
                 [=](EvaluateOptions& o, const std::string& v) {
                   o.*member = static_cast<std::remove_reference_t<decltype(o.*member)>>(
                       parse_unsigned_option(flag, v, static_cast<uint64_t>(lo),
                                             static_cast<uint64_t>(hi)));
                 },
                 [=](const EvaluateOptions& o) { return std::to_string(o.*member); }});
  };
  t.push_back({{"seed", "--seed", "random seed", ""},
               [](EvaluateOptions& o, const std::string& v) {
                 o.seed = parse_unsigned_option("--seed", v, 0, UINT64_MAX);
               },
               [](const EvaluateOptions& o) { return std::to_string(o.seed); }});
  integer("threads", "--threads", "worker threads (0 = all cores; never changes results)",
          &EvaluateOptions::threads, 0, kMaxThreads);
  t.push_back({{"task", "--task",
                "auto (from the target's type: numeric -> regression), classification or "
                "regression",
                ""},
               [](EvaluateOptions& o, const std::string& v) {
                 if (v != "auto" && v != "classification" && v != "regression") {
                   throw InvalidArgument(fmt::format(
                       "option --task: expected auto, classification or regression, got '{}'",
                       core::printable(v)));
                 }
                 o.task = v;
               },
               [](const EvaluateOptions& o) { return o.task; }});
  t.push_back({{"classifiers", "--classifiers",
                "comma-separated models: logistic_regression (ridge regression for a "
                "regression; ridge_regression names it too), random_forest, gradient_boosting",
                ""},
               [](EvaluateOptions& o, const std::string& v) {
                 std::vector<std::string> names;
                 for (const auto& name : core::split(v, ',')) {
                   if (name.empty()) continue;
                   if (eval::model_family(name) < 0) {
                     throw InvalidArgument(fmt::format(
                         "option --classifiers: unknown model '{}' (logistic_regression, "
                         "ridge_regression, random_forest, gradient_boosting)",
                         core::printable(name)));
                   }
                   names.push_back(name);
                 }
                 if (names.empty()) {
                   throw InvalidArgument("option --classifiers: at least one model is needed");
                 }
                 o.classifiers = names;
               },
               [](const EvaluateOptions& o) { return join(o.classifiers); }});
  integer("gbt_rounds", "--gbt-rounds", "boosted-trees rounds (depth 6, eta 0.1)",
          &EvaluateOptions::gbt_rounds, 1, 100000);
  integer("rf_trees", "--rf-trees", "random-forest trees (depth 12, sqrt(p) features)",
          &EvaluateOptions::rf_trees, 1, 10000);
  t.push_back(
      {{"detection", "--detection",
        "train the detection classifier, real vs synthetic (true/false; the CLI's "
        "--no-detection sets false)",
        ""},
       [](EvaluateOptions& o, const std::string& v) {
         if (v != "true" && v != "false") {
           throw InvalidArgument(fmt::format("option --detection: expected true or false, got '{}'",
                                             core::printable(v)));
         }
         o.detection = v == "true";
       },
       [](const EvaluateOptions& o) { return std::string(o.detection ? "true" : "false"); }});
  integer("detection_rows", "--detection-rows", "rows per side for detection (seeded subsample)",
          &EvaluateOptions::detection_rows, 10, 100000000);
  integer("detection_folds", "--detection-folds", "detection cross-validation folds",
          &EvaluateOptions::detection_folds, 2, 20);
  integer("detection_rounds", "--detection-rounds", "boosting rounds of the detection classifier",
          &EvaluateOptions::detection_rounds, 1, 100000);
  integer("privacy_rows", "--privacy-rows",
          "rows per table for the distance to the closest record (seeded subsample)",
          &EvaluateOptions::privacy_rows, 1, 100000000);
  integer("attack_rows", "--attack-rows",
          "membership-inference candidates per side: real train rows (members) and real test "
          "rows (non-members); 0 = no attacks",
          &EvaluateOptions::attack_rows, 0, 1000000);
  integer("max_levels_per_column", "--max-levels",
          "one-hot features per categorical column for the models; rarer levels share one",
          &EvaluateOptions::max_levels_per_column, 1, 100000);
  integer("max_onehot_features", "--max-features", "one-hot features over all categorical columns",
          &EvaluateOptions::max_onehot_features, 1, 1000000);
  const EvaluateOptions defaults;
  for (auto& e : t) e.info.default_value = e.get(defaults);
  return t;
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> t = build_table();
  return t;
}

const Entry& find(const std::string& key) {
  std::string known;
  for (const auto& e : table()) {
    if (e.info.key == key) return e;
    known += (known.empty() ? "" : ", ") + e.info.key;
  }
  throw InvalidArgument(
      fmt::format("unknown evaluate option '{}' (known: {})", core::printable(key), known));
}

}  // namespace

const std::vector<EvaluateOptionInfo>& evaluate_option_table() {
  static const std::vector<EvaluateOptionInfo> infos = [] {
    std::vector<EvaluateOptionInfo> v;
    for (const auto& e : table()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

void set_evaluate_option(EvaluateOptions& options, const std::string& key,
                         const std::string& value) {
  find(key).set(options, value);
}

std::string get_evaluate_option(const EvaluateOptions& options, const std::string& key) {
  return find(key).get(options);
}

void EvaluateOptions::validate() const {
  auto need = [](const std::string& v, const char* what) {
    if (v.empty()) throw InvalidArgument(fmt::format("evaluate: {} is required", what));
  };
  need(train, "the real train table (--train)");
  need(test, "the real test table (--test)");
  if (synthetic.empty() && augmented.empty()) {
    throw InvalidArgument(
        "evaluate: the synthetic table (--synthetic) or the augmented table "
        "(--augmented) is required");
  }
  need(target, "the target column (--target)");
  // Re-parsing every value through the table checks its range: the table's are the only ones.
  EvaluateOptions copy = *this;
  for (const auto& e : table()) e.set(copy, e.get(*this));
}

}  // namespace meg
