// The UDP medium on real loopback sockets (IPv4 and IPv6).
#include "media/udp_medium.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <vector>

namespace l2sec::media {
namespace {

Endpoint lo4(std::uint16_t port) { return Endpoint::v4({127, 0, 0, 1}, port); }
Endpoint lo6(std::uint16_t port) {
  std::array<std::uint8_t, 16> a{};
  a[15] = 1;
  return Endpoint::v6(a, port);
}

struct Received {
  Endpoint from;
  std::vector<std::uint8_t> bytes;
};

// Sends one datagram from a to b and runs the loop until it arrives.
std::vector<Received> exchange(const Endpoint& la, const Endpoint& lb, const Endpoint& to_b_as) {
  boost::asio::io_context io;
  auto a = UdpMedium::open(io, la);
  auto b = UdpMedium::open(io, lb);
  EXPECT_TRUE(a.ok()) << UdpMedium::os_error();
  EXPECT_TRUE(b.ok()) << UdpMedium::os_error();
  if (!a.ok() || !b.ok()) return {};
  std::vector<Received> got;
  (*b)->start([&](const Endpoint& from, PacketBuf&& p) {
    got.push_back({from, {p.data(), p.data() + p.size()}});
    EXPECT_GE(p.headroom(), PacketBuf::kDefaultHeadroom);
    io.stop();
  });
  (*a)->start([](const Endpoint&, PacketBuf&&) {});
  Endpoint dest = to_b_as;
  dest.port = (*b)->local_endpoint().port;
  const std::uint8_t msg[] = {0xC8, 0x02, 0x00, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0};
  (*a)->send(dest, PacketBuf::copy_of(msg));
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ((*a)->counters().get(Ctr::media_tx_datagrams), 1u);
  EXPECT_EQ((*a)->counters().get(Ctr::media_tx_errors), 0u);
  if (!got.empty()) {
    EXPECT_EQ(got[0].from.port, (*a)->local_endpoint().port);
  }
  return got;
}

TEST(UdpMedium, CarriesADatagramOverIpv4Loopback) {
  auto got = exchange(lo4(0), lo4(0), lo4(0));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from.kind, Endpoint::Kind::ipv4);
  EXPECT_EQ(got[0].bytes.size(), 12u);
  EXPECT_EQ(got[0].bytes[0], 0xC8);
}

TEST(UdpMedium, CarriesADatagramOverIpv6Loopback) {
  auto got = exchange(lo6(0), lo6(0), lo6(0));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from.kind, Endpoint::Kind::ipv6);
  EXPECT_EQ(got[0].from.addr[15], 1);
}

TEST(UdpMedium, DualStackSocketReachesIpv4PeersAndReportsThemAsIpv4) {
  Endpoint any6 = Endpoint::v6({}, 0);  // [::]:0, dual-stack
  auto got = exchange(any6, lo4(0), lo4(0));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from.kind, Endpoint::Kind::ipv4);
}

TEST(UdpMedium, Ipv4SocketCountsAnIpv6DestinationAsATxError) {
  boost::asio::io_context io;
  auto a = UdpMedium::open(io, lo4(0));
  ASSERT_TRUE(a.ok());
  const std::uint8_t msg[] = {1, 2, 3};
  (*a)->send(lo6(1701), PacketBuf::copy_of(msg));
  (*a)->send(Endpoint::of_circuit(7), PacketBuf::copy_of(msg));
  EXPECT_EQ((*a)->counters().get(Ctr::media_tx_errors), 2u);
  EXPECT_EQ((*a)->counters().get(Ctr::media_tx_datagrams), 0u);
}

TEST(UdpMedium, BindFailureSaysWhy) {
  boost::asio::io_context io;
  auto a = UdpMedium::open(io, lo4(0));
  ASSERT_TRUE(a.ok());
  Endpoint taken = (*a)->local_endpoint();
  // A second bind of the same port is allowed by SO_REUSEADDR for UDP only
  // when both set it; bind to an address this host does not have instead.
  auto bad = UdpMedium::open(io, Endpoint::v4({192, 0, 2, 1}, taken.port));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::io);
  EXPECT_NE(UdpMedium::os_error().find("192.0.2.1"), std::string::npos);
}

TEST(UdpMedium, ConvertsEndpoints) {
  Endpoint e = Endpoint::v4({10, 1, 2, 3}, 1701);
  EXPECT_EQ(from_asio(to_asio(e, false)), e);
  EXPECT_EQ(from_asio(to_asio(e, true)), e);  // v4-mapped comes back as IPv4
  Endpoint six = lo6(1701);
  EXPECT_EQ(from_asio(to_asio(six, true)), six);
}

}  // namespace
}  // namespace l2sec::media
