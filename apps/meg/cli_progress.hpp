// Progress display on stderr: a redrawn bar on a terminal, one line per unit
// otherwise, nothing with --quiet.
#pragma once
#include "meg/progress.hpp"

namespace meg::cli {

ProgressFn make_progress_printer(bool quiet);
// Ends a bar line if one was drawn.
void finish_progress();

}  // namespace meg::cli
