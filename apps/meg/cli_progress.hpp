// Progress display on stderr, nothing with --quiet. On a terminal: one line redrawn
// in place (at most 10 times a second): the stage, a bar with the percentage when the
// total is known (the input's bytes, the rows asked for, the units), rows and MB so
// far, the time in the stage and an ETA; a finished reading or sampling stage keeps
// its line. Otherwise (a log file, a pipe): one line per finished unit, and one every
// 10 s while reading or sampling.
#pragma once
#include "meg/progress.hpp"

namespace meg::cli {

ProgressFn make_progress_printer(bool quiet);
// Ends a bar line if one was drawn.
void finish_progress();

}  // namespace meg::cli
