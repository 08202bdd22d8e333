// Decoding numeric cells jointly, and the rules the rows obey (docs/data.md, "Joint
// numeric decoding and rules").
//
// A numeric cell's code is its bin; the value inside the bin used to be drawn alone, so
// relations inside bins (x, y, z and carat of a diamond) were lost. The row model keeps,
// for a bounded seeded subset of training rows ("donors"), each numeric column's bin and
// its rank position inside the bin (a randomised quantile, 16 bits). A synthetic row takes
// the positions of a donor that shares the longest prefix of its bins, the columns in an
// order where each is strongly associated with the ones before it, with a small jitter,
// and maps each position through its own bin: the in-bin ranks move together as they did
// in the data, inside the bins the networks chose.
//
// Rules: an order A <= B between two numeric columns that holds in every training row
// (learned over every row, for the first kMaxRuleColumns numeric columns) or is declared
// in the schema file; sums "total = a + b - c", declared or learned (data/sum_rules.hpp).
// Values are decoded in column order, a sum's total moved right after its parts; a value
// outside the interval its already-decoded partners allow is moved to the nearest training
// value inside it (in its bin if possible), so no loop can stall; a total is the sum of its
// parts, written in its own rounding (the part decoded just before it may be moved so the
// total keeps its range and order rules).
//
// Links: an order pair whose difference is tight (its spread over the donors at most
// kLinkSpread of the later column's) is decoded as the earlier column plus the donor's
// difference, so a trip's duration keeps its distribution and its relation to the donor
// key's columns (distance, fare) instead of two independent draws inside wide bins.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"
#include "data/codec.hpp"

namespace meg::data {

struct OrderRule {
  uint32_t low = 0, high = 0;  // value(low) <= value(high) when both are present
  bool declared = false;
};

struct SumRule {
  uint32_t total = 0;
  std::vector<uint32_t> parts;  // total = sum of signs[i] * parts[i], within its rounding
  std::vector<int> signs;       // +1 or -1 per part
  bool learned = false;         // found in the training rows (else declared)
};

// A column decoded from an earlier one: value(later) = value(base) + the donor row's
// difference, for an order pair whose difference varies far less than the later column
// (a trip's end and its start).
struct LinkRule {
  uint32_t later = 0, base = 0;  // base < later (column order, so base is decoded first)
};

struct RowModelOptions {
  bool joint = true;        // in-bin positions from a donor row (fit option joint_decode)
  bool learn_rules = true;  // learn order rules (fit option learn_rules)
  bool learn_sums = true;   // learn sums (fit option learn_sums; data/sum_rules.hpp)
  size_t max_donors = size_t{1} << 15;
  double jitter = 0.1;  // half-width of the uniform jitter on a donor's position
  std::vector<OrderRule> declared_orders;
  std::vector<SumRule> declared_sums;
};

// The model file's rules section: 1 = declared sums of '+' parts; 2 = signed and learned
// sums ("signs", "learned"). Older versions load.
inline constexpr int kRulesVersion = 2;
// Numeric columns that take part (key columns, learned rules): at most this many.
inline constexpr size_t kMaxRuleColumns = 64;
// A link is made when sd(later - base) <= kLinkSpread * sd(later) over the donors.
inline constexpr double kLinkSpread = 0.1;
// A categorical column joins the donor key when it has at most this many codes.
inline constexpr uint32_t kMaxKeyLevels = 64;

// Fills out[0..n) with column `col`'s values of rows first..first+n-1: a numeric column's
// numbers (NaN: missing), a categorical column's codes.
using ValueSource = std::function<void(size_t col, uint64_t first, size_t n, double* out)>;

class RowModel {
 public:
  // Null when there is nothing to do (no numeric column, or joint decoding and rules off
  // and none declared). `available[c]`: the source can give column c's values.
  static std::shared_ptr<const RowModel> fit(const TableCodec& codec, uint64_t rows,
                                             const std::vector<bool>& available,
                                             const ValueSource& values,
                                             const RowModelOptions& options, uint64_t seed);

