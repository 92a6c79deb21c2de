// Secret files: see config_secret.hpp for the rules.
#include "gateway/config_secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

SecretFile read_secret_file(const std::filesystem::path& path) {
  SecretFile out;
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (f.fd < 0) {
    out.error = "cannot open secret file " + quoted(path) + ": " + std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    out.error = "cannot stat secret file " + quoted(path) + ": " + std::strerror(errno);
    return out;
  }
  if (!S_ISREG(st.st_mode)) {
    out.error = "secret file " + quoted(path) + " is not a regular file";
    return out;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    out.error = "secret file " + quoted(path) + " is readable by others (mode " + mode + "); chmod 600 it";
    return out;
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxSecretFileSize) {
    out.error =
        "secret file " + quoted(path) + " is larger than " + std::to_string(kMaxSecretFileSize) + " octets";
    return out;
  }
  // Read up to one octet more than allowed, in case the file grew.
  std::vector<std::uint8_t> buf(kMaxSecretFileSize + 1);
  std::size_t len = 0;
  while (len < buf.size()) {
    ssize_t n = ::read(f.fd, buf.data() + len, buf.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = "cannot read secret file " + quoted(path) + ": " + std::strerror(errno);
      std::memset(buf.data(), 0, buf.size());
      return out;
    }
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  if (len > kMaxSecretFileSize) {
    out.error =
        "secret file " + quoted(path) + " is larger than " + std::to_string(kMaxSecretFileSize) + " octets";
    std::memset(buf.data(), 0, buf.size());
    return out;
  }
  if (len > 0 && buf[len - 1] == '\n') --len;
  if (len == 0) {
    out.error = "secret file " + quoted(path) + " is empty";
    return out;
  }
  out.secret.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(len));
  std::memset(buf.data(), 0, buf.size());
  return out;
}

}  // namespace l2sec::gateway
