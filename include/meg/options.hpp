// Training options, defined once: the CLI, the Python module and the model
// file all read and write these structs (see src/core/options.cpp for the
// key -> field table with ranges and documentation).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace meg {

enum class Adversarial { ScoreFunction, None };
enum class DiscriminatorType { LogisticRegression, Mlp };
enum class Activation { Relu, Tanh };
enum class Smoothing { Hierarchical, Laplace };
enum class StructureSearch { Kdb, Greedy };
enum class GeneratorInit { Mle, Glorot };
enum class Weighting { Em, SoftmaxLoglik, Uniform, Reference };
enum class SmoothingSelect { Distance, Loglik };
enum class Resample { Auto, On, Off };

// Limits every front end shares (the CLI, the Python module and the library itself).
// Sampling plans one entry per 32,768-row chunk: 10^10 rows (about a terabyte of CSV)
// per run bounds it; larger samples are several runs with different seeds.
inline constexpr uint64_t kMaxSampleRows = 10'000'000'000ULL;
inline constexpr int kMaxThreads = 1024;  // worker threads (0 = all cores)

// An unsigned integer option of any command (`name` as the user wrote it, e.g. "-n" or
// "--seed") in [lo, hi]; throws InvalidArgument naming the option and the range.
uint64_t parse_unsigned_option(const std::string& name, const std::string& text, uint64_t lo,
                               uint64_t hi);
// Throws InvalidArgument unless 1 <= n <= kMaxSampleRows (every sampling entry point calls it).
void check_sample_rows(uint64_t n);

// Options of one GANBLR unit (may be overridden per unit).
struct UnitOptions {
  int k = 2;                         // kDB parents per feature (besides the class)
  long max_parent_configs = 100000;  // a parent set whose configurations exceed this is skipped
  StructureSearch structure = StructureSearch::Greedy;  // kdb or greedy (AIC), docs/design.md §3
  Smoothing smoothing = Smoothing::Hierarchical;
  double smoothing_m = 0.0;    // hierarchical strength; 0 = chosen (FitOptions::smoothing_select)
  double laplace_alpha = 0.5;  // Laplace pseudo-count (and back-off tables)
  GeneratorInit init = GeneratorInit::Mle;
  // Gradient phases are off by default: on the bundled data they do not beat the
  // counted, hierarchically smoothed network (BENCHMARKS.md). With epochs > 0 the
  // defaults below are the setting measured to be neutral rather than harmful.
  int warmup_epochs = 0;  // CLL epochs before the adversarial phase
  int epochs = 0;         // adversarial epochs
  int batch_size = 256;
  double lr_generator = 3e-4;
  double lr_discriminator = 1e-2;
  Adversarial adversarial = Adversarial::ScoreFunction;
  double lambda = 1.0;      // weight of the adversarial term
  double mu = 0.0;          // weight of the joint log-likelihood anchor
  long synthetic_rows = 0;  // synthetic rows per adversarial epoch; 0 = training rows
  DiscriminatorType discriminator = DiscriminatorType::LogisticRegression;
  std::vector<int> hidden = {64};  // MLP discriminator hidden layer sizes
  Activation activation = Activation::Relu;
  int discriminator_epochs = 2;
  double discriminator_l2 = 1e-3;
};

// Options of a whole MEG fit.
struct FitOptions {
  UnitOptions unit;                                   // defaults for every unit
  std::map<std::string, UnitOptions> unit_overrides;  // by class column name
  std::vector<std::string> units;  // class columns of the units; empty = units_auto decides
  // units=auto (default): how many units and which class columns, chosen from the data
  // (ensemble/unit_choice.hpp); units=all: every column.
  bool units_auto = true;
  // Wide tables: each feature's parents are searched among the parent_candidates other
  // columns with the largest pairwise mutual information (0 = all columns), computed once
  // for all units (bn/candidates.hpp).
  int parent_candidates = 32;
  // A column with more levels than this is never a parent (its configurations would
  // multiply every table it enters) and takes no parents besides the class; units=auto
  // does not make it a class. Every one of its levels is still generated.
  long max_parent_levels = 64;
  Weighting weighting = Weighting::Em;
  double softmax_temperature = 1.0;  // softmax_loglik temperature
  double validation_fraction = 0.2;  // rows held out to choose the weights
  // How units with smoothing_m = 0 get their strength: distance = the sharpest m
  // whose synthetic rows are no closer to the training rows than held-out rows
  // (ensemble/smoothing_select.hpp); loglik = per feature by held-out likelihood.
  SmoothingSelect smoothing_select = SmoothingSelect::Distance;
  bool refit_full = true;  // refit units on all rows once weights are chosen
  // Numeric cells decoded jointly: in-bin positions from a training row with similar bins
  // (data/row_model.hpp); false = each cell drawn alone inside its bin.
  bool joint_decode = true;
  // Learn order rules A <= B that hold in every training row, enforced while sampling.
  bool learn_rules = true;
  // Learn sums (a column = a signed sum of 2..4 others in every training row), computed
  // from their parts while sampling (data/sum_rules.hpp).
  bool learn_sums = true;
  // Discriminator-weighted resampling of sampled rows (ensemble/discriminator_resample.hpp):
  // auto = used when it lowers a held-out detection AUC, measured at fit time.
  Resample resample = Resample::Auto;
  uint32_t resample_candidates = 4;  // candidate rows drawn per row kept
  uint32_t resample_stages = 2;      // most resampling stages (held-out rows choose how many)
  int threads = 0;                   // 0 = all cores; never changes results
  long max_model_mb = 16384;         // refuse a fit whose model could need more
  uint64_t seed = 0;

  // The options of the unit whose class is `column`: its override, else `unit`.
  const UnitOptions& for_unit(const std::string& column) const {
    auto it = unit_overrides.find(column);
    return it == unit_overrides.end() ? unit : it->second;
  }
};

}  // namespace meg

#include <nlohmann/json.hpp>

namespace meg {

// The key -> field table: every option's name, documentation and default,
// shared by the CLI (--option KEY=VALUE), Python (**kwargs) and the model file.
struct OptionInfo {
  std::string key;
  std::string help;
  std::string default_value;
  bool per_unit;  // a UnitOptions field (may be overridden per unit)
};
const std::vector<OptionInfo>& option_table();

// Parses `value` into the option `key`; throws InvalidArgument naming the option
// ("option 'k': expected an integer in [0, 8], got 'x'"). Unit keys set `unit`.
void set_option(FitOptions& options, const std::string& key, const std::string& value);
void set_unit_option(UnitOptions& options, const std::string& key, const std::string& value);
// Sets `key` for the unit of class `column` only (--unit-option COLUMN:KEY=VALUE); the
// override starts from the options' current unit defaults.
void set_unit_override(FitOptions& options, const std::string& column, const std::string& key,
                       const std::string& value);
// The current value of an option as text.
std::string get_option(const FitOptions& options, const std::string& key);
std::string get_unit_option(const UnitOptions& options, const std::string& key);

// Range and consistency checks (InvalidArgument naming the option), by the table's ranges.
void validate_options(const FitOptions& options);
void validate_unit_options(const UnitOptions& options);

nlohmann::json options_to_json(const FitOptions& options);
FitOptions options_from_json(const nlohmann::json& j);  // ModelFormatError on bad input

}  // namespace meg
