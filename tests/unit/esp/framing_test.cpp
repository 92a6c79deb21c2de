// Inner framing of ESP (src/esp/framing.hpp):
// - checksums: known answers computed by hand (IPv4, shown below) and with
//   Python (IPv6, odd lengths, the all-ones case); every IPv4 header and every
//   UDP datagram with a checksum of a real capture (flowcontainer's
//   L2TP/IPsec session, tests/data/l2tp/) reproduced; the word-wise sum against
//   a naive 16-bit one for every length 0..300;
// - push_inner: the exact bytes of transport (IPv4, IPv6) and tunnel (IPv4
//   header with checksum, IPv6 header) framing, ipless; size and family
//   errors; no reallocation with the default headroom;
// - pull_inner: round trips for every mode and family, real IPv4/UDP packets
//   from the capture as tunnel-mode inner packets, and every malformed case
//   counted by its name (exactly one counter moves);
// - IP-less UDP and the RFC 3948 port-4500 classification, also over the
//   capture (2342 ESP, 4 keepalives, 4 IKE).
#include "esp/framing.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "core/wire.hpp"

namespace l2sec::esp {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf hex(const std::string& s) {
  Buf out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  return out;
}
Buf to_buf(const PacketBuf& p) { return Buf(p.bytes().begin(), p.bytes().end()); }

Endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port = 0) {
  return Endpoint::v4({a, b, c, d}, port);
}
// 2001:db8::<last>
Endpoint v6(std::uint8_t last, std::uint16_t port = 0) {
  std::array<std::uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
  a[15] = last;
  return Endpoint::v6(a, port);
}

std::uint64_t total(const Counters& c) {
  std::uint64_t n = 0;
  c.for_each_nonzero([&](Ctr, std::uint64_t v) { n += v; });
  return n;
}

// An L2TP ZLB acknowledgement (RFC 2661 §5.8): T L S, version 2, Length 12,
// Tunnel ID 1, Session ID 0, Ns 0, Nr 0.
const Buf kZlb = hex("c802000c0001000000000000");

const Endpoint kA4 = v4(192, 0, 2, 1, 1701);
const Endpoint kB4 = v4(192, 0, 2, 2, 1701);
const Endpoint kA6 = v6(1, 1701);
const Endpoint kB6 = v6(2, 1701);

// ---- checksums ----

// By hand, RFC 1071 over 16-bit words:
//   pseudo-header  c000 0201 c000 0202 0011 0014          sum 18428
//   UDP header     06a5 06a5 0014 (checksum 0000)         sum 18428 + 0d5e = 19186
//   ZLB            c802 000c 0001 0000 0000 0000          sum 19186 + c80f = 25995
//   fold 5995 + 2 = 5997, complement a668.
TEST(FramingChecksum, Ipv4KnownAnswerByHand) {
  Buf udp = hex("06a506a50014a668");
  udp.insert(udp.end(), kZlb.begin(), kZlb.end());
  EXPECT_EQ(udp_checksum(kA4, kB4, udp), 0xa668);
  // The checksum field counts as zero whatever it holds.
  udp[6] = 0x12;
  udp[7] = 0x34;
  EXPECT_EQ(udp_checksum(kA4, kB4, udp), 0xa668);
}

// Python: RFC 8200 §8.1 pseudo-header (src, dst, 32-bit length, 3 zeros, 17)
// over 2001:db8::1 -> 2001:db8::2, ports 1701, the ZLB: 0xcef7. Odd length
// (13 octets 01..0d, the last padded with zero): 0x3d4c on IPv4, 0x65db on IPv6.
TEST(FramingChecksum, Ipv6AndOddLengthKnownAnswers) {
  Buf udp = hex("06a506a500140000");
  udp.insert(udp.end(), kZlb.begin(), kZlb.end());
  EXPECT_EQ(udp_checksum(kA6, kB6, udp), 0xcef7);
  const Buf odd = hex("06a506a5001500000102030405060708090a0b0c0d");
  EXPECT_EQ(udp_checksum(kA4, kB4, odd), 0x3d4c);
  EXPECT_EQ(udp_checksum(kA6, kB6, odd), 0x65db);
}

