// The readable, fixed-width text rendering of an evaluation result (what
// `meg evaluate` prints).
#pragma once
#include <string>

#include "meg/evaluation_result.hpp"

namespace meg::report {

std::string format_text(const EvaluationResult& result);

}  // namespace meg::report
