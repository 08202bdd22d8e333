// `meg fit --epsilon E [--delta D]`: a differentially private MEG fit (docs/privacy.md).
// Every step that reads the training rows is charged to one zCDP ledger: the 1-way
// histograms (domain), the network's structure and its clique counts. The units, their
// weights and smoothing are then fitted on a pseudo-table sampled from the noisy network,
// which is post-processing and costs nothing more.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "data/csv.hpp"
#include "ensemble/meg_model.hpp"
#include "meg/dp_options.hpp"
#include "meg/options.hpp"
#include "meg/progress.hpp"

namespace meg::ensemble {

// `schema_file`: the parsed schema file (every column must give its "type"; with
// dp.public_schema, "levels" of categorical columns and "edges" of numeric ones are
// taken as public). Throws InvalidArgument / DataError naming the option or column.
MegModel fit_private(const data::CsvTable& table, const nlohmann::json& schema_file,
                     const std::string& schema_source, const FitOptions& options,
                     const DpOptions& dp, const ProgressFn& progress = {});

}  // namespace meg::ensemble