// A datagram whose sum is all ones: the computed checksum 0 goes out as
// 0xFFFF (RFC 768), and a receiver accepts it. Payload 6e8c found with Python.
TEST(FramingChecksum, ComputedZeroIsSentAsAllOnes) {
  const Buf udp = hex("06a506a5000a00006e8c");
  EXPECT_EQ(udp_checksum(kA4, kB4, udp), 0xFFFF);
  PacketBuf pkt = PacketBuf::copy_of(hex("6e8c"));
  ASSERT_TRUE(push_inner(Mode::transport, {kA4, kB4}, pkt).ok());
  EXPECT_EQ(to_buf(pkt), hex("06a506a5000affff6e8c"));
  Counters c;
  EXPECT_TRUE(pull_inner(Mode::transport, kNextHeaderUdp, kA4, kB4, pkt, c).ok());
  EXPECT_EQ(total(c), 0u);
}

// The simplest RFC 1071 sum: 16-bit big-endian words, one at a time.
std::uint16_t naive_sum(const Buf& b) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i < b.size(); i += 2) s += (b[i] << 8) | (i + 1 < b.size() ? b[i + 1] : 0);
  while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

TEST(FramingChecksum, WordWiseSumMatchesNaiveSumAtEveryLength) {
  std::mt19937 rng(7);
  for (std::size_t n = 8; n <= 300; ++n) {
    for (int fill = 0; fill < 3; ++fill) {
      Buf udp(n);
      for (auto& x : udp) x = fill == 0 ? 0xFF : static_cast<std::uint8_t>(rng());
      udp[6] = udp[7] = 0;
      Buf whole = hex("c0000201c000020200110000");
      store_be16(&whole[10], static_cast<std::uint16_t>(n));
      whole.insert(whole.end(), udp.begin(), udp.end());
      std::uint16_t want = static_cast<std::uint16_t>(~naive_sum(whole));
      if (want == 0) want = 0xFFFF;
      ASSERT_EQ(udp_checksum(kA4, kB4, udp), want) << "length " << n << " fill " << fill;
    }
  }
  // Header checksum at every header length, options included.
  for (std::size_t n = 12; n <= 60; n += 2) {
    Buf h(n);
    for (auto& x : h) x = static_cast<std::uint8_t>(rng());
    Buf zeroed = h;
    zeroed[10] = zeroed[11] = 0;
    ASSERT_EQ(ipv4_header_checksum(h), static_cast<std::uint16_t>(~naive_sum(zeroed))) << n;
  }
}

// ---- a real capture: tests/data/l2tp/flowcontainer_l2tp-ipsec-natt-esp.pcap ----

struct CapturedIp {
  std::size_t number;
  Buf ip;  // the IPv4 packet, cut to its Total Length
};

// Classic pcap, Ethernet, IPv4: every packet of the capture is one.
std::vector<CapturedIp> flowcontainer_ipv4() {
  const std::string path = std::string(L2SEC_TEST_DATA) + "/l2tp/flowcontainer_l2tp-ipsec-natt-esp.pcap";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  const Buf d((std::istreambuf_iterator<char>(in)), {});
  std::vector<CapturedIp> out;
  if (d.size() < 24 || !(d[0] == 0xd4 && d[1] == 0xc3 && d[2] == 0xb2 && d[3] == 0xa1)) {
    ADD_FAILURE() << "not a little-endian classic pcap";
    return out;
  }
  const auto le32 = [&](std::size_t at) {
    return std::uint32_t{d[at]} | std::uint32_t{d[at + 1]} << 8 | std::uint32_t{d[at + 2]} << 16 |
           std::uint32_t{d[at + 3]} << 24;
  };
  EXPECT_EQ(le32(20), 1u);  // Ethernet
  std::size_t off = 24;
  std::size_t number = 0;
  while (off + 16 <= d.size()) {
    const std::size_t caplen = le32(off + 8);
    off += 16;
    ++number;
    if (off + caplen > d.size()) break;
    const std::uint8_t* f = &d[off];
    off += caplen;
    if (caplen < 34 || load_be16(f + 12) != 0x0800) continue;
    const std::size_t tl = load_be16(f + 14 + 2);
    if (14 + tl > caplen) continue;
    out.push_back({number, Buf(f + 14, f + 14 + tl)});
  }
  return out;
}

