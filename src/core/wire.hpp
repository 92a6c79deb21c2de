// Bounds-checked big-endian reading and writing of wire formats.
//
// WireReader walks a span; every read returns std::nullopt (or false) when
// the bytes are not there, and then the reader stays failed so a chain of
// reads can be checked once. WireWriter writes into a caller's span the same
// way: an overflow sets failed() and writes nothing more.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace l2sec {

using Bytes = std::span<const std::uint8_t>;
using MutBytes = std::span<std::uint8_t>;

inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
inline std::uint64_t load_be64(const std::uint8_t* p) {
  return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}
inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
inline void store_be64(std::uint8_t* p, std::uint64_t v) {
  store_be32(p, static_cast<std::uint32_t>(v >> 32));
  store_be32(p + 4, static_cast<std::uint32_t>(v));
}

class WireReader {
 public:
  explicit WireReader(Bytes b) : buf_(b) {}

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return failed_ ? 0 : buf_.size() - pos_; }
  bool failed() const { return failed_; }
  bool empty() const { return remaining() == 0; }
  Bytes rest() const { return failed_ ? Bytes{} : buf_.subspan(pos_); }

  std::optional<std::uint8_t> u8() {
    if (!need(1)) return std::nullopt;
    return buf_[pos_++];
  }
  std::optional<std::uint16_t> u16() {
    if (!need(2)) return std::nullopt;
    auto v = load_be16(buf_.data() + pos_);
    pos_ += 2;
    return v;
  }
  std::optional<std::uint32_t> u32() {
    if (!need(4)) return std::nullopt;
    auto v = load_be32(buf_.data() + pos_);
    pos_ += 4;
    return v;
  }
  std::optional<std::uint64_t> u64() {
    if (!need(8)) return std::nullopt;
    auto v = load_be64(buf_.data() + pos_);
    pos_ += 8;
    return v;
  }
  std::optional<Bytes> bytes(std::size_t n) {
    if (!need(n)) return std::nullopt;
    Bytes v = buf_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  bool skip(std::size_t n) {
    if (!need(n)) return false;
    pos_ += n;
    return true;
  }

 private:
  bool need(std::size_t n) {
    if (failed_ || buf_.size() - pos_ < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  Bytes buf_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

class WireWriter {
 public:
  explicit WireWriter(MutBytes b) : buf_(b) {}

  std::size_t offset() const { return pos_; }
  bool failed() const { return failed_; }
  MutBytes written() const { return buf_.first(pos_); }

  void u8(std::uint8_t v) {
    if (need(1)) buf_[pos_++] = v;
  }
  void u16(std::uint16_t v) {
    if (need(2)) { store_be16(buf_.data() + pos_, v); pos_ += 2; }
  }
  void u32(std::uint32_t v) {
    if (need(4)) { store_be32(buf_.data() + pos_, v); pos_ += 4; }
  }
  void u64(std::uint64_t v) {
    if (need(8)) { store_be64(buf_.data() + pos_, v); pos_ += 8; }
  }
  void bytes(Bytes v) {
    if (need(v.size())) {
      if (!v.empty()) std::memcpy(buf_.data() + pos_, v.data(), v.size());
      pos_ += v.size();
    }
  }
  void zeros(std::size_t n) {
    if (need(n)) { std::memset(buf_.data() + pos_, 0, n); pos_ += n; }
  }
  // Reserves n bytes to be filled later (e.g. a length); returns their offset.
  std::size_t reserve(std::size_t n) {
    std::size_t at = pos_;
    zeros(n);
    return at;
  }
  void patch_u16(std::size_t at, std::uint16_t v) {
    if (!failed_ && at + 2 <= pos_) store_be16(buf_.data() + at, v);
  }

 private:
  bool need(std::size_t n) {
    if (failed_ || buf_.size() - pos_ < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  MutBytes buf_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace l2sec
