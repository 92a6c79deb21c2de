// The ESP sequence state file (src/app/state_file.hpp): the exact text
// written, round trips, the durable replace (new inode, mode 0600, no
// temporary file left, old state kept when the write fails), every way a
// file can be damaged or cut short giving an error with its line, and the
// file rules (regular file, not writable by others, ours).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

// src/app is the l2sec program, not a library: its one file under test is
// compiled in here.
#include "app/state_file.hpp"
#include "support/temp_dir.hpp"

namespace l2sec::app {
namespace {

namespace fs = std::filesystem;
using gateway::SeqDirection;
using gateway::SequenceKey;
using gateway::SequenceRecord;
using ::testing::HasSubstr;

using test::TempDir;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

ino_t inode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_ino;
}

SequenceRecord rec(SeqDirection d, std::uint32_t spi, Endpoint peer, std::uint64_t v) {
  return SequenceRecord{SequenceKey{d, spi, peer}, v};
}

const Endpoint kV4 = Endpoint::v4({10, 77, 1, 2}, 0);
const Endpoint kV6 = Endpoint::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0);

std::vector<SequenceRecord> sample() {
  return {rec(SeqDirection::outbound, 0x2001, kV4, 2097152), rec(SeqDirection::inbound, 0x1001, kV4, 1048601),
          rec(SeqDirection::outbound, 0xffffffff, kV6, UINT64_MAX),
          rec(SeqDirection::inbound, 0x100, Endpoint::of_circuit(7), 0)};
}

const std::string kSampleText =
    "# l2sec ESP sequence state (docs/config.md, \"Sequence state\"). Written by l2sec: do not edit.\n"
    "l2sec-sequence-state 1\n"
    "out 0x00002001 10.77.1.2 2097152\n"
    "in 0x00001001 10.77.1.2 1048601\n"
    "out 0xffffffff 2001:db8::1 18446744073709551615\n"
    "in 0x00000100 circuit:7 0\n"
    "end 4\n";

// --- the format ----------------------------------------------------------------

TEST(StateFormat, ExactTextAndRoundTrip) {
  const auto records = sample();
  EXPECT_EQ(format_state(records), kSampleText);
  ParsedState p = parse_state(kSampleText);
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.records, records);
  // Empty state.
  EXPECT_EQ(format_state({}),
            "# l2sec ESP sequence state (docs/config.md, \"Sequence state\"). Written by l2sec: do not "
            "edit.\nl2sec-sequence-state 1\nend 0\n");
  EXPECT_TRUE(parse_state(format_state({})).records.empty());
  EXPECT_EQ(parse_state(format_state({})).error, "");
}

TEST(StateFormat, CommentsBlankLinesAndSpacing) {
  ParsedState p = parse_state(
      "\n# x\nl2sec-sequence-state   1\n\n  out\t0x2001  10.77.1.2   5\n# y\nin 0X1001 2001:db8::1 6\nend "
      "2\n");
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[0], rec(SeqDirection::outbound, 0x2001, kV4, 5));
  EXPECT_EQ(p.records[1], rec(SeqDirection::inbound, 0x1001, kV6, 6));
}

struct Bad {
  std::string text;
  std::uint32_t line;
  std::string error;
};

