// Everything schema inference and codec fitting need to know about one column,
// gathered in one pass over its cells, chunk by chunk, with a result that does
// not depend on how the cells are cut into chunks.
//
// Exact mode (every column to begin with): the distinct texts with their counts
// (a TextDict) and, when asked, each row's text id (its provisional code, 1, 2
// or 4 bytes by the number of distinct texts so far). Categorical columns stay
// exact: every level is kept.
//
// Sampled mode: a column whose texts are all numbers (or that a schema file
// declares numeric) and that passes limits.exact_distinct distinct texts drops
// its texts and provisional codes and keeps instead
//  - a bottom-k row sample: the limits.sample_rows rows with the smallest hash
//    of (the column's seed, the row's index in the table), with their values;
//    it is the same for any chunking, and two shards' samples merge by keeping
//    the k smallest hashes of both;
//  - a distinct-count sketch (the limits.distinct_sketch smallest text hashes:
//    distinct ~ (k - 1) / largest kept hash, about 1.5% error at k = 4096);
//  - exact counts of the missing tokens, the most decimals, integer-ness.
// Such a column's codes are made by a second pass (TableBuilder), and its codec
// is fitted on the sample's values. Should a text that is not a number appear
// later (the column is categorical after all), the column is marked Reread: the
// second pass profiles it again in exact mode.
//
// Cells a declared type refuses (text in a column declared integer, a fraction
// in an integer column) are reported as they are added, with their line.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/csv_reader.hpp"
#include "data/dataset.hpp"
#include "data/datetime_format.hpp"
#include "data/schema.hpp"
#include "data/text_dict.hpp"

namespace meg::data {

// Bounds on what a column profile keeps (docs/data.md has their costs).
struct ProfileLimits {
  size_t exact_distinct = size_t{1} << 18;  // distinct texts of a numeric column kept exactly
  size_t sample_rows = size_t{1} << 18;     // rows in the bounded sample beyond that
  size_t distinct_sketch = 4096;            // hashes kept to estimate the distinct count
};

// What a profile is told before the pass.
struct ColumnPlan {
  std::string source;  // the file, for messages
  std::string name;
  size_t index = 0;                       // position of the column in the file
  std::optional<ColumnType> declared;     // the type a schema file gives, if any
  std::string declared_format;            // and its date/time format, if it gives one
  std::vector<std::string> infer_tokens;  // missing tokens of inference (the defaults)
  std::vector<std::string> tokens;        // missing tokens of the codec (the final schema's)
  size_t max_categorical_numeric = 20;    // InferOptions
  uint64_t seed = 0;                      // the column's codec seed (names the row sample)
  bool keep_codes = false;                // keep each row's provisional code
  bool exact_only = false;                // never sample (a column known to be categorical)
  ProfileLimits limits;
};

// An exact-mode profile of consecutive rows, as another process sends it to be merged
// (ColumnProfile::part, take_part): views into the sender's texts.
struct ProfilePart {
  uint64_t rows = 0;
  std::vector<std::string_view> texts;  // the distinct texts, in order of first appearance
  std::vector<uint64_t> counts;         // per text
  std::vector<uint64_t> token_lines;    // per missing token (the profile's order): first line, 0
};

// A cell the declared type refuses: its row in the table and the message.
struct CellError {
  uint64_t row = UINT64_MAX;
  std::string message;
};

class ColumnProfile {
 public:
  enum class Mode { Exact, Sampled, Reread };

  explicit ColumnProfile(ColumnPlan plan);

  // Adds the cells of table rows first_row .. first_row + n - 1 (lines[i]: the line
  // where row i starts). Returns false, with *error, at the first cell the declared
  // type refuses; the column takes no cells after it.
  bool add(const std::string_view* cells, const uint64_t* lines, size_t n, uint64_t first_row,
           CellError* error);
  // The same for cells given as ids into a dictionary of texts (CsvChunk::Coded): the
  // same result, with one lookup per distinct text of the dictionary instead of one a cell.
  bool add_coded(const CsvChunk::Coded& cells, const uint64_t* lines, size_t n, uint64_t first_row,
                 CellError* error);

