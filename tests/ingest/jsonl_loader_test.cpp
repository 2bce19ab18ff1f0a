// .jsonl loader: BEIR corpora and LoaderOptions' field rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace ragrt::ingest::test {
namespace {

using ::testing::HasSubstr;

class IngestJsonl : public ScratchDir {};

TEST_F(IngestJsonl, BeirCorpus) {
  const auto file = write("corpus.jsonl",
                          "{\"_id\": \"doc1\", \"title\": \"Caf\xC3\xA9\", \"text\": \"First \\\"text\\\"\\nline\"}\n"
                          "\r\n"
                          "{\"_id\": 42, \"title\": null, \"text\": \"Second \\u4e2d\", \"extra\": [1, {\"a\": true}]}\r\n"
                          "{\"text\": \"no id\", \"title\": 3.5}");
  LoaderOptions options;
  options.metadata_fields = {"extra"};
  const auto docs = load(file, options, "corpus.jsonl");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].id, "corpus.jsonl#doc1");
  EXPECT_EQ(docs[0].title, "Caf\xC3\xA9");
  EXPECT_EQ(docs[0].text, "First \"text\"\nline");
  EXPECT_EQ(docs[0].metadata.at("format"), "jsonl");
  EXPECT_EQ(docs[0].metadata.count("extra"), 0u);
  EXPECT_EQ(docs[1].id, "corpus.jsonl#42");  // a number id is its JSON text
  EXPECT_EQ(docs[1].title, "corpus.jsonl");  // null title: absent
  EXPECT_EQ(docs[1].text, "Second \xE4\xB8\xAD");
  EXPECT_EQ(docs[1].metadata.at("extra"), "[1,{\"a\":true}]");
  EXPECT_EQ(docs[2].id, "corpus.jsonl#4");  // no id: the 1-based line number
  EXPECT_EQ(docs[2].title, "3.5");
  EXPECT_EQ(docs[2].source, file.string());
}

TEST_F(IngestJsonl, ConfiguredFieldsAndBom) {
  const auto file = write("qa.ndjson", "\xEF\xBB\xBF{\"key\": \"a\", \"q\": \"Why?\", \"a\": \"Because.\", \"name\": \"N\"}\n");
  LoaderOptions options;
  options.text_fields = {"q", "a"};
  options.id_field = "key";
  options.title_field = "name";
  const auto docs = load(file, options, "qa");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "qa#a");
  EXPECT_EQ(docs[0].title, "N");
  EXPECT_EQ(docs[0].text, "Why?\n\nBecause.");
}

TEST_F(IngestJsonl, InvalidJsonNamesTheLine) {
  const auto file = write("bad.jsonl", "{\"_id\": \"1\", \"text\": \"ok\"}\n\n{\"_id\": \"2\", \"text\": }\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("line 3"));
}

TEST_F(IngestJsonl, NonObjectLineNamesTheLineAndType) {
  const auto file = write("arr.jsonl", "{\"text\": \"ok\"}\n[\"text\", \"x\"]\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("line 2"));
  EXPECT_THAT(msg, HasSubstr("array"));
}

TEST_F(IngestJsonl, MissingOrNullTextNamesTheLine) {
  const auto file = write("notext.jsonl", "{\"text\": \"ok\"}\n{\"_id\": \"x\", \"text\": null, \"body\": \"b\"}\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("line 2"));
  EXPECT_THAT(msg, HasSubstr("\"text\""));
  EXPECT_THAT(msg, HasSubstr("\"body\""));
}

TEST_F(IngestJsonl, DuplicateIdIsAnError) {
  const auto file = write("dup.jsonl", "{\"_id\": 1, \"text\": \"a\"}\n{\"_id\": \"1\", \"text\": \"b\"}\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr("line 2"));
  EXPECT_THAT(msg, HasSubstr("\"1\""));
}

TEST_F(IngestJsonl, InvalidUtf8NamesFileAndOffset) {
  const auto file = write("latin.jsonl", "{\"text\": \"caf\xE9\"}\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("byte offset 13"));
}

}  // namespace
}  // namespace ragrt::ingest::test
