// Third-party captures through the L2TP header and AVP codecs
// (tests/data/l2tp/, provenance in PROVENANCE.md):
// - tcpdump's l2tp-avp-overflow: fuzzed control messages; every one must be
//   rejected or decoded without reading out of bounds, and the header fields
//   must be the ones tcpdump -v printed (expected-v.txt);
// - packetnet's L2TP data packet inside PPPoE: O and P bits, tunnel 18994,
//   session 54110, a PPP LCP frame;
// - flowcontainer's L2TP/IPsec capture: all ESP-in-UDP, no clear L2TP.
// A tiny pcap reader lives here (classic pcap, Ethernet, 802.1Q, PPPoE,
// IPv4, UDP): the codecs under test never see pcap.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "avp_builder.hpp"
#include "l2tp/header.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {
namespace {

const std::string kDir = std::string(L2SEC_TEST_DATA) + "/l2tp/";

struct PcapPacket {
  std::size_t number = 0;  // from 1, as tcpdump counts
  std::vector<std::uint8_t> bytes;
};

std::vector<PcapPacket> read_pcap(const std::string& path, std::uint32_t* linktype = nullptr) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  const std::vector<std::uint8_t> d((std::istreambuf_iterator<char>(in)), {});
  std::vector<PcapPacket> out;
  if (d.size() < 24) return out;
  const bool le = d[0] == 0xd4 && d[1] == 0xc3 && d[2] == 0xb2 && d[3] == 0xa1;
  const bool be = d[0] == 0xa1 && d[1] == 0xb2 && d[2] == 0xc3 && d[3] == 0xd4;
  EXPECT_TRUE(le || be) << path << ": not a classic pcap";
  const auto u32 = [&](std::size_t at) {
    return le ? (std::uint32_t{d[at]} | std::uint32_t{d[at + 1]} << 8 | std::uint32_t{d[at + 2]} << 16 |
                 std::uint32_t{d[at + 3]} << 24)
              : load_be32(&d[at]);
  };
  if (linktype != nullptr) *linktype = u32(20);
  std::size_t off = 24;
  while (off + 16 <= d.size()) {
    const std::size_t caplen = u32(off + 8);
    off += 16;
    const std::size_t n = std::min(caplen, d.size() - off);
    out.push_back({out.size() + 1, std::vector<std::uint8_t>(d.begin() + off, d.begin() + off + n)});
    off += n;
  }
  return out;
}

struct Udp {
  std::uint16_t sport = 0, dport = 0;
  Bytes payload;
};

// Ethernet [802.1Q] [PPPoE session / PPP] IPv4 UDP; UDP Length clamped to
// what was captured (the fuzzed packets announce more than they carry).
std::optional<Udp> udp_of(const std::vector<std::uint8_t>& f) {
  Bytes b(f);
  if (b.size() < 14) return std::nullopt;
  std::uint16_t etype = load_be16(&b[12]);
  std::size_t off = 14;
  while (etype == 0x8100 && b.size() >= off + 4) {
    etype = load_be16(&b[off + 2]);
    off += 4;
  }
  if (etype == 0x8864) {  // PPPoE session (RFC 2516), then a 2-octet PPP protocol
    if (b.size() < off + 8 || load_be16(&b[off + 6]) != 0x0021) return std::nullopt;
    etype = 0x0800;
    off += 8;
  }
  if (etype != 0x0800 || b.size() < off + 20) return std::nullopt;
  Bytes ip = b.subspan(off);
  const std::size_t ihl = (ip[0] & 0x0F) * 4u;
  if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 17 || ip.size() < ihl + 8) return std::nullopt;
  Bytes udp = ip.subspan(ihl);
  Udp u;
  u.sport = load_be16(&udp[0]);
  u.dport = load_be16(&udp[2]);
  const std::size_t ulen = load_be16(&udp[4]);
  u.payload = udp.subspan(8, (ulen >= 8 && ulen <= udp.size() ? ulen : udp.size()) - 8);
  return u;
}

// ---------------------------------------------------------------- tcpdump

struct TcpdumpL2tp {
  std::string flags;  // letters tcpdump prints: T L S O P
  std::uint16_t tunnel = 0, session = 0;
  std::string first_avp;  // tcpdump's label of the first AVP
};

