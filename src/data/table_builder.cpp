#include "data/table_builder.hpp"

#include <chrono>
#include <future>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <optional>

#include <fmt/format.h>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

using Clock = std::chrono::steady_clock;

// Gives freed heap pages back to the system (glibc keeps them otherwise, and the peak
// would hold every column's provisional codes and its final codes at once).
void release_free_memory() {
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
}

// What one pass does with column c: profile it, encode it with a fitted codec, or skip it.
struct PassColumn {
  ColumnProfile* profile = nullptr;
  const ColumnCodec* codec = nullptr;
  CodeColumn* codes = nullptr;  // where codec writes
};

// The codes a codec gives the texts of one dictionary (CsvChunk::Coded), each text
// encoded at its first cell.
struct EncodedTexts {
  const std::string_view* texts = nullptr;
  std::vector<Code> codes;
  std::vector<bool> known;
};

void encode_coded(const ColumnCodec& codec, const CsvChunk::Coded& cells, size_t n,
                  EncodedTexts& cache, std::vector<Code>& out) {
  if (cache.texts != cells.texts) {
    cache.texts = cells.texts;
    cache.codes.assign(cells.size, 0);
    cache.known.assign(cells.size, false);
  }
  out.resize(n);
  for (size_t r = 0; r < n; ++r) {
    const uint32_t id = cells.ids[r];
    if (!cache.known[id]) {
      cache.codes[id] = codec.encode(cells.texts[id]);
      cache.known[id] = true;
    }
    out[r] = cache.codes[id];
  }
}

// Reads every chunk of `reader`, feeding each column's cells to its PassColumn
// (columns in parallel) while the next chunk is parsed on another thread. Throws
// the first refused cell in reading order (row, then column), and a reading error
// after the rows before it.
void run_pass(RowSource& reader, std::vector<PassColumn>& columns, const BuildOptions& o,
              const char* stage, Clock::time_point start) {
  const int threads = core::resolve_threads(o.threads);
  std::vector<size_t> active;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].profile || columns[c].codec) active.push_back(c);
  }
  std::vector<std::vector<std::string_view>> views(active.size());
  std::vector<std::vector<Code>> chunk_codes(active.size());
  std::vector<CellError> errors(active.size());
  std::vector<EncodedTexts> encoded(active.size());
  CsvChunk chunk, next;
  bool more = reader.next(chunk);
  while (more) {
    Progress p;
    p.stage = stage;
    p.rows = reader.rows_read();
    p.bytes = reader.bytes_read();
    p.bytes_total = reader.bytes_total();
    // Declared after `next`: on an error below, the read in flight ends before `next` goes.
    std::future<bool> reading =
        std::async(std::launch::async, [&reader, &next] { return reader.next(next); });
    const size_t n = chunk.num_rows();
    core::parallel_for(active.size(), threads, [&](size_t i) {
      const size_t c = active[i];
      PassColumn& pc = columns[c];
      if (!chunk.coded.empty()) {  // dictionary-encoded rows: ids, no text
        const CsvChunk::Coded& cells = chunk.coded[c];
        if (pc.profile) {
          pc.profile->add_coded(cells, chunk.lines(), n, chunk.first_row(), &errors[i]);
          return;
        }
        encode_coded(*pc.codec, cells, n, encoded[i], chunk_codes[i]);
        pc.codes->append(std::span<const Code>(chunk_codes[i].data(), n));
        return;
      }
      auto& v = views[i];
      v.resize(n);
      for (size_t r = 0; r < n; ++r) v[r] = chunk.field(r, c);
      if (pc.profile) {
        pc.profile->add(v.data(), chunk.lines(), n, chunk.first_row(), &errors[i]);
      } else {
        auto& codes = chunk_codes[i];
        codes.resize(n);
        for (size_t r = 0; r < n; ++r) codes[r] = pc.codec->encode(v[r]);
        pc.codes->append(std::span<const Code>(codes.data(), n));
      }
    });
    const CellError* first = nullptr;
    for (const auto& e : errors) {
      if (!e.message.empty() && (!first || e.row < first->row)) first = &e;
    }
    if (first) throw DataError(first->message);
    if (o.progress) {
      p.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
      o.progress(p);
    }
    more = reading.get();
    std::swap(chunk, next);
  }
}

