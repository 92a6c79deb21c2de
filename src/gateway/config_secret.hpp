// Reading a tunnel secret from its file (RFC 2661 §5.1.1: one shared secret
// per LAC-LNS pair). Internal to the configuration loader; rules in
// docs/config.md ("Secret files").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace l2sec::gateway {

// Largest secret file we read. Our choice: far beyond any sane secret, small
// enough that a mistaken path cannot make us read a huge file.
inline constexpr std::size_t kMaxSecretFileSize = 4096;

struct SecretFile {
  std::vector<std::uint8_t> secret;  // set when error is empty
  std::string error;                 // what went wrong; names the file, never its content
};

// Reads `path` (used as given, also in messages). The secret is the file's
// content with ONE trailing "\n" removed. Fails when the file cannot be
// opened (message carries strerror), is not a regular file, grants any
// permission to group or others (mode & 077), is larger than
// kMaxSecretFileSize, or holds an empty secret. The mode is checked on the
// opened descriptor before any byte is read. Never blocks on a FIFO or
// device (opened O_NONBLOCK, refused as not a regular file).
SecretFile read_secret_file(const std::filesystem::path& path);

}  // namespace l2sec::gateway