TEST(StateFormat, DamagedFilesNameTheLine) {
  const std::string h = "l2sec-sequence-state 1\n";
  const Bad cases[] = {
      {"", 1, "no header line: the file is empty or cut short"},
      {"# only a comment\n", 2, "no header line: the file is empty or cut short"},
      {"l2sec-sequence-state 2\nend 0\n", 1, "format version 2 is not supported (this l2sec reads 1)"},
      {"out 0x2001 10.77.1.2 5\nend 1\n", 1, "expected the header line 'l2sec-sequence-state 1'"},
      {h, 2, "no 'end' line: the file is cut short"},
      {h + "out 0x2001 10.77.1.2 5\n", 3, "no 'end' line: the file is cut short"},
      {h + "out 0x2001 10.77.1.2 5\nend 2\n", 3,
       "the 'end' line counts 2 records, the file holds 1: damaged"},
      {h + "end 0", 2, "the 'end' line has no newline: cut short"},
      {h + "end 0\nout 0x2001 10.77.1.2 5\n", 3, "text after the 'end' line"},
      {h + "end x\n", 2, "expected 'end <number of records>'"},
      {h + "up 0x2001 10.77.1.2 5\nend 1\n", 2, "direction must be 'in' or 'out'"},
      {h + "out 2001 10.77.1.2 5\nend 1\n", 2, "SPI must be 0x followed by hex digits, 0x1 to 0xffffffff"},
      {h + "out 0x0 10.77.1.2 5\nend 1\n", 2, "SPI must be 0x followed by hex digits, 0x1 to 0xffffffff"},
      {h + "out 0x100000000 10.77.1.2 5\nend 1\n", 2,
       "SPI must be 0x followed by hex digits, 0x1 to 0xffffffff"},
      {h + "out 0x2001 10.77.1 5\nend 1\n", 2,
       "peer must be an IPv4 or IPv6 address without port, or circuit:<number>"},
      {h + "out 0x2001 10.77.1.2:1701 5\nend 1\n", 2,
       "peer must be an IPv4 or IPv6 address without port, or circuit:<number>"},
      {h + "out 0x2001 [2001:db8::1] 5\nend 1\n", 2,
       "peer must be an IPv4 or IPv6 address without port, or circuit:<number>"},
      {h + "out 0x2001 circuit:x 5\nend 1\n", 2,
       "peer must be an IPv4 or IPv6 address without port, or circuit:<number>"},
      {h + "out 0x2001 10.77.1.2 -5\nend 1\n", 2, "value must be a decimal number 0 to 2^64-1"},
      {h + "out 0x2001 10.77.1.2 18446744073709551616\nend 1\n", 2,
       "value must be a decimal number 0 to 2^64-1"},
      {h + "out 0x2001 10.77.1.2 5 6\nend 1\n", 2, "expected 'in|out <SPI> <peer> <value>' or 'end <count>'"},
      {h + "out 0x2001 10.77.1.2 5\nin 0x2001 10.77.1.2 5\nout 0x2001 10.77.1.2 9\nend 3\n", 4,
       "a second record for out 0x00002001 10.77.1.2 (first at line 2)"},
  };
  for (const Bad& b : cases) {
    SCOPED_TRACE(b.text);
    ParsedState p = parse_state(b.text);
    EXPECT_EQ(p.error, b.error);
    EXPECT_EQ(p.line, b.line);
    EXPECT_TRUE(p.records.empty());
  }
}

// A file cut anywhere is an error, never a shorter (older) state.
TEST(StateFormat, EveryCutIsAnError) {
  for (std::size_t n = 0; n < kSampleText.size(); ++n) {
    ParsedState p = parse_state(kSampleText.substr(0, n));
    EXPECT_NE(p.error, "") << "cut at " << n << ": " << kSampleText.substr(0, n);
    EXPECT_TRUE(p.records.empty());
  }
}

// --- the file ----------------------------------------------------------------------

TEST(StateFile, AbsentFileIsEmptyAndCreatedAtFirstWrite) {
  TempDir d;
  const fs::path f = d.path() / "seq.state";
  auto o = StateFile::open(f);
  ASSERT_EQ(o.error, "");
  ASSERT_TRUE(o.file);
  EXPECT_TRUE(o.file->load()->empty());
  EXPECT_FALSE(fs::exists(f));

  const auto records = sample();
  ASSERT_TRUE(o.file->persist(records));
  EXPECT_EQ(read(f), kSampleText);
  EXPECT_EQ(mode_of(f), 0600u);
  EXPECT_FALSE(fs::exists(d.path() / "seq.state.tmp"));
  EXPECT_EQ(*o.file->load(), records);

  auto again = StateFile::open(f);
  ASSERT_EQ(again.error, "");
  EXPECT_EQ(*again.file->load(), records);
}

TEST(StateFile, PersistReplacesItsKeysKeepsTheOthersAndSwapsTheFile) {
  TempDir d;
  const fs::path f = d.path() / "seq.state";
  auto o = StateFile::open(f);
  ASSERT_TRUE(o.file->persist(sample()));
  const ino_t first = inode_of(f);
  // A new value for one key (the port is not part of the key), and a new key.
  Endpoint v4_port = kV4;
  v4_port.port = 4500;
  const SequenceRecord upd[] = {rec(SeqDirection::outbound, 0x2001, v4_port, 3145728),
                                rec(SeqDirection::outbound, 0x3001, kV4, 1)};
  ASSERT_TRUE(o.file->persist(upd));
  EXPECT_NE(inode_of(f), first) << "written in place, not renamed over";
  auto want = sample();
  want[0].value = 3145728;
  want.push_back(rec(SeqDirection::outbound, 0x3001, kV4, 1));
  EXPECT_EQ(*o.file->load(), want);
  EXPECT_EQ(*StateFile::open(f).file->load(), want);
}

