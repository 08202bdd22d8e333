#include "ensemble/model_io.hpp"

#include <cstring>
#include <exception>
#include <ostream>
#include <streambuf>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/checksum.hpp"
#include "core/parallel.hpp"
#include "core/strings.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

constexpr char kMagic[8] = {'M', 'E', 'G', 'M', 'O', 'D', 'E', 'L'};
constexpr size_t kHeaderSize = 32;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const std::string& s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<size_t>(i)]);
  return v;
}

// Structural check of the CBOR payload, iterative, run before nlohmann's reader
// (which recurses once per nesting level and per chunk of an indefinite-length
// string, so a crafted payload with a valid checksum could overflow the stack;
// found by fuzz/fuzz_model.cpp). meg writes definite lengths, no tags, at most a
// few levels of nesting and UTF-8 text; anything else is refused. Names and levels
// are written to CSV and JSON, where invalid UTF-8 would fail late. Returns an
// empty string if the payload is acceptable, else what is wrong.
std::string check_cbor(std::string_view p) {
  constexpr size_t kMaxDepth = 64;
  std::vector<uint64_t> pending = {1};  // items still expected at each open level
  size_t at = 0;
  while (!pending.empty()) {
    if (at >= p.size()) return "payload cut short";
    const auto ib = static_cast<unsigned char>(p[at++]);
    const int major = ib >> 5;
    const int ai = ib & 0x1f;
    uint64_t value = static_cast<uint64_t>(ai);
    if (ai >= 28) return ai == 31 ? "indefinite-length item" : "invalid CBOR header";
    if (ai >= 24) {
      const size_t n = size_t{1} << (ai - 24);
      if (p.size() - at < n) return "payload cut short";
      value = 0;
      for (size_t i = 0; i < n; ++i) value = (value << 8) | static_cast<unsigned char>(p[at++]);
    }
    --pending.back();
    const uint64_t left = p.size() - at;
    switch (major) {
      case 2:
      case 3:
        if (value > left) return "payload cut short";
        if (major == 3 && !core::valid_utf8(p.substr(at, value))) {
          return "a text field is not valid UTF-8";
        }
        at += value;
        break;
      case 4:
      case 5:
        if (value > left) return "payload cut short";
        if (value > 0) {
          if (pending.size() >= kMaxDepth) return "nested deeper than 64 levels";
          pending.push_back(major == 5 ? 2 * value : value);
        }
        break;
      case 6:
        return "unexpected CBOR tag";
      default:  // 0, 1: integers; 7: simple values and floats
        break;
    }
    while (!pending.empty() && pending.back() == 0) pending.pop_back();
  }
  if (at != p.size()) return "trailing bytes after the model";
  return {};
}

std::string file_header(uint64_t payload_size, uint64_t checksum, uint32_t version) {
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, version);
  put_u32(out, 0);
  put_u64(out, payload_size);
  put_u64(out, checksum);
  return out;
}

// Receives the CBOR payload in chunks: counts and checksums it, and passes it on to a
// file if given one.
class PayloadSink : public std::streambuf {
 public:
  explicit PayloadSink(core::AtomicFile* file) : file_(file) { setp(buf_, buf_ + sizeof buf_); }
  void write_cbor(const nlohmann::json& tree) {
    std::ostream os(this);
    nlohmann::json::to_cbor(tree, nlohmann::detail::output_adapter<char>(os));
    os.flush();
    // The stream swallows what the file's write threw (a full disk, a size limit):
    // rethrow it, with the path and the cause.
    if (error_) std::rethrow_exception(error_);
    if (!os)
      throw IoError((file_ ? file_->path() : std::string("model")) +
                    ": could not serialise the model");
  }
  uint64_t size() const { return size_; }
  uint64_t checksum() const { return hash_; }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    drain();
    return error_ ? -1 : 0;
  }

 private:
  void drain() {
    const std::string_view chunk(pbase(), static_cast<size_t>(pptr() - pbase()));
    size_ += chunk.size();
    hash_ = core::fnv1a64(chunk, hash_);
    if (file_ && !error_) {
      try {
        file_->write(chunk.data(), chunk.size());
      } catch (...) {
        error_ = std::current_exception();
      }
    }
    setp(buf_, buf_ + sizeof buf_);
  }

  core::AtomicFile* file_;
  std::exception_ptr error_;
  char buf_[1 << 16];
  uint64_t size_ = 0;
  uint64_t hash_ = core::fnv1a64({});
};

}  // namespace

