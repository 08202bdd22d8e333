#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <span>

#include <fmt/format.h>

#include "data/schema.hpp"
#include "data/table_builder.hpp"
#include "dist/byte_ranges.hpp"
#include "dist/dist.hpp"
#include "dist/merged_profiles.hpp"
#include "dist/mpi_reducer.hpp"
#include "dist/range_rows.hpp"
#include "dist/shards.hpp"
#include "ensemble/meg_model.hpp"
#include "meg/error.hpp"

namespace meg::dist {
namespace {

// The CPU seconds this process has used (user + sys, every thread).
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Model::fit_csv's build options (the same MegModel::build_options: codec seed, header
// checks, row model, schema file). They refer to `overrides` (the schema file's), which
// must outlive them.
data::BuildOptions build_options(const FitOptions& options, const std::string& schema_path,
                                 const ProgressFn& progress, nlohmann::json& overrides) {
  if (!schema_path.empty()) overrides = data::read_schema_file(schema_path);
  return ensemble::MegModel::build_options(options, schema_path.empty() ? nullptr : &overrides,
                                           schema_path, progress);
}

// A rank's parts as one message: their number, then each part's length and pack().
std::vector<char> pack_parts(const std::vector<RankRows>& parts) {
  std::vector<char> out;
  auto put = [&](uint64_t v) {
    const size_t at = out.size();
    out.resize(at + sizeof v);
    std::memcpy(out.data() + at, &v, sizeof v);
  };
  put(parts.size());
  for (const auto& part : parts) {
    const std::vector<char> bytes = pack(part);
    put(bytes.size());
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

void unpack_parts(const std::vector<char>& bytes, std::vector<RankRows>& parts) {
  size_t at = 0;
  auto get = [&] {
    uint64_t v = 0;
    if (at + sizeof v > bytes.size()) throw Error("distributed read: a rank's rows are garbled");
    std::memcpy(&v, bytes.data() + at, sizeof v);
    at += sizeof v;
    return v;
  };
  const uint64_t n = get();
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t len = get();
    if (at + len > bytes.size()) throw Error("distributed read: a rank's rows are garbled");
    parts.push_back(unpack(std::span<const char>(bytes.data() + at, len)));
    at += len;
  }
}

// The table, on every rank: from the profiles merged across the ranks (each rank
// profiles and maps only its own rows, dist/merged_profiles.hpp), or, when a column
// cannot be merged exactly, from every rank's rows allgathered and built in one pass.
// `exchanged`: the CPU seconds when the rows or summaries were exchanged.
data::BuiltTable build_everywhere(const std::string& name, const std::vector<std::string>& header,
                                  std::vector<RankRows>& mine, const data::BuildOptions& b,
                                  FitReport& report, double& exchanged) {
  if (std::optional<Profiles> profiles =
          merge_profiles(name, header, mine, b, &report.gathered_bytes)) {
    report.profiles_merged = true;
    exchanged = cpu_seconds();
    return data::build_from_profiles(name, header, std::move(*profiles), b);
  }
  std::vector<std::vector<char>> every;
  {
    const std::vector<char> bytes = pack_parts(mine);
    mine.clear();
    every = allgather_bytes(bytes);
    for (const auto& part : every) report.gathered_bytes += part.size();
  }
  std::vector<RankRows> parts;
  for (auto& bytes : every) {
    unpack_parts(bytes, parts);
    bytes = {};
  }
  exchanged = cpu_seconds();
  GatheredRows rows(name, header, std::move(parts));
  return data::build_table(rows, b);
}

// Collective, after every rank has parsed its parts (`mine`, in table order): every
// rank builds the same table (build_everywhere) and runs the same fit, each counting
// its share of the rows with the counts summed across the ranks (MpiCountReducer);
// rank 0 writes the model. `empty`: the message when the table has no data row.
FitReport gather_and_fit(const std::string& name, std::vector<std::string> header,
                         std::vector<RankRows> mine, const std::string& empty,
                         const FitOptions& options, const std::string& schema_path,
                         const std::string& output, const ProgressFn& progress) {
  const double read = cpu_seconds();
  uint64_t local = 0;
  for (const auto& part : mine) local += part.rows;
  const uint64_t total = allreduce_sum(local);
  agreed([&] {
    if (total == 0) throw DataError(empty);
  });
  FitReport report;
  report.rows = total;
  double gathered = read, built = read;
  Traffic before = traffic();  // after the table's exchange, below: the fit's traffic
  // An error of the table's build or of the fit's input or options is raised by every
  // rank at the same point (they build the same table from the same summaries or rows,
  // and run the same fit on it) and agreed. A failed allocation is this rank's own,
  // while the others may be inside a collective: it leaves as a local error, which ends
  // the job (main's handler), never a wait.
  std::exception_ptr error;
  try {
    nlohmann::json overrides;
    const data::BuildOptions b = build_options(options, schema_path, progress, overrides);
    MpiCountReducer reducer;
    const core::CountReducerScope scope(&reducer);
    data::BuiltTable table = build_everywhere(name, header, mine, b, report, gathered);
    built = cpu_seconds();
    before = traffic();
    const ensemble::MegModel model = ensemble::MegModel::fit_encoded(
        std::move(table.codec), std::move(table.data), table.source, options, progress);
    if (rank() == 0) model.save(output);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
    error = std::current_exception();
  }
  agree(error);
  report.collective_bytes = traffic().collective_bytes;
  report.reduced_bytes = traffic().reduced_bytes - before.reduced_bytes +
                         traffic().allgathered_bytes - before.allgathered_bytes;
  // Each phase's CPU seconds on every rank (after the counters above: not part of them).
  const std::array<double, 5> mine_cpu = {read, gathered - read, built - gathered,
                                          cpu_seconds() - built, cpu_seconds()};
  std::vector<char> bytes(sizeof mine_cpu);
  std::memcpy(bytes.data(), mine_cpu.data(), bytes.size());
  std::array<double, 5> most{};
  for (const auto& part : allgather_bytes(bytes)) {
    std::array<double, 5> theirs{};
    if (part.size() != sizeof theirs)
      throw Error("distributed fit: a rank's CPU times are garbled");
    std::memcpy(theirs.data(), part.data(), sizeof theirs);
    for (size_t i = 0; i < most.size(); ++i) most[i] = std::max(most[i], theirs[i]);
  }
  report.cpu_read = most[0];
  report.cpu_gather = most[1];
  report.cpu_build = most[2];
  report.cpu_fit = most[3];
  report.cpu_rank = most[4];
  return report;
}

}  // namespace

FitReport fit_csv(const std::string& csv_path, const FitOptions& options,
                  const std::string& schema_path, const std::string& output,
                  const ProgressFn& progress) {
  std::unique_ptr<PreadFile> file;
  agreed([&] {
    validate_options(options);
    if (!schema_path.empty()) data::read_schema_file(schema_path);  // fails early, on every rank
    file = std::make_unique<PreadFile>(csv_path);
  });
  const RankRange range = plan_range(*file);
  std::vector<RankRows> mine(1);
  std::vector<std::string> header;
  agreed([&] {
    mine[0] = parse_rows(
        range_source(*file, range), csv_path, range.line_offset, ',',
        [&](const std::string& source, const std::vector<std::string>& names) {
          ensemble::MegModel::check_columns(names, source, options);
        },
        &header);
  });
  return gather_and_fit(csv_path, std::move(header), std::move(mine),
                        fmt::format("{}:2: no data rows after the header", csv_path), options,
                        schema_path, output, progress);
}

FitReport fit_shards(const std::vector<std::string>& shards, const std::string& name,
                     const FitOptions& options, const std::string& schema_path,
                     const std::string& output, const ProgressFn& progress) {
  std::vector<uint64_t> sizes;
  std::vector<std::string> reference;
  agreed([&] {
    validate_options(options);
    if (shards.empty()) throw InvalidArgument("fit: no shard to read");
    if (!schema_path.empty()) data::read_schema_file(schema_path);  // fails early, on every rank
    for (const auto& shard : shards) sizes.push_back(PreadFile(shard).size());
    data::CsvReadOptions o;
    o.require_rows = false;
    reference = data::CsvReader(shards.front(), o).header();
  });
  const std::vector<int> owner = assign_shards(sizes, size());
  std::vector<RankRows> mine;
  agreed([&] {
    for (size_t i = 0; i < shards.size(); ++i) {
      if (owner[i] != rank()) continue;
      const PreadFile file(shards[i]);
      RankRange whole;
      whole.end = file.size();
      std::vector<std::string> header;
      mine.push_back(parse_rows(
          range_source(file, whole), shards[i], 0, ',',
          [&](const std::string& source, const std::vector<std::string>& names) {
            const std::string mismatch = header_mismatch(source, names, shards.front(), reference);
            if (!mismatch.empty()) throw DataError(mismatch);
            ensemble::MegModel::check_columns(names, source, options);
          },
          &header));
    }
  });
  return gather_and_fit(
      name, std::move(reference), std::move(mine),
      fmt::format("{}: no data rows after the headers of its {} shards", name, shards.size()),
      options, schema_path, output, progress);
}

}  // namespace meg::dist
