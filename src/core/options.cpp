// The option table: each parameter defined once, with its range and documentation.
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "meg/error.hpp"
#include "meg/options.hpp"

namespace meg {
namespace {

struct Entry {
  OptionInfo info;
  std::function<void(UnitOptions&, FitOptions&, const std::string&)> set;
  std::function<std::string(const UnitOptions&, const FitOptions&)> get;
};

[[noreturn]] void bad(const std::string& key, const std::string& expected,
                      const std::string& value) {
  throw InvalidArgument(fmt::format("option '{}': expected {}, got '{}'", key, expected, value));
}

long parse_long(const std::string& key, const std::string& v, long lo, long hi) {
  long x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi) {
    bad(key, fmt::format("an integer in [{}, {}]", lo, hi), v);
  }
  return x;
}

// A number in [lo, hi], or in (lo, hi] when `lo_open` (a value that must be positive).
double parse_real(const std::string& key, const std::string& v, double lo, double hi,
                  bool lo_open = false) {
  auto x = core::parse_double(v);
  if (!x || *x < lo || (lo_open && *x == lo) || *x > hi) {
    bad(key, fmt::format("a number in {}{}, {}]", lo_open ? "(" : "[", lo, hi), v);
  }
  return *x;
}

template <class E>
struct EnumNames {
  std::vector<std::pair<std::string, E>> names;
  E parse(const std::string& key, const std::string& v) const {
    for (const auto& [n, e] : names) {
      if (n == v) return e;
    }
    std::string all;
    for (const auto& [n, e] : names) {
      if (!all.empty()) all += '|';
      all += n;
    }
    bad(key, "one of " + all, v);
  }
  std::string name(E e) const {
    for (const auto& [n, x] : names) {
      if (x == e) return n;
    }
    return "?";
  }
};

const EnumNames<Adversarial> kAdversarial{
    {{"score_function", Adversarial::ScoreFunction}, {"none", Adversarial::None}}};
const EnumNames<DiscriminatorType> kDiscriminator{
    {{"lr", DiscriminatorType::LogisticRegression}, {"mlp", DiscriminatorType::Mlp}}};
const EnumNames<Activation> kActivation{{{"relu", Activation::Relu}, {"tanh", Activation::Tanh}}};
const EnumNames<Smoothing> kSmoothing{
    {{"hierarchical", Smoothing::Hierarchical}, {"laplace", Smoothing::Laplace}}};
const EnumNames<StructureSearch> kStructure{
    {{"kdb", StructureSearch::Kdb}, {"greedy", StructureSearch::Greedy}}};
const EnumNames<GeneratorInit> kInit{
    {{"mle", GeneratorInit::Mle}, {"glorot", GeneratorInit::Glorot}}};
const EnumNames<SmoothingSelect> kSmoothingSelect{
    {{"distance", SmoothingSelect::Distance}, {"loglik", SmoothingSelect::Loglik}}};
const EnumNames<Resample> kResample{
    {{"auto", Resample::Auto}, {"on", Resample::On}, {"off", Resample::Off}}};
const EnumNames<Weighting> kWeighting{{{"em", Weighting::Em},
                                       {"softmax_loglik", Weighting::SoftmaxLoglik},
                                       {"uniform", Weighting::Uniform},
                                       {"reference", Weighting::Reference}}};

std::string fmt_real(double x) { return fmt::format("{}", x); }

std::vector<Entry> build_table() {
  std::vector<Entry> t;
  auto unit_int = [&](const char* key, const char* help, auto member, long lo, long hi) {
    t.push_back(
        {{key, help, "", true},
         [=](UnitOptions& u, FitOptions&, const std::string& v) {
           u.*member = static_cast<std::remove_reference_t<decltype(u.*member)>>(
               parse_long(key, v, lo, hi));
         },
         [=](const UnitOptions& u, const FitOptions&) { return std::to_string(u.*member); }});
  };
  auto unit_real = [&](const char* key, const char* help, auto member, double lo, double hi,
                       bool lo_open = false) {
    t.push_back({{key, help, "", true},
                 [=](UnitOptions& u, FitOptions&, const std::string& v) {
                   u.*member = parse_real(key, v, lo, hi, lo_open);
                 },
                 [=](const UnitOptions& u, const FitOptions&) { return fmt_real(u.*member); }});
  };
  auto unit_enum = [&](const char* key, const char* help, auto member, const auto& names) {
    t.push_back(
        {{key, help, "", true},
         [=, &names](UnitOptions& u, FitOptions&, const std::string& v) {
           u.*member = names.parse(key, v);
         },
         [=, &names](const UnitOptions& u, const FitOptions&) { return names.name(u.*member); }});
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();
  unit_int("k", "kDB parents per feature besides the class (0 = naive Bayes)", &UnitOptions::k, 0,
           8);
  unit_int("max_parent_configs",
           "largest parent-configuration space a feature may have; larger parent sets are skipped",
           &UnitOptions::max_parent_configs, 1, 100000000);
  unit_enum("structure",
            "structure search: kdb (order by I(X;Y), parents by pairwise I(X_i;X_j|Y)) or greedy "
            "(order by the strongest link, each parent the best given the ones chosen)",
            &UnitOptions::structure, kStructure);
  unit_enum("smoothing", "count smoothing: hierarchical (back-off) or laplace",
            &UnitOptions::smoothing, kSmoothing);
  unit_real("smoothing_m", "hierarchical smoothing strength; 0 = chosen (see smoothing_select)",
            &UnitOptions::smoothing_m, 0, 1e6);
  unit_real("laplace_alpha", "Laplace pseudo-count", &UnitOptions::laplace_alpha, 0, 1e6, true);
  unit_enum("init", "generator start: mle (smoothed counts) or glorot (reference)",
            &UnitOptions::init, kInit);
  unit_int("warmup_epochs", "conditional log-likelihood epochs before the adversarial phase",
           &UnitOptions::warmup_epochs, 0, 100000);
  unit_int("epochs", "adversarial epochs", &UnitOptions::epochs, 0, 100000);
  unit_int("batch_size", "generator mini-batch size", &UnitOptions::batch_size, 1, 1 << 24);
  unit_real("lr_generator", "generator Adam learning rate", &UnitOptions::lr_generator, 0, 10,
            true);
  unit_real("lr_discriminator", "discriminator Adam learning rate", &UnitOptions::lr_discriminator,
            0, 10, true);
  unit_enum("adversarial", "adversarial objective: score_function (corrected) or none (reference)",
            &UnitOptions::adversarial, kAdversarial);
  unit_real("lambda", "weight of the adversarial term", &UnitOptions::lambda, 0, 1e6);
  unit_real("mu", "weight of the joint log-likelihood anchor", &UnitOptions::mu, 0, 1e6);
  unit_int("synthetic_rows", "synthetic rows per adversarial epoch (0 = training rows)",
           &UnitOptions::synthetic_rows, 0, 100000000);
  unit_enum("discriminator", "discriminator: lr or mlp", &UnitOptions::discriminator,
            kDiscriminator);
  t.push_back({{"hidden", "MLP discriminator hidden sizes, comma separated", "", true},
               [](UnitOptions& u, FitOptions&, const std::string& v) {
                 std::vector<int> sizes;
                 for (const auto& part : core::split(v, ',')) {
                   sizes.push_back(static_cast<int>(parse_long("hidden", part, 1, 65536)));
                 }
                 u.hidden = sizes;
               },
               [](const UnitOptions& u, const FitOptions&) {
                 std::string s;
                 for (int h : u.hidden) {
                   if (!s.empty()) s += ',';
                   s += std::to_string(h);
                 }
                 return s;
               }});
  unit_enum("activation", "MLP activation: relu or tanh", &UnitOptions::activation, kActivation);
  unit_int("discriminator_epochs", "discriminator epochs per adversarial epoch",
           &UnitOptions::discriminator_epochs, 0, 100000);
  unit_real("discriminator_l2", "discriminator L2 penalty", &UnitOptions::discriminator_l2, 0,
            kInf);

  t.push_back({{"units",
                "class columns of the units, comma separated; auto = chosen from the data "
                "(every column up to a structure-cost budget, docs/performance.md); all = every "
                "column of more than one code (an id column has one and is never a class)",
                "auto", false},
               [](UnitOptions&, FitOptions& f, const std::string& v) {
                 f.units.clear();
                 f.units_auto = v == "auto";
                 if (v.empty() || v == "auto" || v == "all") return;
                 for (const auto& part : core::split(v, ',')) {
                   if (part.empty()) bad("units", "auto, all or comma-separated column names", v);
                   f.units.push_back(part);
                 }
               },
               [](const UnitOptions&, const FitOptions& f) {
                 if (f.units.empty()) return std::string(f.units_auto ? "auto" : "all");
                 std::string s;
                 for (const auto& u : f.units) {
                   if (!s.empty()) s += ',';
                   s += u;
                 }
                 return s;
               }});
  t.push_back({{"parent_candidates",
                "parents of a feature are searched among this many other columns, those with "
                "the largest pairwise mutual information (0 = all columns)",
                "", false},
               [](UnitOptions&, FitOptions& f, const std::string& v) {
                 f.parent_candidates =
                     static_cast<int>(parse_long("parent_candidates", v, 0, 1000000));
               },
               [](const UnitOptions&, const FitOptions& f) {
                 return std::to_string(f.parent_candidates);
               }});
  t.push_back({{"max_parent_levels",
                "a column with more levels than this is never a parent, takes no parents besides "
                "the class, and is not a class under units=auto (still generated in full)",
                "", false},
               [](UnitOptions&, FitOptions& f, const std::string& v) {
                 f.max_parent_levels = parse_long("max_parent_levels", v, 1, 1L << 31);
               },
               [](const UnitOptions&, const FitOptions& f) {
                 return std::to_string(f.max_parent_levels);
               }});
  t.push_back(
      {{"weighting", "ensemble weights: em, softmax_loglik, uniform or reference", "", false},
       [](UnitOptions&, FitOptions& f, const std::string& v) {
         f.weighting = kWeighting.parse("weighting", v);
       },
       [](const UnitOptions&, const FitOptions& f) { return kWeighting.name(f.weighting); }});
  t.push_back({{"smoothing_select",
                "how smoothing_m = 0 is chosen: distance (sharpest m whose synthetic rows are no "
                "closer to the training rows than held-out rows) or loglik (per feature, held-out "
                "likelihood)",
                "", false},
               [](UnitOptions&, FitOptions& f, const std::string& v) {
                 f.smoothing_select = kSmoothingSelect.parse("smoothing_select", v);
               },
               [](const UnitOptions&, const FitOptions& f) {
                 return kSmoothingSelect.name(f.smoothing_select);
               }});
  t.push_back(
      {{"softmax_temperature", "temperature of softmax_loglik weighting", "", false},
       [](UnitOptions&, FitOptions& f, const std::string& v) {
         f.softmax_temperature = parse_real("softmax_temperature", v, 1e-9, 1e9);
       },
       [](const UnitOptions&, const FitOptions& f) { return fmt_real(f.softmax_temperature); }});
  t.push_back(
      {{"validation_fraction", "share of rows held out to choose the weights", "", false},
       [](UnitOptions&, FitOptions& f, const std::string& v) {
         f.validation_fraction = parse_real("validation_fraction", v, 0.01, 0.9);
       },
       [](const UnitOptions&, const FitOptions& f) { return fmt_real(f.validation_fraction); }});
  auto fit_bool = [&](const char* key, const char* help, bool FitOptions::*member) {
    t.push_back({{key, help, "", false},
                 [=](UnitOptions&, FitOptions& f, const std::string& v) {
                   if (v == "true" || v == "1") {
                     f.*member = true;
                   } else if (v == "false" || v == "0") {
                     f.*member = false;
                   } else {
                     bad(key, "true or false", v);
                   }
                 },
                 [=](const UnitOptions&, const FitOptions& f) {
                   return std::string(f.*member ? "true" : "false");
                 }});
  };
  fit_bool("refit_full", "refit the units on all rows once the weights are chosen (true/false)",
           &FitOptions::refit_full);
  fit_bool("joint_decode",
           "decode numeric cells jointly: in-bin positions taken from a training row with similar "
           "bins (true/false; false = each cell drawn alone in its bin)",
           &FitOptions::joint_decode);
  fit_bool("learn_rules",
           "learn order rules A <= B between numeric columns that hold in every training row, "
           "enforced while sampling (true/false; declared constraints always apply)",
           &FitOptions::learn_rules);
  fit_bool("learn_sums",
           "learn sums: a numeric column equal to a signed sum of 2 to 4 others within its "
           "rounding in every training row, its value computed from them while sampling "
           "(true/false; declared sums always apply)",
           &FitOptions::learn_sums);
  t.push_back({{"resample",
                "discriminator-weighted resampling of sampled rows: auto (used when it lowers the "
                "detection AUC of held-out rows, measured at fit time), on or off",
                "", false},
               [](UnitOptions&, FitOptions& f, const std::string& v) {
                 f.resample = kResample.parse("resample", v);
               },
               [](const UnitOptions&, const FitOptions& f) { return kResample.name(f.resample); }});
  t.push_back(
      {{"resample_candidates",
        "candidate rows drawn per sampled row when resampling (sampling cost grows with it)", "",
        false},
       [](UnitOptions&, FitOptions& f, const std::string& v) {
         f.resample_candidates = static_cast<uint32_t>(parse_long("resample_candidates", v, 2, 64));
       },
       [](const UnitOptions&, const FitOptions& f) {
         return std::to_string(f.resample_candidates);
       }});
  t.push_back(
      {{"resample_stages",
        "most resampling stages, each a discriminator of the rows the stages before it keep "
        "(auto keeps a stage only when it lowers the held-out detection AUC; each multiplies "
        "the rows drawn by resample_candidates, at most 256 a row)",
        "", false},
       [](UnitOptions&, FitOptions& f, const std::string& v) {
         f.resample_stages = static_cast<uint32_t>(parse_long("resample_stages", v, 1, 3));
       },
       [](const UnitOptions&, const FitOptions& f) { return std::to_string(f.resample_stages); }});
  t.push_back(
      {{"max_model_mb",
        "refuse a fit whose model could need more memory than this (MB), before fitting", "",
        false},
       [](UnitOptions&, FitOptions& f, const std::string& v) {
         f.max_model_mb = parse_long("max_model_mb", v, 1, 1L << 30);
       },
       [](const UnitOptions&, const FitOptions& f) { return std::to_string(f.max_model_mb); }});
  t.push_back({{"threads", "worker threads (0 = all cores); never changes results", "", false},
               [](UnitOptions&, FitOptions& f, const std::string& v) {
                 f.threads = static_cast<int>(parse_long("threads", v, 0, kMaxThreads));
               },
               [](const UnitOptions&, const FitOptions& f) { return std::to_string(f.threads); }});
  t.push_back({{"seed", "random seed", "", false},
               [](UnitOptions&, FitOptions& f, const std::string& v) {
                 f.seed = parse_unsigned_option("'seed'", v, 0, UINT64_MAX);
               },
               [](const UnitOptions&, const FitOptions& f) { return std::to_string(f.seed); }});
  // Defaults come from the structs' in-class initialisers.
  const FitOptions defaults;
  for (auto& e : t) e.info.default_value = e.get(defaults.unit, defaults);
  return t;
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> t = build_table();
  return t;
}

const Entry& find(const std::string& key) {
  for (const auto& e : table()) {
    if (e.info.key == key) return e;
  }
  std::string all;
  for (const auto& e : table()) {
    if (!all.empty()) all += ", ";
    all += e.info.key;
  }
  throw InvalidArgument(fmt::format("unknown option '{}' (known: {})", key, all));
}

}  // namespace

uint64_t parse_unsigned_option(const std::string& name, const std::string& text, uint64_t lo,
                               uint64_t hi) {
  uint64_t x = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (ec != std::errc() || p != text.data() + text.size() || x < lo || x > hi) {
    throw InvalidArgument(
        hi == UINT64_MAX
            ? fmt::format("option {}: expected an integer >= {}, got '{}'", name, lo, text)
            : fmt::format("option {}: expected an integer in [{}, {}], got '{}'", name, lo, hi,
                          text));
  }
  return x;
}

void check_sample_rows(uint64_t n) {
  if (n < 1) throw InvalidArgument("option -n: expected an integer >= 1, got 0");
  if (n > kMaxSampleRows) {
    throw InvalidArgument(fmt::format(
        "option -n: at most {} rows per run, got {} (run several times with different --seed)",
        kMaxSampleRows, n));
  }
}

const std::vector<OptionInfo>& option_table() {
  static const std::vector<OptionInfo> infos = [] {
    std::vector<OptionInfo> v;
    for (const auto& e : table()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

void set_option(FitOptions& options, const std::string& key, const std::string& value) {
  find(key).set(options.unit, options, value);
}

void set_unit_option(UnitOptions& options, const std::string& key, const std::string& value) {
  const Entry& e = find(key);
  if (!e.info.per_unit)
    throw InvalidArgument(fmt::format("option '{}' cannot be set per unit", key));
  FitOptions unused;
  e.set(options, unused, value);
}

void set_unit_override(FitOptions& options, const std::string& column, const std::string& key,
                       const std::string& value) {
  auto it = options.unit_overrides.find(column);
  if (it == options.unit_overrides.end()) {
    it = options.unit_overrides.emplace(column, options.unit).first;
  }
  set_unit_option(it->second, key, value);
}

std::string get_option(const FitOptions& options, const std::string& key) {
  return find(key).get(options.unit, options);
}

std::string get_unit_option(const UnitOptions& options, const std::string& key) {
  FitOptions unused;
  return find(key).get(options, unused);
}

// Re-parsing every value through the table checks its range: the table's ranges are the
// only ones.
void validate_unit_options(const UnitOptions& unit) {
  UnitOptions u = unit;
  FitOptions unused;
  for (const auto& e : table()) {
    if (e.info.per_unit) e.set(u, unused, e.get(unit, unused));
  }
}

void validate_options(const FitOptions& options) {
  FitOptions copy = options;
  for (const auto& e : table()) e.set(copy.unit, copy, e.get(options.unit, options));
  for (const auto& [name, unit] : options.unit_overrides) validate_unit_options(unit);
}

nlohmann::json options_to_json(const FitOptions& options) {
  nlohmann::json j = nlohmann::json::object();
  // `threads` and `max_model_mb` are run-time settings that never change results: not part
  // of a model.
  for (const auto& e : table()) {
    if (e.info.key != "threads" && e.info.key != "max_model_mb") {
      j[e.info.key] = e.get(options.unit, options);
    }
  }
  nlohmann::json over = nlohmann::json::object();
  for (const auto& [name, unit] : options.unit_overrides) {
    nlohmann::json u = nlohmann::json::object();
    FitOptions unused;
    for (const auto& e : table()) {
      if (e.info.per_unit) u[e.info.key] = e.get(unit, unused);
    }
    over[name] = u;
  }
  j["unit_overrides"] = over;
  return j;
}

FitOptions options_from_json(const nlohmann::json& j) {
  FitOptions o;
  try {
    for (const auto& e : table()) {
      if (j.contains(e.info.key)) e.set(o.unit, o, j.at(e.info.key).get<std::string>());
    }
    // Models from before resampling stages were fitted with one.
    if (j.contains("resample") && !j.contains("resample_stages")) o.resample_stages = 1;
    if (j.contains("unit_overrides")) {
      for (const auto& [name, u] : j.at("unit_overrides").items()) {
        UnitOptions unit = o.unit;
        for (const auto& [key, value] : u.items())
          set_unit_option(unit, key, value.get<std::string>());
        o.unit_overrides[name] = unit;
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad options: ") + e.what());
  } catch (const InvalidArgument& e) {
    throw ModelFormatError(std::string("model: bad options: ") + e.what());
  }
  return o;
}

}  // namespace meg
