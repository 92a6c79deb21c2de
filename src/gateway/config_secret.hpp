// Reading files that hold secrets: a tunnel secret (RFC 2661 §5.1.1: one
// shared secret per LAC-LNS pair) and the ESP key file. Internal to the
// configuration loader; rules in docs/config.md ("Secret files", "Key
// files").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace l2sec::gateway {

// Largest secret file we read. Our choice: far beyond any sane secret, small
// enough that a mistaken path cannot make us read a huge file.
inline constexpr std::size_t kMaxSecretFileSize = 4096;

struct SecretFile {
  std::vector<std::uint8_t> secret;  // set when error is empty
  std::string error;                 // what went wrong; names the file, never its content
};

// Largest ESP key file we read: room for thousands of SAs.
inline constexpr std::size_t kMaxKeyFileSize = 1 << 20;

struct PrivateFile {
  std::vector<std::uint8_t> content;  // set when error is empty; the caller wipes it
  std::string error;                  // names the file, never its content
};

// Reads the whole of `path` (used as given, also in messages, where the file
// is called `noun`, e.g. "key file"). Fails when the file cannot be opened
// (message carries strerror), is not a regular file, grants any permission
// to group or others (mode & 077), or is larger than max_size. The mode is
// checked on the opened descriptor before any byte is read. Never blocks on
// a FIFO or device (opened O_NONBLOCK, refused as not a regular file).
PrivateFile read_private_file(const std::filesystem::path& path, std::string_view noun, std::size_t max_size);

// Reads `path` (used as given, also in messages). The secret is the file's
// content with ONE trailing "\n" removed. Fails when the file cannot be
// opened (message carries strerror), is not a regular file, grants any
// permission to group or others (mode & 077), is larger than
// kMaxSecretFileSize, or holds an empty secret. The mode is checked on the
// opened descriptor before any byte is read. Never blocks on a FIFO or
// device (opened O_NONBLOCK, refused as not a regular file).
SecretFile read_secret_file(const std::filesystem::path& path);

}  // namespace l2sec::gateway