// Packet number -> what `tcpdump -v` printed for its L2TP part. A packet
// starts with a line "<number>  <yyyy-mm-dd> ..."; its L2TP part reads
// "l2tp:[TL](560/2056) AVP-#60963() ...".
std::map<std::size_t, TcpdumpL2tp> read_expected(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::map<std::size_t, TcpdumpL2tp> out;
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t current = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::size_t i = line.find_first_not_of(' ');
    std::size_t j = i;
    while (j < line.size() && is_digit(line[j])) ++j;
    if (i != std::string::npos && j > i && j + 6 < line.size() && line[j] == ' ') {
      const std::size_t k = line.find_first_not_of(' ', j);
      if (k + 4 < line.size() && is_digit(line[k]) && is_digit(line[k + 3]) && line[k + 4] == '-')
        current = std::stoul(line.substr(i, j - i));
    }
    const std::size_t at = line.find("l2tp:[");
    if (at == std::string::npos) continue;
    std::istringstream ls(line.substr(at + 6));
    TcpdumpL2tp t;
    char c = 0;
    while (ls.get(c) && c != ']') t.flags += c;
    unsigned tunnel = 0, session = 0;
    char open = 0, slash = 0, close = 0;
    ls >> open >> tunnel >> slash >> session >> close >> t.first_avp;
    EXPECT_TRUE(open == '(' && slash == '/' && close == ')') << line;
    t.tunnel = static_cast<std::uint16_t>(tunnel);
    t.session = static_cast<std::uint16_t>(session);
    out[current] = t;
  }
  return out;
}

// tcpdump's label for an AVP header: "AVP-#60963()", "ACCM(...)",
// "VENDOR0001:ATTR0023(...)"; we compare the part before '('.
std::string tcpdump_avp_label(Bytes avp) {
  const std::uint16_t vendor = load_be16(&avp[2]);
  const std::uint16_t type = load_be16(&avp[4]);
  char buf[32];
  if (vendor != 0) {
    std::snprintf(buf, sizeof buf, "VENDOR%04x:ATTR%04x", vendor, type);
    return buf;
  }
  if (type == static_cast<std::uint16_t>(AvpType::Accm)) return "ACCM";
  std::snprintf(buf, sizeof buf, "AVP-#%u", type);
  return buf;
}

TEST(L2tpCaptures, TcpdumpAvpOverflow) {
  const auto packets = read_pcap(kDir + "tcpdump_l2tp-avp-overflow.pcap");
  const auto expected = read_expected(kDir + "tcpdump_l2tp-avp-overflow.expected-v.txt");
  ASSERT_EQ(packets.size(), 20u);
  ASSERT_EQ(expected.size(), 16u);
  const std::vector<std::uint8_t> secret = test::bytes_of("secret");

  std::size_t l2tp_packets = 0;
  for (const PcapPacket& p : packets) {
    SCOPED_TRACE("packet " + std::to_string(p.number));
    const auto udp = udp_of(p.bytes);
    const bool is_l2tp = udp && (udp->dport == kUdpPort || udp->sport == kUdpPort);
    // The packets tcpdump decoded as L2TP are exactly those on port 1701.
    ASSERT_EQ(is_l2tp, expected.count(p.number) == 1);
    if (!is_l2tp) continue;
    ++l2tp_packets;
    const Bytes d = udp->payload;
    const TcpdumpL2tp& want = expected.at(p.number);

    // Header fields, read at the offsets the flags announce, against tcpdump.
    ASSERT_GE(d.size(), 12u);
    const std::uint16_t flags = load_be16(&d[0]);
    std::string letters;
    if (flags & kFlagT) letters += 'T';
    if (flags & kFlagL) letters += 'L';
    if (flags & kFlagS) letters += 'S';
    if (flags & kFlagO) letters += 'O';
    if (flags & kFlagP) letters += 'P';
    EXPECT_EQ(letters, want.flags);
    EXPECT_EQ(flags & kVersionMask, kVersion);
    EXPECT_EQ(load_be16(&d[4]), want.tunnel);
    EXPECT_EQ(load_be16(&d[6]), want.session);
    EXPECT_EQ(want.tunnel, 560);
    EXPECT_EQ(want.session, 2056);
    EXPECT_EQ(tcpdump_avp_label(d.subspan(8)), want.first_avp.substr(0, want.first_avp.find('(')));

    // Our header codec rejects it: a control message without S (§3.1).
    auto h = parse_header(d);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.error().code, Errc::malformed);

    // The AVPs as tcpdump walked them (after the 8-octet T L header): the
    // first is not a Message Type AVP (malformed). After a 12-octet control
    // header, 4 octets remain: not even an AVP header (truncated). Refused
    // either way, with or without a secret.
    for (std::size_t start : {std::size_t{8}, kControlHeaderLen}) {
      for (Bytes s : {Bytes{}, Bytes(secret)}) {
        auto m = decode_control(d.subspan(start), s);
        ASSERT_FALSE(m.ok());
        EXPECT_EQ(m.error().code, start == 8 ? Errc::malformed : Errc::truncated);
      }
    }
  }
  EXPECT_EQ(l2tp_packets, 16u);
}

