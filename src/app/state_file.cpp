// The ESP sequence state file: see state_file.hpp for the format and rules.
#include "app/state_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "gateway/config.hpp"

namespace l2sec::app {
namespace {

namespace fs = std::filesystem;
using gateway::SeqDirection;
using gateway::SequenceKey;
using gateway::SequenceRecord;

constexpr std::string_view kHeader = "l2sec-sequence-state";
constexpr std::uint64_t kVersion = 1;

// Closes the descriptor on every return path.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  // close() whose error counts (a write-back error may only show here).
  bool close_checked() {
    const int f = fd;
    fd = -1;
    return ::close(f) == 0;
  }
};

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }
std::string os_error(const char* what, const fs::path& p) {
  return std::string(what) + " " + quoted(p) + ": " + std::strerror(errno);
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool parse_u64(std::string_view s, std::uint64_t& v, int base = 10) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool parse_peer(std::string_view s, Endpoint& peer) {
  constexpr std::string_view kCircuit = "circuit:";
  if (s.substr(0, kCircuit.size()) == kCircuit) {
    std::uint64_t n = 0;
    if (!parse_u64(s.substr(kCircuit.size()), n) || n > UINT32_MAX) return false;
    peer = Endpoint::of_circuit(static_cast<std::uint32_t>(n));
    return true;
  }
  if (s.find_first_of("[]") != std::string_view::npos) return false;
  auto e = gateway::parse_endpoint(s, 0);
  if (!e || e->port != 0) return false;
  peer = *e;
  return true;
}

std::string format_peer(const Endpoint& e) {
  char buf[32];
  switch (e.kind) {
    case Endpoint::Kind::ipv4:
      std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", e.addr[0], e.addr[1], e.addr[2], e.addr[3]);
      return buf;
    case Endpoint::Kind::ipv6: {
      Endpoint bare = e;
      bare.port = 0;
      std::string s = bare.to_string();  // "[...]:0"
      return s.substr(1, s.rfind(']') - 1);
    }
    case Endpoint::Kind::circuit:
      std::snprintf(buf, sizeof buf, "circuit:%u", static_cast<unsigned>(e.circuit));
      return buf;
    case Endpoint::Kind::none:
      break;
  }
  return "none";  // never written by the gateway; parse_state refuses it
}

std::string key_text(const SequenceKey& k) {
  char spi[16];
  std::snprintf(spi, sizeof spi, "0x%08x", static_cast<unsigned>(k.spi));
  return std::string(k.direction == SeqDirection::outbound ? "out" : "in") + " " + spi + " " +
         format_peer(k.peer);
}

bool same_peer(const SequenceKey& a, const SequenceKey& b) {
  return a.direction == b.direction && a.spi == b.spi && a.peer.same_host(b.peer);
}

}  // namespace

ParsedState parse_state(std::string_view text) {
  ParsedState out;
  std::vector<std::uint32_t> record_lines;
  auto fail = [&](std::uint32_t line, std::string what) {
    out.records.clear();
    out.error = std::move(what);
    out.line = line;
    return out;
  };
  bool header = false, ended = false;
  std::uint32_t line_no = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    const bool last_unterminated = nl == std::string_view::npos;
    std::string_view line = text.substr(at, last_unterminated ? std::string_view::npos : nl - at);
    at = last_unterminated ? text.size() : nl + 1;
    ++line_no;
    const auto f = fields_of(line);
    if (f.empty() || f[0].front() == '#') continue;
    if (ended) return fail(line_no, "text after the 'end' line");
    if (!header) {
      std::uint64_t v = 0;
      if (f.size() != 2 || f[0] != kHeader || !parse_u64(f[1], v))
        return fail(line_no, "expected the header line '" + std::string(kHeader) + " 1'");
      if (v != kVersion)
        return fail(line_no,
                    "format version " + std::string(f[1]) + " is not supported (this l2sec reads 1)");
      header = true;
      continue;
    }
    if (f[0] == "end") {
      std::uint64_t n = 0;
      if (f.size() != 2 || !parse_u64(f[1], n)) return fail(line_no, "expected 'end <number of records>'");
      if (n != out.records.size())
        return fail(line_no, "the 'end' line counts " + std::string(f[1]) + " records, the file holds " +
                                 std::to_string(out.records.size()) + ": damaged");
      // A last line without its newline was cut short (we always end lines).
      if (last_unterminated) return fail(line_no, "the 'end' line has no newline: cut short");
      ended = true;
      continue;
    }
    if (f.size() != 4) return fail(line_no, "expected 'in|out <SPI> <peer> <value>' or 'end <count>'");
    SequenceRecord r;
    if (f[0] == "out") {
      r.key.direction = SeqDirection::outbound;
    } else if (f[0] == "in") {
      r.key.direction = SeqDirection::inbound;
    } else {
      return fail(line_no, "direction must be 'in' or 'out'");
    }
    std::uint64_t spi = 0;
    if (f[1].size() < 3 || (f[1].substr(0, 2) != "0x" && f[1].substr(0, 2) != "0X") ||
        !parse_u64(f[1].substr(2), spi, 16) || spi == 0 || spi > UINT32_MAX)
      return fail(line_no, "SPI must be 0x followed by hex digits, 0x1 to 0xffffffff");
    r.key.spi = static_cast<std::uint32_t>(spi);
    if (!parse_peer(f[2], r.key.peer))
      return fail(line_no, "peer must be an IPv4 or IPv6 address without port, or circuit:<number>");
    if (!parse_u64(f[3], r.value)) return fail(line_no, "value must be a decimal number 0 to 2^64-1");
    for (std::size_t i = 0; i < out.records.size(); ++i) {
      if (same_peer(out.records[i].key, r.key))
        return fail(line_no, "a second record for " + key_text(r.key) + " (first at line " +
                                 std::to_string(record_lines[i]) + ")");
    }
    out.records.push_back(r);
    record_lines.push_back(line_no);
  }
  if (!header) return fail(line_no + 1, "no header line: the file is empty or cut short");
  if (!ended) return fail(line_no + 1, "no 'end' line: the file is cut short");
  return out;
}

