// Encoders between field text and integer codes, fitted on a training table.
//
// Categorical: the distinct non-missing values sorted (numerically when every
// value is a number, else by bytes) get codes 0..r-1; missing gets code r when
// the training column had missing cells. Unseen text at transform time maps to
// unknown_code(): the missing code if there is one, else the most frequent level.
//
// Numeric: a discretiser assigns every distinct training value a bin code; the
// codec keeps the sorted distinct values with their counts and codes, so a new
// value takes the code of the nearest training value, and decoding either draws
// a training value that fell in the bin (weighted by count: exact point masses,
// range, integer-ness and decimals are kept) or draws uniformly inside the
// bin's observed range, rounded to the column's integer-ness and decimals.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/dataset.hpp"
#include "data/schema.hpp"

namespace meg::data {

// A condition "COL=TEXT" on one column (docs/conditional.md): the allowed codes and,
// for a numeric range, the interval the decoded values must stay in.
// Values lo <= v <= hi (either end may be infinite).
struct ValueRange {
  double lo = 0.0, hi = 0.0;
};

// What a column's values may be in a conditional sample (docs/conditional.md): the codes a
// unit may draw and, for a numeric or date/time column, the value ranges decoding keeps to.
// Several conditions on one column allow any of their values (a union).
struct ColumnCondition {
  size_t column = 0;
  std::vector<Code> codes;         // sorted, distinct, never empty
  std::vector<ValueRange> ranges;  // sorted, disjoint; empty = the codes say it all
  bool ranged() const { return !ranges.empty(); }
};

class NumericView;
// The value that joint decoding writes for `v` drawn in bin `code` of a ranged column,
// also kept to [lo, hi] (order rules): v when it lies in a range, else the nearest
// training value of the bin in a range (or v clamped to the nearest range when the bin
// has none there); when no range meets [lo, hi], the same ignoring [lo, hi] (a condition
// holds on every row, an order rule may then not).
double keep_within(const NumericView& view, Code code, double v,
                   const std::vector<ValueRange>& ranges, double lo, double hi);

// What joint decoding and rules need from a numeric codec (data/row_model.hpp): positions
// inside a bin as rank quantiles, values at a position, clamping, formatting.
class NumericView {
 public:
  virtual ~NumericView() = default;
  // The bin of training value `v` (nearest training value) and a randomised rank
  // position in [0, 1) inside it: (rows of the bin below v + r * rows at v) / rows of
  // the bin, r in [0, 1), so positions are uniform over the bin's rows.
  virtual Code locate(double v, double r, double* position) const = 0;
  // The value at rank position u in [0, 1) of bin `code` (the inverse of locate).
  virtual double value_at(Code code, double u) const = 0;
  // The training value nearest to v within [lo, hi] (preferring bin `code`'s values);
  // false when no training value lies in [lo, hi].
  virtual bool nearest_within(Code code, double v, double lo, double hi, double* out) const = 0;
  // A value written as the column writes its values (integer-ness, decimals).
  virtual void format_value(double v, std::string& out) const = 0;
  // When value_at(code, u) is a training value kept with its text: that value's index
  // (then value_of and format_index give the same value and text as value_at and
  // format_value, without searching); kNoIndex otherwise.
  // Whether a written value can hold a comma, quote or line break (a date format with a
  // comma), so it must go through CSV quoting; a number's text never does.
  virtual bool text_may_need_quotes() const { return false; }
  static constexpr size_t kNoIndex = SIZE_MAX;
  virtual size_t index_at(Code /*code*/, double /*u*/) const { return kNoIndex; }
  virtual double value_of(size_t index) const;
  virtual void format_index(size_t index, std::string& out) const;
  virtual double min_value() const = 0;
  virtual double max_value() const = 0;
  // The step of the written values of a plain decimal column (1 for integers, 10^-decimals);
  // 0 when the values are not plain decimals (dates, exponent notation): no learned sums.
  virtual double unit() const { return 0; }
  // The value of a training cell's text (NaN when it is not a value, e.g. a missing token).
  virtual double number_of(std::string_view text) const;
};

class ColumnCodec {
 public:
  // The numeric view of a numeric codec; nullptr for other codecs.
  virtual const NumericView* numeric_view() const { return nullptr; }
  virtual ~ColumnCodec() = default;
  virtual uint32_t cardinality() const = 0;
  // Code of a field's text (missing tokens -> missing code; unseen -> unknown_code()).
  virtual Code encode(std::string_view field) const = 0;
  // Appends the text of one value drawn for `code` to `out`.
  virtual void decode(Code code, core::Rng& rng, std::string& out) const = 0;
  // The same draw (same text, same use of rng) written as a CSV field: quoted when it
  // needs quotes (append_csv_field, delimiter ','). Codecs keep their texts ready-quoted.
  virtual void decode_csv(Code code, core::Rng& rng, std::string& out) const {
    std::string cell;
    decode(code, rng, cell);
    append_csv_field(out, cell);
  }
  // decode / decode_csv for row `row` of a sample (counted from 0 over the whole sample):
  // id columns give each row its own fresh id (data/id_codec.hpp); the others ignore it.
  virtual void decode_row(Code code, uint64_t row, core::Rng& rng, std::string& out) const {
    (void)row;
    decode(code, rng, out);
  }
  virtual void decode_csv_row(Code code, uint64_t row, core::Rng& rng, std::string& out) const {
    (void)row;
    decode_csv(code, rng, out);
  }
  // Code used for missing cells, or -1 if the training column had none.
  virtual int64_t missing_code() const = 0;
  virtual Code unknown_code() const = 0;
  // Human-readable label of a code (level text or bin range), for inspect / dot.
  virtual std::string label(Code code) const = 0;
  virtual nlohmann::json to_json() const = 0;
  // Condition for the text after "name=" (`spec` is the whole condition, for messages):
  // a level (categorical), a value or range LO..HI with either side open (numeric), or
  // a missing token. Throws InvalidArgument when nothing in training matches.
  virtual ColumnCondition condition(std::string_view text, const std::string& name,
                                    const std::string& spec) const = 0;
  // decode() restricted to values in one of `ranges` (numeric and date/time columns);
  // default: decode().
  virtual void decode_within(Code code, const std::vector<ValueRange>& ranges, core::Rng& rng,
                             std::string& out) const {
    (void)ranges;
    decode(code, rng, out);
  }
};

// A categorical codec from the distinct non-missing texts (any order) with their counts
// and the count of each of schema.missing_tokens (ColumnProfile::fit gathers them).
std::unique_ptr<ColumnCodec> fit_categorical_codec(std::vector<std::string> levels,
                                                   const std::vector<uint64_t>& counts,
                                                   const std::vector<uint64_t>& missing_counts,
                                                   const ColumnSchema& schema);
std::unique_ptr<ColumnCodec> column_codec_from_json(const nlohmann::json& j);

class RowModel;

class TableCodec {
 public:
  TableCodec() = default;
  // Fits one codec per schema column on the table (columns matched by name); the same
  // codecs as TableBuilder fits streaming the table from its file.
  static TableCodec fit(const CsvTable& table, const Schema& schema, uint64_t seed);
  // The codecs fitted elsewhere (TableBuilder), one per schema column.
  static TableCodec from_codecs(Schema schema, std::vector<std::unique_ptr<ColumnCodec>> codecs);