TEST(L2tpCaptures, TcpdumpAvpOverflowEveryPrefix) {
  // Every prefix of every L2TP payload, through both codecs: no crash, no
  // read past the end (checked under ASan), every outcome an error or a value.
  for (const PcapPacket& p : read_pcap(kDir + "tcpdump_l2tp-avp-overflow.pcap")) {
    const auto udp = udp_of(p.bytes);
    if (!udp || udp->dport != kUdpPort) continue;
    for (std::size_t n = 0; n <= udp->payload.size(); ++n) {
      const Bytes d = udp->payload.first(n);
      auto h = parse_header(d);
      if (h.ok() && h->hdr.control) (void)decode_control(d.subspan(h->payload_offset, h->payload_size), {});
      for (std::size_t start = 0; start <= n; ++start) (void)decode_control(d.subspan(start), {});
    }
  }
}

// ---------------------------------------------------------------- packetnet

TEST(L2tpCaptures, PacketnetDataOverPppoe) {
  std::uint32_t linktype = 0;
  const auto packets = read_pcap(kDir + "packetnet_l2tp-data-lcp-echo-over-pppoe.pcap", &linktype);
  EXPECT_EQ(linktype, 1u);  // Ethernet
  ASSERT_EQ(packets.size(), 1u);
  const auto udp = udp_of(packets[0].bytes);
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->sport, 1701);
  EXPECT_EQ(udp->dport, 1701);
  ASSERT_EQ(udp->payload.size(), 24u);

  auto p = parse_header(udp->payload);
  ASSERT_TRUE(p.ok()) << p.error().what;
  const Header& h = p->hdr;
  EXPECT_FALSE(h.control);
  EXPECT_FALSE(h.has_length);
  EXPECT_FALSE(h.has_sequence);
  EXPECT_TRUE(h.has_offset);
  EXPECT_TRUE(h.priority);
  EXPECT_EQ(h.tunnel_id, 18994);
  EXPECT_EQ(h.session_id, 54110);
  EXPECT_EQ(h.offset_size, 0);
  EXPECT_EQ(p->payload_offset, 8u);
  ASSERT_EQ(p->payload_size, 16u);
  const Bytes ppp = udp->payload.subspan(p->payload_offset, p->payload_size);
  // PPP address/control, LCP (0xc021), Echo-Request (9), id 0x48, length 12,
  // magic 0xc1343922.
  EXPECT_EQ(test::to_hex(ppp.first(4)), "ff03c021");
  EXPECT_EQ(test::to_hex(ppp.subspan(4, 8)), "0948000cc1343922");
}

// ---------------------------------------------------------------- flowcontainer

TEST(L2tpCaptures, FlowcontainerCarriesNoClearL2tp) {
  const auto packets = read_pcap(kDir + "flowcontainer_l2tp-ipsec-natt-esp.pcap");
  ASSERT_EQ(packets.size(), 2350u);
  std::size_t nat_t = 0;
  for (const PcapPacket& p : packets) {
    const auto udp = udp_of(p.bytes);
    ASSERT_TRUE(udp) << "packet " << p.number;
    EXPECT_NE(udp->sport, kUdpPort);
    EXPECT_NE(udp->dport, kUdpPort);
    if (udp->sport == 4500 && udp->dport == 4500) ++nat_t;
  }
  EXPECT_EQ(nat_t, 2350u);
}

}  // namespace
}  // namespace l2sec::l2tp
