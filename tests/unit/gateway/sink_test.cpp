#include "gateway/sink.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace l2sec::gateway {
namespace {

std::vector<std::uint8_t> vec(const PacketBuf& p) { return {p.data(), p.data() + p.size()}; }

TEST(LcpSink, ParsesEchoRequestWithAddressControl) {
  // FF 03 | C0 21 | code 9 id 0x42 len 8 | magic 01020304
  const std::uint8_t f[] = {0xFF, 0x03, 0xC0, 0x21, 0x09, 0x42, 0x00, 0x08, 1, 2, 3, 4};
  auto p = parse_lcp(f);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->has_address_control);
  EXPECT_EQ(p->code, kLcpEchoRequest);
  EXPECT_EQ(p->identifier, 0x42);
  ASSERT_EQ(p->data.size(), 4u);
  EXPECT_EQ(p->data[3], 4);
}

TEST(LcpSink, ParsesWithoutAddressControlAndIgnoresTrailingPadding) {
  const std::uint8_t f[] = {0xC0, 0x21, 0x0A, 0x07, 0x00, 0x08, 0, 0, 0, 0, 0xEE, 0xEE};
  auto p = parse_lcp(f);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_address_control);
  EXPECT_EQ(p->code, kLcpEchoReply);
  EXPECT_EQ(p->data.size(), 4u);  // Length-bounded: the padding is not data
}

TEST(LcpSink, RejectsOtherProtocolsAndBadLengths) {
  const std::uint8_t ipcp[] = {0xFF, 0x03, 0x80, 0x21, 0x01, 0x01, 0x00, 0x04};
  EXPECT_FALSE(parse_lcp(ipcp));
  const std::uint8_t too_long[] = {0xC0, 0x21, 0x09, 0x01, 0x00, 0x09, 0, 0, 0, 0};
  EXPECT_FALSE(parse_lcp(too_long));
  const std::uint8_t too_short[] = {0xC0, 0x21, 0x09, 0x01, 0x00, 0x03};
  EXPECT_FALSE(parse_lcp(too_short));
  const std::uint8_t truncated[] = {0xC0, 0x21, 0x09};
  EXPECT_FALSE(parse_lcp(truncated));
  EXPECT_FALSE(parse_lcp({}));
}

TEST(LcpSink, BuildsReplyEchoingDataWithZeroMagic) {
  const std::uint8_t req_data[] = {0xDE, 0xAD, 0xBE, 0xEF, 'h', 'i'};
  PacketBuf b = build_lcp_echo(kLcpEchoReply, 0x42, true, req_data);
  const std::vector<std::uint8_t> want = {0xFF, 0x03, 0xC0, 0x21, 0x0A, 0x42, 0x00, 0x0A, 0, 0, 0, 0, 'h', 'i'};
  EXPECT_EQ(vec(b), want);
  EXPECT_GE(b.headroom(), PacketBuf::kDefaultHeadroom);  // room for L2TP and below
  auto again = parse_lcp(b.bytes());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->code, kLcpEchoReply);
}

TEST(LcpSink, BuildsBareRequest) {
  PacketBuf b = build_lcp_echo(kLcpEchoRequest, 1, false, {});
  const std::vector<std::uint8_t> want = {0xC0, 0x21, 0x09, 0x01, 0x00, 0x08, 0, 0, 0, 0};
  EXPECT_EQ(vec(b), want);
}

}  // namespace
}  // namespace l2sec::gateway