TEST(FramingCapture, ChecksumsOfEveryIpv4HeaderAndUdpDatagramReproduced) {
  const auto pkts = flowcontainer_ipv4();
  ASSERT_EQ(pkts.size(), 2350u);
  std::size_t with_udp_checksum = 0;
  for (const auto& p : pkts) {
    const std::size_t ihl = (p.ip[0] & 0x0F) * 4;
    ASSERT_EQ(p.ip[9], 17) << p.number;
    EXPECT_EQ(ipv4_header_checksum(Bytes(p.ip.data(), ihl)), load_be16(&p.ip[10])) << "packet " << p.number;
    const Bytes udp(p.ip.data() + ihl, p.ip.size() - ihl);
    const std::uint16_t captured = load_be16(&udp[6]);
    if (captured == 0) continue;  // RFC 3948 §2.1: the sender may omit it
    ++with_udp_checksum;
    const Endpoint src = v4(p.ip[12], p.ip[13], p.ip[14], p.ip[15]);
    const Endpoint dst = v4(p.ip[16], p.ip[17], p.ip[18], p.ip[19]);
    EXPECT_EQ(udp_checksum(src, dst, udp), captured) << "packet " << p.number;
  }
  EXPECT_EQ(with_udp_checksum, 1100u);  // counted with Python over the same file
}

// Each captured IPv4/UDP packet, taken as the inner packet of tunnel mode,
// passes every check; the same datagram in transport mode too.
TEST(FramingCapture, RealIpv4UdpPacketsPullAsTunnelAndTransport) {
  const auto pkts = flowcontainer_ipv4();
  ASSERT_FALSE(pkts.empty());
  Counters c;
  for (const auto& p : pkts) {
    const Endpoint src = v4(p.ip[12], p.ip[13], p.ip[14], p.ip[15]);
    const Endpoint dst = v4(p.ip[16], p.ip[17], p.ip[18], p.ip[19]);
    const std::size_t ihl = (p.ip[0] & 0x0F) * 4;
    PacketBuf t = PacketBuf::copy_of(p.ip);
    auto r = pull_inner(Mode::tunnel, kNextHeaderIpv4, v4(9, 9, 9, 9), v4(8, 8, 8, 8), t, c);
    ASSERT_TRUE(r.ok()) << "packet " << p.number << ": " << r.error().what;
    EXPECT_TRUE(r->src.same_host(src));
    EXPECT_TRUE(r->dst.same_host(dst));
    EXPECT_EQ(r->src.port, load_be16(&p.ip[ihl]));
    EXPECT_EQ(r->dst.port, load_be16(&p.ip[ihl + 2]));
    EXPECT_EQ(to_buf(t), Buf(p.ip.begin() + ihl + 8, p.ip.end()));

    PacketBuf u = PacketBuf::copy_of(Bytes(p.ip).subspan(ihl));
    ASSERT_TRUE(pull_inner(Mode::transport, kNextHeaderUdp, src, dst, u, c).ok()) << p.number;
    EXPECT_EQ(u.size(), p.ip.size() - ihl - 8);
  }
  EXPECT_EQ(total(c), 0u);
}

TEST(FramingCapture, Port4500DatagramsClassified) {
  std::size_t esp = 0, ike = 0, keepalive = 0, runt = 0;
  for (const auto& p : flowcontainer_ipv4()) {
    const std::size_t ihl = (p.ip[0] & 0x0F) * 4;
    switch (classify_natt(Bytes(p.ip).subspan(ihl + 8))) {
      case NattKind::esp:
        ++esp;
        break;
      case NattKind::ike:
        ++ike;
        break;
      case NattKind::keepalive:
        ++keepalive;
        break;
      case NattKind::runt:
        ++runt;
        break;
    }
  }
  EXPECT_EQ(esp, 2342u);
  EXPECT_EQ(keepalive, 4u);
  EXPECT_EQ(ike, 4u);
  EXPECT_EQ(runt, 0u);
}

// ---- push_inner: exact bytes ----

TEST(PushInner, TransportIpv4) {
  PacketBuf pkt = PacketBuf::copy_of(kZlb);
  auto nh = push_inner(Mode::transport, {kA4, kB4}, pkt);
  ASSERT_TRUE(nh.ok());
  EXPECT_EQ(*nh, kNextHeaderUdp);
  EXPECT_EQ(to_buf(pkt), hex("06a506a50014a668c802000c0001000000000000"));
}

TEST(PushInner, TransportIpv6) {
  PacketBuf pkt = PacketBuf::copy_of(kZlb);
  auto nh = push_inner(Mode::transport, {kA6, kB6}, pkt);
  ASSERT_TRUE(nh.ok());
  EXPECT_EQ(*nh, kNextHeaderUdp);
  EXPECT_EQ(to_buf(pkt), hex("06a506a50014cef7c802000c0001000000000000"));
}

