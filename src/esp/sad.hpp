// Security Association Database (RFC 4301 §4.4.2) for L2TP: the SAs in
// force, inbound ones found by SPI (and, on a circuit, by circuit: DESIGN.md
// §3), outbound ones by the flow they protect.
//
// Every SA carries what it protects (its traffic selector, RFC 4301
// §4.4.2.1, from manual keying or Quick Mode IDs), how packets are framed
// (mode, UDP encapsulation) and the outer endpoints. The inbound path uses
// the selector for RFC 3193 §3.3: a decapsulated packet whose inner
// addresses/ports its SA does not cover is dropped.
//
// Contract:
// - Inbound key: SPI alone on IP (we allocate our inbound SPIs, RFC 4303
//   §2.1 unicast), (circuit, SPI) on circuits. A second SA with the same key
//   is refused with Errc::exists.
// - Outbound: find_outbound(local, remote) returns the newest SA whose
//   selector covers the flow (so a rekeyed SA takes over as soon as it is
//   added; the old one stays usable until removed).
// - Ids are never 0 and never reused; pointers returned stay valid until that
//   SA is removed (entries are node-allocated).
// - Sans-IO, not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/endpoint.hpp"
#include "core/result.hpp"
#include "esp/sa.hpp"
#include "esp/spd.hpp"

namespace l2sec::esp {

enum class Mode : std::uint8_t {
  transport,  // IP: ESP after the IP header, inner UDP, Next Header 17 (RFC 3193 §2.1)
  tunnel,     // IP: inner IPv4/IPv6 + UDP, Next Header 4 / 41 (strongSwan libipsec)
  ipless,     // circuit: the L2TP packet directly, Next Header 115 (DESIGN.md §3)
};
std::string_view mode_name(Mode m) noexcept;  // "transport", "tunnel", "ipless"

struct SaBinding {
  Mode mode = Mode::transport;
  bool udp_encap = false;    // RFC 3948 ESP-in-UDP (IP modes only)
  TrafficSelector selector;  // the L2TP flow(s) this SA carries
  Endpoint outer_local;      // our outer address (IP; port = 4500 with udp_encap) or circuit
  Endpoint outer_remote;     // the peer's outer address (port = its 4500 port with udp_encap) or circuit
  std::string peer;          // peer name, for logs and status
};

using SaId = std::uint32_t;

struct InboundEntry {
  SaId id;
  SaBinding binding;
  InboundSa sa;
};
struct OutboundEntry {
  SaId id;
  SaBinding binding;
  OutboundSa sa;
};

class Sad {
 public:
  Result<SaId> add_inbound(SaBinding b, InboundSa sa);
  SaId add_outbound(SaBinding b, OutboundSa sa);
  bool remove(SaId id);  // either direction
  void clear();

  // `outer_from` is where the packet came from: only its circuit matters
  // (circuit kind); on IP the SPI alone selects.
  InboundEntry* find_inbound(std::uint32_t spi, const Endpoint& outer_from) noexcept;
  OutboundEntry* find_outbound(const Endpoint& local, const Endpoint& remote) noexcept;
  InboundEntry* inbound(SaId id) noexcept;
  OutboundEntry* outbound(SaId id) noexcept;

  std::size_t inbound_count() const noexcept { return in_.size(); }
  std::size_t outbound_count() const noexcept { return out_.size(); }
  // Counters of every SA, summed.
  Counters counters() const;
  // In no particular order (the inbound SAs are hashed by key).
  template <class F>
  void for_each_inbound(F&& f) const {
    for (const auto& [k, e] : in_) f(*e);
  }
  template <class F>
  void for_each_outbound(F&& f) const {
    for (const auto& e : out_) f(*e);
  }

 private:
  struct InKey {
    std::uint32_t circuit;  // 0 on IP
    std::uint32_t spi;
    bool on_circuit;  // keeps circuit 0 apart from IP
    friend bool operator==(const InKey&, const InKey&) = default;
  };
  struct InKeyHash {
    std::size_t operator()(const InKey& k) const noexcept;
  };
  struct FlowKey {
    Endpoint local, remote;
    friend bool operator==(const FlowKey&, const FlowKey&) = default;
  };
  struct FlowRef {  // probes the cache without copying the endpoints
    const Endpoint& local;
    const Endpoint& remote;
  };
  struct FlowKeyHash {
    using is_transparent = void;
    std::size_t operator()(const FlowKey& k) const noexcept;
    std::size_t operator()(const FlowRef& k) const noexcept;
  };
  struct FlowKeyEq {
    using is_transparent = void;
    bool operator()(const FlowKey& a, const FlowKey& b) const noexcept { return a == b; }
    bool operator()(const FlowRef& a, const FlowKey& b) const noexcept {
      return a.local == b.local && a.remote == b.remote;
    }
    bool operator()(const FlowKey& a, const FlowRef& b) const noexcept { return (*this)(b, a); }
  };
  static InKey key_of(std::uint32_t spi, const Endpoint& outer_from) noexcept;

  // Per-packet lookups are one hash lookup each: inbound by key, outbound
  // through a flow cache (the newest covering SA or nullptr), emptied
  // whenever out_ changes.
  std::unordered_map<InKey, std::unique_ptr<InboundEntry>, InKeyHash> in_;
  std::vector<std::unique_ptr<OutboundEntry>> out_;  // oldest first
  std::unordered_map<FlowKey, OutboundEntry*, FlowKeyHash, FlowKeyEq> out_cache_;
  SaId next_id_ = 1;
};

}  // namespace l2sec::esp
