#include "esp/framing.hpp"

#include <bit>
#include <cstring>

#include "core/wire.hpp"
#include "esp/sa.hpp"

namespace l2sec::esp {

namespace {

// From the specifications.
constexpr std::size_t kIpv4HeaderSize = 20;          // RFC 791 §3.1, no options
constexpr std::size_t kIpv6HeaderSize = 40;          // RFC 8200 §3
constexpr std::size_t kMaxIpLength = 65535;          // IPv4 Total Length, IPv6 Payload Length, UDP Length
constexpr std::uint16_t kIpv4FragmentMask = 0x3FFF;  // MF + Fragment Offset (DF and the reserved bit aside)
constexpr std::size_t kUdpChecksumOffset = 6;        // RFC 768
constexpr std::size_t kIpv4ChecksumOffset = 10;      // RFC 791 §3.1
constexpr std::uint8_t kNattKeepalive = 0xFF;        // RFC 3948 §2.3
// Our choice: what we put in the inner IP headers of tunnel mode.
constexpr std::uint8_t kInnerTtl = 64;

// ---- RFC 1071 one's-complement sum ----
//
// The sum is independent of byte order (RFC 1071 §2(B)): we add native
// 32-bit words into 64-bit accumulators (2^32 words before one can
// overflow, so no carry is lost and GCC vectorizes the loop), fold, and fix
// the byte order once at the end. Every chunk but the last of one sum must
// have an even length, so each starts on a 16-bit word of the stream.
std::uint64_t add_words(std::uint64_t acc, const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t a0 = 0;
  std::uint64_t a1 = 0;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint32_t w0;
    std::uint32_t w1;
    std::memcpy(&w0, p, 4);
    std::memcpy(&w1, p + 4, 4);
    a0 += w0;
    a1 += w1;
  }
  if (n >= 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    a0 += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    std::uint16_t w;
    std::memcpy(&w, p, 2);
    a1 += w;
    p += 2;
    n -= 2;
  }
  if (n == 1) {
    // An odd last octet is the high half of a word padded with zero.
    const std::uint8_t last[2] = {p[0], 0};
    std::uint16_t w;
    std::memcpy(&w, last, 2);
    a1 += w;
  }
  return acc + a0 + a1;  // each below 2^48 for any packet: no overflow
}

// Folds to 16 bits with end-around carry; returns the sum in network
// significance (the value load_be16 would read).
std::uint16_t fold(std::uint64_t acc) noexcept {
  acc = (acc & 0xFFFFFFFF) + (acc >> 32);
  acc = (acc & 0xFFFFFFFF) + (acc >> 32);
  acc = (acc & 0xFFFF) + (acc >> 16);
  acc = (acc & 0xFFFF) + (acc >> 16);
  acc = (acc & 0xFFFF) + (acc >> 16);
  auto s = static_cast<std::uint16_t>(acc);
  if constexpr (std::endian::native == std::endian::little)
    s = static_cast<std::uint16_t>((s >> 8) | (s << 8));
  return s;
}

// The pseudo-header of RFC 768 (IPv4: src, dst, zero, protocol 17, UDP
// length) or RFC 8200 §8.1 (IPv6: src, dst, 32-bit length, 3 zero octets,
// next header 17), summed.
std::uint64_t add_pseudo_header(const Endpoint& src, const Endpoint& dst, std::size_t udp_length) noexcept {
  std::uint8_t ph[40];
  if (src.kind == Endpoint::Kind::ipv6) {
    std::memcpy(ph, src.addr.data(), 16);
    std::memcpy(ph + 16, dst.addr.data(), 16);
    store_be32(ph + 32, static_cast<std::uint32_t>(udp_length));
    store_be32(ph + 36, kNextHeaderUdp);
    return add_words(0, ph, 40);
  }
  std::memcpy(ph, src.addr.data(), 4);
  std::memcpy(ph + 4, dst.addr.data(), 4);
  ph[8] = 0;
  ph[9] = kNextHeaderUdp;
  store_be16(ph + 10, static_cast<std::uint16_t>(udp_length));
  return add_words(0, ph, 12);
}

// The sum of the pseudo-header and the whole datagram (checksum field
// included) is all ones when the checksum is right (RFC 1071 §1 (3)).
bool udp_checksum_ok(const Endpoint& src, const Endpoint& dst, Bytes udp) noexcept {
  return fold(add_words(add_pseudo_header(src, dst, udp.size()), udp.data(), udp.size())) == 0xFFFF;
}

bool same_ip_family(const InnerFlow& f) noexcept { return f.src.is_ip() && f.src.kind == f.dst.kind; }

// Writes the 8-octet UDP header at u (the payload follows it) with its
// checksum over the pseudo-header of src/dst.
void write_udp(std::uint8_t* u, const Endpoint& src, const Endpoint& dst, std::size_t udp_length) {
  store_be16(u, src.port);
  store_be16(u + 2, dst.port);
  store_be16(u + 4, static_cast<std::uint16_t>(udp_length));
  store_be16(u + kUdpChecksumOffset, udp_checksum(src, dst, Bytes(u, udp_length)));
}

Error drop(Counters& counters, Ctr why, std::string_view what) {
  counters.inc(why);
  return Error{Errc::malformed, what};
}

// RFC 768: src port, dst port, length, checksum. `src`/`dst` give the
// addresses of the pseudo-header and of the returned flow.
Result<InnerFlow> pull_udp(Endpoint src, Endpoint dst, PacketBuf& pkt, Counters& counters, PullOptions opt) {
  if (pkt.size() < kUdpHeaderSize)
    return drop(counters, Ctr::esp_rx_inner_malformed, "inner UDP header truncated");
  const std::uint8_t* u = pkt.data();
  if (load_be16(u + 4) != pkt.size())
    return drop(counters, Ctr::esp_rx_inner_malformed, "inner UDP length is not the packet's");
  const std::uint16_t sum = load_be16(u + kUdpChecksumOffset);
  if (sum == 0) {
    // RFC 768: no checksum computed, fine on IPv4; RFC 8200 §8.1: IPv6
    // receivers discard it.
    if (src.kind == Endpoint::Kind::ipv6)
      return drop(counters, Ctr::esp_rx_inner_bad_checksum, "inner UDP checksum 0 on IPv6");
  } else if (opt.verify_udp_checksum && !udp_checksum_ok(src, dst, pkt.bytes())) {
    return drop(counters, Ctr::esp_rx_inner_bad_checksum, "inner UDP checksum wrong");
  }
  src.port = load_be16(u);
  dst.port = load_be16(u + 2);
  pkt.pull_front(kUdpHeaderSize);
  return InnerFlow{src, dst};
}

Endpoint v4_at(const std::uint8_t* p) { return Endpoint::v4({p[0], p[1], p[2], p[3]}, 0); }
Endpoint v6_at(const std::uint8_t* p) {
  std::array<std::uint8_t, 16> a;
  std::memcpy(a.data(), p, 16);
  return Endpoint::v6(a, 0);
}

// RFC 791 §3.1: the inner IPv4 header of tunnel mode. Options are skipped;
// fragments are refused (ESP carries the whole inner packet; we never
// fragment it).
Result<InnerFlow> pull_ipv4(PacketBuf& pkt, Counters& counters, PullOptions opt) {
  const std::size_t n = pkt.size();
  const std::uint8_t* h = pkt.data();
  if (n < kIpv4HeaderSize) return drop(counters, Ctr::esp_rx_inner_malformed, "inner IPv4 header truncated");
  if (h[0] >> 4 != 4) return drop(counters, Ctr::esp_rx_inner_malformed, "inner IP version is not 4");
  const std::size_t ihl = std::size_t{h[0] & 0x0Fu} * 4;
  if (ihl < kIpv4HeaderSize || ihl > n)
    return drop(counters, Ctr::esp_rx_inner_malformed, "inner IPv4 header length wrong");
  if (load_be16(h + 2) != n)
    return drop(counters, Ctr::esp_rx_inner_malformed, "inner IPv4 total length wrong");
  if ((load_be16(h + 6) & kIpv4FragmentMask) != 0)
    return drop(counters, Ctr::esp_rx_inner_malformed, "inner IPv4 packet is a fragment");
  if (h[9] != kNextHeaderUdp)
    return drop(counters, Ctr::esp_rx_inner_malformed, "inner IPv4 protocol is not UDP");
  if (fold(add_words(0, h, ihl)) != 0xFFFF)
    return drop(counters, Ctr::esp_rx_inner_bad_checksum, "inner IPv4 header checksum wrong");
  const Endpoint src = v4_at(h + 12);
  const Endpoint dst = v4_at(h + 16);
  pkt.pull_front(ihl);
  return pull_udp(src, dst, pkt, counters, opt);
}

// RFC 8200 §3: the inner IPv6 header of tunnel mode, UDP right after it
// (we send no extension header and accept none).
Result<InnerFlow> pull_ipv6(PacketBuf& pkt, Counters& counters, PullOptions opt) {
  const std::size_t n = pkt.size();
  const std::uint8_t* h = pkt.data();
  if (n < kIpv6HeaderSize) return drop(counters, Ctr::esp_rx_inner_malformed, "inner IPv6 header truncated");
  if (h[0] >> 4 != 6) return drop(counters, Ctr::esp_rx_inner_malformed, "inner IP version is not 6");
  if (load_be16(h + 4) != n - kIpv6HeaderSize)
    return drop(counters, Ctr::esp_rx_inner_malformed, "inner IPv6 payload length wrong");
  if (h[6] != kNextHeaderUdp)
    return drop(counters, Ctr::esp_rx_inner_malformed, "inner IPv6 next header is not UDP");
  const Endpoint src = v6_at(h + 8);
  const Endpoint dst = v6_at(h + 24);
  pkt.pull_front(kIpv6HeaderSize);
  return pull_udp(src, dst, pkt, counters, opt);
}

}  // namespace