uint32_t model_format_version(const nlohmann::json& tree) {
  if (tree.is_object() && tree.contains("units") && tree["units"].is_array()) {
    for (const auto& unit : tree["units"]) {  // units[i].model.structure.groups
      const auto* m = unit.is_object() && unit.contains("model") ? &unit["model"] : nullptr;
      const auto* s =
          m && m->is_object() && m->contains("structure") ? &(*m)["structure"] : nullptr;
      if (s && s->is_object() && s->contains("groups")) return kModelFormatVersion;
    }
  }
  return kModelFormatUngrouped;
}

std::string encode_model_file(const nlohmann::json& tree) {
  std::string out = file_header(0, 0, 0);  // payload length and checksum, filled in below
  nlohmann::json::to_cbor(tree, nlohmann::detail::output_adapter<char>(out));  // no extra copy
  const std::string_view payload(out.data() + kHeaderSize, out.size() - kHeaderSize);
  out.replace(0, kHeaderSize,
              file_header(payload.size(), core::fnv1a64(payload), model_format_version(tree)));
  return out;
}

void write_model_file(const nlohmann::json& tree, core::AtomicFile& file) {
  PayloadSink measure(nullptr);
  measure.write_cbor(tree);
  file.write(file_header(measure.size(), measure.checksum(), model_format_version(tree)));
  PayloadSink sink(&file);
  sink.write_cbor(tree);
  if (sink.size() != measure.size() || sink.checksum() != measure.checksum()) {
    throw IoError(file.path() + ": the model changed while it was being written");
  }
}

bool model_file_complete(std::string_view so_far) {
  if (so_far.size() >= sizeof kMagic && std::memcmp(so_far.data(), kMagic, sizeof kMagic) != 0) {
    return true;
  }
  if (so_far.size() < kHeaderSize) return false;
  const std::string header(so_far.substr(0, kHeaderSize));
  return so_far.size() - kHeaderSize > get_le(header, 16, 8);
}

namespace {

// An item's header at `at`: its major type and value (a length or count), `at` moved past.
// Only for a payload check_cbor accepted.
std::pair<int, uint64_t> read_header(std::string_view p, size_t& at) {
  const auto ib = static_cast<unsigned char>(p[at++]);
  const int ai = ib & 0x1f;
  uint64_t value = static_cast<uint64_t>(ai);
  if (ai >= 24) {
    value = 0;
    for (size_t i = 0; i < (size_t{1} << (ai - 24)); ++i) {
      value = (value << 8) | static_cast<unsigned char>(p[at++]);
    }
  }
  return {ib >> 5, value};
}

// The end of the item at `at` (with everything nested in it).
size_t skip_item(std::string_view p, size_t at) {
  uint64_t pending = 1;
  while (pending > 0) {
    const auto [major, value] = read_header(p, at);
    --pending;
    if (major == 2 || major == 3) at += value;
    if (major == 4) pending += value;
    if (major == 5) pending += 2 * value;
  }
  return at;
}

void put_map_header(std::string& out, uint64_t count) {
  if (count < 24) {
    out.push_back(static_cast<char>(0xa0 | count));
    return;
  }
  const int bytes = count < 256 ? 1 : count < 65536 ? 2 : 4;
  out.push_back(static_cast<char>(bytes == 1 ? 0xb8 : bytes == 2 ? 0xb9 : 0xba));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((count >> (8 * i)) & 0xff));
}

