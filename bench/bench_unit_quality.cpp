// Quality and cost of one GANBLR unit on Adult (class income) for a given set of
// unit options: held-out log-likelihood on adult_test.csv, 1-way and 2-way
// marginal TV of sampled rows against the training rows, and time per phase.
// Usage: bench_unit_quality [key=value ...]   (keys: k warmup epochs adv lr lambda mu
//        batch m dlr depochs disc init smoothing M seed threads)
// Several configurations: separate them with "--".
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "train/unit.hpp"

namespace {

using meg::UnitOptions;

void set(UnitOptions& o, uint64_t& seed, const std::string& key, const std::string& v) {
  const double x = std::atof(v.c_str());
  if (key == "k")
    o.k = static_cast<int>(x);
  else if (key == "warmup")
    o.warmup_epochs = static_cast<int>(x);
  else if (key == "epochs")
    o.epochs = static_cast<int>(x);
  else if (key == "adv")
    o.adversarial = v == "none" ? meg::Adversarial::None : meg::Adversarial::ScoreFunction;
  else if (key == "lr")
    o.lr_generator = x;
  else if (key == "lambda")
    o.lambda = x;
  else if (key == "mu")
    o.mu = x;
  else if (key == "batch")
    o.batch_size = static_cast<int>(x);
  else if (key == "m")
    o.smoothing_m = x;
  else if (key == "dlr")
    o.lr_discriminator = x;
  else if (key == "depochs")
    o.discriminator_epochs = static_cast<int>(x);
  else if (key == "disc")
    o.discriminator =
        v == "mlp" ? meg::DiscriminatorType::Mlp : meg::DiscriminatorType::LogisticRegression;
  else if (key == "init")
    o.init = v == "glorot" ? meg::GeneratorInit::Glorot : meg::GeneratorInit::Mle;
  else if (key == "smoothing")
    o.smoothing = v == "laplace" ? meg::Smoothing::Laplace : meg::Smoothing::Hierarchical;
  else if (key == "M")
    o.synthetic_rows = static_cast<long>(x);
  else if (key == "seed")
    seed = static_cast<uint64_t>(x);
  else {
    std::fprintf(stderr, "unknown key %s\n", key.c_str());
    std::exit(2);
  }
}

double tv(const std::vector<double>& p, const std::vector<double>& q) {
  double s = 0;
  for (size_t i = 0; i < p.size(); ++i) s += std::fabs(p[i] - q[i]);
  return s / 2;
}

// Mean and max 1-way TV, mean 2-way TV between real (column-major) and synthetic (row-major).
void marginal_errors(const meg::data::EncodedDataset& real, const std::vector<uint32_t>& rows,
                     double& one_mean, double& one_max, double& two_mean) {
  const size_t nc = real.num_cols(), n = real.num_rows(), m = rows.size() / nc;
  one_mean = one_max = two_mean = 0;
  size_t pairs = 0;
  for (size_t i = 0; i < nc; ++i) {
    std::vector<double> a(real.cardinality[i]), b(real.cardinality[i]);
    for (size_t r = 0; r < n; ++r) a[real.columns[i][r]] += 1.0 / n;
    for (size_t r = 0; r < m; ++r) b[rows[r * nc + i]] += 1.0 / m;
    double d = tv(a, b);
    one_mean += d / nc;
    one_max = std::max(one_max, d);
    for (size_t j = i + 1; j < nc; ++j) {
      const size_t rj = real.cardinality[j];
      std::vector<double> a2(real.cardinality[i] * rj), b2(a2.size());
      for (size_t r = 0; r < n; ++r) a2[real.columns[i][r] * rj + real.columns[j][r]] += 1.0 / n;
      for (size_t r = 0; r < m; ++r) b2[rows[r * nc + i] * rj + rows[r * nc + j]] += 1.0 / m;
      two_mean += tv(a2, b2);
      ++pairs;
    }
  }
  two_mean /= static_cast<double>(pairs);
}

}  // namespace

int main(int argc, char** argv) {
  std::string root = MEG_SOURCE_DIR;
  auto train_csv = meg::data::read_csv(root + "/data/adult_train.csv");
  auto test_csv = meg::data::read_csv(root + "/data/adult_test.csv");
  auto codec = meg::data::TableCodec::fit(train_csv, meg::data::infer_schema(train_csv), 1);
  auto train = codec.encode(train_csv);
  auto test = codec.encode(test_csv);
  const size_t class_col = static_cast<size_t>(train_csv.column_index("income"));
  std::vector<std::vector<std::string>> configs(1);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--")
      configs.emplace_back();
    else
      configs.back().push_back(argv[i]);
  }
  for (const auto& args : configs) {
    UnitOptions o;
    uint64_t seed = 1;
    std::string label;
    for (const auto& a : args) {
      auto eq = a.find('=');
      set(o, seed, a.substr(0, eq), a.substr(eq + 1));
      label += a + " ";
    }
    auto t0 = std::chrono::steady_clock::now();
    auto unit = meg::train::GanblrUnit::fit(train, class_col, o, seed, 1);
    double fit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<double> lp(test.num_rows());
    unit.log_prob(test, lp.data(), 1);
    double ll = 0;
    for (double x : lp) ll += x / static_cast<double>(lp.size());
    std::vector<uint32_t> rows(train.num_rows() * train.num_cols());
    t0 = std::chrono::steady_clock::now();
    unit.sample(train.num_rows(), seed + 1, rows.data(), 1);
    double sample_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double one_mean, one_max, two_mean;
    marginal_errors(train, rows, one_mean, one_max, two_mean);
    std::printf(
        "%-40s test_ll %.4f  tv1_mean %.4f tv1_max %.4f tv2_mean %.4f  fit %.3fs sample %.3fs\n",
        label.c_str(), ll, one_mean, one_max, two_mean, fit_s, sample_s);
    if (std::getenv("MEG_UNIT_LOG")) std::printf("%s\n", unit.training_log().dump().c_str());
  }
  return 0;
}
