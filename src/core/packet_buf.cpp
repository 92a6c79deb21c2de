#include "core/packet_buf.hpp"

#include <algorithm>
#include <cassert>

namespace l2sec {

PacketBuf::PacketBuf(std::size_t capacity, std::size_t headroom)
    : mem_(new std::uint8_t[capacity + headroom]), cap_(capacity + headroom), off_(headroom) {}

PacketBuf PacketBuf::copy_of(std::span<const std::uint8_t> bytes, std::size_t headroom,
                             std::size_t tailroom) {
  PacketBuf p(bytes.size() + tailroom, headroom);
  p.append(bytes);
  return p;
}

PacketBuf::PacketBuf(PacketBuf&& o) noexcept
    : mem_(std::move(o.mem_)), cap_(o.cap_), off_(o.off_), len_(o.len_), reallocs_(o.reallocs_) {
  o.cap_ = o.off_ = o.len_ = 0;
}

PacketBuf& PacketBuf::operator=(PacketBuf&& o) noexcept {
  if (this != &o) {
    mem_ = std::move(o.mem_);
    cap_ = o.cap_;
    off_ = o.off_;
    len_ = o.len_;
    reallocs_ = o.reallocs_;
    o.cap_ = o.off_ = o.len_ = 0;
  }
  return *this;
}

PacketBuf PacketBuf::clone() const {
  PacketBuf p(cap_ - off_, off_);
  p.append(bytes());
  return p;
}

void PacketBuf::grow(std::size_t front, std::size_t back) {
  std::size_t new_off = std::max(off_, front + kDefaultHeadroom / 2);
  std::size_t new_cap = new_off + len_ + std::max(tailroom(), back + kDefaultTailroom);
  std::unique_ptr<std::uint8_t[]> m(new std::uint8_t[new_cap]);
  if (len_ != 0) std::memcpy(m.get() + new_off, data(), len_);
  mem_ = std::move(m);
  cap_ = new_cap;
  off_ = new_off;
  ++reallocs_;
}

void PacketBuf::append(std::span<const std::uint8_t> b) {
  if (b.empty()) return;
  std::memcpy(push_back(b.size()), b.data(), b.size());
}

void PacketBuf::reset(std::size_t headroom) {
  if (headroom > cap_) {
    mem_.reset(new std::uint8_t[headroom + kDefaultTailroom]);
    cap_ = headroom + kDefaultTailroom;
  }
  off_ = headroom;
  len_ = 0;
}

}  // namespace l2sec