TEST(StateFile, StaleTemporaryFileIsReplacedWithMode0600) {
  TempDir d;
  const fs::path f = d.path() / "seq.state";
  d.write("seq.state.tmp", "half a state from a crash", 0666);
  auto o = StateFile::open(f);
  ASSERT_TRUE(o.file->persist(sample()));
  EXPECT_EQ(mode_of(f), 0600u);
  EXPECT_EQ(read(f), kSampleText);
  EXPECT_FALSE(fs::exists(d.path() / "seq.state.tmp"));
}

TEST(StateFile, FailedWriteKeepsTheOldState) {
  TempDir d;
  const fs::path f = d.path() / "seq.state";
  auto o = StateFile::open(f);
  ASSERT_TRUE(o.file->persist(sample()));
  // The path becomes a non-empty directory: rename() cannot replace it.
  fs::remove(f);
  fs::create_directory(f);
  d.write("seq.state/x", "x");
  const SequenceRecord upd[] = {rec(SeqDirection::outbound, 0x2001, kV4, 99)};
  EXPECT_FALSE(o.file->persist(upd));
  EXPECT_THAT(o.file->last_error(), HasSubstr("cannot rename"));
  EXPECT_EQ(*o.file->load(), sample());  // the view is still what was durable
  EXPECT_FALSE(fs::exists(d.path() / "seq.state.tmp"));
  // Once the path is usable again, the next write goes through.
  fs::remove_all(f);
  EXPECT_TRUE(o.file->persist(upd));
  EXPECT_EQ(o.file->last_error(), "");
  EXPECT_EQ((*StateFile::open(f).file->load())[0].value, 99u);
}

TEST(StateFile, DamagedFileIsAStartUpErrorNamingFileAndLine) {
  TempDir d;
  std::string text = kSampleText;
  text.replace(text.find("1048601"), 7, "10486x1");
  const fs::path f = d.write("seq.state", text);
  auto o = StateFile::open(f);
  EXPECT_FALSE(o.file);
  EXPECT_EQ(o.error, f.string() +
                         ":4: value must be a decimal number 0 to 2^64-1 (l2sec does not start on a damaged "
                         "state file: repair it, or replace the keys and SPIs of its SAs on both ends and "
                         "remove it; never put back an older copy)");
  // Cut short: the line after the last.
  const fs::path cut = d.write("cut.state", kSampleText.substr(0, kSampleText.size() - 6));
  auto c = StateFile::open(cut);
  EXPECT_FALSE(c.file);
  EXPECT_THAT(c.error, HasSubstr(cut.string() + ":7: no 'end' line: the file is cut short"));
  // Empty (e.g. created by hand).
  const fs::path empty = d.write("empty.state", "");
  EXPECT_THAT(StateFile::open(empty).error,
              HasSubstr(empty.string() + ":1: no header line: the file is empty or cut short"));
}

TEST(StateFile, FileRules) {
  TempDir d;
  const fs::path f = d.write("seq.state", kSampleText);
  for (mode_t m : {0620, 0602, 0666}) {
    SCOPED_TRACE(m);
    ::chmod(f.c_str(), m);
    char ms[8];
    std::snprintf(ms, sizeof ms, "%04o", static_cast<unsigned>(m));
    EXPECT_EQ(StateFile::open(f).error, "state file '" + f.string() + "' is writable by others (mode " + ms +
                                            "): whoever can rewrite it can make l2sec repeat sequence "
                                            "numbers; chmod 600 it");
  }
  // Readable is fine: it holds no secret.
  ::chmod(f.c_str(), 0644);
  EXPECT_EQ(StateFile::open(f).error, "");
  ::chmod(f.c_str(), 0600);

  const fs::path dir = d.path() / "dir";
  fs::create_directory(dir);
  EXPECT_EQ(StateFile::open(dir).error, "state file '" + dir.string() + "' is not a regular file");

  const fs::path link = d.path() / "link";
  fs::create_symlink(f, link);
  EXPECT_EQ(StateFile::open(link).error,
            "state file '" + link.string() +
                "' is a symbolic link: name the file itself (it is replaced on write)");

  const fs::path big = d.write("big.state", std::string(kMaxStateFileSize + 1, '#'));
  EXPECT_EQ(StateFile::open(big).error, "state file '" + big.string() + "' is larger than " +
                                            std::to_string(kMaxStateFileSize) + " octets");

  if (::geteuid() == 0) {  // only root can give a file away
    ASSERT_EQ(::chown(f.c_str(), 4242, static_cast<gid_t>(-1)), 0);
    EXPECT_EQ(StateFile::open(f).error,
              "state file '" + f.string() + "' belongs to uid 4242, not to the uid 0 l2sec runs as");
  }
}

}  // namespace
}  // namespace l2sec::app