// ---- checksums ----

std::uint16_t udp_checksum(const Endpoint& src, const Endpoint& dst, Bytes udp) {
  // The checksum field itself counts as zero, so a received datagram gives
  // back the value it carries when that value is right.
  std::uint64_t acc = add_pseudo_header(src, dst, udp.size());
  if (udp.size() >= kUdpHeaderSize) {
    acc = add_words(acc, udp.data(), kUdpChecksumOffset);
    acc = add_words(acc, udp.data() + kUdpHeaderSize, udp.size() - kUdpHeaderSize);
  } else {
    acc = add_words(acc, udp.data(), udp.size());
  }
  const auto sum = static_cast<std::uint16_t>(~fold(acc));
  // RFC 768: a computed 0 is transmitted as all ones (0 means "none").
  return sum == 0 ? 0xFFFF : sum;
}

std::uint16_t ipv4_header_checksum(Bytes header) {
  // As for UDP, the checksum field (octets 10-11) counts as zero.
  std::uint64_t acc = 0;
  if (header.size() >= kIpv4ChecksumOffset + 2) {
    acc = add_words(acc, header.data(), kIpv4ChecksumOffset);
    acc = add_words(acc, header.data() + kIpv4ChecksumOffset + 2, header.size() - kIpv4ChecksumOffset - 2);
  } else {
    acc = add_words(acc, header.data(), header.size());
  }
  return static_cast<std::uint16_t>(~fold(acc));
}