// The row model, from the rows' values while the profiles still hold them (the columns
// in exact mode; a sampled column takes no part in joint decoding or learned rules).
void attach_row_model(BuiltTable& out, const std::vector<std::unique_ptr<ColumnProfile>>& profiles,
                      const BuildOptions& o) {
  const size_t d = profiles.size();
  RowModelOptions ro = o.rows;
  if (o.declare) o.declare(out.schema, ro);
  std::vector<bool> available(d);
  std::vector<std::vector<double>> numbers(d);
  for (size_t c = 0; c < d; ++c) {
    const ColumnCodec& cc = out.codec.column(c);
    available[c] =
        profiles[c]->has_codes() && (cc.numeric_view() || cc.cardinality() <= kMaxKeyLevels);
    if (available[c]) {
      numbers[c] = cc.numeric_view() ? profiles[c]->text_numbers(*cc.numeric_view())
                                     : profiles[c]->text_codes(cc);
    }
  }
  out.codec.set_row_model(RowModel::fit(
      out.codec, out.rows, available,
      [&](size_t c, uint64_t first, size_t n, double* values) {
        profiles[c]->row_values(first, n, numbers[c], values);
      },
      ro, row_model_seed(o.seed)));
}

// What the schema file sets, learnt by applying it to two skeletons that differ only in
// their types (a column whose type agrees in both was declared), and each column's plan.
struct Setup {
  Schema as_text;
  std::vector<ColumnPlan> plans;
};

Setup setup_columns(const std::string& source, const std::vector<std::string>& header,
                    const BuildOptions& o) {
  auto apply = [&](const Schema& s) { return o.overrides ? o.overrides(s) : s; };
  Setup out;
  for (const auto& name : header) {
    ColumnSchema cs;
    cs.name = name;
    cs.missing_tokens = o.infer.missing_tokens;
    cs.bins = o.infer.bins;
    cs.discretizer = o.infer.discretizer;
    out.as_text.columns.push_back(std::move(cs));
  }
  Schema as_number = out.as_text;
  for (auto& c : as_number.columns) c.type = ColumnType::Continuous;
  out.as_text = apply(out.as_text);
  as_number = apply(as_number);
  for (size_t c = 0; c < header.size(); ++c) {
    ColumnPlan plan;
    plan.source = source;
    plan.name = header[c];
    plan.index = c;
    if (out.as_text.columns[c].type == as_number.columns[c].type) {
      plan.declared = out.as_text.columns[c].type;
      plan.declared_format = out.as_text.columns[c].format;
    }
    plan.infer_tokens = o.infer.missing_tokens;
    plan.tokens = out.as_text.columns[c].missing_tokens;
    plan.max_categorical_numeric = o.infer.max_categorical_numeric;
    plan.seed = core::derive_seed(o.seed, {c});
    plan.keep_codes = o.encode;
    plan.limits = o.limits;
    out.plans.push_back(std::move(plan));
  }
  return out;
}

// The schema, codecs, row model and codes from the first pass's profiles (`reader`
// rewound for a second pass when a column needs one; null: none may).
BuiltTable finish(std::string source, const std::vector<std::string>& header, uint64_t rows,
                  std::vector<std::unique_ptr<ColumnProfile>>& profiles, const Setup& setup,
                  RowSource* reader, const BuildOptions& o, Clock::time_point start) {
  const size_t d = header.size();
  auto apply = [&](const Schema& s) { return o.overrides ? o.overrides(s) : s; };
  const Schema& as_text = setup.as_text;
  BuiltTable out;
  out.source = std::move(source);
  out.rows = rows;

  // The schema and the codecs of every column the first pass could finish.
  std::vector<size_t> reread, sampled;
  Schema inferred;
  for (size_t c = 0; c < d; ++c) {
    if (profiles[c]->mode() == ColumnProfile::Mode::Reread) {
      reread.push_back(c);
      ColumnSchema placeholder = as_text.columns[c];  // completed by the second pass
      placeholder.type = ColumnType::Categorical;
      inferred.columns.push_back(placeholder);
    } else {
      if (profiles[c]->mode() == ColumnProfile::Mode::Sampled) sampled.push_back(c);
      inferred.columns.push_back(profiles[c]->infer(o.infer));
    }
  }
  out.schema = apply(inferred);
  std::vector<std::unique_ptr<ColumnCodec>> codecs(d);
  for (size_t c = 0; c < d; ++c) {
    if (profiles[c]->mode() == ColumnProfile::Mode::Reread) continue;
    codecs[c] = profiles[c]->fit(out.schema.columns[c], core::derive_seed(o.seed, {c}));
  }

  // The second pass, for the columns that need it.
  std::vector<CodeColumn> encoded(d);
  if (!reread.empty() || (o.encode && !sampled.empty())) {
    out.reread_columns = reread.size() + (o.encode ? sampled.size() : 0);
    if (!reader) throw Error(out.source + ": a column needs a second pass over the rows");
    reader->rewind();
    std::vector<PassColumn> pass(d);
    for (size_t c : reread) {
      ColumnPlan plan = setup.plans[c];
      plan.exact_only = true;
      profiles[c] = std::make_unique<ColumnProfile>(std::move(plan));
      pass[c].profile = profiles[c].get();
    }
    if (o.encode) {
      for (size_t c : sampled) {
        encoded[c] = CodeColumn(codecs[c]->cardinality());
        encoded[c].reserve(out.rows);
        pass[c].codec = codecs[c].get();
        pass[c].codes = &encoded[c];
      }
    }
    run_pass(*reader, pass, o, "reread", start);
    if (reader->rows_read() != out.rows) {
      throw IoError(out.source + ": the input changed while it was being read");
    }
    for (size_t c : reread) inferred.columns[c] = profiles[c]->infer(o.infer);
    out.schema = apply(inferred);
    for (size_t c : reread) {
      codecs[c] = profiles[c]->fit(out.schema.columns[c], core::derive_seed(o.seed, {c}));
    }
  }

  out.codec = TableCodec::from_codecs(out.schema, std::move(codecs));
  if (o.encode && o.row_model) attach_row_model(out, profiles, o);
  if (o.encode) {
    out.data.names = header;
    // Freed provisional codes go back to the system once they add up to kTrimBytes (a trim
    // walks the whole heap: one a column made a 5,000-column table's build quadratic).
    constexpr size_t kTrimBytes = size_t{16} << 20;
    size_t freed = 0;
    for (size_t c = 0; c < d; ++c) {
      const ColumnCodec& codec = out.codec.column(c);
      out.data.cardinality.push_back(codec.cardinality());
      CodeColumn column;
      if (profiles[c]->has_codes()) {
        column = CodeColumn(codec.cardinality(), out.rows);
        column.visit_mut([&](auto codes) {
          using T = typename decltype(codes)::value_type;
          profiles[c]->codes(codec, [&](size_t r, Code code) { codes[r] = static_cast<T>(code); });
        });
        freed += column.bytes();  // about what the provisional codes held
      } else {
        column = std::move(encoded[c]);
      }
      profiles[c].reset();
      // So the provisional codes and the final ones are not all held at once.
      if (freed >= kTrimBytes || c + 1 == d) {
        release_free_memory();
        freed = 0;
      }
      out.data.columns.push_back(std::move(column));
    }
  }
  return out;
}

