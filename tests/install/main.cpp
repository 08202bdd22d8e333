// Downstream test of an installed meg (tests/install/CMakeLists.txt): fits a
// model on a categorical CSV through the public API (include/meg), samples from
// it and checks what a user relies on:
//   - the header's version is the CMake package's version;
//   - each column's level frequencies in 4,000 sampled rows are within 0.05 of the
//     training table's (the model learned the table), and every sampled value is a
//     training value of its column;
//   - the same seed gives the same bytes with 1 and 2 threads, and after a
//     save/load round trip;
//   - library errors are meg::Error subclasses.
// Usage: meg_install_test DATA.csv OUT_DIR   (DATA.csv: categorical columns, no
// quoted fields). Writes OUT_DIR/model.meg and OUT_DIR/sample.csv (seed 11, 4,000
// rows) for the script to compare with the installed CLI's `meg sample`.
#include <meg/error.hpp>
#include <meg/model.hpp>
#include <meg/options.hpp>
#include <meg/version.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr uint64_t kRows = 4000;
constexpr uint64_t kSeed = 11;
constexpr double kTolerance = 0.05;

int g_failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "meg_install_test: FAILED: %s\n", what.c_str());
    ++g_failures;
  }
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

struct Table {
  std::string header;
  std::vector<std::map<std::string, double>> frequencies;  // per column: level -> share
  uint64_t rows = 0;
};

Table tabulate(std::istream& in) {
  Table t;
  std::getline(in, t.header);
  const size_t columns = split(t.header).size();
  t.frequencies.resize(columns);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto fields = split(line);
    check(fields.size() == columns, "row " + std::to_string(t.rows + 1) + " has " +
                                        std::to_string(fields.size()) + " fields");
    for (size_t c = 0; c < fields.size() && c < columns; ++c) t.frequencies[c][fields[c]] += 1;
    ++t.rows;
  }
  for (auto& column : t.frequencies)
    for (auto& [level, count] : column) count /= static_cast<double>(t.rows);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: meg_install_test DATA.csv OUT_DIR\n");
    return 2;
  }
  const std::string data = argv[1], out = argv[2];
  check(
      std::string(meg::kVersion) == MEG_PACKAGE_VERSION,
      std::string("meg::kVersion ") + meg::kVersion + " != package version " + MEG_PACKAGE_VERSION);
  try {
    std::ifstream real_file(data);
    const Table real = tabulate(real_file);

    meg::FitOptions options;
    options.seed = 3;
    options.threads = 2;
    const meg::Model model = meg::Model::fit_csv(data, options);
    check(model.training_rows() == real.rows, "training_rows() != the CSV's rows");

    const std::string sample = model.sample_csv(kRows, kSeed, 1);
    check(model.sample_csv(kRows, kSeed, 2) == sample, "1 and 2 threads sample different bytes");
    std::istringstream sample_in(sample);
    const Table synthetic = tabulate(sample_in);
    check(synthetic.header == real.header, "sample header '" + synthetic.header + "'");
    check(synthetic.rows == kRows, "sample has " + std::to_string(synthetic.rows) + " rows");
    const auto names = split(real.header);
    for (size_t c = 0; c < real.frequencies.size() && c < synthetic.frequencies.size(); ++c) {
      for (const auto& [level, share] : synthetic.frequencies[c])
        check(real.frequencies[c].count(level) == 1,
              "column " + names[c] + ": sampled value '" + level + "' not in the training data");
      for (const auto& [level, share] : real.frequencies[c]) {
        auto it = synthetic.frequencies[c].find(level);
        const double got = it == synthetic.frequencies[c].end() ? 0.0 : it->second;
        check(std::fabs(got - share) <= kTolerance, "column " + names[c] + " level '" + level +
                                                        "': share " + std::to_string(got) + " vs " +
                                                        std::to_string(share));
      }
    }

    model.save(out + "/model.meg");
    const meg::Model loaded = meg::Model::load(out + "/model.meg");
    check(loaded.sample_csv(kRows, kSeed, 1) == sample, "the loaded model samples other bytes");
    std::ofstream(out + "/sample.csv", std::ios::binary) << sample;

    bool threw = false;
    try {
      (void)meg::Model::load(out + "/no_such_model.meg");
    } catch (const meg::Error&) {
      threw = true;
    }
    check(threw, "loading a missing file did not throw meg::Error");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "meg_install_test: FAILED: %s\n", e.what());
    return 1;
  }
  if (g_failures > 0) return 1;
  std::printf("meg_install_test: meg %s from the installed package: fit, sample, save/load OK\n",
              meg::kVersion);
  return 0;
}
