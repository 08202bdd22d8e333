#include <cstring>

#include <fmt/format.h>

#include "data/schema.hpp"
#include "data/table_builder.hpp"
#include "dist/byte_ranges.hpp"
#include "dist/dist.hpp"
#include "dist/range_rows.hpp"
#include "dist/shards.hpp"
#include "ensemble/meg_model.hpp"
#include "meg/error.hpp"

namespace meg::dist {
namespace {

// What rank 0 does with the gathered rows: Model::fit_csv's build and fit (the same
// MegModel::build_options: codec seed, header checks, row model, schema file).
ensemble::MegModel fit_gathered(GatheredRows& rows, const FitOptions& options,
                                const std::string& schema_path, const ProgressFn& progress) {
  nlohmann::json overrides;
  if (!schema_path.empty()) overrides = data::read_schema_file(schema_path);
  const data::BuildOptions b = ensemble::MegModel::build_options(
      options, schema_path.empty() ? nullptr : &overrides, schema_path, progress);
  data::BuiltTable table = data::build_table(rows, b);
  return ensemble::MegModel::fit_encoded(std::move(table.codec), std::move(table.data),
                                         table.source, options, progress);
}

std::vector<char> count_message(uint64_t n) {
  std::vector<char> bytes(sizeof n);
  std::memcpy(bytes.data(), &n, sizeof n);
  return bytes;
}

// Collective, after every rank has parsed its parts (`mine`, in table order): the
// parts go to rank 0 (a message with their number, then one per part), which fits
// and writes the model. `empty`: the message when the table has no data row.
FitReport gather_and_fit(const std::string& name, std::vector<std::string> header,
                         std::vector<RankRows> mine, const std::string& empty,
                         const FitOptions& options, const std::string& schema_path,
                         const std::string& output, const ProgressFn& progress) {
  uint64_t local = 0;
  for (const auto& part : mine) local += part.rows;
  const uint64_t total = allreduce_sum(local);
  agreed([&] {
    if (total == 0) throw DataError(empty);
  });
  FitReport report;
  report.rows = total;
  if (rank() != 0) {
    send_to_root(count_message(mine.size()));
    for (auto& part : mine) {
      const std::vector<char> bytes = pack(part);
      part = {};
      send_to_root(bytes);
      report.gathered_bytes += bytes.size();
    }
    agree(nullptr, /*timed=*/false);  // rank 0's build, fit and write: as long as it takes
    report.collective_bytes = traffic().collective_bytes;
    return report;
  }
  std::vector<RankRows> parts = std::move(mine);
  for (int r = 1; r < size(); ++r) {
    const std::vector<char> count = receive_from(r);
    uint64_t n = 0;
    if (count.size() != sizeof n) throw Error("distributed read: a rank's part count is garbled");
    std::memcpy(&n, count.data(), sizeof n);
    for (uint64_t i = 0; i < n; ++i) {
      const std::vector<char> bytes = receive_from(r);
      report.gathered_bytes += bytes.size();
      parts.push_back(unpack(bytes));
    }
  }
  agreed([&] {
    GatheredRows rows(name, std::move(header), std::move(parts));
    const ensemble::MegModel model = fit_gathered(rows, options, schema_path, progress);
    model.save(output);
  });
  report.collective_bytes = traffic().collective_bytes;
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
