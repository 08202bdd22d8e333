// From a CSV file to the encoded table, streaming: the file is read chunk by
// chunk (data/csv_reader.hpp) and every chunk's cells go to one ColumnProfile
// per column (data/column_profile.hpp), columns in parallel. At the end of the
// pass the schema is inferred, a schema file's overrides are applied, the codecs
// are fitted and each row's provisional code is mapped to its final code.
//
// A second pass over the input ("reread") is made only for the columns whose
// first pass could not keep what they need: a numeric column past the exact
// bound (its codes come from its fitted codec), or a column that turned out to
// be categorical after its texts had been dropped (profiled again, exactly).
// Input that cannot be read twice (standard input, a pipe) is copied into an
// unlinked temporary file as it is read, so it can be.
//
// Results never depend on the block, chunk or thread counts: each column sees
// its cells in row order, and errors are raised in reading order (row, then
// column). docs/data.md has the costs.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/codec.hpp"
#include "data/column_profile.hpp"
#include "data/csv_reader.hpp"
#include "data/dataset.hpp"
#include "data/row_model.hpp"
#include "data/schema.hpp"
#include "meg/progress.hpp"

namespace meg::data {

struct BuildOptions {
  CsvReadOptions read;  // (spool is set for a file path: a second pass may be needed)
  InferOptions infer;
  ProfileLimits limits;
  uint64_t seed = 0;   // codec seed: column c's codec uses derive_seed(seed, {c})
  bool encode = true;  // build the codes (a fit) or only the schema and codecs (`meg schema`)
  int threads = 0;     // columns profiled at once (0 = all cores); never changes a result
  // A schema file's overrides (apply_schema_overrides); empty: none. It is also applied
  // before the pass, to learn which types and missing tokens the file sets.
  std::function<Schema(const Schema&)> overrides;
  // Called with the header before any data row is read (to check options naming columns).
  std::function<void(const std::string& source, const std::vector<std::string>& header)> on_header;
  ProgressFn progress;  // stages "read" and "reread"
  // A fit's row model (data/row_model.hpp), made from the rows while their values are
  // at hand; `declare` adds the schema file's constraints, read against the final schema.
  bool row_model = false;
  RowModelOptions rows;
  std::function<void(const Schema&, RowModelOptions&)> declare;
};

struct BuiltTable {
  std::string source;
  Schema schema;  // inferred, with the overrides applied
  TableCodec codec;
  EncodedDataset data;  // the codes (empty unless options.encode)
  uint64_t rows = 0;
  size_t reread_columns = 0;  // columns the second pass was made for (0: one pass)
};

// Reads `path` ("-" = standard input).
BuiltTable build_table(const std::string& path, const BuildOptions& options);
// Reads the rows of `rows` (rewound if a second pass is needed).
BuiltTable build_table(RowSource& rows, const BuildOptions& options);
// Reads `source`, named `name` in messages (text in memory, tests).
BuiltTable build_table(std::unique_ptr<ByteSource> source, const std::string& name,
                       const BuildOptions& options);

// The pieces of build_table for profiles made elsewhere (a distributed fit merges its
// processes' profiles: ColumnProfile::take_part):
// - the plans of the first pass over a table with this header;
std::vector<ColumnPlan> column_plans(const std::string& source,
                                     const std::vector<std::string>& header,
                                     const BuildOptions& options);
// - the first pass alone (columns may end Sampled or Reread; on_header is called);
std::vector<std::unique_ptr<ColumnProfile>> profile_rows(RowSource& rows,
                                                         const BuildOptions& options);
// - the table from profiles of every row, every one in exact mode (no second pass can
//   be made: throws Error if one is needed): build_table's schema, codecs and codes.
BuiltTable build_from_profiles(const std::string& source, const std::vector<std::string>& header,
                               std::vector<std::unique_ptr<ColumnProfile>> profiles,
                               const BuildOptions& options);

}  // namespace meg::data