// Python over 10.0.0.1 -> 10.0.0.2, ID 0x1234: header checksum 548f, UDP 166a.
TEST(PushInner, TunnelIpv4) {
  PacketBuf pkt = PacketBuf::copy_of(kZlb);
  auto nh = push_inner(Mode::tunnel, {v4(10, 0, 0, 1, 1701), v4(10, 0, 0, 2, 1701)}, pkt, 0x1234);
  ASSERT_TRUE(nh.ok());
  EXPECT_EQ(*nh, kNextHeaderIpv4);
  EXPECT_EQ(to_buf(pkt), hex("45000028123400004011548f0a0000010a000002"
                             "06a506a50014166a"
                             "c802000c0001000000000000"));
  EXPECT_EQ(ipv4_header_checksum(Bytes(pkt.data(), 20)), 0x548f);
}

TEST(PushInner, TunnelIpv6) {
  PacketBuf pkt = PacketBuf::copy_of(kZlb);
  auto nh = push_inner(Mode::tunnel, {kA6, kB6}, pkt);
  ASSERT_TRUE(nh.ok());
  EXPECT_EQ(*nh, kNextHeaderIpv6);
  EXPECT_EQ(to_buf(pkt), hex("60000000"
                             "0014"
                             "11"
                             "40"
                             "20010db8000000000000000000000001"
                             "20010db8000000000000000000000002"
                             "06a506a50014cef7"
                             "c802000c0001000000000000"));
}

TEST(PushInner, IplessAddsNothing) {
  PacketBuf pkt = PacketBuf::copy_of(kZlb);
  auto nh = push_inner(Mode::ipless, {Endpoint::of_circuit(3), Endpoint::of_circuit(3)}, pkt);
  ASSERT_TRUE(nh.ok());
  EXPECT_EQ(*nh, kNextHeaderL2tp);
  EXPECT_EQ(to_buf(pkt), kZlb);
}

TEST(PushInner, FlowsThatDoNotFitTheMode) {
  for (Mode m : {Mode::transport, Mode::tunnel}) {
    for (const InnerFlow& f : {InnerFlow{kA4, kB6}, InnerFlow{kA6, kB4},
                               InnerFlow{Endpoint::of_circuit(1), Endpoint::of_circuit(1)}, InnerFlow{}}) {
      PacketBuf pkt = PacketBuf::copy_of(kZlb);
      auto r = push_inner(m, f, pkt);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, Errc::invalid_state);
      EXPECT_EQ(to_buf(pkt), kZlb);
    }
  }
}

TEST(PushInner, SizeLimits) {
  struct Case {
    Mode mode;
    InnerFlow flow;
    std::size_t largest;  // the largest L2TP packet that fits
  };
  for (const Case& k :
       {Case{Mode::transport, {kA4, kB4}, 65535 - 8}, Case{Mode::transport, {kA6, kB6}, 65535 - 8},
        Case{Mode::tunnel, {kA4, kB4}, 65535 - 28}, Case{Mode::tunnel, {kA6, kB6}, 65535 - 8}}) {
    PacketBuf fits = PacketBuf::copy_of(Buf(k.largest, 0x5a));
    ASSERT_TRUE(push_inner(k.mode, k.flow, fits).ok());
    Counters c;
    const std::uint8_t nh = k.mode == Mode::transport                 ? kNextHeaderUdp
                            : k.flow.src.kind == Endpoint::Kind::ipv4 ? kNextHeaderIpv4
                                                                      : kNextHeaderIpv6;
    auto back = pull_inner(k.mode, nh, k.flow.src, k.flow.dst, fits, c);
    ASSERT_TRUE(back.ok()) << back.error().what;
    EXPECT_EQ(fits.size(), k.largest);

    PacketBuf too_big = PacketBuf::copy_of(Buf(k.largest + 1, 0x5a));
    auto r = push_inner(k.mode, k.flow, too_big);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::out_of_range);
    EXPECT_EQ(too_big.size(), k.largest + 1);
  }
}

// The deepest inner framing (tunnel IPv6: 48 octets) fits the default
// headroom with room for ESP in front.
TEST(PushInner, DefaultHeadroomNeverReallocates) {
  for (Mode m : {Mode::transport, Mode::tunnel, Mode::ipless}) {
    for (const InnerFlow& f : {InnerFlow{kA4, kB4}, InnerFlow{kA6, kB6}}) {
      PacketBuf pkt = PacketBuf::copy_of(Buf(1400, 0x11));
      ASSERT_TRUE(push_inner(m, f, pkt).ok());
      EXPECT_EQ(pkt.realloc_count(), 0u);
      EXPECT_GE(pkt.headroom(), PacketBuf::kDefaultHeadroom - 48);
    }
  }
}

