// The SPD (src/esp/spd.hpp): selector matching (Any-Addr / Any-Port, IPv4
// never matching IPv6, circuits), text forms, priority order and its
// stability, removal, ids, and the flow cache: for randomized filter sets
// and flows, with adds and removes in between, lookup() must give what a
// plain linear scan written here gives, on the first (uncached) and the
// second (cached) lookup of each flow.
#include "esp/spd.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace l2sec::esp {
namespace {

const Endpoint kA = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kB = Endpoint::v4({198, 51, 100, 7}, 1701);
const std::array<std::uint8_t, 16> kV6Addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

Endpoint v4(std::array<std::uint8_t, 4> a, std::uint16_t port) { return Endpoint::v4(a, port); }

Filter filter(Direction dir, HostSelector local, HostSelector remote, int priority = 0,
              Action action = Action::protect, std::string label = {}) {
  Filter f;
  f.dir = dir;
  f.sel = TrafficSelector{std::move(local), std::move(remote)};
  f.action = action;
  f.priority = priority;
  f.label = std::move(label);
  return f;
}

HostSelector any_at(std::uint16_t port) {
  HostSelector s;
  s.port = port;
  return s;
}

// ---- HostSelector ----

TEST(HostSelector, AnyAddrAnyPortMatchesEverything) {
  const HostSelector any = HostSelector::any();
  EXPECT_TRUE(any.matches(kA));
  EXPECT_TRUE(any.matches(v4({10, 0, 0, 5}, 33000)));
  EXPECT_TRUE(any.matches(Endpoint::v6(kV6Addr, 1)));
  EXPECT_TRUE(any.matches(Endpoint::of_circuit(7)));
  EXPECT_TRUE(any.matches(Endpoint{}));
}

TEST(HostSelector, AnyAddrWithPortMatchesThatPortOnIpOnly) {
  const HostSelector s = any_at(1701);
  EXPECT_TRUE(s.matches(kA));
  EXPECT_TRUE(s.matches(Endpoint::v6(kV6Addr, 1701)));
  EXPECT_FALSE(s.matches(v4({192, 0, 2, 1}, 1702)));
  EXPECT_FALSE(s.matches(v4({192, 0, 2, 1}, 0)));
  EXPECT_FALSE(s.matches(Endpoint::of_circuit(1701)));  // a circuit has no port
  EXPECT_FALSE(s.matches(Endpoint{}));
}

TEST(HostSelector, HostAnyPortMatchesEveryPortOfThatAddress) {
  const HostSelector s = HostSelector::of(kA, 0);
  EXPECT_TRUE(s.matches(v4({192, 0, 2, 1}, 1)));
  EXPECT_TRUE(s.matches(v4({192, 0, 2, 1}, 65535)));
  EXPECT_FALSE(s.matches(v4({192, 0, 2, 2}, 1701)));
  EXPECT_FALSE(s.matches(v4({193, 0, 2, 1}, 1701)));
}

TEST(HostSelector, HostAndPortMatchOnlyBoth) {
  const HostSelector s = HostSelector::of(kA, 1701);
  EXPECT_TRUE(s.matches(kA));
  EXPECT_FALSE(s.matches(v4({192, 0, 2, 1}, 1702)));
  EXPECT_FALSE(s.matches(kB));
}

TEST(HostSelector, HostPortIsIgnoredInFavourOfSelectorPort) {
  const Endpoint host_with_port = v4({192, 0, 2, 1}, 4321);
  const HostSelector s = HostSelector::of(host_with_port, 1701);
  EXPECT_EQ(s, HostSelector::of(v4({192, 0, 2, 1}, 0), 1701));
  EXPECT_TRUE(s.matches(v4({192, 0, 2, 1}, 1701)));
  EXPECT_FALSE(s.matches(host_with_port));
  EXPECT_TRUE(HostSelector::of(host_with_port, 0).matches(v4({192, 0, 2, 1}, 9)));
}

TEST(HostSelector, Ipv4AndIpv6NeverMatchEachOther) {
  // An IPv6 address whose first four octets are 192.0.2.1 (c000:201::), and
  // the IPv4-mapped ::ffff:192.0.2.1.
  std::array<std::uint8_t, 16> prefix{};
  prefix[0] = 192, prefix[1] = 0, prefix[2] = 2, prefix[3] = 1;
  std::array<std::uint8_t, 16> mapped{};
  mapped[10] = 0xff, mapped[11] = 0xff, mapped[12] = 192, mapped[13] = 0, mapped[14] = 2, mapped[15] = 1;
  for (std::uint16_t port : {std::uint16_t{0}, std::uint16_t{1701}}) {
    const HostSelector s4 = HostSelector::of(kA, port);
    EXPECT_FALSE(s4.matches(Endpoint::v6(prefix, 1701)));
    EXPECT_FALSE(s4.matches(Endpoint::v6(mapped, 1701)));
    const HostSelector s6 = HostSelector::of(Endpoint::v6(prefix, 0), port);
    EXPECT_TRUE(s6.matches(Endpoint::v6(prefix, 1701)));
    EXPECT_FALSE(s6.matches(kA));
    EXPECT_FALSE(HostSelector::of(Endpoint::v6(mapped, 0), port).matches(kA));
  }
}

TEST(HostSelector, Ipv6ComparesAllSixteenOctets) {
  std::array<std::uint8_t, 16> other = kV6Addr;
  other[15] = 2;
  const HostSelector s = HostSelector::of(Endpoint::v6(kV6Addr, 0), 1701);
  EXPECT_TRUE(s.matches(Endpoint::v6(kV6Addr, 1701)));
  EXPECT_FALSE(s.matches(Endpoint::v6(other, 1701)));
}

TEST(HostSelector, Circuits) {
  const HostSelector c7 = HostSelector::of_circuit(7);
  EXPECT_TRUE(c7.matches(Endpoint::of_circuit(7)));
  EXPECT_FALSE(c7.matches(Endpoint::of_circuit(8)));
  EXPECT_FALSE(c7.matches(v4({0, 0, 0, 7}, 0)));
  EXPECT_FALSE(c7.matches(Endpoint{}));
  EXPECT_FALSE(HostSelector::of(v4({0, 0, 0, 0}, 0), 0).matches(Endpoint::of_circuit(0)));
  EXPECT_TRUE(HostSelector::of_circuit(0).matches(Endpoint::of_circuit(0)));
}

TEST(HostSelector, ToString) {
  EXPECT_EQ(HostSelector::of(kA, 1701).to_string(), "192.0.2.1:1701");
  EXPECT_EQ(HostSelector::of(kA, 0).to_string(), "192.0.2.1:Any-Port");
  EXPECT_EQ(HostSelector::any().to_string(), "Any-Addr:Any-Port");
  EXPECT_EQ(any_at(1701).to_string(), "Any-Addr:1701");
  EXPECT_EQ(HostSelector::of(Endpoint::v6(kV6Addr, 99), 0).to_string(), "[2001:db8::1]:Any-Port");
  EXPECT_EQ(HostSelector::of(Endpoint::v6(kV6Addr, 99), 5000).to_string(), "[2001:db8::1]:5000");
  EXPECT_EQ(HostSelector::of_circuit(7).to_string(), "circuit 7");
}

TEST(TrafficSelector, MatchesBothSidesAndPrints) {
  const TrafficSelector ts{HostSelector::of(kA, 1701), HostSelector::any()};
  EXPECT_EQ(ts.to_string(), "local 192.0.2.1:1701 <-> remote Any-Addr:Any-Port");
  EXPECT_TRUE(ts.matches(kA, v4({10, 0, 0, 5}, 33000)));
  EXPECT_FALSE(ts.matches(v4({10, 0, 0, 5}, 33000), kA));  // sides are not interchangeable
  const TrafficSelector circuit{HostSelector::any(), HostSelector::of_circuit(3)};
  EXPECT_EQ(circuit.to_string(), "local Any-Addr:Any-Port <-> remote circuit 3");
  EXPECT_TRUE(circuit.matches(Endpoint::of_circuit(3), Endpoint::of_circuit(3)));
  EXPECT_FALSE(circuit.matches(Endpoint::of_circuit(3), Endpoint::of_circuit(4)));
}

TEST(Spd, Names) {
  EXPECT_EQ(direction_name(Direction::outbound), "outbound");
  EXPECT_EQ(direction_name(Direction::inbound), "inbound");
  EXPECT_EQ(action_name(Action::protect), "protect");
  EXPECT_EQ(action_name(Action::bypass), "bypass");
  EXPECT_EQ(action_name(Action::discard), "discard");
}

// ---- Spd ----

TEST(Spd, EmptyFindsNothing) {
  Spd spd;
  EXPECT_EQ(spd.lookup(Direction::outbound, kA, kB), nullptr);
  EXPECT_EQ(spd.lookup_id(Direction::inbound, kA, kB), 0u);
  EXPECT_FALSE(spd.has_protect());
  EXPECT_EQ(spd.size(), 0u);
}

TEST(Spd, EntriesInPriorityOrderStableForEqualPriority) {
  Spd spd;
  const FilterId a = spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), 50));
  const FilterId b = spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), 10));
  const FilterId c = spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), 30));
  const FilterId d = spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), 10));
  const FilterId e = spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), -5));
  std::vector<FilterId> order;
  for (const auto& en : spd.entries()) order.push_back(en.id);
  EXPECT_EQ(order, (std::vector<FilterId>{e, b, d, c, a}));
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), e);
  EXPECT_EQ(std::set<FilterId>({a, b, c, d, e}).size(), 5u);
  EXPECT_EQ(a, 1u);  // never 0
}