// The model tree with its "units" list left as CBOR (one view a unit), when the payload is
// a map with exactly one "units" key whose value is a list; else the whole tree.
void split_units(std::string_view p, SplitModel& out) {
  size_t at = 0;
  const auto [major, entries] = read_header(p, at);
  if (major == 5 && entries < (uint64_t{1} << 32)) {
    std::vector<std::pair<size_t, size_t>> kept;  // the other entries' bytes
    size_t units_at = 0, found = 0;
    for (uint64_t e = 0; e < entries; ++e) {
      const size_t key = at;
      size_t text = at;
      const auto [kind, length] = read_header(p, text);
      const size_t value = skip_item(p, key), end = skip_item(p, value);
      if (kind == 3 && p.substr(text, length) == "units") {
        ++found;
        units_at = value;
      } else {
        kept.emplace_back(key, end);
      }
      at = end;
    }
    size_t first = units_at;
    const auto [list, count] = found == 1 ? read_header(p, first) : std::pair<int, uint64_t>{};
    if (found == 1 && list == 4) {
      std::string rest;
      put_map_header(rest, kept.size());
      for (const auto& [b, e] : kept) rest.append(p.substr(b, e - b));
      out.tree = nlohmann::json::from_cbor(rest.begin(), rest.end());
      out.units.reserve(count);
      for (uint64_t u = 0; u < count; ++u) {
        const size_t end = skip_item(p, first);
        out.units.push_back(p.substr(first, end - first));
        first = end;
      }
      out.split = true;
      return;
    }
  }
  out.tree = nlohmann::json::from_cbor(p.begin(), p.end());
}

// Checks the header, then takes the payload's checksum on a second thread while this one
// checks the CBOR and reads it with `read` (a checksum mismatch is reported first, as when
// the two ran in turn).
template <class Read>
void read_payload(const std::string& bytes, const std::string& path, Read&& read) {
  if (bytes.empty()) throw ModelFormatError(path + ": empty file, not a meg model");
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw ModelFormatError(path + ": not a meg model file (no MEGMODEL signature)");
  }
  if (bytes.size() < kHeaderSize)
    throw ModelFormatError(path + ": truncated model file (header cut short)");
  auto version = static_cast<uint32_t>(get_le(bytes, 8, 4));
  if (version > kModelFormatVersion || version == 0) {
    throw ModelFormatError(fmt::format(
        "{}: model format version {} is not supported by this meg (it reads version {}); {}", path,
        version, kModelFormatVersion,
        version > kModelFormatVersion ? "upgrade meg" : "corrupt file"));
  }
  if (get_le(bytes, 12, 4) != 0) throw ModelFormatError(path + ": corrupt model file (bad header)");
  uint64_t length = get_le(bytes, 16, 8);
  uint64_t checksum = get_le(bytes, 24, 8);
  if (length != bytes.size() - kHeaderSize) {
    throw ModelFormatError(
        fmt::format("{}: truncated or damaged model file (payload of {} bytes "
                    "expected, {} found)",
                    path, length, bytes.size() - kHeaderSize));
  }
  std::string_view payload(bytes.data() + kHeaderSize, length);
  uint64_t sum = 0;
  std::string problem, parse_error;
  core::parallel_for(2, 2, [&](size_t task) {
    if (task == 0) {
      sum = core::fnv1a64(payload);
      return;
    }
    problem = check_cbor(payload);
    if (!problem.empty()) return;
    try {
      read(payload);
    } catch (const nlohmann::json::exception& e) {
      parse_error = e.what();
    }
  });
  if (sum != checksum) throw ModelFormatError(path + ": corrupt model file (checksum mismatch)");
  if (!problem.empty()) throw ModelFormatError(path + ": corrupt model file (" + problem + ")");
  if (!parse_error.empty()) {
    throw ModelFormatError(path + ": corrupt model file (" + parse_error + ")");
  }
}

}  // namespace

nlohmann::json decode_model_file(const std::string& bytes, const std::string& path) {
  nlohmann::json tree;
  read_payload(bytes, path, [&](std::string_view payload) {
    tree = nlohmann::json::from_cbor(payload.begin(), payload.end());
  });
  return tree;
}

SplitModel decode_model_file_split(std::string bytes, const std::string& path) {
  SplitModel out;
  out.bytes = std::move(bytes);
  read_payload(out.bytes, path, [&](std::string_view payload) { split_units(payload, out); });
  return out;
}

}  // namespace meg::ensemble