// ---- pull_inner ----

struct Framed {
  std::uint8_t nh;
  PacketBuf pkt;
};
Framed framed(Mode m, const InnerFlow& f, const Buf& payload = kZlb, std::uint16_t ip_id = 7) {
  PacketBuf pkt = PacketBuf::copy_of(payload);
  auto nh = push_inner(m, f, pkt, ip_id);
  EXPECT_TRUE(nh.ok());
  return {nh.ok() ? *nh : std::uint8_t{0}, std::move(pkt)};
}

TEST(PullInner, RoundTripEveryModeAndFamily) {
  // Outer addresses: the inner ones for transport (RFC 3193), gateways for
  // tunnel, circuits for ipless.
  const Endpoint gw_a = v4(198, 51, 100, 1, 4500);
  const Endpoint gw_b = v4(198, 51, 100, 2, 4500);
  for (std::size_t size : {0, 1, 12, 1399, 1400}) {
    Buf payload(size);
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<std::uint8_t>(i * 7 + 1);
    for (const InnerFlow& f : {InnerFlow{kA4, v4(192, 0, 2, 2, 50000)}, InnerFlow{kA6, v6(2, 50000)}}) {
      Counters c;
      auto t = framed(Mode::transport, f, payload);
      EXPECT_EQ(t.nh, kNextHeaderUdp);
      Endpoint outer_src = f.src, outer_dst = f.dst;
      outer_src.port = 4500;  // ignored: the ports come from the inner header
      outer_dst.port = 4500;
      auto r = pull_inner(Mode::transport, t.nh, outer_src, outer_dst, t.pkt, c);
      ASSERT_TRUE(r.ok()) << r.error().what;
      EXPECT_EQ(r->src, f.src);
      EXPECT_EQ(r->dst, f.dst);
      EXPECT_EQ(to_buf(t.pkt), payload);

      auto u = framed(Mode::tunnel, f, payload);
      r = pull_inner(Mode::tunnel, u.nh, gw_a, gw_b, u.pkt, c);
      ASSERT_TRUE(r.ok()) << r.error().what;
      EXPECT_EQ(r->src, f.src);
      EXPECT_EQ(r->dst, f.dst);
      EXPECT_EQ(to_buf(u.pkt), payload);
      EXPECT_EQ(total(c), 0u);
    }
    Counters c;
    auto i = framed(Mode::ipless, {});
    PacketBuf pkt = PacketBuf::copy_of(payload);
    auto r = pull_inner(Mode::ipless, i.nh, Endpoint::of_circuit(4), Endpoint::of_circuit(5), pkt, c);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->src, Endpoint::of_circuit(4));
    EXPECT_EQ(r->dst, Endpoint::of_circuit(5));
    EXPECT_EQ(to_buf(pkt), payload);
    EXPECT_EQ(total(c), 0u);
  }
}

// Runs pull_inner and expects one drop, counted as `ctr` and nothing else.
void expect_drop(Mode m, std::uint8_t nh, const Endpoint& src, const Endpoint& dst, PacketBuf pkt, Ctr ctr,
                 PullOptions opt = {}) {
  Counters c;
  auto r = pull_inner(m, nh, src, dst, pkt, c, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::malformed);
  EXPECT_EQ(c[ctr], 1u) << counter_name(ctr) << ": " << r.error().what;
  EXPECT_EQ(total(c), 1u) << r.error().what;
}

TEST(PullInner, WrongNextHeaderForTheMode) {
  const Ctr nh_ctr = Ctr::esp_rx_unexpected_next_header;
  for (std::uint8_t nh :
       {kNextHeaderIpv4, kNextHeaderIpv6, kNextHeaderL2tp, kNextHeaderDummy, std::uint8_t{6}})
    expect_drop(Mode::transport, nh, kA4, kB4, framed(Mode::transport, {kA4, kB4}).pkt, nh_ctr);
  for (std::uint8_t nh : {kNextHeaderUdp, kNextHeaderL2tp, std::uint8_t{0}})
    expect_drop(Mode::tunnel, nh, kA4, kB4, framed(Mode::tunnel, {kA4, kB4}).pkt, nh_ctr);
  for (std::uint8_t nh : {kNextHeaderUdp, kNextHeaderIpv4, kNextHeaderIpv6})
    expect_drop(Mode::ipless, nh, Endpoint::of_circuit(1), Endpoint::of_circuit(1), PacketBuf::copy_of(kZlb),
                nh_ctr);
}

