// Numeric column codec (see codec.hpp for the contract).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/codec.hpp"

namespace meg::data {

// A numeric column as its fit sees it (built by ColumnProfile, data/column_profile.hpp):
// the distinct values with their counts, sorted, of every row or of a bounded row sample;
// the most decimals written (and whether an exponent was); the missing cells.
struct NumericSummary {
  std::vector<double> values;
  std::vector<uint64_t> counts;
  int decimals = 0;
  bool exponent = false;
  bool has_missing = false;
  std::string missing_text;  // the most frequent missing token
};

// Sets summary->values / counts from (value, count) pairs: sorted, equal values merged.
void tally_values(std::vector<std::pair<double, uint64_t>> tally, NumericSummary* summary);
// Sets has_missing and missing_text from the counts of `tokens` (the most frequent one,
// ties to the first).
void tally_missing(const std::vector<uint64_t>& counts, const std::vector<std::string>& tokens,
                   NumericSummary* summary);

// Most decimals a numeric column keeps (the model loader refuses more).
inline constexpr int kMaxDecimals = 30;

// The value of a number's text when a numeric column can give the text back exactly:
// finite, at most kMaxDecimals decimals, at most 15 significant digits before the
// decimal point (a larger integer is not exact in a double); else nullopt, with
// *problem (if given) saying what it is not. A column with such a value is inferred
// categorical, and declaring it numeric is refused.
std::optional<double> exact_number(std::string_view text, const char** problem = nullptr);

// The value of a non-missing cell of a numeric column of type `type`, or nullopt with
// *problem saying what it is not ("a finite number", "an integer", as exact_number).
std::optional<double> numeric_cell_value(std::string_view cell, ColumnType type,
                                         const char** problem);
// Digits after the decimal point of a number's text (before any exponent); sets
// *exponent when the text has one.
int decimals_of(std::string_view s, bool* exponent);

// Bins the summary's values (quantile or dpgmm, as the schema says). Throws DataError
// when there is no value.
std::unique_ptr<ColumnCodec> fit_numeric_codec(NumericSummary summary, const ColumnSchema& schema,
                                               uint64_t seed);
std::unique_ptr<ColumnCodec> numeric_codec_from_json(const nlohmann::json& j);

// Equal-frequency bins over sorted distinct values with counts. A value holding
// at least 1/max_bins of the rows gets a bin of its own (a point mass, e.g. the
// zeros of capital_gain); other bins are contiguous runs of distinct values that
// never straddle a point mass. Returns the bin of every distinct value (0-based,
// non-decreasing).
std::vector<uint32_t> quantile_bins(const std::vector<double>& values,
                                    const std::vector<uint64_t>& counts, int max_bins);

}  // namespace meg::data
