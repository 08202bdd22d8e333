// The model input every classifier and regressor sees: a sparse float matrix
// (Matrix below) fitted on the real train table and applied unchanged to test and synthetic
// rows.
//   categorical: one-hot over the most frequent train levels (at most
//                `max_levels_per_column`, and at most `max_onehot_features`
//                one-hot slots over all columns), plus an "other" slot for the
//                remaining levels when some were cut (a capped column also
//                sends levels train never had there), plus a "missing" slot
//                when the train column has missing cells; otherwise unseen
//                levels -> all zeros.
//   numeric:     standardised with the train mean / standard deviation;
//                missing -> 0 (= train-mean imputation) plus a missing
//                indicator when the train column has missing cells.
// So the width is bounded by the caps and the number of columns, never by the
// number of distinct values; the matrix holds about one entry per row and column
// (O(rows x columns) memory, not O(rows x width)).
// Labels: classification targets are the train classes (rows whose target is
// missing or a class train never had are dropped and counted); regression
// targets are the numbers (rows whose target is missing are dropped).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eval/prepared.hpp"

namespace meg::eval {

// The model input as sparse rows (CSR): row r's entries are index[start[r] .. start[r+1])
// with their values, in increasing column order. The encoder stores a one-hot block's one
// set slot (its zeros are absent) and a numeric column's value (present even when 0), so
// a row costs about one entry per column whatever the one-hot width: memory O(n c), not
// O(n w). Trees (XGBoost) read an absent entry as missing, the linear models as 0.
struct Matrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<size_t> start{0};  // rows + 1
  std::vector<uint32_t> index;
  std::vector<float> value;

  size_t begin(size_t r) const { return start[r]; }
  size_t end(size_t r) const { return start[r + 1]; }
  size_t entries() const { return index.size(); }
  void push(uint32_t column, float v) {
    index.push_back(column);
    value.push_back(v);
  }
  void end_row() {
    start.push_back(index.size());
    ++rows;
  }
  // Appends row r of `other` (same width).
  void append_row(const Matrix& other, size_t r);
  // Every cell of a row-major dense array as an entry (zeros included, as a dense matrix).
  static Matrix from_dense(size_t rows, size_t cols, const std::vector<float>& dense);
};

struct LabeledData {
  Matrix x;
  std::vector<int> y;         // classification: class index in [0, num_classes)
  std::vector<double> value;  // regression: the target's value
  size_t dropped = 0;         // rows without a usable target
  size_t size() const { return x.rows; }
};

struct EncoderLimits {
  size_t max_levels_per_column = 100;
  size_t max_onehot_features = 1000;
};

// How many levels of each categorical column get their own slot: at most
// `limits.max_levels_per_column`, lowered evenly (the largest columns first)
// until the slots of all columns fit `limits.max_onehot_features` (at least one
// per column). `levels[i]` is the train level count of column i.
std::vector<size_t> kept_levels(const std::vector<size_t>& levels, const EncoderLimits& limits);

class FeatureEncoder {
 public:
  // Uses every column of `train` except `exclude` (-1 = none).
  FeatureEncoder(const Preprocessor& pre, const PreparedTable& train, int exclude,
                 const EncoderLimits& limits = {});

  size_t num_features() const { return width_; }
  // Encodes the listed rows (all rows when `rows` is null).
  Matrix encode(const PreparedTable& t, const std::vector<size_t>* rows = nullptr) const;
  // Encodes the rows whose target (categorical column `target`) is a train class.
  LabeledData encode_labeled(const PreparedTable& t, int target) const;
  // Encodes the rows whose target (numeric column `target`) is present.
  LabeledData encode_valued(const PreparedTable& t, int target) const;

 private:
  struct Block {
    size_t column;
    size_t offset;
    bool categorical;
    uint32_t num_levels;  // categorical: train levels
    uint32_t kept;        // categorical: levels with their own slot (the rest -> other)
    bool missing_slot;    // one extra output for missing
    double mean, scale;   // numeric
  };
  std::vector<Block> blocks_;
  size_t width_ = 0;
  const Preprocessor& pre_;
  void encode_row(const PreparedTable& t, size_t r, Matrix& out) const;
};

}  // namespace meg::eval
