// The model input every classifier sees: a dense float matrix fitted on the
// real train table and applied unchanged to test and synthetic rows.
//   categorical: one-hot over the train levels, plus a "missing" slot when the
//                train column has missing cells; unseen levels -> all zeros.
//   numeric:     standardised with the train mean / standard deviation;
//                missing -> 0 (= train-mean imputation) plus a missing
//                indicator when the train column has missing cells.
// Labels are the train classes of the target; rows whose target is missing or
// a class train never had cannot be scored and are dropped (counted).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eval/prepared.hpp"

namespace meg::eval {

struct Matrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> data;  // row-major
  const float* row(size_t r) const { return data.data() + r * cols; }
};

struct LabeledData {
  Matrix x;
  std::vector<int> y;  // class index in [0, num_classes)
  size_t dropped = 0;  // rows without a usable target
};

class FeatureEncoder {
 public:
  // Uses every column of `train` except `exclude` (-1 = none).
  FeatureEncoder(const Preprocessor& pre, const PreparedTable& train, int exclude);

  size_t num_features() const { return width_; }
  // Encodes the listed rows (all rows when `rows` is null).
  Matrix encode(const PreparedTable& t, const std::vector<size_t>* rows = nullptr) const;
  // Encodes the rows whose target (categorical column `target`) is a train class.
  LabeledData encode_labeled(const PreparedTable& t, int target) const;

 private:
  struct Block {
    size_t column;
    size_t offset;
    bool categorical;
    uint32_t num_levels;  // categorical
    bool missing_slot;    // one extra output for missing
    double mean, scale;   // numeric
  };
  std::vector<Block> blocks_;
  size_t width_ = 0;
  const Preprocessor& pre_;
  void encode_row(const PreparedTable& t, size_t r, float* out) const;
};

}  // namespace meg::eval
