// A value built on first use: get(build) runs build() once, even when several threads
// ask at the same time, and returns the same value until reset(). Used for tables that
// are a pure function of a model's parameters (probabilities, sampler tables), so that
// a model that is only fitted and saved never holds them.
#pragma once
#include <atomic>
#include <mutex>
#include <utility>

namespace meg::core {

template <class T>
class Lazy {
 public:
  Lazy() = default;
  Lazy(const Lazy& o) { copy_from(o); }
  Lazy& operator=(const Lazy& o) {
    if (this != &o) copy_from(o);
    return *this;
  }
  // Moves are not concurrent with get() on the source (the owner is being moved).
  Lazy(Lazy&& o) noexcept : value_(std::move(o.value_)), ready_(o.ready_.load()) {
    o.ready_ = false;
  }
  Lazy& operator=(Lazy&& o) noexcept {
    value_ = std::move(o.value_);
    ready_ = o.ready_.load();
    o.ready_ = false;
    return *this;
  }

  bool ready() const { return ready_.load(std::memory_order_acquire); }
  template <class Build>
  const T& get(Build&& build) const {
    if (!ready_.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!ready_.load(std::memory_order_relaxed)) {
        value_ = build();
        ready_.store(true, std::memory_order_release);
      }
    }
    return value_;
  }
  // Not concurrent with get().
  void set(T value) {
    value_ = std::move(value);
    ready_ = true;
  }
  void reset() {
    value_ = T{};
    ready_ = false;
  }
  // The value if ready (check ready() first); for an owner that changes it in place.
  T& value() { return value_; }

 private:
  void copy_from(const Lazy& o) {
    std::lock_guard<std::mutex> lock(o.mutex_);
    value_ = o.value_;
    ready_ = o.ready_.load();
  }

  mutable std::mutex mutex_;
  mutable T value_{};
  mutable std::atomic<bool> ready_{false};
};

}  // namespace meg::core
