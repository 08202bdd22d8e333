#include "core/count_reducer.hpp"

#include <atomic>
#include <cstring>
#include <string>

#include "meg/error.hpp"

namespace meg::core {
namespace {
std::atomic<CountReducer*> g_reducer{nullptr};
}  // namespace

std::vector<double> allgather_doubles(CountReducer& reducer, std::span<const double> mine,
                                      const char* what) {
  std::vector<double> out;
  for (const auto& part : reducer.allgather(std::span<const uint8_t>(
           reinterpret_cast<const uint8_t*>(mine.data()), mine.size_bytes()))) {
    if (part.size() % sizeof(double) != 0) {
      throw Error(std::string("distributed fit: a process's ") + what + " are garbled");
    }
    const size_t at = out.size();
    out.resize(at + part.size() / sizeof(double));
    if (!part.empty()) std::memcpy(out.data() + at, part.data(), part.size());
  }
  return out;
}

CountReducer* count_reducer() { return g_reducer.load(std::memory_order_acquire); }

CountReducerScope::CountReducerScope(CountReducer* reducer)
    : previous_(g_reducer.exchange(reducer, std::memory_order_acq_rel)) {}

CountReducerScope::~CountReducerScope() { g_reducer.store(previous_, std::memory_order_release); }

}  // namespace meg::core
