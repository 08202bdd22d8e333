#include "core/count_reducer.hpp"

#include <atomic>

namespace meg::core {
namespace {
std::atomic<CountReducer*> g_reducer{nullptr};
}  // namespace

CountReducer* count_reducer() { return g_reducer.load(std::memory_order_acquire); }

CountReducerScope::CountReducerScope(CountReducer* reducer)
    : previous_(g_reducer.exchange(reducer, std::memory_order_acq_rel)) {}

CountReducerScope::~CountReducerScope() { g_reducer.store(previous_, std::memory_order_release); }

}  // namespace meg::core
