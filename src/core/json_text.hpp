// Parsing untrusted JSON text (schema files, schema strings from the API): nesting
// is bounded before nlohmann builds (and later prints or destroys) the tree, and
// every failure, a number outside double range included, is a DataError naming
// SOURCE:LINE:COL.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace meg::core {

// Deepest array/object nesting accepted (a schema file needs 3 levels).
inline constexpr size_t kMaxJsonDepth = 64;

// Parses `text` as one JSON value. Throws DataError "SOURCE:LINE:COL: ..." for invalid
// JSON, a number that overflows a double, or nesting deeper than kMaxJsonDepth.
nlohmann::json parse_json_text(std::string_view text, const std::string& source);

// At most `max_chars` of `value.dump()`, with "..." when cut (for error messages).
std::string json_excerpt(const nlohmann::json& value, size_t max_chars = 60);

}  // namespace meg::core