std::string format_state(std::span<const SequenceRecord> records) {
  std::string s =
      "# l2sec ESP sequence state (docs/config.md, \"Sequence state\"). Written by l2sec: do not edit.\n";
  s += std::string(kHeader) + " " + std::to_string(kVersion) + "\n";
  for (const SequenceRecord& r : records) s += key_text(r.key) + " " + std::to_string(r.value) + "\n";
  s += "end " + std::to_string(records.size()) + "\n";
  return s;
}

StateFile::Opened StateFile::open(const fs::path& path) {
  Opened out;
  const std::string name = quoted(path);
  Fd f(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW));
  if (f.fd < 0) {
    if (errno == ENOENT) {
      out.file.reset(new StateFile(path));  // created at the first persist()
      return out;
    }
    if (errno == ELOOP) {
      out.error =
          "state file " + name + " is a symbolic link: name the file itself (it is replaced on write)";
      return out;
    }
    out.error = os_error("cannot open state file", path);
    return out;
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    out.error = os_error("cannot stat state file", path);
    return out;
  }
  if (!S_ISREG(st.st_mode)) {
    out.error = "state file " + name + " is not a regular file";
    return out;
  }
  if ((st.st_mode & 022) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    out.error = "state file " + name + " is writable by others (mode " + mode +
                "): whoever can rewrite it can make l2sec repeat sequence numbers; chmod 600 it";
    return out;
  }
  if (st.st_uid != ::geteuid()) {
    out.error = "state file " + name + " belongs to uid " + std::to_string(st.st_uid) + ", not to the uid " +
                std::to_string(::geteuid()) + " l2sec runs as";
    return out;
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxStateFileSize) {
    out.error = "state file " + name + " is larger than " + std::to_string(kMaxStateFileSize) + " octets";
    return out;
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = os_error("cannot read state file", path);
      return out;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxStateFileSize) {
      out.error = "state file " + name + " is larger than " + std::to_string(kMaxStateFileSize) + " octets";
      return out;
    }
  }
  ParsedState p = parse_state(text);
  if (!p.error.empty()) {
    out.error = path.string() + ":" + std::to_string(p.line) + ": " + p.error +
                " (l2sec does not start on a damaged state file: repair it, or replace the keys and SPIs "
                "of its SAs on both ends and remove it; never put back an older copy)";
    return out;
  }
  out.file.reset(new StateFile(path));
  out.file->records_ = std::move(p.records);
  return out;
}

bool StateFile::persist(std::span<const SequenceRecord> records) {
  std::vector<SequenceRecord> merged = records_;
  for (const SequenceRecord& r : records) {
    bool found = false;
    for (SequenceRecord& have : merged) {
      if (same_peer(have.key, r.key)) {
        have.value = r.value;
        found = true;
        break;
      }
    }
    if (!found) merged.push_back(r);
  }
  if (!write_all(merged)) return false;
  records_ = std::move(merged);
  last_error_.clear();
  return true;
}

// Temporary file, fsync, rename, fsync of the directory: after a crash the
// file is the old state or the new one, never a mix or a cut.
bool StateFile::write_all(const std::vector<SequenceRecord>& records) {
  const std::string text = format_state(records);
  fs::path tmp = path_;
  tmp += ".tmp";
  Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (f.fd < 0) {
    last_error_ = os_error("cannot create", tmp);
    return false;
  }
  auto fail = [&](const char* what, const fs::path& p) {
    last_error_ = os_error(what, p);
    ::unlink(tmp.c_str());
    return false;
  };
  // A temporary file left by a crash keeps its mode through O_TRUNC.
  if (::fchmod(f.fd, 0600) != 0) return fail("cannot chmod", tmp);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(f.fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write", tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(f.fd) != 0) return fail("cannot fsync", tmp);
  if (!f.close_checked()) return fail("cannot close", tmp);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    last_error_ = "cannot rename " + quoted(tmp) + " to " + quoted(path_) + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  const fs::path dir = path_.has_parent_path() ? path_.parent_path() : fs::path(".");
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0 || ::fsync(d.fd) != 0) {
    last_error_ = os_error("cannot fsync the directory", dir);
    return false;
  }
  return true;
}

}  // namespace l2sec::app
