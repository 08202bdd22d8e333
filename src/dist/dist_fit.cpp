#include <fmt/format.h>

#include "data/schema.hpp"
#include "data/table_builder.hpp"
#include "dist/byte_ranges.hpp"
#include "dist/dist.hpp"
#include "dist/range_rows.hpp"
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
  RankRows mine;
  std::vector<std::string> header;
  agreed([&] {
    mine = parse_rows(
        range_source(*file, range), csv_path, range.line_offset, ',',
        [&](const std::string& source, const std::vector<std::string>& names) {
          ensemble::MegModel::check_columns(names, source, options);
        },
        &header);
  });
  const uint64_t total = allreduce_sum(mine.rows);
  agreed([&] {
    if (total == 0) throw DataError(fmt::format("{}:2: no data rows after the header", csv_path));
  });
  FitReport report;
  report.rows = total;
  if (rank() != 0) {
    const std::vector<char> bytes = pack(mine);
    mine = {};
    send_to_root(bytes);
    report.gathered_bytes = bytes.size();
    agree(nullptr, /*timed=*/false);  // rank 0's build, fit and write: as long as it takes
    report.collective_bytes = traffic().collective_bytes;
    return report;
  }
  std::vector<RankRows> parts;
  parts.push_back(std::move(mine));
  for (int r = 1; r < size(); ++r) {
    const std::vector<char> bytes = receive_from(r);
    report.gathered_bytes += bytes.size();
    parts.push_back(unpack(bytes));
  }
  agreed([&] {
    GatheredRows rows(csv_path, header, std::move(parts));
    const ensemble::MegModel model = fit_gathered(rows, options, schema_path, progress);
    model.save(output);
  });
  report.collective_bytes = traffic().collective_bytes;
  return report;
}

}  // namespace meg::dist