// ---- inner framing ----

Result<std::uint8_t> push_inner(Mode mode, const InnerFlow& flow, PacketBuf& pkt, std::uint16_t ip_id) {
  switch (mode) {
    case Mode::ipless:
      return kNextHeaderL2tp;

    case Mode::transport: {
      if (!same_ip_family(flow))
        return Error{Errc::invalid_state, "transport mode needs IP addresses of one family"};
      if (pkt.size() > kMaxIpLength - kUdpHeaderSize)
        return Error{Errc::out_of_range, "inner UDP datagram too large"};
      const std::size_t udp_length = pkt.size() + kUdpHeaderSize;
      write_udp(pkt.push_front(kUdpHeaderSize), flow.src, flow.dst, udp_length);
      return kNextHeaderUdp;
    }

    case Mode::tunnel: {
      if (!same_ip_family(flow))
        return Error{Errc::invalid_state, "tunnel mode needs IP addresses of one family"};
      const std::size_t udp_length = pkt.size() + kUdpHeaderSize;
      if (flow.src.kind == Endpoint::Kind::ipv4) {
        // RFC 791 §3.1: version 4, IHL 5, TOS 0, total length, ID, flags 0
        // (DF clear) and offset 0, TTL, protocol, checksum, src, dst.
        if (pkt.size() > kMaxIpLength - kIpv4HeaderSize - kUdpHeaderSize)
          return Error{Errc::out_of_range, "inner IPv4 packet too large"};
        std::uint8_t* h = pkt.push_front(kIpv4HeaderSize + kUdpHeaderSize);
        write_udp(h + kIpv4HeaderSize, flow.src, flow.dst, udp_length);
        h[0] = 0x45;
        h[1] = 0;
        store_be16(h + 2, static_cast<std::uint16_t>(kIpv4HeaderSize + udp_length));
        store_be16(h + 4, ip_id);
        store_be16(h + 6, 0);
        h[8] = kInnerTtl;
        h[9] = kNextHeaderUdp;
        store_be16(h + kIpv4ChecksumOffset, 0);
        std::memcpy(h + 12, flow.src.addr.data(), 4);
        std::memcpy(h + 16, flow.dst.addr.data(), 4);
        store_be16(h + kIpv4ChecksumOffset, ipv4_header_checksum(Bytes(h, kIpv4HeaderSize)));
        return kNextHeaderIpv4;
      }
      // RFC 8200 §3: version 6, traffic class 0, flow label 0, payload
      // length, next header, hop limit, src, dst.
      if (pkt.size() > kMaxIpLength - kUdpHeaderSize)
        return Error{Errc::out_of_range, "inner IPv6 packet too large"};
      std::uint8_t* h = pkt.push_front(kIpv6HeaderSize + kUdpHeaderSize);
      write_udp(h + kIpv6HeaderSize, flow.src, flow.dst, udp_length);
      store_be32(h, 0x60000000);
      store_be16(h + 4, static_cast<std::uint16_t>(udp_length));
      h[6] = kNextHeaderUdp;
      h[7] = kInnerTtl;
      std::memcpy(h + 8, flow.src.addr.data(), 16);
      std::memcpy(h + 24, flow.dst.addr.data(), 16);
      return kNextHeaderIpv6;
    }
  }
  return Error{Errc::invalid_state, "unknown ESP mode"};
}

