// OAM F4/F5 loopback (transports/atm/oam.hpp): CRC-10 known answers, the
// loopback payload bytes, and the responder's reply bytes and counters.
// (capture_test.cpp has tshark confirm the CRC-10 of these cells.)
#include "transports/atm/oam.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace l2sec::transports::atm {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf hex(std::string_view s) {
  Buf b;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2)
    b.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return b;
}

// A loopback request on an F5 end-to-end flow, tag 0x12345678, both IDs
// all ones, and the reply it must get. The CRC-10 values (0x22a, 0x0d3)
// are the ones tshark 4.0 marks "correct" (see capture_test.cpp).
const Buf kRequest =
    hex("180112345678ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff6a6a6a6a6a6a6a6a022a");
const Buf kReply =
    hex("180012345678ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff6a6a6a6a6a6a6a6a00d3");

const CellHeader kF5e2e{0, 1, 32, kPtiOamF5EndToEnd, false};

TEST(OamCrc10, KnownAnswers) {
  const std::string_view check = "123456789";
  // CRC-10/ATM catalogue check value.
  EXPECT_EQ(crc10_update(0, Bytes(reinterpret_cast<const std::uint8_t*>(check.data()), check.size())), 0x199);
  EXPECT_EQ(oam_crc10(kRequest), 0x22a);
  EXPECT_EQ(oam_crc10(kReply), 0x0d3);
  EXPECT_TRUE(oam_crc10_ok(kRequest));
  EXPECT_TRUE(oam_crc10_ok(kReply));
  Buf bad = kRequest;
  bad[10] ^= 0x01;
  EXPECT_FALSE(oam_crc10_ok(bad));
  EXPECT_FALSE(oam_crc10_ok(Bytes(kRequest).first(47)));
}

TEST(OamLoopback, EncodeGivesTheKnownBytes) {
  Loopback lb;
  lb.request = true;
  lb.correlation_tag = 0x12345678;
  std::array<std::uint8_t, 48> out{};
  encode_loopback(lb, out);
  EXPECT_EQ(Buf(out.begin(), out.end()), kRequest);
  auto back = decode_loopback(out);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->request);
  EXPECT_EQ(back->correlation_tag, 0x12345678u);
  EXPECT_EQ(back->location_id, kOamIdAllOnes);

  auto hdr = decode_oam_header(kRequest);
  ASSERT_TRUE(hdr);
  EXPECT_EQ(hdr->type, kOamTypeFaultManagement);
  EXPECT_EQ(hdr->function, kOamFunctionLoopback);
  EXPECT_EQ(hdr->crc10, 0x22a);
}

TEST(OamLoopback, BuildCell) {
  Loopback lb;
  lb.correlation_tag = 0x12345678;
  Buf cell(53);
  ASSERT_TRUE(build_loopback_cell(kF5e2e, HeaderFormat::uni, lb, cell));
  EXPECT_EQ(Buf(cell.begin(), cell.begin() + 4), hex("0010020a"));  // VPI 1, VCI 32, PTI 101
  EXPECT_EQ(cell[4], 0xEB);                                         // as docs/non-ip-framing.md shows it
  EXPECT_EQ(Buf(cell.begin() + 5, cell.end()), kRequest);
  Buf small(52);
  EXPECT_EQ(build_loopback_cell(kF5e2e, HeaderFormat::uni, lb, small).error().code, Errc::truncated);
}

TEST(OamLoopback, DecodeRejectsOtherCells) {
  Buf ais = kRequest;
  ais[0] = 0x10;  // fault management, AIS
  EXPECT_EQ(decode_loopback(ais).error().code, Errc::unsupported);
  EXPECT_EQ(decode_loopback(Bytes(kRequest).first(40)).error().code, Errc::truncated);
}

TEST(OamResponder, AnswersAnF5EndToEndRequest) {
  OamResponder r;
  Buf reply(53, 0xEE);
  auto out = r.on_cell(kF5e2e, kRequest, reply);
  ASSERT_EQ(out.event, OamEvent::reply_ready);
  EXPECT_EQ(out.loopback.correlation_tag, 0x12345678u);
  // Same flow: VPI 1, VCI 32, PTI 101; then the reply payload, byte for byte.
  EXPECT_EQ(Buf(reply.begin(), reply.begin() + 4), hex("0010020a"));
  EXPECT_EQ(reply[4], hec(reply));
  EXPECT_EQ(Buf(reply.begin() + 5, reply.end()), kReply);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_rx_cells], 1u);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_loopback_answered], 1u);
}

