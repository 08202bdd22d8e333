#include <gtest/gtest.h>

#include <string>

#include "core/file_io.hpp"
#include "data/csv.hpp"
#include "meg/error.hpp"

using meg::DataError;
using meg::data::CsvTable;
using meg::data::format_csv;
using meg::data::parse_csv;
using meg::data::read_csv;

namespace {

// The DataError message of parsing `text`, or "" if it parsed.
std::string error_of(const std::string& text) {
  try {
    parse_csv(text, "in.csv");
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Csv, QuotedFieldsWithDelimitersQuotesNewlinesAndCrlf) {
  CsvTable t = read_csv("tests/data/fixtures/quoted_crlf.csv");
  ASSERT_EQ(t.header, (std::vector<std::string>{"name", "note", "value"}));
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.columns[0][0], "Smith, J");
  EXPECT_EQ(t.columns[1][0], "said \"hi\"");
  EXPECT_EQ(t.columns[2][0], "1");
  EXPECT_EQ(t.columns[0][1], "multi\nline");
  EXPECT_EQ(t.columns[1][1], "");
  EXPECT_EQ(t.row_line[0], 2u);
  EXPECT_EQ(t.row_line[1], 3u);
}

TEST(Csv, BomAndMissingFinalNewline) {
  CsvTable t = read_csv("tests/data/fixtures/bom_no_final_newline.csv");
  EXPECT_EQ(t.header, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.columns[1], (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(format_csv(t), "a,b\n1,2\n3,4\n");
}

TEST(Csv, WriterQuotesOnlyWhenNeededAndRoundTrips) {
  CsvTable t = read_csv("tests/data/fixtures/quoted_crlf.csv");
  std::string out = format_csv(t);
  EXPECT_EQ(out, "name,note,value\n\"Smith, J\",\"said \"\"hi\"\"\",1\n\"multi\nline\",,2\n");
  CsvTable back = parse_csv(out, "again");
  EXPECT_EQ(back.columns, t.columns);
  EXPECT_EQ(format_csv(back), out);
}

TEST(Csv, SingleEmptyFieldRowSurvivesWriting) {
  CsvTable t = parse_csv("x\n\"\"\nb\n", "one.csv");
  ASSERT_EQ(t.num_rows(), 2u);
  std::string out = format_csv(t);
  EXPECT_EQ(out, "x\n\"\"\nb\n");
}

TEST(Csv, AdultRoundTripIsByteIdentical) {
  for (const char* path : {"data/adult_train.csv", "data/adult_test.csv", "data/car.csv"}) {
    std::string bytes = meg::core::read_file(path);
    CsvTable t = parse_csv(bytes, path);
    EXPECT_EQ(format_csv(t), bytes) << path;
  }
}

TEST(Csv, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(error_of(""), "in.csv:1: empty file: expected a header row");
  EXPECT_EQ(error_of("\xef\xbb\xbf"), "in.csv:1: empty file: expected a header row");
  EXPECT_EQ(error_of("a,b\n"), "in.csv:2: no data rows after the header");
  EXPECT_EQ(error_of("a,b\n1,2\n3\n"), "in.csv:3: row has 1 field, the header has 2");
  EXPECT_EQ(error_of("a,b\n1,2,3\n"), "in.csv:2: row has 3 fields, the header has 2");
  EXPECT_EQ(error_of("a,b\n1,\"open\n2,3\n"),
            "in.csv:2:3: unterminated quoted field (quote opened here)");
  EXPECT_NE(error_of("a,b\n1,x\"y\n").find("in.csv:2:4: quote inside an unquoted field"),
            std::string::npos);
  EXPECT_EQ(error_of("a,b\n\"x\"y,1\n"), "in.csv:2:4: unexpected character after a closing quote");
  EXPECT_EQ(error_of("a,a\n1,2\n"), "in.csv:1: duplicate column name 'a' (columns 1 and 2)");
  EXPECT_EQ(error_of("a,,c\n1,2,3\n"), "in.csv:1: empty column name (column 2 of the header)");
  EXPECT_EQ(error_of("a,b\n1,\xff\n"), "in.csv:2:3: invalid UTF-8 byte 0xFF");
  EXPECT_EQ(error_of("a,b\n1,\xc3\n"),
            "in.csv:2:3: invalid UTF-8 sequence starting with byte 0xC3");
  EXPECT_EQ(error_of(std::string("a,b\n1,2\n3,\0\n", 12)),
            "in.csv:3:3: NUL byte in input (not a text CSV file?)");
}

TEST(Csv, ValidUtf8AndBlankLinesAreAccepted) {
  CsvTable t = parse_csv("city,n\nZürich,1\n\n東京,2\n\n", "u.csv");
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.columns[0][0], "Zürich");
  EXPECT_EQ(t.columns[0][1], "東京");
  EXPECT_EQ(t.row_line[1], 4u);
}

TEST(Csv, MissingFileAndDirectoryAreIoErrors) {
  EXPECT_THROW(read_csv("tests/data/fixtures/no_such_file.csv"), meg::IoError);
  EXPECT_THROW(read_csv("tests/data"), meg::IoError);
}
