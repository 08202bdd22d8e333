#include "data/datetime_format.hpp"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "meg/error.hpp"

namespace meg::data {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;  // H. Hinnant's algorithm: years start in March
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

namespace {

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

// The month (1-12) whose name (full, or its first three letters) starts text[*i], exactly
// as written in kMonths; advances *i past it.
std::optional<int64_t> month_name(std::string_view text, size_t* i, bool full) {
  for (int64_t m = 0; m < 12; ++m) {
    const std::string_view name =
        full ? std::string_view(kMonths[m]) : std::string_view(kMonths[m]).substr(0, 3);
    if (text.substr(*i, name.size()) == name) {
      *i += name.size();
      return m + 1;
    }
  }
  return std::nullopt;
}

constexpr int64_t kPow10[] = {1,      10,      100,      1000,      10000,
                              100000, 1000000, 10000000, 100000000, 1000000000};

// Reads exactly `min`..`max` digits at text[*i]; nullopt when fewer than min.
std::optional<int64_t> digits(std::string_view text, size_t* i, int min, int max) {
  int64_t v = 0;
  int n = 0;
  while (n < max && *i < text.size() && text[*i] >= '0' && text[*i] <= '9') {
    v = v * 10 + (text[*i] - '0');
    ++*i;
    ++n;
  }
  if (n < min) return std::nullopt;
  return v;
}

}  // namespace

TimePattern TimePattern::compile(std::string_view pattern, const std::string& where) {
  TimePattern p;
  p.text_ = std::string(pattern);
  auto bad = [&](const std::string& why) {
    return DataError(fmt::format("{}: invalid date/time format '{}': {}", where,
                                 core::printable(std::string(pattern)), why));
  };
  bool seen[128] = {};
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      p.items_.push_back({0, 0, pattern[i]});
      continue;
    }
    if (++i >= pattern.size()) throw bad("it ends with '%'");
    Item item;
    item.width = 2;
    bool unpadded = false, counted = false;
    if (pattern[i] == '%') {
      p.items_.push_back({0, 0, '%'});
      continue;
    }
    if (pattern[i] == '-') {
      item.width = 1;
      unpadded = true;
      if (++i >= pattern.size()) throw bad("it ends with '%-'");
    } else if (pattern[i] == ':') {
      item.width = 5;
      if (++i >= pattern.size() || pattern[i] != 'z') throw bad("'%:' must be followed by 'z'");
    } else if (pattern[i] >= '1' && pattern[i] <= '9') {
      item.width = pattern[i] - '0';
      counted = true;
      if (++i >= pattern.size() || pattern[i] != 'f') throw bad("'%N' must be followed by 'f'");
    }
    const char f = pattern[i];
    const bool one_ok = f == 'm' || f == 'd' || f == 'H' || f == 'I';
    if (std::string_view("YymbBdHIpPMSfzs").find(f) == std::string_view::npos ||
        (unpadded && !one_ok) || (f == 'f') != counted) {
      throw bad(fmt::format("unknown field '%{}'", std::string(pattern.substr(i, 1))));
    }
    if (f == 'z' && item.width == 2) item.width = 4;
    if (seen[static_cast<unsigned char>(f)]) throw bad(fmt::format("'%{}' appears twice", f));
    seen[static_cast<unsigned char>(f)] = true;
    item.field = f;
    p.items_.push_back(item);
    if (f == 'f') p.fraction_ = item.width;
  }
  p.epoch_ = seen['s'];
  p.zoned_ = seen['z'];
  const int years = seen['Y'] + seen['y'], months = seen['m'] + seen['b'] + seen['B'];
  const int hours = seen['H'] + seen['I'], halves = seen['p'] + seen['P'];
  p.has_date_ = years > 0 || months > 0 || seen['d'];
  p.has_time_ = hours > 0 || seen['M'] || seen['S'] || halves > 0;
  p.has_seconds_ = seen['S'];
  if (p.epoch_) {
    if (p.items_.size() != 1) throw bad("'%s' must be the whole format");
    return p;
  }
  if (p.has_date_ && !(years == 1 && months == 1 && seen['d'])) {
    throw bad("a date needs one year (%Y or %y), one month (%m, %b or %B) and %d");
  }
  if (p.has_time_ && !(hours == 1 && seen['M']))
    throw bad("a time needs one hour (%H or %I) and %M");
  if ((seen['I'] != 0) != (halves == 1)) throw bad("a 12-hour %I needs one %p or %P, and only it");
  if (seen['S'] && !p.has_time_) throw bad("%S needs %H and %M");
  if (seen['f'] && !seen['S']) throw bad("a fraction needs %S");
  if (!p.has_date_ && !p.has_time_) throw bad("no date or time field");
  if (p.zoned_ && !p.has_date_) throw bad("an offset needs a date");
  return p;
}

double TimePattern::unit() const {
  if (epoch_ || has_seconds_) return 1.0;
  return has_time_ ? 60.0 : 86400.0;
}

