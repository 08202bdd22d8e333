#include "ensemble/model_io.hpp"

#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "core/checksum.hpp"
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
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<size_t>(i)]);
  return v;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    if (c < 0x80) {
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
    }
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

// Nesting-depth check run before the payload is parsed into a tree: nlohmann's
// CBOR reader recurses once per level, so a crafted payload of deeply nested
// arrays would overflow the stack (found by fuzz/fuzz_model.cpp). A model tree is
// a few levels deep; kMaxDepth leaves ample room. It also checks that every text
// string is UTF-8: names and levels are written to CSV and JSON, where invalid
// UTF-8 would fail late (found by fuzz/fuzz_model.cpp).
class DepthLimit : public nlohmann::json_sax<nlohmann::json> {
 public:
  static constexpr int kMaxDepth = 64;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t& s) override { return text(s); }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool key(string_t& s) override { return text(s); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
  bool too_deep() const { return too_deep_; }
  bool bad_text() const { return bad_text_; }

 private:
  bool text(const string_t& s) {
    bad_text_ = !valid_utf8(s);
    return !bad_text_;
  }
  bool enter() {
    too_deep_ = ++depth_ > kMaxDepth;
    return !too_deep_;
  }
  bool leave() {
    --depth_;
    return true;
  }

  int depth_ = 0;
  bool too_deep_ = false;
  bool bad_text_ = false;
};

}  // namespace

std::string encode_model_file(const nlohmann::json& tree) {
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, kModelFormatVersion);
  put_u32(out, 0);
  put_u64(out, 0);  // payload length and checksum, filled in below
  put_u64(out, 0);
  nlohmann::json::to_cbor(tree, nlohmann::detail::output_adapter<char>(out));  // no extra copy
  const std::string_view payload(out.data() + kHeaderSize, out.size() - kHeaderSize);
  std::string fields;
  put_u64(fields, payload.size());
  put_u64(fields, core::fnv1a64(payload));
  out.replace(16, 16, fields);
  return out;
}

nlohmann::json decode_model_file(const std::string& bytes, const std::string& path) {
  if (bytes.empty()) throw ModelFormatError(path + ": empty file, not a meg model");
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw ModelFormatError(path + ": not a meg model file (no MEGMODEL signature)");
  }
  if (bytes.size() < kHeaderSize) throw ModelFormatError(path + ": truncated model file (header cut short)");
  auto version = static_cast<uint32_t>(get_le(bytes, 8, 4));
  if (version > kModelFormatVersion || version == 0) {
    throw ModelFormatError(fmt::format(
        "{}: model format version {} is not supported by this meg (it reads version {}); {}", path,
        version, kModelFormatVersion, version > kModelFormatVersion ? "upgrade meg" : "corrupt file"));
  }
  if (get_le(bytes, 12, 4) != 0) throw ModelFormatError(path + ": corrupt model file (bad header)");
  uint64_t length = get_le(bytes, 16, 8);
  uint64_t checksum = get_le(bytes, 24, 8);
  if (length != bytes.size() - kHeaderSize) {
    throw ModelFormatError(fmt::format("{}: truncated or damaged model file (payload of {} bytes "
                                       "expected, {} found)",
                                       path, length, bytes.size() - kHeaderSize));
  }
  std::string_view payload(bytes.data() + kHeaderSize, length);
  if (core::fnv1a64(payload) != checksum) {
    throw ModelFormatError(path + ": corrupt model file (checksum mismatch)");
  }
  DepthLimit limit;
  try {
    nlohmann::json::sax_parse(payload.begin(), payload.end(), &limit,
                              nlohmann::json::input_format_t::cbor);
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(path + ": corrupt model file (" + e.what() + ")");
  }
  if (limit.bad_text()) {
    throw ModelFormatError(path + ": corrupt model file (a text field is not valid UTF-8)");
  }
  if (limit.too_deep()) {
    throw ModelFormatError(fmt::format("{}: corrupt model file (nested deeper than {} levels)",
                                       path, DepthLimit::kMaxDepth));
  }
  try {
    return nlohmann::json::from_cbor(payload.begin(), payload.end());
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(path + ": corrupt model file (" + e.what() + ")");
  }
}

}  // namespace meg::ensemble
