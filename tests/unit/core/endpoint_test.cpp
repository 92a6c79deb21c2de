// Endpoint: text form (RFC 5952 for IPv6), equality, hashing, same_host.
#include "core/endpoint.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <unordered_set>

namespace l2sec {
namespace {

std::array<std::uint8_t, 16> v6(std::initializer_list<std::uint16_t> groups) {
  std::array<std::uint8_t, 16> a{};
  std::size_t i = 0;
  for (auto g : groups) {
    a[i++] = static_cast<std::uint8_t>(g >> 8);
    a[i++] = static_cast<std::uint8_t>(g);
  }
  return a;
}

TEST(Endpoint, ToStringIpv4) {
  EXPECT_EQ(Endpoint::v4({192, 0, 2, 1}, 1701).to_string(), "192.0.2.1:1701");
  EXPECT_EQ(Endpoint::v4({0, 0, 0, 0}, 0).to_string(), "0.0.0.0:0");
  EXPECT_EQ(Endpoint::v4({255, 255, 255, 255}, 65535).to_string(), "255.255.255.255:65535");
}

TEST(Endpoint, ToStringIpv6FollowsRfc5952) {
  EXPECT_EQ(Endpoint::v6(v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), 1701).to_string(), "[2001:db8::1]:1701");
  EXPECT_EQ(Endpoint::v6(v6({0, 0, 0, 0, 0, 0, 0, 1}), 500).to_string(), "[::1]:500");
  EXPECT_EQ(Endpoint::v6(v6({}), 0).to_string(), "[::]:0");
  EXPECT_EQ(Endpoint::v6(v6({0xfe80, 0, 0, 0, 0, 0, 0, 0}), 1).to_string(), "[fe80::]:1");
  // Lower case, no leading zeros.
  EXPECT_EQ(Endpoint::v6(v6({0x2001, 0xDB8, 0xABCD, 0x12, 0x1, 0x2, 0x3, 0xFFFF}), 4500).to_string(),
            "[2001:db8:abcd:12:1:2:3:ffff]:4500");
  // §4.2.2: a single zero group is not shortened.
  EXPECT_EQ(Endpoint::v6(v6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}), 9).to_string(), "[2001:db8:0:1:1:1:1:1]:9");
  // §4.2.3: the longest run; the first one on a tie.
  EXPECT_EQ(Endpoint::v6(v6({0x2001, 0, 0, 1, 0, 0, 0, 1}), 9).to_string(), "[2001:0:0:1::1]:9");
  EXPECT_EQ(Endpoint::v6(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), 9).to_string(), "[2001:db8::1:0:0:1]:9");
}

TEST(Endpoint, ToStringCircuitAndNone) {
  EXPECT_EQ(Endpoint::of_circuit(7).to_string(), "circuit 7");
  EXPECT_EQ(Endpoint::of_circuit(4294967295u).to_string(), "circuit 4294967295");
  EXPECT_EQ(Endpoint{}.to_string(), "none");
}

TEST(Endpoint, Constructors) {
  const Endpoint a = Endpoint::v4({10, 1, 2, 3}, 1701);
  EXPECT_EQ(a.kind, Endpoint::Kind::ipv4);
  EXPECT_EQ(a.addr[0], 10);
  EXPECT_EQ(a.addr[3], 3);
  EXPECT_EQ(a.addr[4], 0);  // rest of the array stays zero
  EXPECT_TRUE(a.is_ip());
  const Endpoint c = Endpoint::of_circuit(16);
  EXPECT_EQ(c.kind, Endpoint::Kind::circuit);
  EXPECT_EQ(c.circuit, 16u);
  EXPECT_FALSE(c.is_ip());
  EXPECT_TRUE(Endpoint::v6(v6({1}), 1).is_ip());
  EXPECT_FALSE(Endpoint{}.is_ip());
}

TEST(Endpoint, EqualityAndHash) {
  const Endpoint a = Endpoint::v4({192, 0, 2, 1}, 1701);
  const Endpoint a2 = Endpoint::v4({192, 0, 2, 1}, 1701);
  const Endpoint other_port = Endpoint::v4({192, 0, 2, 1}, 1702);
  const Endpoint other_addr = Endpoint::v4({192, 0, 2, 2}, 1701);
  // Same 16 octets and port, but IPv6: a different endpoint.
  Endpoint as_v6 = a;
  as_v6.kind = Endpoint::Kind::ipv6;
  const Endpoint c7 = Endpoint::of_circuit(7), c8 = Endpoint::of_circuit(8);

  EXPECT_EQ(a, a2);
  EXPECT_NE(a, other_port);
  EXPECT_NE(a, other_addr);
  EXPECT_NE(a, as_v6);
  EXPECT_NE(c7, c8);
  EXPECT_EQ(c7, Endpoint::of_circuit(7));

  EndpointHash h;
  EXPECT_EQ(h(a), h(a2));
  EXPECT_EQ(h(c7), h(Endpoint::of_circuit(7)));
  // Distinct endpoints spread (FNV-1a over every field).
  std::unordered_set<std::size_t> seen = {h(a), h(other_port), h(other_addr), h(as_v6), h(c7), h(c8)};
  EXPECT_EQ(seen.size(), 6u);

  std::unordered_set<Endpoint, EndpointHash> set = {a, a2, other_port, c7, Endpoint::of_circuit(7)};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(set.count(Endpoint::v4({192, 0, 2, 1}, 1701)), 1u);
  EXPECT_EQ(set.count(c8), 0u);
}

TEST(Endpoint, SameHostIgnoresOnlyThePort) {
  const Endpoint a = Endpoint::v4({192, 0, 2, 1}, 1701);
  EXPECT_TRUE(a.same_host(Endpoint::v4({192, 0, 2, 1}, 40000)));  // §8.1: the peer may change port
  EXPECT_FALSE(a.same_host(Endpoint::v4({192, 0, 2, 9}, 1701)));
  Endpoint as_v6 = a;
  as_v6.kind = Endpoint::Kind::ipv6;
  EXPECT_FALSE(a.same_host(as_v6));
  const auto addr6 = v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1});
  EXPECT_TRUE(Endpoint::v6(addr6, 1).same_host(Endpoint::v6(addr6, 2)));
  EXPECT_TRUE(Endpoint::of_circuit(3).same_host(Endpoint::of_circuit(3)));
  EXPECT_FALSE(Endpoint::of_circuit(3).same_host(Endpoint::of_circuit(4)));
  EXPECT_FALSE(Endpoint::of_circuit(0).same_host(Endpoint{}));
}

}  // namespace
}  // namespace l2sec
