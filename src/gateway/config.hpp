// The gateway's configuration: one value, read from TOML (toml++) by
// load_config(), checked as a whole, then handed to the engines. Nothing
// reads the file again after start-up.
//
// File format: docs/config.md. Errors carry file:line:col.
#pragma once

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