TEST(OamResponder, AnswersSegmentAndF4Flows) {
  OamResponder r;
  Buf reply(53);
  const CellHeader seg{0, 1, 32, kPtiOamF5Segment, true};
  ASSERT_EQ(r.on_cell(seg, kRequest, reply).event, OamEvent::reply_ready);
  auto h = decode_header(Bytes(reply).first(5), HeaderFormat::uni);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->pti, kPtiOamF5Segment);
  EXPECT_FALSE(h->clp);
  const CellHeader f4{0, 7, kVciOamF4EndToEnd, 0, false};
  ASSERT_EQ(r.on_cell(f4, kRequest, reply).event, OamEvent::reply_ready);
  h = decode_header(Bytes(reply).first(5), HeaderFormat::uni);
  EXPECT_EQ(h->vpi, 7);
  EXPECT_EQ(h->vci, kVciOamF4EndToEnd);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_loopback_answered], 2u);
}

TEST(OamResponder, RepliesAndDropsAreCounted) {
  OamResponder r;
  Buf reply(53, 0xEE);
  auto out = r.on_cell(kF5e2e, kReply, reply);
  EXPECT_EQ(out.event, OamEvent::loopback_reply);
  EXPECT_EQ(out.loopback.correlation_tag, 0x12345678u);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_loopback_reply_rx], 1u);

  Buf bad = kRequest;
  bad[3] ^= 0x40;
  EXPECT_EQ(r.on_cell(kF5e2e, bad, reply).event, OamEvent::none);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_rx_bad_crc], 1u);

  Buf ais = kRequest;
  ais[0] = 0x10;
  store_be16(ais.data() + 46, oam_crc10(ais));
  EXPECT_EQ(r.on_cell(kF5e2e, ais, reply).event, OamEvent::none);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_rx_unhandled], 1u);

  // Not an OAM cell at all.
  EXPECT_EQ(r.on_cell({0, 1, 32, 0, false}, kRequest, reply).event, OamEvent::none);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_rx_unhandled], 2u);

  // No room for the reply.
  Buf small(52);
  EXPECT_EQ(r.on_cell(kF5e2e, kRequest, small).event, OamEvent::none);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_rx_unhandled], 3u);

  EXPECT_EQ(r.counters()[Ctr::atm_oam_loopback_answered], 0u);
  EXPECT_EQ(r.counters()[Ctr::atm_oam_rx_cells], 5u);
  EXPECT_TRUE(std::all_of(reply.begin(), reply.end(), [](std::uint8_t b) { return b == 0xEE; }));
}

TEST(OamResponder, LocationIdDecidesWhoAnswers) {
  OamId ours{};
  ours.fill(0);
  ours[15] = 0x2A;
  OamId other = ours;
  other[15] = 0x2B;
  Loopback lb;
  lb.correlation_tag = 7;
  std::array<std::uint8_t, 48> p{};
  Buf reply(53);

  lb.location_id = other;
  encode_loopback(lb, p);
  OamResponder anonymous;
  EXPECT_EQ(anonymous.on_cell(kF5e2e, p, reply).event, OamEvent::none);
  EXPECT_EQ(anonymous.counters()[Ctr::atm_oam_loopback_not_for_us], 1u);

  OamResponder named({HeaderFormat::uni, ours});
  EXPECT_EQ(named.on_cell(kF5e2e, p, reply).event, OamEvent::none);
  lb.location_id = ours;
  encode_loopback(lb, p);
  ASSERT_EQ(named.on_cell(kF5e2e, p, reply).event, OamEvent::reply_ready);
  auto back = decode_loopback(Bytes(reply).subspan(5));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->request);
  EXPECT_EQ(back->location_id, ours);
  EXPECT_TRUE(oam_crc10_ok(Bytes(reply).subspan(5)));
}

TEST(OamResponder, ReplyClearsReservedBits) {
  // Reserved bits set in the indication octet and in front of the CRC: the
  // request is still a request (LSB), the reply has them 0 and a good CRC.
  Buf req = kRequest;
  req[1] = 0x31;
  req[46] |= 0xFC;
  // Recompute the CRC over the 374 bits including the reserved ones.
  unsigned r = crc10_update(0, Bytes(req).first(46));
  for (int i = 0; i < 6; ++i) {
    const unsigned bit = (req[46] >> (7 - i)) & 1;
    const unsigned top = (r >> 9) & 1;
    r = (r << 1) & 0x3FF;
    if (top ^ bit) r ^= kCrc10Poly;
  }
  req[46] = static_cast<std::uint8_t>(0xFC | (r >> 8));
  req[47] = static_cast<std::uint8_t>(r);
  ASSERT_TRUE(oam_crc10_ok(req));
  OamResponder resp;
  Buf reply(53);
  ASSERT_EQ(resp.on_cell(kF5e2e, req, reply).event, OamEvent::reply_ready);
  EXPECT_EQ(reply[5 + 1], 0x30);
  EXPECT_EQ(reply[5 + 46] & 0xFC, 0);
  EXPECT_TRUE(oam_crc10_ok(Bytes(reply).subspan(5)));
}

}  // namespace
}  // namespace l2sec::transports::atm