std::vector<std::unique_ptr<ColumnProfile>> first_pass(RowSource& reader, const Setup& setup,
                                                       const BuildOptions& o,
                                                       Clock::time_point start) {
  std::vector<std::unique_ptr<ColumnProfile>> profiles(setup.plans.size());
  std::vector<PassColumn> pass(setup.plans.size());
  for (size_t c = 0; c < profiles.size(); ++c) {
    profiles[c] = std::make_unique<ColumnProfile>(setup.plans[c]);
    pass[c].profile = profiles[c].get();
  }
  run_pass(reader, pass, o, "read", start);
  return profiles;
}

BuiltTable build(RowSource& reader, const BuildOptions& o) {
  const auto start = Clock::now();
  const std::vector<std::string>& header = reader.header();
  if (o.on_header) o.on_header(reader.source(), header);
  const Setup setup = setup_columns(reader.source(), header, o);
  std::vector<std::unique_ptr<ColumnProfile>> profiles = first_pass(reader, setup, o, start);
  return finish(reader.source(), header, reader.rows_read(), profiles, setup, &reader, o, start);
}

}  // namespace

std::vector<ColumnPlan> column_plans(const std::string& source,
                                     const std::vector<std::string>& header,
                                     const BuildOptions& options) {
  return setup_columns(source, header, options).plans;
}

std::vector<std::unique_ptr<ColumnProfile>> profile_rows(RowSource& rows,
                                                         const BuildOptions& options) {
  const auto start = Clock::now();
  if (options.on_header) options.on_header(rows.source(), rows.header());
  return first_pass(rows, setup_columns(rows.source(), rows.header(), options), options, start);
}

BuiltTable build_from_profiles(const std::string& source, const std::vector<std::string>& header,
                               std::vector<std::unique_ptr<ColumnProfile>> profiles,
                               const BuildOptions& options) {
  const Setup setup = setup_columns(source, header, options);
  const uint64_t rows = profiles.empty() ? 0 : profiles.front()->rows();
  return finish(source, header, rows, profiles, setup, nullptr, options, Clock::now());
}

BuiltTable build_table(const std::string& path, const BuildOptions& options) {
  CsvReadOptions read = options.read;
  read.spool = true;
  CsvReader reader(path, read);
  return build(reader, options);
}

BuiltTable build_table(RowSource& rows, const BuildOptions& options) {
  return build(rows, options);
}

BuiltTable build_table(std::unique_ptr<ByteSource> source, const std::string& name,
                       const BuildOptions& options) {
  CsvReader reader(std::move(source), name, options.read);
  return build(reader, options);
}

}  // namespace meg::data
