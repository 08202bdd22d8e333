// The distributed counting of `meg fit` under mpirun (dist/mpi_reducer.hpp): every rank
// fits on the same table, counting its share of the rows, and the counts are summed
// across the ranks. The model is the plain fit's byte for byte with any number of
// threads a rank (the units are then fitted one after another, the threads counting
// the features), the counts really travel, and what travels does not depend on the
// number of threads.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include <fmt/format.h>

#include "mpi_runner.hpp"

namespace meg::test {
namespace {

namespace fs = std::filesystem;

// The "N MB of counts summed a rank" of meg's last line (-1 when missing).
double counts_summed_mb(const std::string& err) {
  std::smatch m;
  if (!std::regex_search(err, m, std::regex(R"(([0-9.]+) MB of counts summed a rank)"))) return -1;
  return std::stod(m[1].str());
}

class DistCounts : public ::testing::TestWithParam<std::string> {};

TEST_P(DistCounts, CountsSummedAcrossRanksGiveThePlainModel) {
  const fs::path dir = scratch_dir("dist_counts");
  const std::string data = GetParam();
  ASSERT_EQ(
      run_meg("fit " + data + " -o " + (dir / "plain.meg").string() + " -q --threads 1", dir).code,
      0);
  const std::string plain = slurp((dir / "plain.meg").string());
  for (int np : {2, 3}) {
    double summed = -1;
    for (int threads : {1, 2}) {
      SCOPED_TRACE(testing::Message() << np << " ranks, " << threads << " threads a rank");
      const fs::path out = dir / ("np" + std::to_string(np) + ".meg");
      const RunResult r = run_mpi(
          np, "fit " + data + " -o " + out.string() + " --threads " + std::to_string(threads), dir);
      ASSERT_EQ(r.code, 0) << r.err;
      EXPECT_TRUE(slurp(out.string()) == plain) << "the model differs";
      const double mb = counts_summed_mb(r.err);
      EXPECT_GT(mb, 0) << r.err;
      if (summed < 0) summed = mb;
      EXPECT_EQ(mb, summed) << "the counts summed depend on the threads";
    }
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Tables, DistCounts,
                         ::testing::Values(MEG_SOURCE_DIR "/data/car.csv",
                                           MEG_SOURCE_DIR "/data/german_credit.csv"),
                         [](const auto& param) { return fs::path(param.param).stem().string(); });

// Units over two columns of 2,500 and 2,200 levels: their tables (5.5M cells) are
// merged sparse, the others summed dense or sparse as they are cheaper.
TEST(DistCounts, HighCardinalityTablesMergedSparse) {
  const fs::path dir = scratch_dir("dist_counts_hicard");
  std::string text = "y,a,b,c\n";
  uint64_t state = 5;
  auto next = [&](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  for (int i = 0; i < 3000; ++i) {
    const uint64_t a = next(2500), b = (a * 7 + next(3)) % 2200;
    const uint64_t y = next(10) < 7 ? (a + b) % 3 : next(3), c = next(10) < 8 ? a % 5 : next(5);
    for (const auto& [prefix, v] : {std::pair{"y", y}, {",a", a}, {",b", b}, {",c", c}}) {
      text.append(prefix).append(std::to_string(v));
    }
    text += '\n';
  }
  write(dir / "t.csv", text);
  const std::string fit = "fit " + (dir / "t.csv").string() + " --units all --threads 1 -o ";
  ASSERT_EQ(run_meg(fit + (dir / "plain.meg").string() + " -q", dir).code, 0);
  const std::string plain = slurp((dir / "plain.meg").string());
  for (int np : {2, 3}) {
    const fs::path out = dir / ("np" + std::to_string(np) + ".meg");
    const RunResult r = run_mpi(np, fit + out.string(), dir);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(slurp(out.string()) == plain) << np << " ranks: the model differs";
    // Sparse merging keeps the traffic near the occurring cells (3,000 rows), far
    // below the 22 MB of the largest dense table with its mask.
    EXPECT_GT(counts_summed_mb(r.err), 0) << r.err;
    EXPECT_LT(counts_summed_mb(r.err), 10) << r.err;
  }
  fs::remove_all(dir);
}

// A table with a numeric, a categorical, a datetime and an id column, long enough to be
// split into fit and held-out parts (each rank copies only its counting share of the fit
// part): 1, 2 and 3 ranks give the plain fit's model bytes.
TEST(DistCounts, MixedRolesGiveThePlainModel) {
  const fs::path dir = scratch_dir("dist_counts_roles");
  std::string text = "id,amount,city,when,grade\n";
  uint64_t state = 11;
  auto next = [&](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  const char* cities[] = {"Oslo", "Lima", "Pune", "Kobe", "Graz"};
  for (int i = 0; i < 4000; ++i) {
    const uint64_t city = next(5), day = 1 + next(28), hour = next(24);
    const uint64_t amount = 100 + city * 250 + next(400) + hour * 7;
    const char* grade = amount > 900 ? "high" : amount > 500 ? "mid" : "low";
    text += fmt::format("C{:06d},{}.{:02d},{},2024-03-{:02d} {:02d}:{:02d}:00,{}\n",
                        100000 + i * 7 + next(7), amount, next(100), cities[city], day, hour,
                        next(60), grade);
  }
  write(dir / "t.csv", text);
  const std::string fit = "fit " + (dir / "t.csv").string() + " --threads 1 -o ";
  ASSERT_EQ(run_meg(fit + (dir / "plain.meg").string() + " -q", dir).code, 0);
  const std::string plain = slurp((dir / "plain.meg").string());
  ASSERT_NE(plain.find("datetime"), std::string::npos) << "no datetime column inferred";
  for (int np : {1, 2, 3}) {
    const fs::path out = dir / ("np" + std::to_string(np) + ".meg");
    const RunResult r = run_mpi(np, fit + out.string(), dir);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(slurp(out.string()) == plain) << np << " ranks: the model differs";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meg::test
