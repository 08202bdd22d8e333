// Schema inference for a CSV table.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "meg/progress.hpp"

namespace meg {

// Reads the CSV at `csv_path` ("-" = stdin, copied to a temporary file of $TMPDIR in case
// a second pass is needed), streaming it, infers its schema, applies the JSON schema file
// `schema_path` if not empty, and returns the schema as JSON:
// {"source", "rows", "missing_tokens", "columns": [{"name", "type", ("discretizer", "bins",
// "decode", "codes") for numeric columns, "levels" for categorical ones, "distinct", "missing"}]}.
// "levels"/"codes" count the integer codes the model uses, missing included.
// Progress is reported with the stages "read" and "reread".
nlohmann::ordered_json infer_schema(const std::string& csv_path,
                                    const std::string& schema_path = "",
                                    const ProgressFn& progress = {});

}  // namespace meg