  Mode mode() const { return mode_; }
  const ColumnPlan& plan() const { return plan_; }
  uint64_t rows() const { return rows_; }
  // The inferred schema entry (type, distinct, missing) with plan.infer_tokens.
  ColumnSchema infer(const InferOptions& options) const;
  // The codec of the final schema entry `schema` (its tokens are plan.tokens). Throws
  // DataError naming the file, line and column for a cell its type cannot hold.
  std::unique_ptr<ColumnCodec> fit(const ColumnSchema& schema, uint64_t seed) const;
  // Whether codes() can be called: exact mode with plan.keep_codes.
  bool has_codes() const { return mode_ == Mode::Exact && plan_.keep_codes; }
  // The code `codec` gives each added row, by row (codec.encode of its text).
  template <class Out>
  void codes(const ColumnCodec& codec, Out&& out) const {
    std::vector<Code> remap(dict_.size());
    for (uint32_t id = 0; id < dict_.size(); ++id) remap[id] = codec.encode(dict_.text(id));
    size_t row = 0;
    for (const CodeColumn& block : temp_) {
      block.visit([&](auto ids) {
        for (auto id : ids) out(row++, remap[id]);
      });
    }
  }
  // Each added row's number, rows first .. first + n - 1, NaN for a cell that is not a
  // number (a missing token); has_codes() only. `numbers` is from text_numbers().
  void row_values(uint64_t first, size_t n, const std::vector<double>& numbers, double* out) const;
  // Per distinct text (exact mode): its number, NaN for a text that is not one.
  std::vector<double> text_numbers(const NumericView& view) const;  // values as view reads them
  // Per distinct text (exact mode): the code `codec` gives it.
  std::vector<double> text_codes(const ColumnCodec& codec) const;
  // Merging the profiles of consecutive parts of a table, each made on its own (in
  // exact mode, no refused cell): a profile of no rows takes every part's summary in
  // table order, then every part's provisional codes, and is then the profile one pass
  // over the parts would have made — the same texts in the same order, counts, kinds,
  // inference flags and first lines of the tokens (each new text's first appearance is
  // replayed in order), hence the same schema, codecs and codes. The row sample is not
  // kept: a column that ends in exact mode never reads it.
  bool mergeable() const { return mode_ == Mode::Exact && !stopped_; }
  ProfilePart part() const;  // mergeable() only
  // Adds the next part's summary; `ids`: each of its texts' id here. False (the profile
  // is then unusable) when one pass would have left exact mode at these rows (a numeric
  // column past limits.exact_distinct) or refused a text: the rows must then be
  // profiled in one pass.
  bool take_part(const ProfilePart& part, std::vector<uint32_t>* ids);
  // This profile's provisional codes, each mapped through `ids` (from take_part), in a
  // column wide enough for `cardinality` codes.
  CodeColumn mapped_codes(const std::vector<uint32_t>& ids, uint64_t cardinality) const;
  // After every take_part: the next rows' provisional codes (ids here), in table order.
  void append_codes(CodeColumn codes);
  size_t texts() const { return dict_.size(); }
  // Bytes held (texts, provisional codes, sample).
  size_t memory_bytes() const;
  void release();

 private:
  // Per text: a number the codec takes, a missing token of the codec, or neither.
  enum Kind : uint8_t { kValue = 0, kMissing = 1, kOther = 2 };
  struct Sampled {
    uint64_t hash;
    uint64_t payload;  // text id (exact mode) or the value's bits (sampled mode)
    bool operator<(const Sampled& o) const {
      return hash != o.hash ? hash < o.hash : payload < o.payload;
    }
  };

  template <class Cells>
  bool add_cells(const Cells& cells, const uint64_t* lines, size_t n, uint64_t first_row,
                 CellError* error);
  int token_index(std::string_view text) const;
  bool on_new_text(std::string_view text, uint64_t line, uint64_t row, CellError* error);
  bool add_sampled(std::string_view text, uint64_t line, uint64_t row, CellError* error);
  void offer(uint64_t row, uint64_t payload);
  void shrink_sample();
  void sketch(uint64_t hash);
  void to_sampled();
  void set_reread();
  bool refuse(uint64_t row, uint64_t line, std::string_view text, const char* problem,
              CellError* error) const;
  // Declared a number type (a date/time of epoch seconds is one).
  bool declared_numeric() const {
    return plan_.declared &&
           (*plan_.declared == ColumnType::Integer || *plan_.declared == ColumnType::Continuous ||
            (is_temporal(*plan_.declared) && plan_.declared_format == "%s"));
  }
  // Roles (column_roles.cpp): sets an exact column's date/time or id role and format.
  void infer_role(const InferOptions& options, ColumnSchema* col) const;
  // The distinct texts that are not missing tokens of the codec (or of inference), with counts.
  void present_texts(bool of_inference, std::vector<std::string_view>* texts,
                     std::vector<uint64_t>* counts) const;
  std::unique_ptr<ColumnCodec> fit_role(const ColumnSchema& schema,
                                        const std::vector<uint64_t>& missing, uint64_t seed) const;
  uint64_t distinct() const;
  uint64_t token_count(size_t u) const;

  ColumnPlan plan_;
  std::optional<TimePattern> declared_pattern_;  // a declared date/time format: cells checked
  Mode mode_ = Mode::Exact;
  uint64_t rows_ = 0;
  bool stopped_ = false;  // a refused cell ended the column

  // The missing tokens of inference and of the codec, merged: flags per token.
  std::vector<std::string> tokens_;
  std::vector<bool> in_infer_, in_codec_;
  std::vector<uint64_t> token_counts_;      // sampled mode
  std::vector<uint64_t> token_first_line_;  // 0 = not seen

  // Inference over the texts that are not inference tokens.
  bool all_numbers_ = true;
  bool all_integers_ = true;

  // Exact mode.
  TextDict dict_;
  std::vector<Kind> kind_;  // per text
  // Each row's text id, in blocks of 2^20 rows (1, 2 or 4 bytes as the block's ids
  // need): blocks are never copied to grow.
  std::vector<CodeColumn> temp_;
  std::vector<Code> chunk_ids_;
  // add_coded(): the dictionary it was last given, and its texts' ids in dict_ (UINT32_MAX:
  // not met yet).
  const std::string_view* coded_texts_ = nullptr;
  std::vector<uint32_t> coded_ids_;

  // The row sample while the column may be numeric: the rows with a hash below
  // sample_cut_, cut down to the k smallest whenever they reach 1.5 k.
  bool sampling_ = true;
  uint64_t sample_key_ = 0;
  uint64_t sample_cut_ = UINT64_MAX;
  std::vector<Sampled> sample_;

  // Sampled mode.
  std::set<uint64_t> sketch_;
  int decimals_ = 0;
  bool exponent_ = false;
};

// Adds a whole column of an in-memory table; throws DataError at a refused cell.
void add_table_column(ColumnProfile& profile, const CsvTable& table, size_t column);

}  // namespace meg::data
