#include "train/unit.hpp"

#include <string>

#include "bn/cpt.hpp"
#include "core/count_reducer.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::train {
namespace {

constexpr const char* kFormat = "meg-ganblr-unit";
constexpr int kVersion = 2;  // 2: only observed (configuration, class) blocks stored

// The checks that read no code: the shape of the table and the class column.
void check_shape(const data::DatasetView& data, size_t class_col) {
  const size_t num_cols = data.num_cols();
  if (num_cols < 2) throw InvalidArgument("unit: the table needs at least two columns");
  if (class_col >= num_cols) {
    throw InvalidArgument("unit: class column " + std::to_string(class_col) + " out of range");
  }
  if (data.cardinality().size() != num_cols) {
    throw InvalidArgument("unit: cardinality and columns disagree");
  }
  if (data.num_rows() == 0) throw InvalidArgument("unit: no training rows");
}

void validate_data(const data::DatasetView& data, size_t class_col, CodeCheck check) {
  check_shape(data, class_col);
  if (check == CodeCheck::Scan) check_codes(data);
}

}  // namespace

void check_codes(const data::DatasetView& data) {
  const size_t num_cols = data.num_cols();
  if (data.cardinality().size() != num_cols) {
    throw InvalidArgument("unit: cardinality and columns disagree");
  }
  const data::EncodedDataset& table = data.data();
  for (size_t c = 0; c < num_cols; ++c) {
    if (table.columns[c].size() != table.num_rows()) {
      throw InvalidArgument("unit: ragged columns");
    }
  }
  // In a distributed fit (core/count_reducer.hpp) each process checks its share of the
  // rows and the processes sum the codes out of range; only when some are does every
  // process scan every row, so that all throw the same first error.
  core::CountReducer* reducer = core::count_reducer();
  if (reducer) {
    // Named copies: a lambda may not capture structured bindings before C++20 in clang 14.
    const auto share = reducer->share(table.num_rows());
    const size_t begin = share.first, end = share.second;
    uint64_t bad = 0;
    for (size_t c = 0; c < num_cols; ++c) {
      const uint32_t r = data.cardinality()[c];
      table.columns[c].visit([&](auto codes) {
        for (size_t i = begin; i < end; ++i) bad += codes[i] >= r ? 1 : 0;
      });
    }
    reducer->sum(std::span<uint64_t>(&bad, 1));
    if (bad == 0) return;
  }
  for (size_t c = 0; c < num_cols; ++c) {
    const uint32_t r = data.cardinality()[c];
    table.columns[c].visit([&](auto codes) {
      for (data::Code code : codes) {
        if (code >= r) {
          throw InvalidArgument("unit: code " + std::to_string(code) + " out of range in column " +
                                std::to_string(c));
        }
      }
    });
  }
}

GanblrUnit GanblrUnit::fit(const data::DatasetView& data, size_t class_col,
                           const UnitOptions& options, uint64_t seed, int threads,
                           const EpochCallback& on_epoch, const bn::SearchHints* hints,
                           CodeCheck check) {
  meg::validate_unit_options(options);  // the option table's ranges, the only ones
  validate_data(data, class_col, check);
  return build(data,
               bn::KdbStructure::learn(data, class_col, options.k, options.max_parent_configs,
                                       threads, options.structure, hints),
               options, seed, threads, on_epoch);
}

GanblrUnit GanblrUnit::fit_structure(const data::DatasetView& data, bn::KdbStructure structure,
                                     const UnitOptions& options, uint64_t seed, int threads,
                                     const EpochCallback& on_epoch, CodeCheck check) {
  meg::validate_unit_options(options);  // the option table's ranges, the only ones
  validate_data(data, structure.class_col, check);
  return build(data, std::move(structure), options, seed, threads, on_epoch);
}

GanblrUnit GanblrUnit::build(const data::DatasetView& data, bn::KdbStructure structure,
                             const UnitOptions& options, uint64_t seed, int threads,
                             const EpochCallback& on_epoch) {
  bn::SmoothingSpec spec{options.smoothing, options.smoothing_m, options.laplace_alpha,
                         core::derive_seed(seed, {0})};
  bn::CountedKdb counted = bn::fit_counts(structure, data.cardinality(), data, spec, threads);
  GanblrUnit unit;
  unit.model_ = bn::KdbModel(std::move(structure), data.cardinality(), std::move(counted.layout),
                             std::move(counted.params.blocks), std::move(counted.params.counts),
                             std::move(counted.params.log_prior));
  unit.training_log_["smoothing_m"] = counted.params.m;
  unit.training_log_["epochs"] = nlohmann::json::array();
  if (options.warmup_epochs + options.epochs > 0) {
    train_generator(unit.model_, data, options, core::derive_seed(seed, {1}), on_epoch,
                    unit.training_log_);
    unit.model_.refresh_sampler();
  }
  return unit;
}

void GanblrUnit::set_strength(double m) {
  if (!training_log_.contains("epochs") || !training_log_["epochs"].empty()) {
    throw InvalidArgument("unit: a trained unit's smoothing strength cannot be changed");
  }
  model_.set_strength(m);
  training_log_["smoothing_m"] = model_.counts()->m;
}

void GanblrUnit::sample(size_t n, uint64_t seed, data::Code* out, int threads) const {
  model_.sample(n, -1, seed, out, threads);
}

void GanblrUnit::sample_with_class(size_t n, uint32_t class_value, uint64_t seed, data::Code* out,
                                   int threads) const {
  model_.sample(n, class_value, seed, out, threads);
}

void GanblrUnit::log_prob(const data::DatasetView& data, double* out, int threads) const {
  model_.log_prob(data, out, threads);
}

nlohmann::json GanblrUnit::to_json() const {
  return {{"format", kFormat},
          {"version", kVersion},
          {"model", model_.to_json()},
          {"training_log", training_log_}};
}

GanblrUnit GanblrUnit::from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("format") || j["format"] != kFormat) {
    throw ModelFormatError("model: not a GANBLR unit");
  }
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] != kVersion) {
    throw ModelFormatError("model: unsupported GANBLR unit version");
  }
  if (!j.contains("model")) throw ModelFormatError("model: GANBLR unit has no parameters");
  GanblrUnit unit;
  unit.model_ = bn::KdbModel::from_json(j["model"]);
  if (j.contains("training_log")) unit.training_log_ = j["training_log"];
  return unit;
}

}  // namespace meg::train