std::optional<double> TimePattern::parse(std::string_view text, int* offset_minutes) const {
  if (offset_minutes) *offset_minutes = 0;
  if (epoch_) {
    const auto v = core::parse_double(text);
    if (!v || !std::isfinite(*v)) return std::nullopt;
    return v;
  }
  int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0, frac = 0, off = 0;
  int64_t h12 = -1, pm = 0;  // a 12-hour clock's hour (1-12) and its half (0 or 12)
  size_t i = 0;
  for (const Item& it : items_) {
    if (it.field == 0) {
      if (i >= text.size() || text[i] != it.literal) return std::nullopt;
      ++i;
      continue;
    }
    std::optional<int64_t> v;
    switch (it.field) {
      case 'Y':
        v = digits(text, &i, 4, 4);
        if (v) y = *v;
        break;
      case 'y':  // POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068
        v = digits(text, &i, 2, 2);
        if (v) y = *v < 69 ? 2000 + *v : 1900 + *v;
        break;
      case 'b':
      case 'B':
        v = month_name(text, &i, it.field == 'B');
        if (v) mo = *v;
        break;
      case 'p':
      case 'P': {
        const std::string_view half = text.substr(i, 2);
        const bool upper = it.field == 'p';
        if (half == (upper ? "AM" : "am")) {
          v = 0;
        } else if (half == (upper ? "PM" : "pm")) {
          v = 12;
        }
        if (v) {
          i += 2;
          pm = *v;
        }
        break;
      }
      case 'f':
        v = digits(text, &i, it.width, it.width);
        if (v) frac = *v;
        break;
      case 'z': {
        if (i >= text.size() || (text[i] != '+' && text[i] != '-')) return std::nullopt;
        const int64_t sign = text[i++] == '-' ? -1 : 1;
        const auto oh = digits(text, &i, 2, 2);
        if (!oh) return std::nullopt;
        if (it.width == 5 && (i >= text.size() || text[i++] != ':')) return std::nullopt;
        v = digits(text, &i, 2, 2);
        if (!v || *oh > 23 || *v > 59) return std::nullopt;
        off = sign * (*oh * 60 + *v);
        break;
      }
      default: {
        v = digits(text, &i, it.width == 1 ? 1 : 2, 2);
        if (!v) return std::nullopt;
        (it.field == 'm'   ? mo
         : it.field == 'd' ? d
         : it.field == 'H' ? h
         : it.field == 'I' ? h12
         : it.field == 'M' ? mi
                           : s) = *v;
      }
    }
    if (!v) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  if (h12 >= 0) {
    if (h12 < 1 || h12 > 12) return std::nullopt;
    h = h12 % 12 + pm;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, static_cast<unsigned>(mo)) || h > 23 ||
      mi > 59 || s > 59) {
    return std::nullopt;
  }
  if (offset_minutes) *offset_minutes = static_cast<int>(off);
  const int64_t days =
      has_date_ ? days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) : 0;
  const double seconds = static_cast<double>(days * 86400 + h * 3600 + mi * 60 + s - off * 60);
  return seconds + static_cast<double>(frac) / static_cast<double>(kPow10[fraction_]);
}

void TimePattern::format(double seconds, int offset_minutes, std::string& out) const {
  if (epoch_) {
    out += fmt::format("{:.{}f}", seconds, fraction_);
    return;
  }
  const int64_t scale = kPow10[fraction_];
  const int64_t per_day = 86400 * scale;
  const double local = seconds + (zoned_ ? offset_minutes * 60.0 : 0.0);
  int64_t ticks = std::llround(local * static_cast<double>(scale));
  int64_t days = ticks >= 0 ? ticks / per_day : -((-ticks + per_day - 1) / per_day);
  int64_t rem = ticks - days * per_day;
  if (!has_date_) days = 0;
  int64_t y = 0;
  unsigned mo = 1, d = 1;
  civil_from_days(days, &y, &mo, &d);
  const int64_t sod = rem / scale, frac = rem % scale;
  for (const Item& it : items_) {
    switch (it.field) {
      case 0:
        out.push_back(it.literal);
        break;
      case 'Y':
        out += fmt::format("{:04}", y);
        break;
      case 'y':
        out += fmt::format("{:02}", ((y % 100) + 100) % 100);
        break;
      case 'b':
        out.append(kMonths[mo - 1], 3);
        break;
      case 'B':
        out += kMonths[mo - 1];
        break;
      case 'p':
        out += sod < 43200 ? "AM" : "PM";
        break;
      case 'P':
        out += sod < 43200 ? "am" : "pm";
        break;
      case 'f':
        out += fmt::format("{:0{}}", frac, fraction_);
        break;
      case 'z': {
        const int a = std::abs(offset_minutes);
        out += fmt::format("{}{:02}{}{:02}", offset_minutes < 0 ? '-' : '+', a / 60,
                           it.width == 5 ? ":" : "", a % 60);
        break;
      }
      default: {
        const int64_t v = it.field == 'm'   ? mo
                          : it.field == 'd' ? d
                          : it.field == 'H' ? sod / 3600
                          : it.field == 'I' ? (sod / 3600 + 11) % 12 + 1
                          : it.field == 'M' ? sod / 60 % 60
                                            : sod % 60;
        out += it.width == 1 ? fmt::format("{}", v) : fmt::format("{:02}", v);
      }
    }
  }
}