  // Decodes rows (row-major codes) into CSV lines; ranged conditions (may be null) keep
  // their column inside [lo, hi]; the rows are rows first_row.. of the sample (id columns).
  void decode_rows(const TableCodec& codec, const Code* codes, size_t n_rows, core::Rng& rng,
                   std::string& out, const std::vector<ColumnCondition>* conditions,
                   uint64_t first_row = 0) const;

  nlohmann::json to_json() const;
  // Checks the tree against the codec (ModelFormatError).
  static std::shared_ptr<const RowModel> from_json(const nlohmann::json& j,
                                                   const TableCodec& codec);

  // One line per rule and range, for `meg inspect`.
  std::vector<std::string> describe(const TableCodec& codec) const;
  const std::vector<OrderRule>& order_rules() const { return rules_; }
  const std::vector<SumRule>& sum_rules() const { return sums_; }
  const std::vector<LinkRule>& link_rules() const { return links_; }
  size_t donors() const { return n_donors_; }
  const std::vector<uint32_t>& key_columns() const { return key_cols_; }

 private:
  void prepare(const TableCodec& codec);
  // Picks the links among the order rules (raw: m donors x q numeric values, cols[0..q) the
  // numeric columns); returns each link's base and later slot in raw.
  static std::vector<size_t> choose_links(RowModel& model, const std::vector<uint32_t>& cols,
                                          size_t q, const std::vector<double>& raw, size_t m);
  size_t pick_donor(const Code* row, core::Rng& rng) const;

  std::vector<uint32_t> key_cols_;  // numeric (then categorical) columns, in key order
  size_t n_donors_ = 0;
  std::vector<uint32_t> keys_;  // n_donors x key columns: bins, sorted lexicographically
  std::vector<uint16_t> pos_;   // n_donors x key columns: in-bin positions * 2^16
  double jitter_ = 0.1;
  std::vector<OrderRule> rules_;
  std::vector<SumRule> sums_;
  std::vector<LinkRule> links_;
  std::vector<double> gaps_;  // n_donors x links: value(later) - value(base), NaN if missing
  // Derived: per column, its slot in the key (-1: none) and the columns before it that
  // bound it from below / above.
  std::vector<int> slot_;
  std::vector<uint8_t> key_numeric_;  // per key column: numeric (bins) or categorical
  std::vector<size_t> first_begin_;   // per first key code c: the first donor whose code >= c
  std::vector<std::vector<uint32_t>> lower_of_, upper_of_;
  std::vector<int> link_of_;     // per column: its link (index into links_), or -1
  std::vector<uint32_t> order_;  // the columns in decoding order (totals after their parts)
  std::vector<int> sum_of_;      // per column: the sum it is the total of, or -1
  std::vector<double> units_;    // per column: the step of its written values (0: none)
  // Per sum: its parts (indices into parts) that may be moved to keep the total in its
  // interval, latest decoded first: not a total, and no column decoded between the part
  // and the total depends on the part.
  std::vector<std::vector<size_t>> movable_;
};

// The row model's seed from the codec seed (the same for a file and a table in memory).
inline uint64_t row_model_seed(uint64_t codec_seed) {
  return core::derive_seed(codec_seed, {UINT64_MAX});
}

// The row model of a table in memory (every column's cells parsed; TableBuilder does the
// same from a file while streaming it).
std::shared_ptr<const RowModel> fit_row_model(const TableCodec& codec, const CsvTable& table,
                                              const RowModelOptions& options, uint64_t codec_seed);

// Parses the schema file's "constraints" (an array of strings "A <= B", "A >= B",
// "total = a + b + c") against the final schema; DataError naming `source` and the
// constraint for a bad one.
void parse_constraints(const nlohmann::json& file, const Schema& schema, const std::string& source,
                       RowModelOptions& options);

}  // namespace meg::data
