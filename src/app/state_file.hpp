// The ESP sequence state file ([esp] state_file, docs/config.md "Sequence
// state"): gateway::SequenceStore on a file.
//
// Format (text, one record per line; l2sec writes it, nobody should edit it):
//   # comment lines and blank lines are ignored
//   l2sec-sequence-state 1               header: format version 1
//   out 0x00002001 10.77.1.2 2097152     direction, SPI, peer, value
//   in 0x00001001 10.77.1.2 1048601
//   end 2                                the number of records
// - direction: "out" (value: the reserved mark, every number sent is <= it)
//   or "in" (value: the highest number authenticated).
// - SPI: 0x and 8 hex digits when written; any 0x-hex 1..ffffffff is read.
// - peer: an IPv4 or IPv6 address (no port, no brackets) or "circuit:N".
// - value: decimal, 0..2^64-1.
// - The "end" line with the record count proves the file is complete: a
//   file cut short anywhere is an error, never an empty state.
// A key (direction, SPI, peer) appears once.
//
// Durability: persist() writes the whole state to "<file>.tmp" (created
// with mode 0600), fsyncs it, renames it over the file and fsyncs the
// directory, so the file is always either the old state or the new one.
// Errors on reading name the file and the line. The file must be a regular
// file, and not writable by group or others (mode & 022: someone able to
// rewrite it could set the counters back and make l2sec repeat nonces).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/sequence_store.hpp"

namespace l2sec::app {

// Largest state file read: room for tens of thousands of SAs.
inline constexpr std::size_t kMaxStateFileSize = 4 << 20;

// Parses the text of a state file. On error, `error` says what and
// `line` where (1-based; the line after the last one when the file ends
// early); records is then empty.
struct ParsedState {
  std::vector<gateway::SequenceRecord> records;
  std::string error;
  std::uint32_t line = 0;
};
ParsedState parse_state(std::string_view text);
// The text persist() writes for `records` (in the order given).
std::string format_state(std::span<const gateway::SequenceRecord> records);

class StateFile final : public gateway::SequenceStore {
 public:
  struct Opened {
    std::unique_ptr<StateFile> file;  // null on error
    std::string error;                // "<path>:<line>: what" or "<path>: what"
  };
  // Reads `path`: absent is an empty state (the file is created at the
  // first persist()); anything else must parse completely.
  static Opened open(const std::filesystem::path& path);

  Result<std::vector<gateway::SequenceRecord>> load() override { return records_; }
  bool persist(std::span<const gateway::SequenceRecord> records) override;

  const std::filesystem::path& path() const noexcept { return path_; }
  // Why the last persist() failed ("" after a success).
  const std::string& last_error() const noexcept { return last_error_; }

 private:
  explicit StateFile(std::filesystem::path path) : path_(std::move(path)) {}
  bool write_all(const std::vector<gateway::SequenceRecord>& records);

  std::filesystem::path path_;
  std::vector<gateway::SequenceRecord> records_;  // what the file holds
  std::string last_error_;
};

}  // namespace l2sec::app
