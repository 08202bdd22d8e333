// Date and time texts <-> numbers, by a strftime-like pattern (docs/data.md, "Column roles").
//
// A pattern is literal characters and fields:
//   %Y year (4 digits)      %m / %-m month (2 digits / 1-2)   %d / %-d day (2 / 1-2)
//   %H / %-H hour 0-23      %M minute (2)   %S second (2)     %Nf fraction, N = 1..9 digits
//   %z offset +HHMM         %:z offset +HH:MM                 %s seconds since the epoch
//   %y year (2 digits, POSIX: 69-99 -> 19xx, 00-68 -> 20xx)   %b / %B month name (Jan / January)
//   %I / %-I hour 1-12 with %p (AM/PM) or %P (am/pm)
//   %% a '%'. A literal 'Z' after the time reads as UTC.
// Values: a pattern with a date counts seconds since 1970-01-01 00:00:00 (UTC when the text
// has an offset, which is subtracted; else the wall-clock time as written); a time-only
// pattern counts seconds since midnight.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meg::data {

class TimePattern {
 public:
  // Throws DataError naming `where` when the pattern is not valid.
  static TimePattern compile(std::string_view pattern, const std::string& where);

  // Seconds of the text (see above), or nullopt when the text does not fit the pattern
  // or names no real date/time. *offset_minutes gets the text's offset (0 without one).
  std::optional<double> parse(std::string_view text, int* offset_minutes = nullptr) const;
  // Appends the text of `seconds`, written at `offset_minutes` when the pattern has an offset.
  void format(double seconds, int offset_minutes, std::string& out) const;

  const std::string& text() const { return text_; }
  bool has_date() const { return has_date_; }
  bool has_time() const { return has_time_; }
  bool epoch() const { return epoch_; }
  bool zoned() const { return zoned_; }
  int fraction_digits() const { return fraction_; }
  // The step between two written values, in seconds: a day (date only), a minute (no
  // seconds field), a second (fractions are decimals of it).
  double unit() const;

 private:
  struct Item {
    char field = 0;  // 0: literal
    int width = 0;   // digits (fraction), 2: padded, 1: 1-2 digits
    char literal = 0;
  };
  std::string text_;
  std::vector<Item> items_;
  bool has_date_ = false, has_time_ = false, has_seconds_ = false, epoch_ = false, zoned_ = false;
  int fraction_ = 0;
};

// The pattern that every text fits, among the common forms (ISO 8601 with 'T' or a space,
// fractional seconds, 'Z' or an offset; day-first and month-first dates with '/', '-' or
// '.', decided by the data, month-first when nothing decides; times of day), or nullopt.
// Epoch seconds are never inferred (a number column stays a number).
std::optional<std::string> infer_time_pattern(const std::vector<std::string_view>& texts);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d);

}  // namespace meg::data
