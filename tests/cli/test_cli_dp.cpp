// `meg fit --epsilon`: determinism, the ledger, refusals, inspect (docs/privacy.md).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "core/checksum.hpp"

namespace fs = std::filesystem;
using meg::test::count_lines;
using meg::test::run_meg;
using meg::test::scratch_dir;
using meg::test::slurp;
using meg::test::write_bytes;

namespace {

const std::string kTypes = "tests/data/dp/car_types.json";
const std::string kPublic = "tests/data/dp/car_public.json";

void expect_refusal(const std::string& args, const fs::path& dir, const std::string& fragment) {
  const auto r = run_meg(args, dir);
  EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << args << "\n" << r.err;
  EXPECT_EQ(r.err.rfind("meg: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << args << "\n" << r.err;
}

nlohmann::json privacy_of(const std::string& model, const fs::path& dir) {
  const auto r = run_meg("inspect --json " + model, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out).at("fit").at("privacy");
}

}  // namespace

TEST(CliDp, SameSeedSameBytesAtOneAndTwoThreads) {
  auto dir = scratch_dir("dp_det");
  const std::string m1 = (dir / "a.meg").string(), m2 = (dir / "b.meg").string();
  const std::string m3 = (dir / "c.meg").string();
  const std::string fit = "fit data/car.csv --schema " + kTypes + " --epsilon 1 --quiet ";
  ASSERT_EQ(run_meg(fit + "--seed 7 --threads 1 -o " + m1, dir).code, 0);
  ASSERT_EQ(run_meg(fit + "--seed 7 --threads 2 -o " + m2, dir).code, 0);
  ASSERT_EQ(run_meg(fit + "--seed 8 --threads 2 -o " + m3, dir).code, 0);
  EXPECT_EQ(slurp(m1), slurp(m2));
  EXPECT_NE(slurp(m1), slurp(m3));  // another seed, other noise
  const std::string s1 = (dir / "a.csv").string(), s2 = (dir / "b.csv").string();
  ASSERT_EQ(run_meg("sample " + m1 + " -n 500 --seed 1 --threads 1 -q -o " + s1, dir).code, 0);
  ASSERT_EQ(run_meg("sample " + m2 + " -n 500 --seed 1 --threads 2 -q -o " + s2, dir).code, 0);
  EXPECT_EQ(slurp(s1), slurp(s2));
  fs::remove_all(dir);
}

TEST(CliDp, WithoutSeedTheNoiseComesFromTheOperatingSystem) {
  auto dir = scratch_dir("dp_os");
  const std::string m1 = (dir / "a.meg").string(), m2 = (dir / "b.meg").string();
  const std::string fit = "fit data/car.csv --schema " + kTypes + " --epsilon 1 -q -o ";
  ASSERT_EQ(run_meg(fit + m1, dir).code, 0);
  ASSERT_EQ(run_meg(fit + m2, dir).code, 0);
  EXPECT_NE(slurp(m1), slurp(m2));
  EXPECT_EQ(privacy_of(m1, dir).at("noise").get<std::string>(), "os");
  fs::remove_all(dir);
}

TEST(CliDp, LedgerSpendsTheBudgetOnEveryStep) {
  auto dir = scratch_dir("dp_ledger");
  const std::string model = (dir / "m.meg").string();
  for (const double eps : {0.3, 3.0}) {
    char eps_text[32];
    std::snprintf(eps_text, sizeof eps_text, "%g", eps);
    ASSERT_EQ(run_meg("fit data/car.csv --schema " + kTypes + " --epsilon " + eps_text +
                          " --delta 1e-5 --seed 1 -q -o " + model,
                      dir)
                  .code,
              0);
    const auto p = privacy_of(model, dir);
    EXPECT_EQ(p.at("epsilon").get<double>(), eps);
    EXPECT_EQ(p.at("delta").get<double>(), 1e-5);
    const auto& ledger = p.at("ledger");
    double rho = 0, delta = 0;
    size_t domain = 0, structure = 0, counts = 0;
    for (const auto& c : ledger.at("steps")) {
      rho += c.at("rho").get<double>();
      delta += c.at("delta").get<double>();
      const auto step = c.at("step").get<std::string>();
      domain += step.rfind("domain:", 0) == 0;
      structure += step.rfind("structure:", 0) == 0;
      counts += step.rfind("counts:", 0) == 0;
    }
    EXPECT_EQ(domain, 1u);
    EXPECT_EQ(structure, 6u);  // one pick per column after the first (car has 7)
    EXPECT_EQ(counts, 1u);
    const double budget = p.at("rho").get<double>();
    EXPECT_NEAR(rho, budget, 1e-6 * budget);
    EXPECT_LE(rho, budget * (1 + 1e-9));
    EXPECT_NEAR(delta, 0.1 * 1e-5, 1e-12);  // private levels: a tenth of delta for thresholds
    EXPECT_LE(p.at("guarantee_epsilon").get<double>(), eps * (1 + 1e-6));
    EXPECT_GE(p.at("guarantee_epsilon").get<double>(), eps * 0.99);
    EXPECT_EQ(p.at("noise").get<std::string>(), "seed");
  }
  fs::remove_all(dir);
}

TEST(CliDp, PublicSchemaCostsNoThresholdAndKeepsDeclaredLevels) {
  auto dir = scratch_dir("dp_public");
  const std::string model = (dir / "m.meg").string();
  ASSERT_EQ(run_meg("fit data/car.csv --schema " + kPublic +
                        " --public-schema --epsilon 0.5 --seed 2 -q -o " + model,
                    dir)
                .code,
            0);
  const auto p = privacy_of(model, dir);
  EXPECT_TRUE(p.at("public_schema").get<bool>());
  EXPECT_EQ(p.at("release_threshold").get<int>(), 0);
  for (const auto& c : p.at("ledger").at("steps")) EXPECT_EQ(c.at("delta").get<double>(), 0.0);
  // Every declared level is a code, whatever the noise.
  const auto d = nlohmann::json::parse(run_meg("inspect --json " + model, dir).out);
  for (const auto& c : d.at("columns")) {
    if (c.at("name") == "persons") {
      EXPECT_EQ(c.at("codes").get<int>(), 3);
    }
    if (c.at("name") == "class") {
      EXPECT_EQ(c.at("codes").get<int>(), 4);
    }
  }
  fs::remove_all(dir);
}

TEST(CliDp, InspectPrintsTheLedger) {
  auto dir = scratch_dir("dp_inspect");
  const std::string model = (dir / "m.meg").string();
  ASSERT_EQ(
      run_meg("fit data/car.csv --schema " + kTypes + " --epsilon 1 --seed 3 -q -o " + model, dir)
          .code,
      0);
  const auto r = run_meg("inspect " + model, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("differential privacy"), std::string::npos);
  EXPECT_NE(r.out.find("domain: 1-way histograms (7 columns)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("structure: pick 6 of 6"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("counts: clique marginals"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("guarantee: (1, 1e-06)-differential privacy"), std::string::npos) << r.out;
  // A fit without --epsilon has no privacy record.
  const std::string plain = (dir / "p.meg").string();
  ASSERT_EQ(run_meg("fit data/car.csv --seed 3 -q -o " + plain, dir).code, 0);
  const auto rp = run_meg("inspect " + plain, dir);
  EXPECT_EQ(rp.out.find("differential privacy"), std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(run_meg("inspect --json " + plain, dir).out)
                   .at("fit")
                   .contains("privacy"));
  fs::remove_all(dir);
}

TEST(CliDp, WithoutEpsilonTheFitIsUnchanged) {
  // The private path is separate: the same options without --epsilon give the bytes of a
  // fit that never heard of it, and the schema file is used as before.
  auto dir = scratch_dir("dp_plain");
  const std::string a = (dir / "a.meg").string(), b = (dir / "b.meg").string();
  ASSERT_EQ(run_meg("fit data/car.csv --seed 4 --threads 1 -q -o " + a, dir).code, 0);
  ASSERT_EQ(
      run_meg("fit data/car.csv --seed 4 --threads 2 -q --schema " + kTypes + " -o " + b, dir).code,
      0);
  EXPECT_EQ(slurp(a), slurp(b));
  fs::remove_all(dir);
}

TEST(CliDp, PlainFitKeepsTheBytesOfTheFitBeforeEpsilon) {
  // FNV-1a 64 of the model file of `meg fit data/car.csv --seed 0` as built before `--epsilon`
  // existed (commit fb9e203, also checked on Adult): the private fit must not change the
  // ordinary one. A deliberate change of the ordinary fit's output updates this value
  // (last: the option resample_stages and each stage's measurement recorded, car's second
  // stage refused, same networks and sampled rows; before it the option learn_sums
  // recorded, same networks and sampled rows; before it model
  // format 2, the counts stored as varint entries, and the options resample and
  // resample_candidates with the resampler chosen on car's held-out rows recorded in the
  // model; before them the options units, parent_candidates, max_parent_levels, joint_decode
  // and learn_rules and the row model. Car's networks are unchanged; its sampled rows are
  // resampled, docs/design.md §7a).
  auto dir = scratch_dir("dp_bytes");
  const std::string model = (dir / "m.meg").string();
  ASSERT_EQ(run_meg("fit data/car.csv --seed 0 --threads 1 -q -o " + model, dir).code, 0);
  EXPECT_EQ(meg::core::fnv1a64(slurp(model)), 0x493dae941f693bfeULL);
  fs::remove_all(dir);
}

TEST(CliDp, RefusalsAreOneLineExitTwo) {
  auto dir = scratch_dir("dp_refuse");
  const std::string out = " -o " + (dir / "m.meg").string();
  const std::string fit = "fit data/car.csv --schema " + kTypes;
  expect_refusal(fit + " --epsilon 0" + out, dir, "--epsilon");
  expect_refusal(fit + " --epsilon -1" + out, dir, "--epsilon");
  expect_refusal(fit + " --epsilon inf" + out, dir, "--epsilon");
  expect_refusal(fit + " --epsilon nan" + out, dir, "--epsilon");
  expect_refusal(fit + " --epsilon abc" + out, dir, "--epsilon");
  expect_refusal(fit + " --epsilon 1 --delta 1" + out, dir, "--delta");
  expect_refusal(fit + " --epsilon 1 --delta -0.1" + out, dir, "--delta");
  expect_refusal(fit + " --epsilon 1 --delta 0" + out, dir, "pure epsilon");
  expect_refusal(fit + " --delta 1e-6" + out, dir, "need --epsilon");
  expect_refusal(fit + " --public-schema" + out, dir, "need --epsilon");
  expect_refusal("fit data/car.csv --epsilon 1" + out, dir, "--schema");
  expect_refusal(fit + " --epsilon 1 --dp-option bogus=1" + out, dir, "bogus");
  expect_refusal(fit + " --epsilon 1 --dp-option k=5" + out, dir, "'k'");
  expect_refusal(fit +
                     " --epsilon 1 --dp-option split_domain=0.6 --dp-option "
                     "split_structure=0.39" +
                     out,
                 dir, "split");
  // Levels in the schema file need --public-schema.
  expect_refusal("fit data/car.csv --schema " + kPublic + " --epsilon 1" + out, dir,
                 "--public-schema");
  // Every column's type must come from the schema file.
  write_bytes(dir / "partial.json", R"({"columns": [{"name": "buying", "type": "categorical"}]})");
  expect_refusal(
      "fit data/car.csv --schema " + (dir / "partial.json").string() + " --epsilon 1" + out, dir,
      "'maint' has no \"type\"");
  write_bytes(dir / "dpgmm.json",
              R"({"columns": [{"name": "age", "type": "integer", "discretizer": "dpgmm"},
            {"name": "income", "type": "categorical"}]})");
  write_bytes(dir / "t.csv", "age,income\n30,a\n40,b\n50,a\n");
  expect_refusal("fit " + (dir / "t.csv").string() + " --schema " + (dir / "dpgmm.json").string() +
                     " --epsilon 1" + out,
                 dir, "dpgmm");
  EXPECT_FALSE(fs::exists(dir / "m.meg"));
  fs::remove_all(dir);
}