namespace {

// The candidate patterns, most preferred first: padded before unpadded, month-first
// before day-first (so an undecided column reads month-first).
std::vector<TimePattern> make_candidates() {
  std::vector<std::string> dates;
  for (const char* sep : {"-", "/", "."}) {
    dates.push_back(fmt::format("%Y{0}%m{0}%d", sep));
    dates.push_back(fmt::format("%Y{0}%-m{0}%-d", sep));
  }
  for (const char* sep : {"/", "-", "."}) {
    for (const char* pad : {"", "-"}) {
      dates.push_back(fmt::format("%{1}m{0}%{1}d{0}%Y", sep, pad));
      dates.push_back(fmt::format("%{1}d{0}%{1}m{0}%Y", sep, pad));
    }
  }
  std::vector<std::string> times;
  for (const char* hour : {"%H", "%-H"}) {
    times.push_back(fmt::format("{}:%M:%S", hour));
    times.push_back(fmt::format("{}:%M", hour));
    for (int n = 1; n <= 9; ++n) times.push_back(fmt::format("{}:%M:%S.%{}f", hour, n));
  }
  // 12-hour clocks ("3:05 PM"), then the rarer dates: two-digit years and month names,
  // with a time only after a space and without an offset.
  std::vector<std::string> halves;
  for (const char* hour : {"%I", "%-I"}) {
    for (const char* half : {" %p", "%p", " %P", "%P"}) {
      halves.push_back(fmt::format("{}:%M:%S{}", hour, half));
      halves.push_back(fmt::format("{}:%M{}", hour, half));
    }
  }
  std::vector<std::string> rare;
  for (const char* sep : {"/", "-", "."}) {
    for (const char* pad : {"", "-"}) {
      rare.push_back(fmt::format("%{1}m{0}%{1}d{0}%y", sep, pad));
      rare.push_back(fmt::format("%{1}d{0}%{1}m{0}%y", sep, pad));
    }
  }
  for (const char* month : {"%b", "%B"}) {
    for (const char* day : {"%d", "%-d"}) {
      rare.push_back(fmt::format("{} {} %Y", day, month));
      rare.push_back(fmt::format("{}-{}-%Y", day, month));
      rare.push_back(fmt::format("{}-{}-%y", day, month));
      rare.push_back(fmt::format("{} {}, %Y", month, day));
      rare.push_back(fmt::format("{} {} %Y", month, day));
    }
  }
  std::vector<TimePattern> out;
  for (const auto& d : dates) {
    for (const char* join : {" ", "T"}) {
      for (const auto& t : times) {
        for (const char* zone : {"", "Z", "%:z", "%z", " %:z", " %z"}) {
          out.push_back(TimePattern::compile(d + join + t + zone, "candidate"));
        }
      }
    }
    for (const auto& t : halves) out.push_back(TimePattern::compile(d + " " + t, "candidate"));
    out.push_back(TimePattern::compile(d, "candidate"));
  }
  for (const auto& d : rare) {
    for (const auto& t : times) out.push_back(TimePattern::compile(d + " " + t, "candidate"));
    for (const auto& t : halves) out.push_back(TimePattern::compile(d + " " + t, "candidate"));
    out.push_back(TimePattern::compile(d, "candidate"));
  }
  for (const auto& t : times) out.push_back(TimePattern::compile(t, "candidate"));
  for (const auto& t : halves) out.push_back(TimePattern::compile(t, "candidate"));
  return out;
}

}  // namespace

std::optional<std::string> infer_time_pattern(const std::vector<std::string_view>& texts) {
  if (texts.empty() || texts[0].size() > 48) return std::nullopt;
  // Every form starts with a month's name or has a separator right after a 1-4 digit run.
  const std::string_view first = texts[0];
  size_t lead = 0;
  while (lead < first.size() && first[lead] >= '0' && first[lead] <= '9') ++lead;
  size_t named = 0;
  if (lead == 0 && !month_name(first, &named, false)) return std::nullopt;
  if (lead > 4 || lead >= first.size()) return std::nullopt;
  if (lead > 0 && std::string_view("-/.: ").find(first[lead]) == std::string_view::npos) {
    return std::nullopt;
  }
  static const std::vector<TimePattern> candidates = make_candidates();
  std::vector<const TimePattern*> alive;
  for (const auto& c : candidates) {
    if (c.parse(first)) alive.push_back(&c);
  }
  for (size_t t = 1; t < texts.size() && !alive.empty(); ++t) {
    std::erase_if(alive, [&](const TimePattern* c) { return !c->parse(texts[t]); });
  }
  if (alive.empty()) return std::nullopt;
  return alive.front()->text();
}

}  // namespace meg::data
