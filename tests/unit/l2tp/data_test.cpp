// Data message header and sequencing (RFC 2661 §3.1, §5.4).
#include "l2tp/data.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace l2sec::l2tp {
namespace {

std::vector<std::uint8_t> bytes(const PacketBuf& p) { return {p.bytes().begin(), p.bytes().end()}; }

TEST(Data, HeaderWithLengthNoSequence) {
  std::vector<std::uint8_t> ppp = {0xff, 0x03, 0xc0, 0x21};
  PacketBuf f = PacketBuf::copy_of(ppp);
  const std::uint8_t* payload = f.data();
  DataSeq seq;
  push_data_header(f, 0x1234, 0xabcd, true, seq);
  // T=0 L=1 S=0 Ver=2 | Length 12 | Tunnel ID | Session ID | frame
  EXPECT_EQ(bytes(f), (std::vector<std::uint8_t>{0x40, 0x02, 0x00, 0x0c, 0x12, 0x34, 0xab, 0xcd, 0xff, 0x03,
                                                 0xc0, 0x21}));
  EXPECT_EQ(f.data() + 8, payload);  // prepended in place
  EXPECT_EQ(f.realloc_count(), 0u);
  EXPECT_EQ(seq.ns, 0);
}

TEST(Data, HeaderWithSequenceNoLength) {
  PacketBuf f = PacketBuf::copy_of(std::vector<std::uint8_t>{0x21});
  DataSeq seq;
  seq.tx = true;
  seq.ns = 0xffff;
  push_data_header(f, 1, 2, false, seq);
  // T=0 L=0 S=1 Ver=2 | 1 | 2 | Ns 0xffff | Nr 0
  EXPECT_EQ(bytes(f), (std::vector<std::uint8_t>{0x08, 0x02, 0x00, 0x01, 0x00, 0x02, 0xff, 0xff, 0x00, 0x00, 0x21}));
  EXPECT_EQ(seq.ns, 0);  // wraps mod 2^16
  PacketBuf g = PacketBuf::copy_of(std::vector<std::uint8_t>{0x21});
  DataSeq req;
  req.required = true;
  push_data_header(g, 1, 2, false, req);
  EXPECT_EQ(g.size(), 11u);
  EXPECT_EQ(req.ns, 1);
}

Header data_header(bool s, std::uint16_t ns = 0) {
  Header h;
  h.has_sequence = s;
  h.ns = ns;
  return h;
}

TEST(Data, ReceiveDropsOldNsAcceptsGaps) {
  DataSeq seq;
  EXPECT_EQ(on_data_received(data_header(true, 10), false, seq), DataVerdict::deliver);
  EXPECT_EQ(seq.nr, 11);
  EXPECT_EQ(on_data_received(data_header(true, 10), false, seq), DataVerdict::old);
  EXPECT_EQ(on_data_received(data_header(true, 9), false, seq), DataVerdict::old);
  EXPECT_EQ(on_data_received(data_header(true, 15), false, seq), DataVerdict::deliver);  // gap
  EXPECT_EQ(on_data_received(data_header(true, 12), false, seq), DataVerdict::old);
  EXPECT_EQ(seq.nr, 16);
  EXPECT_EQ(on_data_received(data_header(false), false, seq), DataVerdict::deliver);
  // Serial arithmetic across the wrap.
  DataSeq w;
  EXPECT_EQ(on_data_received(data_header(true, 65535), false, w), DataVerdict::deliver);
  EXPECT_EQ(on_data_received(data_header(true, 0), false, w), DataVerdict::deliver);
  EXPECT_EQ(on_data_received(data_header(true, 65535), false, w), DataVerdict::old);
}

TEST(Data, LacMirrorsTheLnsUnlessRequired) {
  DataSeq lac;
  on_data_received(data_header(true, 0), true, lac);
  EXPECT_TRUE(lac.tx);
  on_data_received(data_header(false), true, lac);
  EXPECT_FALSE(lac.tx);
  DataSeq lns;
  on_data_received(data_header(true, 0), false, lns);
  EXPECT_FALSE(lns.tx);  // the LNS decides for itself
  DataSeq req;
  req.required = true;
  on_data_received(data_header(false), true, req);
  PacketBuf f = PacketBuf::copy_of(std::vector<std::uint8_t>{1});
  push_data_header(f, 1, 1, false, req);
  EXPECT_EQ(f.size(), 11u);  // still sequenced: required at setup
}

}  // namespace
}  // namespace l2sec::l2tp