TEST(PullInner, TransportMalformed) {
  const Ctr bad = Ctr::esp_rx_inner_malformed;
  for (const InnerFlow& f : {InnerFlow{kA4, kB4}, InnerFlow{kA6, kB6}}) {
    const Buf good = to_buf(framed(Mode::transport, f).pkt);
    for (std::size_t n = 0; n < 8; ++n)  // truncated UDP header
      expect_drop(Mode::transport, kNextHeaderUdp, f.src, f.dst, PacketBuf::copy_of(Bytes(good).first(n)),
                  bad);
    for (int delta : {-1, 1}) {  // UDP Length not the packet's
      Buf b = good;
      store_be16(&b[4], static_cast<std::uint16_t>(b.size() + delta));
      expect_drop(Mode::transport, kNextHeaderUdp, f.src, f.dst, PacketBuf::copy_of(b), bad);
    }
    Buf longer = good;  // one octet more than UDP Length announces
    longer.push_back(0);
    expect_drop(Mode::transport, kNextHeaderUdp, f.src, f.dst, PacketBuf::copy_of(longer), bad);
  }
  // Transport mode needs outer IP addresses of one family.
  const Buf good = to_buf(framed(Mode::transport, {kA4, kB4}).pkt);
  expect_drop(Mode::transport, kNextHeaderUdp, kA4, kB6, PacketBuf::copy_of(good), bad);
  expect_drop(Mode::transport, kNextHeaderUdp, Endpoint::of_circuit(1), Endpoint::of_circuit(1),
              PacketBuf::copy_of(good), bad);
}

TEST(PullInner, UdpChecksums) {
  const Ctr bad = Ctr::esp_rx_inner_bad_checksum;
  for (const InnerFlow& f : {InnerFlow{kA4, kB4}, InnerFlow{kA6, kB6}}) {
    const Buf good = to_buf(framed(Mode::transport, f).pkt);
    // A flipped payload bit, a wrong checksum, another address (swapping
    // source and destination would not show: the sum commutes).
    Buf flipped = good;
    flipped.back() ^= 0x01;
    expect_drop(Mode::transport, kNextHeaderUdp, f.src, f.dst, PacketBuf::copy_of(flipped), bad);
    Buf wrong = good;
    wrong[7] ^= 0x80;
    expect_drop(Mode::transport, kNextHeaderUdp, f.src, f.dst, PacketBuf::copy_of(wrong), bad);
    Endpoint other = f.dst;
    other.addr[3] ^= 1;
    expect_drop(Mode::transport, kNextHeaderUdp, f.src, other, PacketBuf::copy_of(good), bad);

    // verify_udp_checksum = false (RFC 3948 §3.1.2, after NAT): not checked.
    for (const Buf& b : {flipped, wrong}) {
      Counters c;
      PacketBuf pkt = PacketBuf::copy_of(b);
      auto r =
          pull_inner(Mode::transport, kNextHeaderUdp, f.src, f.dst, pkt, c, {.verify_udp_checksum = false});
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->src, f.src);
      EXPECT_EQ(total(c), 0u);
    }

    // Checksum 0: "none" on IPv4 (RFC 768), refused on IPv6 (RFC 8200 §8.1),
    // whether or not checksums are verified.
    Buf zero = flipped;
    zero[6] = zero[7] = 0;
    for (bool verify : {true, false}) {
      Counters c;
      PacketBuf pkt = PacketBuf::copy_of(zero);
      auto r =
          pull_inner(Mode::transport, kNextHeaderUdp, f.src, f.dst, pkt, c, {.verify_udp_checksum = verify});
      if (f.src.kind == Endpoint::Kind::ipv4) {
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(to_buf(pkt), Buf(zero.begin() + 8, zero.end()));
        EXPECT_EQ(total(c), 0u);
      } else {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(c[bad], 1u);
        EXPECT_EQ(total(c), 1u);
      }
    }
  }
}