TEST(Spd, FirstMatchByPriorityThenInsertionOrder) {
  Spd spd;
  // Same priority, both match: the first added wins.
  const FilterId first =
      spd.add(filter(Direction::inbound, any_at(1701), HostSelector::any(), 5, Action::protect, "first"));
  const FilterId second = spd.add(
      filter(Direction::inbound, HostSelector::of(kA, 0), HostSelector::any(), 5, Action::bypass, "second"));
  const Filter* f = spd.lookup(Direction::inbound, kA, kB);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->label, "first");
  EXPECT_EQ(spd.lookup_id(Direction::inbound, kA, kB), first);
  // A flow only the second covers.
  EXPECT_EQ(spd.lookup_id(Direction::inbound, v4({192, 0, 2, 1}, 9), kB), second);
  // Outbound has no filter at all.
  EXPECT_EQ(spd.lookup(Direction::outbound, kA, kB), nullptr);
  // The pointer is the entry's own filter.
  EXPECT_EQ(f, &spd.entries()[0].filter);
}

TEST(Spd, DirectionsAreSeparate) {
  Spd spd;
  const FilterId out =
      spd.add(filter(Direction::outbound, HostSelector::of(kA, 1701), HostSelector::any(), 1));
  const FilterId in = spd.add(filter(Direction::inbound, HostSelector::of(kA, 1701), HostSelector::any(), 2));
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), out);
  EXPECT_EQ(spd.lookup_id(Direction::inbound, kA, kB), in);
}

