// The filter sets of RFC 3193 and of the original brief (../shared/seed/,
// section V: voluntary, compulsory and gateway-to-gateway tunnels), generated
// from what the configuration knows. Each generated filter is PROTECT, with a
// label naming where it comes from, so `l2sec` can show why a packet was
// protected or dropped.
//
// Two families:
// 1. By deployment shape (the brief, section V), the static set a gateway
//    installs at start-up:
//    - voluntary and compulsory, LNS, certificates: From LNS to Any 1701->Any,
//      From Any to LNS Any->1701;
//    - LNS with pre-shared keys: the same pair once per known LAC address
//      (Main Mode chooses the key by address, RFC 3193 §4.1, §5.1.4);
//    - LAC, any method (voluntary), or with pre-shared keys (compulsory):
//      From LAC to LNS Any->1701, From LNS to LAC 1701->Any, per LNS;
//    - compulsory LAC with certificates: From LAC to Any Any->1701,
//      From Any to LAC 1701->Any;
//    - gateway-to-gateway: the four filters of the brief (both directions,
//      source port Any to 1701 and 1701 to Any).
//    The brief's "dest port 1710" is a typo of 1701 (RFC 3193 has no 1710):
//    the generated filters use 1701, or the configured L2TP ports (our
//    `local` port, a peer's address port) where those are set.
//    Initiators (LACs, gateways) also get the pair that lets the responder
//    float its port, which RFC 3193 §4.2 says the initiator MUST allow:
//    From us to the peer Any->Any and back (the brief's sets omit it).
// 2. The RFC 3193 §4.2.2-§4.2.5 initiator / responder sets, for the stages
//    of a tunnel set-up with dynamic ports and address floating (Appendix A
//    gives the worked examples the tests reproduce).
//
// Filters are returned highest priority first; the caller adds them to an Spd
// with increasing priority numbers from `base_priority`.
#pragma once

#include <cstdint>
#include <vector>

#include "core/endpoint.hpp"
#include "esp/spd.hpp"

namespace l2sec::esp {

inline constexpr std::uint16_t kL2tpPort = 1701;  // RFC 2661 §8.1

enum class Shape : std::uint8_t { voluntary, compulsory, gateway_to_gateway };
enum class AuthMethod : std::uint8_t { pre_shared_key, certificate };
enum class GatewayRole : std::uint8_t { lac, lns };

std::string_view shape_name(Shape s) noexcept;  // "voluntary", "compulsory", "gateway-to-gateway"

struct ShapeParams {
  Shape shape = Shape::compulsory;
  GatewayRole role = GatewayRole::lns;
  AuthMethod auth = AuthMethod::pre_shared_key;
  Endpoint local;               // our address and L2TP port (port 0: 1701)
  std::vector<Endpoint> peers;  // known peer addresses and L2TP ports (port 0: 1701)
  int base_priority = 100;
};
// The static set for a deployment shape, in priority order. Certificate
// authentication on an LNS (and on a compulsory LAC) yields Any-Addr filters
// and ignores `peers`; pre-shared keys yield one pair per peer (none when
// `peers` is empty: nothing can be protected without a key for an address).
// Gateway-to-gateway yields the four filters per peer.
std::vector<Filter> shape_filters(const ShapeParams& p);

// RFC 3193 §4.2 stages. Ports: I-Port is the initiator's source port (1701
// when fixed), R-Port the responder's new port (§4.2.4).
struct Rfc3193Params {
  Endpoint i_addr;  // I-IPAddr (port ignored)
  std::uint16_t i_port = kL2tpPort;
  Endpoint r_addr1;                  // R-IPAddr1: where the responder listens
  Endpoint r_addr2;                  // R-IPAddr2: the responder's new address (§4.2.3), if it moved
  std::uint16_t r_port = kL2tpPort;  // R-Port (§4.2.4)
  int base_priority = 100;
};
enum class Stage : std::uint8_t {
  initial,             // §4.2.2, before the SCCRQ (responder: before Quick Mode)
  responder_after_qm,  // §4.2.2, responder once phase 2 is done
  moved_address,       // §4.2.3
  new_port,            // §4.2.4 (final, responder chose R-Port)
  gateway,             // §4.2.5: the Any-Addr inbound filter both sides need
};
// The filter set of one side at one stage, exactly as the RFC lists it
// (labels "Initiator Outbound-1 (RFC 3193 4.2.2)" etc.). `initiator` picks
// the side. For the responder at Stage::initial, only Inbound-1 exists.
std::vector<Filter> rfc3193_filters(Stage stage, bool initiator, const Rfc3193Params& p);

}  // namespace l2sec::esp
