// The gateway's configuration: one value, read from TOML (toml++) by
// load_config(), checked as a whole, then handed to the engines. Nothing
// reads the file again after start-up.
//
// File format: docs/config.md. Errors carry file:line:col.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.hpp"
#include "core/time.hpp"
#include "crypto/esp_providers.hpp"
#include "crypto/esp_transform.hpp"
#include "esp/rfc3193_filters.hpp"
#include "esp/sad.hpp"
#include "l2tp/engine.hpp"

namespace l2sec::gateway {

enum class Role : std::uint8_t { lac, lns };

// What a session does with the PPP frames it receives, until PPP runs in
// the gateway.
enum class SinkKind : std::uint8_t {
  discard,   // count and drop
  echo,      // send every frame back on the same session
  lcp_echo,  // answer LCP Echo-Request, send one every `lcp_echo_interval`
};

// Keys of one SA, from the [esp] key_file (never from the main file, never
// logged). Wiped when the config is destroyed.
struct EspKeys {
  std::vector<std::uint8_t> enc;   // encryption key (+ salt for AEAD)
  std::vector<std::uint8_t> auth;  // integrity key (empty for AEAD / none)
  EspKeys() = default;
  EspKeys(const EspKeys&) = default;
  EspKeys& operator=(const EspKeys&) = default;
  ~EspKeys();
};

// A peer's manually keyed SA pair ([peer.esp]).
struct PeerEspConfig {
  std::uint32_t spi_in = 0;   // SPI of the SA we receive on (the peer sends with it)
  std::uint32_t spi_out = 0;  // SPI we send with (the peer receives on it)
  crypto::EspCipher cipher = crypto::EspCipher::aes_gcm16_128;
  crypto::EspAuth auth = crypto::EspAuth::none;
  EspKeys keys_in;                 // keys of spi_in (from key_file)
  EspKeys keys_out;                // keys of spi_out
  std::uint16_t natt_port = 4500;  // the peer's UDP encapsulation port (udp_encap)
  std::string source;              // "file:line:col" of [peer.esp]
};

// [esp]: ESP protection of L2TP (RFC 3193). Absent: no ESP, L2TP in the clear.
struct EspConfig {
  bool enabled = false;
  crypto::EspProviderId provider = crypto::EspProviderId::automatic;
  esp::Shape shape = esp::Shape::compulsory;  // which filter set (rfc3193_filters.hpp)
  esp::AuthMethod auth = esp::AuthMethod::pre_shared_key;
  esp::Mode mode = esp::Mode::transport;  // transport or tunnel on IP
  bool udp_encap = false;                 // RFC 3948 ESP-in-UDP
  std::uint16_t natt_port = 4500;         // our UDP encapsulation port
  std::uint32_t replay_window = 64;       // 64..4096, multiple of 64
  bool esn = false;                       // extended sequence numbers
  bool legacy = false;                    // profile = "legacy": allows 3DES-CBC
  bool require = true;                    // RFC 3193 3.3: drop clear L2TP on protected flows
  std::filesystem::path key_file;         // resolved against the config's directory
  std::filesystem::path state_file;       // sequence state of the manual SAs (empty: none); resolved
  bool allow_volatile_sequence = false;   // AEAD manual SAs without state_file (labs only)
};

// ---- links and circuits (non-IP media, docs/config.md "[[link]]") ----

enum class LinkType : std::uint8_t { frame_relay, atm, xot };
// The wire below the link adapter.
enum class UnderlayKind : std::uint8_t {
  udp,       // emulated wire: frames or cells in UDP datagrams between `local` and `remote`
  afpacket,  // raw frames on `interface` (AF_PACKET)
  pcap,      // replay of `replay` (nothing is sent: what we emit goes to `record` if given)
  tcp,       // XOT: TCP connections, one per virtual circuit (RFC 1613)
};
enum class LmiVariant : std::uint8_t { none, q933a, ansi, cisco, automatic };
enum class LmiRole : std::uint8_t { user, network, nni };

struct LinkConfig {
  std::string name;
  LinkType type = LinkType::frame_relay;
  UnderlayKind underlay = UnderlayKind::udp;
  std::optional<Endpoint> local;   // udp: where we bind; tcp: where we listen (port 1998 by default)
  std::optional<Endpoint> remote;  // udp: the other end of the wire
  std::string interface;           // afpacket
  std::filesystem::path replay;    // pcap: the capture replayed
  std::filesystem::path record;    // any frame underlay: record what passes (empty: no recording)
  // The secured channel's SNAP code point (DESIGN.md §3): lab default.
  std::array<std::uint8_t, 3> secured_oui{0x00, 0x00, 0x5E};
  std::uint16_t secured_pid = 0x0042;
  // Frame Relay
  LmiVariant lmi = LmiVariant::none;
  LmiRole lmi_role = LmiRole::user;
  Duration t391 = std::chrono::seconds(10);
  Duration t392 = std::chrono::seconds(15);
  unsigned n391 = 6, n392 = 3, n393 = 4;
  std::uint8_t address_size = 2;  // Q.922 address octets: 2, 3 or 4
  std::size_t max_frame = 1600;   // RFC 2427: information field
  // ATM
  bool cells = false;             // cell underlay (else whole AAL5 PDUs)
  bool nni_header = false;        // NNI cell headers (12-bit VPI)
  std::size_t max_sdu = 9180;     // RFC 2684 / RFC 1626 default MTU
  Duration oam_interval{0};       // F5 loopback management, cells only (0: off)
  unsigned oam_retries = 3, oam_up_count = 3;
  // X.25 over XOT
  unsigned packet_size = 128, window = 2;  // defaults of calls placed on this link
  bool modulo128 = false;
  std::string source;  // "file:line:col" of the [[link]]
};

struct CircuitConfig {
  std::string name;
  std::size_t link = 0;      // index into Config::links
  std::uint32_t id = 0;      // Endpoint::of_circuit(id): 1, 2, ... in file order
  std::uint32_t dlci = 0;    // Frame Relay
  std::uint16_t vpi = 0;     // ATM
  std::uint16_t vci = 0;
  bool vc_mux = false;       // ATM: RFC 2684 VC multiplexing (else LLC/SNAP)
  bool vc_mux_secured = true;  // VC-mux: the VC carries the secured channel (else clear L2TP)
  std::string remote;        // XOT: "address:port" we call (empty: we only answer)
  std::string called, calling;  // XOT: X.121 addresses
  bool pvc = false;          // XOT: RFC 1613 PVC (else a switched call)
  std::uint16_t lcn = 1;     // XOT: logical channel
  bool secured = true;       // X.25 Call User Data: the secured code point (else clear L2TP)
  std::string source;
};

struct PeerConfig {
  std::string name;                  // peer's Host Name; "*" matches any (LNS)
  std::optional<Endpoint> address;   // LAC: where to dial; LNS: accept only from it
  std::vector<std::uint8_t> secret;  // tunnel secret (from secret or secret_file); never logged
  bool challenge = true;             // send a Challenge when a secret is set
  bool hidden_avps = false;          // hide AVPs (needs secret)
  unsigned sessions = 0;             // LAC: calls to place once the tunnel is up
  l2tp::CallParams call;             // for those calls
  std::string source;                // "file:line:col" where this [[peer]] starts (messages)
  std::optional<PeerEspConfig> esp;  // [peer.esp]: manual keys (needs [esp])
  // The [[circuit]] the peer is reached over (index into Config::circuits);
  // `address` is then Endpoint::of_circuit of that circuit's id.
  std::optional<std::size_t> circuit;
};

struct Config {
  std::filesystem::path file;  // where it was read from
  Role role = Role::lns;
  Endpoint listen;  // address and port we bind (default 0.0.0.0:1701)
  std::string host_name = "l2sec";
  std::string log_level = "info";                    // trace, debug, info, warn, error
  std::optional<std::filesystem::path> status_file;  // JSON status, rewritten on change
  l2tp::TunnelConfig tunnel;                         // [tunnel] defaults (host name, timers...)
  std::uint16_t max_tunnels = 1024;
  SinkKind sink = SinkKind::echo;
  Duration lcp_echo_interval = std::chrono::seconds(1);
  bool redial = false;  // LAC: re-open a tunnel the peer or the link closed
  Duration redial_delay = std::chrono::seconds(5);
  std::vector<PeerConfig> peers;
  EspConfig esp;
  std::vector<LinkConfig> links;
  std::vector<CircuitConfig> circuits;
};

struct ConfigError {
  std::string file;
  std::uint32_t line = 0;    // 1-based; 0 when not tied to a place
  std::uint32_t column = 0;  // 1-based
  std::string message;
  // "file:line:col: message" (or "file: message").
  std::string to_string() const;
};

// Reads and validates a configuration file. Collects every error it can
// find rather than stopping at the first; on success the list is empty.
struct LoadResult {
  std::optional<Config> config;
  std::vector<ConfigError> errors;
};
LoadResult load_config(const std::filesystem::path& file);
// Same, from text (tests); `name` stands for the file name in messages.
LoadResult parse_config(std::string_view text, const std::string& name,
                        const std::filesystem::path& base_dir = ".");

// Parses "192.0.2.1", "192.0.2.1:1701", "[2001:db8::1]:1701", "2001:db8::1".
std::optional<Endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port);
// Parses "500ms", "1s", "2m", "1h" (a bare integer is seconds).
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace l2sec::gateway