TEST(Spd, CircuitSelectors) {
  Spd spd;
  const FilterId c7 = spd.add(
      filter(Direction::outbound, HostSelector::any(), HostSelector::of_circuit(7), 1, Action::protect));
  const FilterId ip =
      spd.add(filter(Direction::outbound, HostSelector::any(), any_at(1701), 2, Action::bypass));
  EXPECT_EQ(spd.lookup_id(Direction::outbound, Endpoint::of_circuit(7), Endpoint::of_circuit(7)), c7);
  EXPECT_EQ(spd.lookup_id(Direction::outbound, Endpoint{}, Endpoint::of_circuit(7)), c7);
  EXPECT_EQ(spd.lookup_id(Direction::outbound, Endpoint::of_circuit(8), Endpoint::of_circuit(8)), 0u);
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), ip);
}

TEST(Spd, RemoveAndClear) {
  Spd spd;
  const FilterId a =
      spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), 1, Action::protect, "a"));
  const FilterId b =
      spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), 2, Action::discard, "b"));
  EXPECT_TRUE(spd.has_protect());
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), a);
  EXPECT_TRUE(spd.remove(a));
  EXPECT_FALSE(spd.remove(a));
  EXPECT_FALSE(spd.remove(0));
  EXPECT_FALSE(spd.remove(12345));
  EXPECT_FALSE(spd.has_protect());
  EXPECT_EQ(spd.size(), 1u);
  ASSERT_NE(spd.lookup(Direction::outbound, kA, kB), nullptr);
  EXPECT_EQ(spd.lookup(Direction::outbound, kA, kB)->label, "b");
  spd.clear();
  EXPECT_EQ(spd.size(), 0u);
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), 0u);
  // Ids are never reused, not even after clear().
  const FilterId c = spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any()));
  EXPECT_GT(c, b);
  EXPECT_NE(c, a);
}