Result<InnerFlow> pull_inner(Mode mode, std::uint8_t next_header, const Endpoint& outer_src,
                             const Endpoint& outer_dst, PacketBuf& pkt, Counters& counters, PullOptions opt) {
  switch (mode) {
    case Mode::ipless:
      if (next_header != kNextHeaderL2tp)
        return drop(counters, Ctr::esp_rx_unexpected_next_header, "next header is not L2TP (115)");
      return InnerFlow{outer_src, outer_dst};

    case Mode::transport:
      if (next_header != kNextHeaderUdp)
        return drop(counters, Ctr::esp_rx_unexpected_next_header, "next header is not UDP (17)");
      // The pseudo-header needs the outer addresses (RFC 3193 §2.1).
      if (!same_ip_family(InnerFlow{outer_src, outer_dst}))
        return drop(counters, Ctr::esp_rx_inner_malformed, "transport mode without outer IP addresses");
      return pull_udp(outer_src, outer_dst, pkt, counters, opt);

    case Mode::tunnel:
      if (next_header == kNextHeaderIpv4) return pull_ipv4(pkt, counters, opt);
      if (next_header == kNextHeaderIpv6) return pull_ipv6(pkt, counters, opt);
      return drop(counters, Ctr::esp_rx_unexpected_next_header, "next header is not IPv4 (4) or IPv6 (41)");
  }
  return drop(counters, Ctr::esp_rx_unexpected_next_header, "unknown ESP mode");
}

// ---- IP-less UDP (DESIGN.md §1) ----

void push_ipless_udp(std::uint16_t src_port, std::uint16_t dst_port, PacketBuf& pkt) {
  // A datagram past 65535 octets cannot state its length: it is sent with
  // Length 0, which every receiver refuses, rather than a wrapped length
  // that would cut it short. (IKE messages never come near it.)
  const std::size_t length = pkt.size() + kUdpHeaderSize;
  std::uint8_t* u = pkt.push_front(kUdpHeaderSize);
  store_be16(u, src_port);
  store_be16(u + 2, dst_port);
  store_be16(u + 4, length > kMaxIpLength ? 0 : static_cast<std::uint16_t>(length));
  store_be16(u + kUdpChecksumOffset, 0);  // RFC 768: no checksum (no IP pseudo-header exists)
}

Result<UdpPorts> pull_ipless_udp(PacketBuf& pkt) {
  if (pkt.size() < kUdpHeaderSize) return Error{Errc::truncated, "IP-less UDP header truncated"};
  const std::uint8_t* u = pkt.data();
  if (load_be16(u + 4) != pkt.size()) return Error{Errc::malformed, "IP-less UDP length is not the PDU's"};
  const UdpPorts ports{load_be16(u), load_be16(u + 2)};
  pkt.pull_front(kUdpHeaderSize);
  return ports;
}

// ---- RFC 3948 §2 ----

NattKind classify_natt(Bytes d) noexcept {
  if (d.size() == 1 && d[0] == kNattKeepalive) return NattKind::keepalive;
  // The Non-ESP Marker; the IKE parser judges what follows it.
  if (d.size() >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 0) return NattKind::ike;
  // ESP: SPI and Sequence Number at least (RFC 4303 §2).
  if (d.size() >= kEspHeaderSize) return NattKind::esp;
  return NattKind::runt;
}

}  // namespace l2sec::esp
