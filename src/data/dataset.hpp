// The encoded table every model works on: column-major integer codes, each column
// stored in the narrowest unsigned type its cardinality allows (1, 2 or 4 bytes a
// code), and views that select rows of it without copying codes.
//
// Hot loops should not call CodeColumn::operator[] per code (it dispatches on the
// width each time): visit() hands them the column as a std::span of its own type
// (uint8_t, uint16_t or uint32_t), so the loop is compiled once per width and runs
// on the narrow codes directly. DatasetView::visit() does the same for a range of
// a view's rows (a piece of the column itself, or the listed rows gathered).
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace meg::data {

using Code = uint32_t;
// Row index into an EncodedDataset (tables of up to 2^32 - 1 rows).
using RowIndex = uint32_t;

// Bytes per code for a column with `cardinality` codes: 1, 2 or 4.
constexpr int code_width(uint64_t cardinality) {
  return cardinality <= 256 ? 1 : cardinality <= 65536 ? 2 : 4;
}

// One column's codes. Constructed with the column's cardinality it stores each code
// in code_width(cardinality) bytes; storing a code the width cannot hold widens the
// column (so a default-constructed column starts at 1 byte and is always correct).
class CodeColumn {
 public:
  CodeColumn() = default;
  // `rows` zero codes, in the width of `cardinality`.
  explicit CodeColumn(uint64_t cardinality, size_t rows = 0) {
    make(code_width(cardinality));
    resize(rows);
  }
  CodeColumn(uint64_t cardinality, const std::vector<Code>& codes) : CodeColumn(cardinality) {
    append(codes);
  }

  // fn(std::span<const T>) with T = uint8_t, uint16_t or uint32_t (the storage type);
  // returns what fn returns.
  template <class Fn>
  decltype(auto) visit(Fn&& fn) const {
    return std::visit(
        [&](const auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          return fn(std::span<const T>(v.data(), v.size()));
        },
        data_);
  }
  // fn(std::span<T>) to write codes in place (each must be below 2^(8 * width())).
  template <class Fn>
  decltype(auto) visit_mut(Fn&& fn) {
    return std::visit(
        [&](auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          return fn(std::span<T>(v.data(), v.size()));
        },
        data_);
  }

  size_t size() const {
    return std::visit([](const auto& v) { return v.size(); }, data_);
  }
  bool empty() const { return size() == 0; }
  // Bytes per code: 1, 2 or 4.
  int width() const { return 1 << data_.index(); }
  size_t bytes() const { return size() * static_cast<size_t>(width()); }

  Code operator[](size_t row) const {
    switch (data_.index()) {
      case 0:
        return (*std::get_if<0>(&data_))[row];
      case 1:
        return (*std::get_if<1>(&data_))[row];
      default:
        return (*std::get_if<2>(&data_))[row];
    }
  }
  void set(size_t row, Code code) {
    fit(code);
    std::visit(
        [&](auto& v) {
          v[row] = static_cast<typename std::decay_t<decltype(v)>::value_type>(code);
        },
        data_);
  }
  void push_back(Code code) {
    fit(code);
    std::visit(
        [&](auto& v) {
          v.push_back(static_cast<typename std::decay_t<decltype(v)>::value_type>(code));
        },
        data_);
  }
  void append(std::span<const Code> codes) {
    Code mx = 0;
    for (Code c : codes) mx = c > mx ? c : mx;
    fit(mx);
    std::visit([&](auto& v) { v.insert(v.end(), codes.begin(), codes.end()); }, data_);
  }
  void append(const CodeColumn& other) {
    other.visit([&](auto span) {
      using T = typename decltype(span)::value_type;
      if (sizeof(T) > static_cast<size_t>(width())) make_at_least(static_cast<int>(sizeof(T)));
      std::visit([&](auto& v) { v.insert(v.end(), span.begin(), span.end()); }, data_);
    });
  }
  // New codes are 0.
  void resize(size_t rows) {
    std::visit([&](auto& v) { v.resize(rows); }, data_);
  }
  void reserve(size_t rows) {
    std::visit([&](auto& v) { v.reserve(rows); }, data_);
  }
  void clear() {
    std::visit([](auto& v) { v.clear(); }, data_);
  }
  void shrink_to_fit() {
    std::visit([](auto& v) { v.shrink_to_fit(); }, data_);
  }
  std::vector<Code> to_vector() const {
    return visit([](auto span) { return std::vector<Code>(span.begin(), span.end()); });
  }

  // Same codes (whatever the widths).
  friend bool operator==(const CodeColumn& a, const CodeColumn& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

 private:
  using Storage = std::variant<std::vector<uint8_t>, std::vector<uint16_t>, std::vector<uint32_t>>;
  void make(int width) {
    if (width == 1) {
      data_ = std::vector<uint8_t>();
    } else if (width == 2) {
      data_ = std::vector<uint16_t>();
    } else {
      data_ = std::vector<uint32_t>();
    }
  }
  // Widens the storage so `code` fits.
  void fit(Code code) {
    if (code > 0xFF && width() < code_width(uint64_t{code} + 1))
      make_at_least(code_width(uint64_t{code} + 1));
  }
  void make_at_least(int width) {
    if (width <= this->width()) return;
    Storage wider;
    if (width == 2) {
      wider = std::vector<uint16_t>();
    } else {
      wider = std::vector<uint32_t>();
    }
    std::visit([&](auto& dst) { visit([&](auto src) { dst.assign(src.begin(), src.end()); }); },
               wider);
    data_ = std::move(wider);
  }

  Storage data_;
};

struct EncodedDataset {
  std::vector<std::string> names;     // column names, in table order
  std::vector<uint32_t> cardinality;  // codes of column c are in [0, cardinality[c])
  std::vector<CodeColumn> columns;    // columns[c][row]

  size_t num_cols() const { return columns.size(); }
  size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }
  // Bytes held by the codes.
  size_t code_bytes() const {
    size_t b = 0;
    for (const auto& c : columns) b += c.bytes();
    return b;
  }

  // A dataset from plain code vectors (columns[c][row]), each column stored narrow.
  static EncodedDataset from_columns(std::vector<std::string> names,
                                     std::vector<uint32_t> cardinality,
                                     const std::vector<std::vector<Code>>& columns) {
    EncodedDataset ds;
    ds.names = std::move(names);
    ds.cardinality = std::move(cardinality);
    for (size_t c = 0; c < columns.size(); ++c) {
      ds.columns.emplace_back(c < ds.cardinality.size() ? ds.cardinality[c] : 0, columns[c]);
    }
    return ds;
  }
};

// Rows of an EncodedDataset without a copy of its codes: every row, or the rows listed
// (indices into the dataset, kept by the caller for the view's lifetime). View row i is
// dataset row row(i). Every function that reads codes takes a view; a dataset converts
// to the view of all its rows.
class DatasetView {
 public:
  DatasetView(const EncodedDataset& data) : data_(&data), n_(data.num_rows()) {}  // NOLINT
  DatasetView(const EncodedDataset& data, std::span<const RowIndex> rows)
      : data_(&data), rows_(rows), indexed_(true), n_(rows.size()) {}

  const EncodedDataset& data() const { return *data_; }
  size_t num_rows() const { return n_; }
  size_t num_cols() const { return data_->num_cols(); }
  const std::vector<uint32_t>& cardinality() const { return data_->cardinality; }
  const std::vector<std::string>& names() const { return data_->names; }
  // True when the view is every row of the dataset, in order.
  bool is_whole() const { return !indexed_ && first_ == 0 && n_ == data_->num_rows(); }
  size_t row(size_t i) const { return indexed_ ? rows_[i] : first_ + i; }
  // The same view, whose rows [begin, begin + copy.num_rows()) are also held as `copy`
  // (those rows materialized, kept by the caller for the view's lifetime): slicing exactly
  // them gives the view of `copy`, whose codes are read in place instead of gathered.
  DatasetView with_copy(size_t begin, const EncodedDataset& copy) const {
    DatasetView out = *this;
    out.copy_ = &copy;
    out.copy_begin_ = begin;
    return out;
  }
  // View rows [begin, end) as a view of their own (no copy).
  DatasetView slice(size_t begin, size_t end) const {
    if (copy_ && begin == copy_begin_ && end - begin == copy_->num_rows() && end > begin) {
      return DatasetView(*copy_);
    }
    DatasetView out = *this;
    out.copy_ = nullptr;
    if (indexed_) {
      out.rows_ = rows_.subspan(begin, end - begin);
    } else {
      out.first_ = first_ + begin;
    }
    out.n_ = end - begin;
    return out;
  }
  // The code of column c at view row i (dispatches on the width: not for hot loops).
  Code code(size_t c, size_t i) const { return data_->columns[c][row(i)]; }

  // fn(std::span<const T>) with the codes of column c at view rows [begin, end): for a
  // view of every row, a piece of the column itself (T its storage type); for listed
  // rows, the codes gathered into `scratch` (T = uint32_t; reused between calls).
  template <class Fn>
  decltype(auto) visit(size_t c, size_t begin, size_t end, std::vector<uint32_t>& scratch,
                       Fn&& fn) const {
    return data_->columns[c].visit([&](auto span) {
      if (!indexed_) return fn(span.subspan(first_ + begin, end - begin));
      scratch.resize(end - begin);
      for (size_t i = begin; i < end; ++i) scratch[i - begin] = span[rows_[i]];
      return fn(std::span<const uint32_t>(scratch));
    });
  }

  // The view's rows as a dataset of their own (a copy: for small selections).
  EncodedDataset materialize() const {
    EncodedDataset out;
    out.names = data_->names;
    out.cardinality = data_->cardinality;
    for (size_t c = 0; c < num_cols(); ++c) {
      CodeColumn col(data_->cardinality[c]);
      col.reserve(n_);
      data_->columns[c].visit([&](auto span) {
        for (size_t i = 0; i < n_; ++i) col.push_back(span[row(i)]);
      });
      out.columns.push_back(std::move(col));
    }
    return out;
  }

 private:
  const EncodedDataset* data_;
  std::span<const RowIndex> rows_;
  bool indexed_ = false;
  size_t first_ = 0;  // a view of consecutive rows: its first row
  size_t n_ = 0;
  const EncodedDataset* copy_ = nullptr;  // with_copy: rows [copy_begin_, ...) as a dataset
  size_t copy_begin_ = 0;
};

}  // namespace meg::data