TEST(Spd, CacheIsEmptiedByAddAndRemove) {
  Spd spd;
  const FilterId low = spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), 100));
  // Warm the cache for the flow and for a flow with no filter.
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), low);
  EXPECT_EQ(spd.lookup_id(Direction::inbound, kA, kB), 0u);
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), low);

  // A better filter added later takes over at once.
  const FilterId high =
      spd.add(filter(Direction::outbound, HostSelector::of(kA, 1701), HostSelector::of(kB, 0), 1));
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), high);
  // A filter for the flow that had none.
  const FilterId in = spd.add(filter(Direction::inbound, HostSelector::any(), HostSelector::any(), 1000));
  EXPECT_EQ(spd.lookup_id(Direction::inbound, kA, kB), in);
  // A worse filter does not.
  spd.add(filter(Direction::outbound, HostSelector::any(), HostSelector::any(), 500));
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), high);
  // Removing the winner falls back.
  EXPECT_TRUE(spd.remove(high));
  EXPECT_EQ(spd.lookup_id(Direction::outbound, kA, kB), low);
  EXPECT_TRUE(spd.remove(in));
  EXPECT_EQ(spd.lookup_id(Direction::inbound, kA, kB), 0u);
  spd.clear();
  EXPECT_EQ(spd.lookup(Direction::outbound, kA, kB), nullptr);
}

TEST(Spd, ManyMoreFlowsThanTheCacheHoldsStayCorrect) {
  Spd spd;
  // Peers 10.0.x.y with even y are protected; odd y fall to the bypass.
  for (int x = 0; x < 4; ++x)
    for (int y = 0; y < 256; y += 2)
      spd.add(filter(
          Direction::inbound, HostSelector::any(),
          HostSelector::of(v4({10, 0, static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(y)}, 0), 0), 1,
          Action::protect));
  spd.add(filter(Direction::inbound, HostSelector::any(), HostSelector::any(), 2, Action::bypass));
  std::size_t protect = 0, bypass = 0;
  for (int round = 0; round < 2; ++round) {
    for (std::uint32_t port = 1; port <= 20; ++port) {
      for (int x = 0; x < 4; ++x) {
        for (int y = 0; y < 256; ++y) {
          const Endpoint remote = v4({10, 0, static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(y)},
                                     static_cast<std::uint16_t>(port));
          const Filter* f = spd.lookup(Direction::inbound, kA, remote);
          ASSERT_NE(f, nullptr);
          const Action want = y % 2 == 0 ? Action::protect : Action::bypass;
          ASSERT_EQ(f->action, want) << remote.to_string();
          (want == Action::protect ? protect : bypass)++;
        }
      }
    }
  }
  // Each round looks up 20 * 1024 = 20480 distinct flows: more than the cache keeps.
  EXPECT_EQ(protect, 2u * 20 * 4 * 128);
  EXPECT_EQ(bypass, protect);
}

// ---- Property: the cached lookup equals a plain linear scan ----

// The reference semantics, written independently of spd.cpp.
bool ref_host(const HostSelector& s, const Endpoint& e) {
  if (s.host) {
    if (s.host->kind != e.kind) return false;
    if (e.kind == Endpoint::Kind::circuit) return s.host->circuit == e.circuit;
    if (e.kind == Endpoint::Kind::none) return false;
    if (s.host->addr != e.addr) return false;  // the test's endpoints have zero tails
  }
  if (s.port == 0) return true;
  return e.is_ip() && e.port == s.port;
}

struct RefEntry {
  FilterId id;
  Filter f;
};

FilterId ref_lookup(const std::vector<RefEntry>& added, Direction dir, const Endpoint& l, const Endpoint& r) {
  std::vector<RefEntry> sorted = added;  // in insertion order
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const RefEntry& a, const RefEntry& b) { return a.f.priority < b.f.priority; });
  for (const auto& e : sorted)
    if (e.f.dir == dir && ref_host(e.f.sel.local, l) && ref_host(e.f.sel.remote, r)) return e.id;
  return 0;
}

