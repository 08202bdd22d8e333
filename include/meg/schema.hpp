// Schema inference for a CSV table.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace meg {

// Reads the CSV at `csv_path` ("-" = stdin), infers its schema, applies the
// JSON schema file `schema_path` if not empty, and returns the schema as JSON:
// {"columns": [{"name", "type", "levels" or "bins", "missing", "missing_tokens", ...}]}.
nlohmann::json infer_schema(const std::string& csv_path, const std::string& schema_path = "");

}  // namespace meg
