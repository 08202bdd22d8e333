// Numeric column codec (see codec.hpp for the contract).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "data/codec.hpp"

namespace meg::data {

// Where the cells come from, for error messages naming file, line and column.
struct NumericContext {
  const CsvTable* table = nullptr;
  size_t column = 0;
};

std::unique_ptr<ColumnCodec> fit_numeric_codec(const std::vector<std::string>& cells,
                                               const ColumnSchema& schema, uint64_t seed,
                                               const NumericContext* context);
std::unique_ptr<ColumnCodec> numeric_codec_from_json(const nlohmann::json& j);

// Equal-frequency bins over sorted distinct values with counts. A value holding
// at least 1/max_bins of the rows gets a bin of its own (a point mass, e.g. the
// zeros of capital_gain); other bins are contiguous runs of distinct values that
// never straddle a point mass. Returns the bin of every distinct value (0-based,
// non-decreasing).
std::vector<uint32_t> quantile_bins(const std::vector<double>& values,
                                    const std::vector<uint64_t>& counts, int max_bins);

}  // namespace meg::data
