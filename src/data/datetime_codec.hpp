// Date/time columns: a numeric codec over the values in the pattern's unit (days for a
// date, minutes without a seconds field, else seconds with the fraction's decimals), so
// bins, discretizers and decoding are the numeric ones; texts are read and written by the
// column's TimePattern (data/datetime_format.hpp), at the offset most training values had.
// decode "jitter" (the default of a date/time column): a training value of the bin is drawn,
// then a grid point of its neighbourhood other than itself (docs/data.md, "Column roles").
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/codec.hpp"

namespace meg::data {

// Fits the codec of a date/time column from its distinct non-missing texts with their counts
// (every one fits schema.format) and the counts of schema.missing_tokens.
std::unique_ptr<ColumnCodec> fit_temporal_codec(const std::vector<std::string_view>& texts,
                                                const std::vector<uint64_t>& counts,
                                                const std::vector<uint64_t>& missing_counts,
                                                const ColumnSchema& schema, uint64_t seed);
// The codec of a column of `format` over `inner`, a numeric codec of its values in the
// format's unit, written at offset_minutes.
std::unique_ptr<ColumnCodec> temporal_codec(const std::string& format, int offset_minutes,
                                            std::unique_ptr<ColumnCodec> inner);
std::unique_ptr<ColumnCodec> temporal_codec_from_json(const nlohmann::json& j);

}  // namespace meg::data
