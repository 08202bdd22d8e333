// MEG: a weighted mixture of GANBLR units, one per candidate column
// (docs/design.md §1, §6), with the table codec that maps text to codes.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/table_builder.hpp"
#include "ensemble/chunked_sampler.hpp"
#include "ensemble/discriminator_resample.hpp"
#include "meg/options.hpp"
#include "meg/progress.hpp"
#include "train/unit.hpp"

namespace meg::ensemble {

class MegModel {
 public:
  // Rows per sampling chunk: fixed, so output never depends on the thread count.
  static constexpr size_t kChunkRows = ensemble::kChunkRows;

  // Fits the codec on `table`, splits the rows (seeded) into a fit part and a
  // validation part, fits one unit per candidate column in parallel, chooses the
  // weights on the validation part and, if options.refit_full, refits the units
  // on all rows.
  static MegModel fit(const data::CsvTable& table, const data::Schema& schema,
                      const FitOptions& options, const ProgressFn& progress = {});
  // Same, freeing the table as soon as it is encoded: the units need only the codes.
  static MegModel fit(data::CsvTable&& table, const data::Schema& schema, const FitOptions& options,
                      const ProgressFn& progress = {});
  // Same from a table encoded elsewhere (data::build_table streams it from its file with
  // the codec seed codec_seed(options)); `source` names it in messages.
  static MegModel fit_encoded(data::TableCodec codec, data::EncodedDataset all,
                              const std::string& source, const FitOptions& options,
                              const ProgressFn& progress = {});
  // The seed the codec of a fit with `options` is fitted with.
  static uint64_t codec_seed(const FitOptions& options);
  // How a fit reads its table (data::build_table): the codec seed, the header checks, the
  // row model and, when `schema` is given, its overrides and declared constraints, named
  // `schema_source` in messages. One definition for every way of fitting (the API's file
  // and text fits, the distributed fit); `options` and `schema` must outlive the result.
  static data::BuildOptions build_options(const FitOptions& options, const nlohmann::json* schema,
                                          const std::string& schema_source,
                                          const ProgressFn& progress);
  // The checks of a fit that need only the column names (run before reading any row):
  // the options, at least two columns, the columns named by 'units' and per-unit options.
  static void check_columns(const std::vector<std::string>& names, const std::string& source,
                            const FitOptions& options);

  // Generates n rows chunk by chunk (in parallel) and hands each chunk's CSV
  // text to `sink` in order. Deterministic for `seed`, whatever `threads`.
  // `range`: only these chunks (a part of a distributed sample), after the header.
  void sample_text(uint64_t n, uint64_t seed, int threads,
                   const std::function<void(const std::string&)>& sink,
                   const RowsWritten& written = {}, ChunkRange range = {}) const;
  // Generates n rows and returns them as CSV text (header first).
  std::string sample_csv(uint64_t n, uint64_t seed, int threads) const;
  // Writes the CSV to `path` atomically ("-" = stdout), chunk by chunk.
  void sample_to_file(uint64_t n, uint64_t seed, int threads, const std::string& path,
                      const RowsWritten& written = {}, ChunkRange range = {}) const;

  // Held-out diagnostics and the rows each unit should produce for n rows.
  std::vector<uint64_t> unit_counts(uint64_t n) const;
  // log p(row) under the mixture for every row of an encoded table.
  std::vector<double> log_prob(const data::DatasetView& ds, int threads) const;

  const data::TableCodec& codec() const { return codec_; }
  const std::vector<train::GanblrUnit>& units() const { return units_; }
  const std::vector<double>& weights() const { return weights_; }
  const FitOptions& options() const { return options_; }
  const nlohmann::json& fit_summary() const { return summary_; }
  // A differentially private fit's record (ensemble/dp_fit.hpp): summary "privacy".
  void set_privacy(nlohmann::json privacy) { summary_["privacy"] = std::move(privacy); }
  uint64_t training_rows() const { return training_rows_; }
  const std::optional<Resampler>& resampler() const { return resampler_; }

  nlohmann::json to_json() const;
  static MegModel from_json(const nlohmann::json& j);
  void save(const std::string& path) const;
  static MegModel load(const std::string& path);

 private:
  // from_json; with unit_cbor, the units are read from those CBOR items instead of
  // j["units"] (a loaded file's, model_io.hpp SplitModel; a unit that does not parse is
  // reported as decode_model_file reports it, naming `source`).
  static MegModel from_tree(const nlohmann::json& j, const std::vector<std::string_view>* unit_cbor,
                            const std::string& source);
  // Checks the options against the table and fits the codec.
  static MegModel start_fit(const data::CsvTable& table, const data::Schema& schema,
                            const FitOptions& options);
  // The rest of fit() on the encoded table: split, units, weights, refit.
  // The chunk selection of sampling: the resampler's, or none.
  ChunkSelect resample_select() const;
  void fit_codes(data::EncodedDataset all, const data::Schema& schema, const ProgressFn& progress);

  data::TableCodec codec_;
  std::vector<train::GanblrUnit> units_;
  std::vector<double> weights_;
  FitOptions options_;
  nlohmann::json summary_ = nlohmann::json::object();
  uint64_t training_rows_ = 0;
  std::optional<Resampler> resampler_;  // discriminator-weighted resampling, when chosen
};

}  // namespace meg::ensemble
