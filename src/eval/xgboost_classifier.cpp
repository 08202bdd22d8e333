// Random forest and gradient-boosted trees through XGBoost's C API (when meg
// is built with MEG_HAVE_XGBOOST). Every call is checked; failures become
// meg::Error with XGBoost's own message. nthread and seed are always passed.
#include <cmath>
#include <limits>
#include <string>

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
  DMatrix(const Matrix& x, int threads) {
    xgb_check(
        XGDMatrixCreateFromMat_omp(x.data.data(), x.rows, x.cols,
                                   std::numeric_limits<float>::quiet_NaN(), &handle_, threads),
        "XGDMatrixCreateFromMat");
  }
  ~DMatrix() { XGDMatrixFree(handle_); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

class XgbClassifier final : public Classifier {
 public:
  explicit XgbClassifier(const TreeSettings& s) : s_(s) {}
  ~XgbClassifier() override {
    if (booster_) XGBoosterFree(booster_);
  }
  XgbClassifier(const XgbClassifier&) = delete;
  XgbClassifier& operator=(const XgbClassifier&) = delete;

  void fit(const Matrix& x, const std::vector<int>& y, int num_classes) override {
    if (x.rows == 0) throw DataError("xgboost: no training rows");
    k_ = num_classes;
    DMatrix d(x, s_.threads);
    std::vector<float> labels(y.begin(), y.end());
    xgb_check(XGDMatrixSetFloatInfo(d.get(), "label", labels.data(), labels.size()),
              "XGDMatrixSetFloatInfo");
    if (booster_) XGBoosterFree(booster_);
    booster_ = nullptr;
    DMatrixHandle dm = d.get();
    xgb_check(XGBoosterCreate(&dm, 1, &booster_), "XGBoosterCreate");
    double colsample = s_.colsample_bynode;
    if (colsample <= 0) {
      colsample = std::min(1.0, std::sqrt(static_cast<double>(x.cols)) /
                                    static_cast<double>(std::max<size_t>(x.cols, 1)));
    }
    auto set = [&](const char* key, const std::string& value) {
      xgb_check(XGBoosterSetParam(booster_, key, value.c_str()), "XGBoosterSetParam");
    };
    set("verbosity", "0");
    set("nthread", std::to_string(s_.threads));
    set("seed", std::to_string(s_.seed & 0x7fffffffULL));
    set("tree_method", "hist");
    set("max_depth", std::to_string(s_.max_depth));
    set("eta", fmt::format("{}", s_.eta));
    set("subsample", fmt::format("{}", s_.subsample));
    set("colsample_bynode", fmt::format("{}", colsample));
    set("num_parallel_tree", std::to_string(s_.parallel_trees));
    if (k_ == 2) {
      set("objective", "binary:logistic");
    } else {
      set("objective", "multi:softprob");
      set("num_class", std::to_string(k_));
    }
    for (int it = 0; it < s_.rounds; ++it) {
      xgb_check(XGBoosterUpdateOneIter(booster_, it, d.get()), "XGBoosterUpdateOneIter");
    }
  }

  std::vector<float> predict_proba(const Matrix& x) const override {
    DMatrix d(x, s_.threads);
    const char* config =
        R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
        R"( "strict_shape": true})";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* result = nullptr;
    xgb_check(XGBoosterPredictFromDMatrix(booster_, d.get(), config, &shape, &dim, &result),
              "XGBoosterPredictFromDMatrix");
    const auto k = static_cast<size_t>(k_);
    std::vector<float> out(x.rows * k);
    if (k_ == 2) {
      for (size_t r = 0; r < x.rows; ++r) {
        out[2 * r] = 1.0f - result[r];
        out[2 * r + 1] = result[r];
      }
    } else {
      std::copy(result, result + x.rows * k, out.begin());
    }
    return out;
  }

 private:
  TreeSettings s_;
  int k_ = 2;
  BoosterHandle booster_ = nullptr;
};

}  // namespace

std::unique_ptr<Classifier> make_xgboost(const TreeSettings& settings) {
  return std::make_unique<XgbClassifier>(settings);
}

}  // namespace meg::eval

#else

namespace meg::eval {
std::unique_ptr<Classifier> make_xgboost(const TreeSettings&) { return nullptr; }
}  // namespace meg::eval

#endif
