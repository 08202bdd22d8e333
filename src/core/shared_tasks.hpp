// Work that every process of a distributed fit would otherwise repeat, cut into
// independent tasks whose results do not depend on which process computes them (a
// function of rows and seeds every process holds): each process runs its share of the
// tasks (CountReducer::share of the task list) and the results travel as bytes, so every
// process ends with every task's result, as one process running them all in order. No
// reducer installed (a plain fit): every task runs here, in order.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "core/count_reducer.hpp"

namespace meg::core {

// A task: `run` computes its result in place; in a distributed fit the process that ran it
// sends `save()`'s bytes and every other process rebuilds the result with `load`.
struct SharedTask {
  std::function<void()> run;
  std::function<std::vector<uint8_t>()> save;
  std::function<void(std::span<const uint8_t>)> load;
};

// Runs `tasks` as above (with `reducer`, a collective: every process passes the same
// number of tasks). Returns how many ran here.
size_t run_shared(const std::vector<SharedTask>& tasks, CountReducer* reducer);

// Values and lists of trivially copyable values as bytes and back (a task's result).
class ByteWriter {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    append(&v, sizeof v);
  }
  template <class T>
  void put_list(std::span<const T> v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put(uint64_t{v.size()});
    append(v.data(), v.size_bytes());
  }
  template <class T>
  void put_list(const std::vector<T>& v) {
    put_list(std::span<const T>(v));
  }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  void append(const void* p, size_t n);
  std::vector<uint8_t> bytes_;
};

// Throws Error naming `what` when the bytes end early or are left over (finish()).
class ByteReader {
 public:
  ByteReader(std::span<const uint8_t> bytes, const char* what) : bytes_(bytes), what_(what) {}
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    copy(&v, sizeof v);
    return v;
  }
  template <class T>
  std::vector<T> get_list() {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto n = get<uint64_t>();
    if (n > (bytes_.size() - at_) / sizeof(T)) fail();
    std::vector<T> v(n);
    copy(v.data(), n * sizeof(T));
    return v;
  }
  bool done() const { return at_ == bytes_.size(); }
  void finish() const {
    if (at_ != bytes_.size()) fail();
  }

 private:
  void copy(void* p, size_t n);
  [[noreturn]] void fail() const;
  std::span<const uint8_t> bytes_;
  const char* what_;
  size_t at_ = 0;
};

}  // namespace meg::core