  // Encodes a table with the same columns (by name, any order; extra columns
  // are an error). Unseen values never fail (see ColumnCodec::unknown_code).
  EncodedDataset encode(const CsvTable& table) const;
  // Decodes rows given row-major codes (n_rows x num_cols) into CSV text,
  // header first when `header` is true. Deterministic for a given rng state; the rows are
  // rows first_row.. of the sample (what id columns need).
  void decode_rows(const Code* codes, size_t n_rows, core::Rng& rng, std::string& out,
                   uint64_t first_row = 0) const;
  // Same, numeric columns with a ranged condition decoding only inside the range.
  void decode_rows(const Code* codes, size_t n_rows, core::Rng& rng, std::string& out,
                   const std::vector<ColumnCondition>& conditions, uint64_t first_row = 0) const;
  // Parses conditions "COL=VALUE" / "COL=LO..HI"; several on one column allow any of
  // their values (one ColumnCondition per column, in order of first mention). Throws
  // InvalidArgument naming the condition when a column or value is unknown.
  std::vector<ColumnCondition> parse_conditions(const std::vector<std::string>& where) const;
  void write_header(std::string& out) const;

  size_t num_cols() const { return codecs_.size(); }
  const Schema& schema() const { return schema_; }
  const ColumnCodec& column(size_t c) const { return *codecs_[c]; }
  std::vector<uint32_t> cardinalities() const;
  std::vector<std::string> column_names() const;

  nlohmann::json to_json() const;
  static TableCodec from_json(const nlohmann::json& j);

  // Joint numeric decoding and rules (data/row_model.hpp); null: each cell decoded alone.
  void set_row_model(std::shared_ptr<const RowModel> model) { rows_ = std::move(model); }
  const RowModel* row_model() const { return rows_.get(); }

 private:
  Schema schema_;
  std::shared_ptr<const RowModel> rows_;
  std::vector<std::shared_ptr<const ColumnCodec>> codecs_;
};

}  // namespace meg::data
