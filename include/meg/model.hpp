// The MEG model: fit on a CSV table, sample synthetic rows, save and load.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "meg/dp_options.hpp"
#include "meg/options.hpp"
#include "meg/progress.hpp"

namespace meg {

class Model {
 public:
  // Reads the CSV at `csv_path` ("-" = stdin), infers its schema (overridden by
  // the JSON file `schema_path` when not empty) and fits a MEG model. The file is
  // streamed (never held whole); standard input or a pipe is copied into an unlinked
  // temporary file of $TMPDIR as it is read, in case a second pass is needed.
  static Model fit_csv(const std::string& csv_path, const FitOptions& options,
                       const std::string& schema_path = "", const ProgressFn& progress = {});
  // A differentially private fit (docs/privacy.md): the table is read whole; the schema
  // file `schema_path` must give every column's type (and, with dp.public_schema, may
  // give public levels and bin edges).
  static Model fit_csv_private(const std::string& csv_path, const FitOptions& options,
                               const DpOptions& dp, const std::string& schema_path,
                               const ProgressFn& progress = {});
  // Same from CSV text already in memory (`source` names it in messages).
  static Model fit_csv_text(const std::string& text, const std::string& source,
                            const FitOptions& options, const std::string& schema_json = "",
                            const ProgressFn& progress = {});

  // Writes n synthetic rows as CSV (the training table's header and column
  // order) to `path` atomically; "-" writes to stdout. Same seed, same bytes,
  // whatever `threads` (0 = all cores). Progress: stage "sample" (rows, rows_total).
  void sample_to_file(uint64_t n, uint64_t seed, int threads, const std::string& path,
                      const ProgressFn& progress = {}) const;
  std::string sample_csv(uint64_t n, uint64_t seed, int threads) const;
  // Same, every row satisfying the conditions in `where` ("COL=VALUE" for a
  // categorical column; "COL=VALUE" or "COL=LO..HI", either end open, for a numeric or
  // date/time one; "COL=" or another missing token: missing; docs/conditional.md).
  // Conditions on different columns all hold; several on one column allow any of their
  // values. Empty `where` = unconditional. Throws InvalidArgument for an unknown column
  // or value or a condition of probability zero.
  void sample_to_file(uint64_t n, uint64_t seed, int threads, const std::string& path,
                      const std::vector<std::string>& where, const ProgressFn& progress = {}) const;
  std::string sample_csv(uint64_t n, uint64_t seed, int threads,
                         const std::vector<std::string>& where) const;
  // Chunks [begin, end) of sample_csv(n, seed, threads) (header first; chunks of
  // sample_chunk_rows() rows, the last one shorter; clamped to the sample): a caller
  // reading a large sample piece by piece gets exactly the rows of the whole (the
  // Python module filters them with a predicate).
  std::string sample_csv_chunks(uint64_t n, uint64_t seed, int threads, uint64_t begin,
                                uint64_t end) const;
  static uint64_t sample_chunk_rows();
  // The text of a column's level / name list, for callers building conditions.
  std::vector<std::string> column_names() const;

  // Writes the model file atomically; load() checks signature, version and checksum.
  void save(const std::string& path) const;
  static Model load(const std::string& path);

  // Columns, units (class column, weight, parents of every column), options and
  // fit diagnostics, for `meg inspect`.
  nlohmann::ordered_json describe() const;
  // Every unit's structure as a Graphviz digraph.
  std::string to_dot() const;
  // The privacy ledger of a differentially private fit as text, or "" for any other fit.
  std::string privacy_text() const;
  // Number of rows the model was trained on.
  uint64_t training_rows() const;

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

 private:
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `meg augment`: the real rows of a CSV plus synthetic rows of the classes of column
// `target`, each sampled conditional on its class (docs/conditional.md).
struct AugmentRequest {
  std::string data_path;  // the real CSV
  std::string target;     // class column
  bool balance = false;   // raise every class to the majority count
  // CLASS -> K: class CLASS reaches round(K x its real count) rows (K >= 1).
  std::vector<std::pair<std::string, double>> ratios;
  uint64_t seed = 0;
  int threads = 0;
  std::string output_path;  // written atomically: header, real rows, synthetic rows
};
struct AugmentSummary {
  std::vector<std::string> classes;  // sorted class values
  std::vector<uint64_t> real, synthetic;
};
// The class counts of a request without a model (checks it before a long fit).
AugmentSummary plan_augment(const AugmentRequest& request);
// Throws InvalidArgument / DataError on bad requests (unknown column or class, K < 1).
AugmentSummary augment_csv(const Model& model, const AugmentRequest& request);

}  // namespace meg