class Universe {
 public:
  explicit Universe(std::uint32_t seed) : rng_(seed) {}

  Endpoint host() {
    switch (pick(7)) {
      case 0:
        return Endpoint::v4({192, 0, 2, 1}, 0);
      case 1:
        return Endpoint::v4({192, 0, 2, 2}, 0);
      case 2:
        return Endpoint::v4({10, 0, 0, 5}, 0);
      case 3:
        return Endpoint::v6(kV6Addr, 0);
      case 4: {
        // Same first four octets as 192.0.2.1: must never match it.
        std::array<std::uint8_t, 16> a{192, 0, 2, 1};
        return Endpoint::v6(a, 0);
      }
      case 5:
        return Endpoint::of_circuit(7);
      default:
        return Endpoint::of_circuit(8);
    }
  }
  std::uint16_t port() {
    static constexpr std::uint16_t kPorts[] = {1701, 5000, 6000, 33000};
    return kPorts[pick(4)];
  }
  HostSelector selector() {
    const std::uint16_t p = pick(3) == 0 ? 0 : port();
    if (pick(3) == 0) return any_at(p);
    Endpoint h = host();
    if (h.kind == Endpoint::Kind::circuit) return HostSelector::of_circuit(h.circuit);
    return HostSelector::of(h, p);
  }
  Endpoint endpoint() {
    Endpoint h = host();
    if (h.is_ip()) h.port = port();
    return h;
  }
  Filter make_filter() {
    return filter(pick(2) == 0 ? Direction::outbound : Direction::inbound, selector(), selector(),
                  static_cast<int>(pick(6)), static_cast<Action>(pick(3)));
  }
  std::uint32_t pick(std::uint32_t n) { return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_); }

 private:
  std::mt19937 rng_;
};

TEST(Spd, CachedLookupEqualsLinearScanForRandomSets) {
  std::size_t matched = 0, unmatched = 0, mutations = 0;
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Universe u(seed);
    Spd spd;
    std::vector<RefEntry> ref;
    const std::uint32_t n = u.pick(30);
    for (std::uint32_t i = 0; i < n; ++i) {
      Filter f = u.make_filter();
      ref.push_back({spd.add(f), f});
    }
    for (int step = 0; step < 60; ++step) {
      // Now and then the set changes under the warmed cache.
      if (u.pick(6) == 0) {
        ++mutations;
        if (!ref.empty() && u.pick(2) == 0) {
          const std::size_t k = u.pick(static_cast<std::uint32_t>(ref.size()));
          ASSERT_TRUE(spd.remove(ref[k].id));
          ref.erase(ref.begin() + static_cast<std::ptrdiff_t>(k));
        } else {
          Filter f = u.make_filter();
          ref.push_back({spd.add(f), f});
        }
      }
      const Direction dir = u.pick(2) == 0 ? Direction::outbound : Direction::inbound;
      const Endpoint l = u.endpoint(), r = u.endpoint();
      const FilterId want = ref_lookup(ref, dir, l, r);
      for (int again = 0; again < 2; ++again) {  // uncached, then cached
        ASSERT_EQ(spd.lookup_id(dir, l, r), want) << l.to_string() << " " << r.to_string();
        const Filter* f = spd.lookup(dir, l, r);
        if (want == 0) {
          ASSERT_EQ(f, nullptr);
        } else {
          ASSERT_NE(f, nullptr);
          const auto it =
              std::find_if(ref.begin(), ref.end(), [&](const RefEntry& e) { return e.id == want; });
          ASSERT_EQ(f->sel, it->f.sel);
          ASSERT_EQ(f->priority, it->f.priority);
        }
      }
      (want == 0 ? unmatched : matched)++;
    }
    ASSERT_EQ(spd.size(), ref.size());
  }
  // The generator exercises both outcomes and the invalidation.
  EXPECT_GT(matched, 3000u);
  EXPECT_GT(unmatched, 3000u);
  EXPECT_GT(mutations, 1000u);
}

}  // namespace
}  // namespace l2sec::esp