// Tunnel mode, inner IPv4: every field the receiver checks. The header
// checksum is made right again after each change, so only the change is
// wrong.
TEST(PullInner, TunnelIpv4Malformed) {
  const Ctr bad = Ctr::esp_rx_inner_malformed;
  const Buf good = to_buf(framed(Mode::tunnel, {kA4, kB4}).pkt);
  const auto with = [&](auto change) {
    Buf b = good;
    change(b);
    if (b.size() >= 20) store_be16(&b[10], ipv4_header_checksum(Bytes(b.data(), 20)));
    return PacketBuf::copy_of(b);
  };
  const auto drop = [&](PacketBuf p, Ctr ctr) {
    expect_drop(Mode::tunnel, kNextHeaderIpv4, kA6, kB6, std::move(p), ctr);
  };

  for (std::size_t n : {0, 1, 19}) drop(PacketBuf::copy_of(Bytes(good).first(n)), bad);
  drop(with([](Buf& b) { b[0] = 0x65; }), bad);  // version 6 under Next Header 4
  drop(with([](Buf& b) { b[0] = 0x44; }), bad);  // IHL 4
  drop(with([](Buf& b) { b[0] = 0x4F; }), bad);  // IHL 15: 60 octets, more than there is
  drop(with([](Buf& b) { store_be16(&b[2], static_cast<std::uint16_t>(b.size() + 1)); }), bad);
  drop(with([](Buf& b) { store_be16(&b[2], static_cast<std::uint16_t>(b.size() - 1)); }), bad);
  drop(with([](Buf& b) { store_be16(&b[6], 0x2000); }), bad);  // MF: a first fragment
  drop(with([](Buf& b) { store_be16(&b[6], 0x0001); }), bad);  // offset 8: a later fragment
  drop(with([](Buf& b) { store_be16(&b[6], 0x4001); }), bad);  // DF and an offset
  drop(with([](Buf& b) { b[9] = 6; }), bad);                   // TCP
  drop(with([](Buf& b) { store_be16(&b[24], 0); }), bad);      // UDP Length 0
  drop(with([](Buf& b) {
         b.resize(27);
         store_be16(&b[2], 27);
       }),
       bad);  // UDP truncated

  // Header checksum wrong (TTL changed after it was computed).
  Buf ttl = good;
  ttl[8] = 63;
  drop(PacketBuf::copy_of(ttl), Ctr::esp_rx_inner_bad_checksum);
  // Inner UDP checksum wrong; skipped when not verified.
  Buf udp = good;
  udp.back() ^= 0x40;
  drop(PacketBuf::copy_of(udp), Ctr::esp_rx_inner_bad_checksum);
  Counters c;
  PacketBuf pkt = PacketBuf::copy_of(udp);
  EXPECT_TRUE(
      pull_inner(Mode::tunnel, kNextHeaderIpv4, kA6, kB6, pkt, c, {.verify_udp_checksum = false}).ok());
  EXPECT_EQ(total(c), 0u);
}

TEST(PullInner, TunnelIpv4AcceptsDfAndOptions) {
  Counters c;
  // DF set (RFC 791 "don't fragment" is no fragment).
  Buf df = to_buf(framed(Mode::tunnel, {kA4, kB4}).pkt);
  store_be16(&df[6], 0x4000);
  store_be16(&df[10], ipv4_header_checksum(Bytes(df.data(), 20)));
  PacketBuf p1 = PacketBuf::copy_of(df);
  ASSERT_TRUE(pull_inner(Mode::tunnel, kNextHeaderIpv4, kA6, kB6, p1, c).ok());
  EXPECT_EQ(to_buf(p1), kZlb);
  // IHL 6: four NOP options (RFC 791 option type 1) skipped.
  Buf opt = df;
  opt.insert(opt.begin() + 20, {1, 1, 1, 1});
  opt[0] = 0x46;
  store_be16(&opt[2], static_cast<std::uint16_t>(opt.size()));
  store_be16(&opt[10], ipv4_header_checksum(Bytes(opt.data(), 24)));
  PacketBuf p2 = PacketBuf::copy_of(opt);
  auto r = pull_inner(Mode::tunnel, kNextHeaderIpv4, kA6, kB6, p2, c);
  ASSERT_TRUE(r.ok()) << r.error().what;
  EXPECT_EQ(r->src, kA4);
  EXPECT_EQ(to_buf(p2), kZlb);
  EXPECT_EQ(total(c), 0u);
}

