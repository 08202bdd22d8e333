#include "core/json_text.hpp"

#include <fmt/format.h>

#include "meg/error.hpp"

namespace meg::core {
namespace {

// 1-based line and column of byte `offset` of `text`.
std::string position(std::string_view text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("{}:{}", line, col);
}

// Offset of the first bracket nested deeper than kMaxJsonDepth, or npos. Iterative and
// string-aware, so it runs before the recursive parts of nlohmann (dump, the tree).
size_t too_deep_at(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

// nlohmann's DOM builder, with the position of a parse error (a number overflowing a
// double included, which nlohmann reports as out_of_range without a position).
class Sax : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  Sax(nlohmann::json& out, std::string_view text, const std::string& source)
      : json_sax_dom_parser(out, false), text_(text), source_(source) {}
  template <class Exception>
  bool parse_error(size_t offset, const std::string& token, const Exception& e) {
    std::string what = e.what();
    // offset counts the characters read, the bad one included.
    size_t at = offset > 0 ? offset - 1 : 0;
    if (e.id == 406) {  // reported after the number: point at its first character
      what = fmt::format("number '{}' is outside the range of a double", token.substr(0, 40));
      at = offset >= token.size() ? offset - token.size() : 0;
    } else if (auto colon = what.rfind(": "); colon != std::string::npos) {
      what = what.substr(colon + 2);  // nlohmann's "[json.exception...] ... : detail"
    }
    throw DataError(fmt::format("{}:{}: invalid JSON: {}", source_, position(text_, at), what));
  }

 private:
  std::string_view text_;
  const std::string& source_;
};

}  // namespace

nlohmann::json parse_json_text(std::string_view text, const std::string& source) {
  if (size_t at = too_deep_at(text); at != std::string_view::npos) {
    throw DataError(fmt::format("{}:{}: JSON nested deeper than {} levels", source,
                                position(text, at), kMaxJsonDepth));
  }
  nlohmann::json root;
  Sax sax(root, text, source);
  nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  return root;
}

std::string json_excerpt(const nlohmann::json& value, size_t max_chars) {
  std::string s = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > max_chars) s = s.substr(0, max_chars) + "...";
  return s;
}

}  // namespace meg::core
