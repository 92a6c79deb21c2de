// PacketBuf: one packet in one contiguous buffer with room in front and
// behind, so each layer prepends its header (or appends a trailer) without
// moving the payload. Move-only: whoever holds it owns it, and
// `send(PacketBuf&&)` consumes it.
//
//   [ headroom | data ... | tailroom ]
//   push_front(n) grows data into the headroom; pull_front(n) strips a header.
//
// If a push does not fit, the buffer reallocates once with the room it needs
// (slow path; realloc_count() lets tests and benches assert it never happens
// in steady state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace l2sec {

class PacketBuf {
 public:
  // Room for the deepest stack we build: IPv6(40) + UDP(8) + ESP(8+16 IV)
  // + L2TP(16) + circuit framing, rounded up.
  static constexpr std::size_t kDefaultHeadroom = 128;
  static constexpr std::size_t kDefaultTailroom = 64;  // ESP pad + ICV

  PacketBuf() = default;
  // An empty buffer with `headroom` in front and space for `capacity` bytes
  // of data and trailers behind it.
  explicit PacketBuf(std::size_t capacity, std::size_t headroom = kDefaultHeadroom);
  static PacketBuf copy_of(std::span<const std::uint8_t> bytes,
                           std::size_t headroom = kDefaultHeadroom,
                           std::size_t tailroom = kDefaultTailroom);

  PacketBuf(PacketBuf&&) noexcept;
  PacketBuf& operator=(PacketBuf&&) noexcept;
  PacketBuf(const PacketBuf&) = delete;
  PacketBuf& operator=(const PacketBuf&) = delete;
  ~PacketBuf() = default;

  PacketBuf clone() const;

  std::uint8_t* data() { return mem_.get() + off_; }
  const std::uint8_t* data() const { return mem_.get() + off_; }
  std::size_t size() const { return len_; }
  bool empty() const { return len_ == 0; }
  std::span<std::uint8_t> bytes() { return {data(), len_}; }
  std::span<const std::uint8_t> bytes() const { return {data(), len_}; }

  std::size_t headroom() const { return off_; }
  std::size_t tailroom() const { return cap_ - off_ - len_; }

  // Grows the data by n bytes in front; returns the new start.
  std::uint8_t* push_front(std::size_t n) {
    if (n > off_) [[unlikely]] grow(n, 0);
    off_ -= n;
    len_ += n;
    return data();
  }
  // Grows the data by n bytes at the end; returns where they start.
  std::uint8_t* push_back(std::size_t n) {
    if (n > tailroom()) [[unlikely]] grow(0, n);
    std::uint8_t* at = data() + len_;
    len_ += n;
    return at;
  }
  // Appends a copy of bytes.
  void append(std::span<const std::uint8_t> b);
  // Strips n bytes from the front / back. n must be <= size() (clamped).
  void pull_front(std::size_t n) {
    n = n < len_ ? n : len_;
    off_ += n;
    len_ -= n;
  }
  void trim_back(std::size_t n) { len_ -= n < len_ ? n : len_; }
  // Drops the data and resets the headroom (buffer reuse).
  void reset(std::size_t headroom = kDefaultHeadroom);

  // How many times this buffer had to reallocate (slow path).
  std::uint32_t realloc_count() const { return reallocs_; }

 private:
  void grow(std::size_t front, std::size_t back);
  std::unique_ptr<std::uint8_t[]> mem_;
  std::size_t cap_ = 0;
  std::size_t off_ = 0;
  std::size_t len_ = 0;
  std::uint32_t reallocs_ = 0;
};

}  // namespace l2sec
