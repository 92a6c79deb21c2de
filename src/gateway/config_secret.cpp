// Secret files: see config_secret.hpp for the rules.
#include "gateway/config_secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace l2sec::gateway {
namespace {

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// Closes the descriptor on every return path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

PrivateFile read_private_file(const std::filesystem::path& path, std::string_view noun,
                              std::size_t max_size) {
  PrivateFile out;
  const std::string what = std::string(noun) + " " + quoted(path);
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (f.fd < 0) {
    out.error = "cannot open " + what + ": " + std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    out.error = "cannot stat " + what + ": " + std::strerror(errno);
    return out;
  }
  if (!S_ISREG(st.st_mode)) {
    out.error = what + " is not a regular file";
    return out;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    out.error = what + " is readable by others (mode " + mode + "); chmod 600 it";
    return out;
  }
  const std::string too_large = what + " is larger than " + std::to_string(max_size) + " octets";
  if (static_cast<std::uint64_t>(st.st_size) > max_size) {
    out.error = too_large;
    return out;
  }
  // Read up to one octet more than allowed, in case the file grew. Sized
  // once, so no partial copy of the content is left behind by a reallocation.
  std::vector<std::uint8_t> buf(std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), max_size) +
                                1);
  std::size_t len = 0;
  for (;;) {
    if (len == buf.size()) {
      if (len > max_size) break;
      // Grown since fstat: go on in a larger buffer, wiping the old one.
      std::vector<std::uint8_t> bigger(std::min(buf.size() * 2, max_size + 1));
      std::memcpy(bigger.data(), buf.data(), len);
      std::memset(buf.data(), 0, buf.size());
      buf.swap(bigger);
    }
    ssize_t n = ::read(f.fd, buf.data() + len, buf.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = "cannot read " + what + ": " + std::strerror(errno);
      std::memset(buf.data(), 0, buf.size());
      return out;
    }
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  if (len > max_size) {
    out.error = too_large;
    std::memset(buf.data(), 0, buf.size());
    return out;
  }
  buf.resize(len);  // shrinking never reallocates
  out.content = std::move(buf);
  return out;
}

SecretFile read_secret_file(const std::filesystem::path& path) {
  SecretFile out;
  PrivateFile f = read_private_file(path, "secret file", kMaxSecretFileSize);
  if (!f.error.empty()) {
    out.error = std::move(f.error);
    return out;
  }
  std::size_t len = f.content.size();
  if (len > 0 && f.content[len - 1] == '\n') --len;
  if (len == 0) {
    out.error = "secret file " + quoted(path) + " is empty";
  } else {
    out.secret.assign(f.content.begin(), f.content.begin() + static_cast<std::ptrdiff_t>(len));
  }
  std::memset(f.content.data(), 0, f.content.size());
  return out;
}

}  // namespace l2sec::gateway