TEST(PullInner, TunnelIpv6Malformed) {
  const Ctr bad = Ctr::esp_rx_inner_malformed;
  const Buf good = to_buf(framed(Mode::tunnel, {kA6, kB6}).pkt);
  const auto with = [&](auto change) {
    Buf b = good;
    change(b);
    return PacketBuf::copy_of(b);
  };
  const auto drop = [&](PacketBuf p, Ctr ctr) {
    expect_drop(Mode::tunnel, kNextHeaderIpv6, kA4, kB4, std::move(p), ctr);
  };

  for (std::size_t n : {0, 1, 39}) drop(PacketBuf::copy_of(Bytes(good).first(n)), bad);
  drop(with([](Buf& b) { b[0] = 0x45; }), bad);  // version 4 under Next Header 41
  drop(with([](Buf& b) { store_be16(&b[4], static_cast<std::uint16_t>(b.size() - 39)); }), bad);
  drop(with([](Buf& b) { store_be16(&b[4], static_cast<std::uint16_t>(b.size() - 41)); }), bad);
  drop(with([](Buf& b) { b[6] = 0; }), bad);   // a Hop-by-Hop header: none accepted
  drop(with([](Buf& b) { b[6] = 58; }), bad);  // ICMPv6
  drop(with([](Buf& b) {
         b.resize(47);
         store_be16(&b[4], 7);
       }),
       bad);                                               // UDP truncated
  drop(with([](Buf& b) { store_be16(&b[44], 9); }), bad);  // UDP Length 9
  drop(with([](Buf& b) { b.back() ^= 1; }), Ctr::esp_rx_inner_bad_checksum);
  drop(with([](Buf& b) { b[46] = b[47] = 0; }), Ctr::esp_rx_inner_bad_checksum);  // zero on IPv6
  drop(with([](Buf& b) { b[8] ^= 0x02; }), Ctr::esp_rx_inner_bad_checksum);       // another source
}

// ---- IP-less UDP ----

TEST(IplessUdp, PushAndPull) {
  PacketBuf pkt = PacketBuf::copy_of(hex("0102030405"));
  push_ipless_udp(kIkePort, kIkePort, pkt);
  EXPECT_EQ(to_buf(pkt), hex("01f401f4000d00000102030405"));
  EXPECT_EQ(pkt.realloc_count(), 0u);
  auto ports = pull_ipless_udp(pkt);
  ASSERT_TRUE(ports.ok());
  EXPECT_EQ(ports->src, 500);
  EXPECT_EQ(ports->dst, 500);
  EXPECT_EQ(to_buf(pkt), hex("0102030405"));
}

TEST(IplessUdp, ChecksumIgnoredLengthChecked) {
  PacketBuf with_sum = PacketBuf::copy_of(hex("01f4119400090bad77"));
  auto ports = pull_ipless_udp(with_sum);
  ASSERT_TRUE(ports.ok());
  EXPECT_EQ(ports->dst, 4500);
  EXPECT_EQ(to_buf(with_sum), hex("77"));

  for (std::size_t n = 0; n < 8; ++n) {
    PacketBuf p = PacketBuf::copy_of(Bytes(hex("01f401f400080000")).first(n));
    auto r = pull_ipless_udp(p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::truncated) << n;
  }
  for (const char* h : {"01f401f4000800", "01f401f40000000077", "01f401f4000a000077", "01f401f400080000ff"}) {
    PacketBuf p = PacketBuf::copy_of(hex(h));
    auto r = pull_ipless_udp(p);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.error().code, std::string(h).size() < 16 ? Errc::truncated : Errc::malformed) << h;
  }
}

// ---- RFC 3948 §2 ----

TEST(ClassifyNatt, EveryKind) {
  struct Case {
    const char* hex;
    NattKind kind;
  };
  for (const Case& k : {
           Case{"", NattKind::runt}, Case{"ff", NattKind::keepalive}, Case{"00", NattKind::runt},
           Case{"fe", NattKind::runt}, Case{"ffff", NattKind::runt}, Case{"000000", NattKind::runt},
           Case{"00000000", NattKind::ike},  // the marker, nothing after it: IKE judges
           Case{"00000000"
                "0102030405060708",
                NattKind::ike},
           Case{"01020304", NattKind::runt},  // an SPI without a sequence number
           Case{"01020304050607", NattKind::runt}, Case{"0102030400000001", NattKind::esp},
           Case{"ff00000000000001", NattKind::esp}, Case{"0000000100000001", NattKind::esp},  // SPI 1
       }) {
    EXPECT_EQ(classify_natt(hex(k.hex)), k.kind) << k.hex;
  }
}

}  // namespace
}  // namespace l2sec::esp
