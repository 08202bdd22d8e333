// Random forest and gradient-boosted trees (classifiers and regressors) through XGBoost's C API
// (when meg is built with MEG_HAVE_XGBOOST). Every call is checked; failures become meg::Error with
// XGBoost's own message. nthread and seed are always passed.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "eval/classifier.hpp"
#include "meg/error.hpp"

#ifdef MEG_HAVE_XGBOOST
#include <xgboost/c_api.h>

#include <fmt/format.h>

namespace meg::eval {

namespace {

void xgb_check(int rc, const char* what) {
  if (rc != 0) throw Error(fmt::format("xgboost: {} failed: {}", what, XGBGetLastError()));
}

class DMatrix {
 public:
  // From the sparse rows: an absent entry (a one-hot zero) is "missing" to XGBoost, whose
  // splits send missing values one learned way, so a one-hot slot still splits "level or
  // not"; its copy holds the entries only, not rows x width cells.
  explicit DMatrix(const Matrix& x) {
    xgb_check(XGDMatrixCreateFromCSREx(x.start.data(), x.index.data(), x.value.data(),
                                       x.start.size(), x.entries(), x.cols, &handle_),
              "XGDMatrixCreateFromCSREx");
  }
  ~DMatrix() { XGDMatrixFree(handle_); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

// A booster trained on one DMatrix with the settings and objective given; the
// classifier and the regressor below only differ in labels and predictions.
class Booster {
 public:
  Booster() = default;
  ~Booster() {
    if (handle_) XGBoosterFree(handle_);
  }
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  // `objective` params (key, value) come after the tree settings.
  void train(const Matrix& x, const std::vector<float>& labels, const TreeSettings& s,
             const std::vector<std::pair<std::string, std::string>>& objective) {
    if (x.rows == 0) throw DataError("xgboost: no training rows");
    DMatrix d(x);
    xgb_check(XGDMatrixSetFloatInfo(d.get(), "label", labels.data(), labels.size()),
              "XGDMatrixSetFloatInfo");
    if (handle_) XGBoosterFree(handle_);
    handle_ = nullptr;
    DMatrixHandle dm = d.get();
    xgb_check(XGBoosterCreate(&dm, 1, &handle_), "XGBoosterCreate");
    double colsample = s.colsample_bynode;
    if (colsample <= 0) {
      colsample = std::min(1.0, std::sqrt(static_cast<double>(x.cols)) /
                                    static_cast<double>(std::max<size_t>(x.cols, 1)));
    }
    auto set = [&](const std::string& key, const std::string& value) {
      xgb_check(XGBoosterSetParam(handle_, key.c_str(), value.c_str()), "XGBoosterSetParam");
    };
    set("verbosity", "0");
    set("nthread", std::to_string(s.threads));
    set("seed", std::to_string(s.seed & 0x7fffffffULL));
    set("tree_method", "hist");
    set("max_depth", std::to_string(s.max_depth));
    set("eta", fmt::format("{}", s.eta));
    set("subsample", fmt::format("{}", s.subsample));
    set("colsample_bynode", fmt::format("{}", colsample));
    set("num_parallel_tree", std::to_string(s.parallel_trees));
    for (const auto& [key, value] : objective) set(key, value);
    for (int it = 0; it < s.rounds; ++it) {
      xgb_check(XGBoosterUpdateOneIter(handle_, it, d.get()), "XGBoosterUpdateOneIter");
    }
  }

  // Calls `take(result)` with the raw prediction array (rows x outputs).
  template <class Take>
  void predict(const Matrix& x, Take&& take) const {
    DMatrix d(x);
    const char* config =
        R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
        R"( "strict_shape": true})";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* result = nullptr;
    xgb_check(XGBoosterPredictFromDMatrix(handle_, d.get(), config, &shape, &dim, &result),
              "XGBoosterPredictFromDMatrix");
    take(result);
  }

 private:
  BoosterHandle handle_ = nullptr;
};

class XgbClassifier final : public Classifier {
 public:
  explicit XgbClassifier(const TreeSettings& s) : s_(s) {}

  void fit(const Matrix& x, const std::vector<int>& y, int num_classes) override {
    k_ = num_classes;
    if (k_ == 2) {
      booster_.train(x, {y.begin(), y.end()}, s_, {{"objective", "binary:logistic"}});
    } else {
      booster_.train(x, {y.begin(), y.end()}, s_,
                     {{"objective", "multi:softprob"}, {"num_class", std::to_string(k_)}});
    }
  }

  std::vector<float> predict_proba(const Matrix& x) const override {
    const auto k = static_cast<size_t>(k_);
    std::vector<float> out(x.rows * k);
    booster_.predict(x, [&](const float* result) {
      if (k_ == 2) {
        for (size_t r = 0; r < x.rows; ++r) {
          out[2 * r] = 1.0f - result[r];
          out[2 * r + 1] = result[r];
        }
      } else {
        std::copy(result, result + x.rows * k, out.begin());
      }
    });
    return out;
  }

 private:
  TreeSettings s_;
  int k_ = 2;
  Booster booster_;
};

class XgbRegressor final : public Regressor {
 public:
  explicit XgbRegressor(const TreeSettings& s) : s_(s) {}

  void fit(const Matrix& x, const std::vector<double>& y) override {
    booster_.train(x, {y.begin(), y.end()}, s_, {{"objective", "reg:squarederror"}});
  }

  std::vector<double> predict(const Matrix& x) const override {
    std::vector<double> out(x.rows);
    booster_.predict(x,
                     [&](const float* result) { std::copy(result, result + x.rows, out.begin()); });
    return out;
  }

 private:
  TreeSettings s_;
  Booster booster_;
};

}  // namespace

std::unique_ptr<Classifier> make_xgboost(const TreeSettings& settings) {
  return std::make_unique<XgbClassifier>(settings);
}

std::unique_ptr<Regressor> make_xgboost_regressor(const TreeSettings& settings) {
  return std::make_unique<XgbRegressor>(settings);
}

}  // namespace meg::eval

#else

namespace meg::eval {
std::unique_ptr<Classifier> make_xgboost(const TreeSettings&) { return nullptr; }
std::unique_ptr<Regressor> make_xgboost_regressor(const TreeSettings&) { return nullptr; }
}  // namespace meg::eval

#endif
