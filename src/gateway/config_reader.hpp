// Typed, error-collecting access to a parsed TOML document, for the
// configuration loader (config.cpp). Internal to src/gateway.
//
// Every getter either returns the value or reports why not, at the place of
// the offending value, and returns nullopt; the caller keeps the default
// and goes on, so one pass finds every error. A key that is absent is not
// an error here (nullopt, nothing reported): the schema decides.
//
// Messages never echo the value of a string read by string(): secrets are
// read that way. choice() and duration() echo what they could not
// understand, through show().
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "gateway/config.hpp"

namespace l2sec::gateway::cfg {

// The errors of one file, each at its place.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void error(const toml::source_region& where, std::string message);
  void error(std::string message);  // not tied to a place (line 0)
  // "file:line:col" of a place.
  std::string place(const toml::source_region& where) const;
  std::size_t count() const { return errors_.size(); }
  // The errors ordered by place (stable; unplaced ones last).
  std::vector<ConfigError> take();

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

// Text taken from the file, made safe to print: at most 64 octets (then
// "..."), every octet outside printable ASCII shown as '?'.
std::string show(std::string_view text);

// A toml++ error description without the text of the document it quotes
// (which may be part of a secret); the error's position still points there.
std::string scrub(std::string_view description);

// A path from the file: relative ones are relative to the file's
// directory (`base_dir`); "" or "." leaves them as written.
std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& value);

// The type with its article, for messages: "a string", "an integer",
// "a floating-point number", "a boolean", "a table", "an array", "a date",
// "a time", "a date-time".
std::string_view type_name(toml::node_type t);

// Shortest exact form: "1h", "2m", "30s", "500ms" (or "Nns").
std::string format_duration(Duration d);

// The keys one table may hold, for check_keys().
struct Section {
  std::string_view where;  // completes "unknown key 'k' ..." and "it belongs ..."
  std::span<const std::string_view> keys;
  // Whether messages may quote an unknown key's name. Off in key files: a
  // key name there could be key material pasted on the wrong line.
  bool echo_keys = true;
};

// Reports every key of `t` that `section` does not list, at the key, with a
// hint: the table among `all` the key belongs in (" (it belongs in
// [tunnel])") or a key of `section` within two edits (" (did you mean
// 'name'?)").
void check_keys(Diagnostics& diag, const toml::table& t, const Section& section,
                std::span<const Section* const> all);

// The typed getters over one table.
class Fields {
 public:
  Fields(const toml::table& table, Diagnostics& diag) : table_(table), diag_(diag) {}

  // The node under `key`, or null.
  const toml::node* node(std::string_view key) const { return table_.get(key); }

  std::optional<bool> boolean(std::string_view key);
  // An integer within [min, max].
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  // A string of min_len..max_len octets. Errors never show the value.
  std::optional<std::string> string(std::string_view key, std::size_t min_len, std::size_t max_len);
  // A duration within [min, max]: a string parse_duration() accepts, or an
  // integer number of seconds.
  std::optional<Duration> duration(std::string_view key, Duration min, Duration max);
  // A string that must be one of `names`; returns its index.
  std::optional<std::size_t> choice(std::string_view key, std::span<const std::string_view> names);
  // An array of strings, each one of `names`, OR-ed into a bit set
  // (names[i] -> bits[i]). An empty array is refused unless allow_empty.
  std::optional<std::uint32_t> flags(std::string_view key, std::span<const std::string_view> names,
                                     std::span<const std::uint32_t> bits, bool allow_empty);

  // Reports "'key' must be <expected>, not <actual type>" at the value.
  void type_error(std::string_view key, const toml::node& n, std::string_view expected);

 private:
  const toml::table& table_;
  Diagnostics& diag_;
};

}  // namespace l2sec::gateway::cfg
