// [esp], [peer.esp] and the key file: see config_esp.hpp for the contract,
// docs/config.md for the schema. Keep both in step.
//
// The key file is read like a secret file (owner-only mode, regular file,
// size cap) and parsed as TOML in memory; the raw text and every string of
// the parsed document are wiped once the keys are copied out (best effort:
// toml++ keeps no other copy we can reach). Keys end up only in
// PeerEspConfig's EspKeys, which wipe themselves.
//
// One SA per SPI: the key file holds one [[sa]] per SPI, so an SPI named by
// two SAs (two peers, or spi_in = spi_out of one peer) would give both the
// same keys, which for AES-GCM / ChaCha20-Poly1305 repeats nonces (both
// counters start at 1) and for any cipher lets a packet be reflected back
// to its sender. Every SPI is therefore named once across all [peer.esp].
#include "gateway/config_esp.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "gateway/config_secret.hpp"

namespace l2sec::gateway::cfg {
namespace {

namespace fs = std::filesystem;
using crypto::EspAuth;
using crypto::EspCipher;

// --- schema ----------------------------------------------------------------

constexpr std::string_view kEspKeys[] = {"provider",
                                         "shape",
                                         "auth",
                                         "mode",
                                         "udp_encap",
                                         "natt_port",
                                         "replay_window",
                                         "esn",
                                         "profile",
                                         "require",
                                         "key_file",
                                         "state_file",
                                         "allow_volatile_sequence"};
constexpr std::string_view kPeerEspKeys[] = {"spi_in", "spi_out", "cipher", "integrity", "natt_port"};
constexpr std::string_view kKeyFileKeys[] = {"sa"};
constexpr std::string_view kSaKeys[] = {"spi", "enc_key", "auth_key"};

constexpr Section kKeyFileTop{"at top level of the key file", kKeyFileKeys, false};
constexpr Section kSa{"in [[sa]]", kSaKeys, false};
constexpr const Section* kKeyFileSections[] = {&kKeyFileTop, &kSa};

constexpr std::string_view kProviders[] = {"auto", "intel-ipsec-mb", "mbedtls"};
constexpr crypto::EspProviderId kProviderValues[] = {
    crypto::EspProviderId::automatic, crypto::EspProviderId::ipsec_mb, crypto::EspProviderId::mbedtls};
constexpr std::string_view kShapes[] = {"voluntary", "compulsory", "gateway-to-gateway"};
constexpr esp::Shape kShapeValues[] = {esp::Shape::voluntary, esp::Shape::compulsory,
                                       esp::Shape::gateway_to_gateway};
constexpr std::string_view kAuthMethods[] = {"psk", "certificate"};
constexpr esp::AuthMethod kAuthMethodValues[] = {esp::AuthMethod::pre_shared_key,
                                                 esp::AuthMethod::certificate};
constexpr std::string_view kModes[] = {"transport", "tunnel"};
constexpr esp::Mode kModeValues[] = {esp::Mode::transport, esp::Mode::tunnel};
constexpr std::string_view kProfiles[] = {"standard", "legacy"};

// The configuration's names (IKEv2 style, "aes-gcm-16-128"), which differ
// from crypto::cipher_name() in places.
constexpr std::string_view kCiphers[] = {"null",           "aes-cbc-128",    "aes-cbc-256",
                                         "aes-gcm-16-128", "aes-gcm-16-256", "chacha20-poly1305",
                                         "3des-cbc"};
constexpr EspCipher kCipherValues[] = {
    EspCipher::null,          EspCipher::aes_cbc_128,       EspCipher::aes_cbc_256, EspCipher::aes_gcm16_128,
    EspCipher::aes_gcm16_256, EspCipher::chacha20_poly1305, EspCipher::des3_cbc};
constexpr std::string_view kIntegrities[] = {"none", "hmac-sha1-96", "hmac-sha256-128", "hmac-md5-96"};
constexpr EspAuth kIntegrityValues[] = {EspAuth::none, EspAuth::hmac_sha1_96, EspAuth::hmac_sha256_128,
                                        EspAuth::hmac_md5_96};

// RFC 4303 §2.1: SPI 0 is reserved for local use and never sent; 1..255
// are reserved by IANA.
constexpr std::int64_t kMinSpi = 256;
constexpr std::int64_t kMaxSpi = 0xffffffff;
// Replay window: our choice of range; RFC 4303 §3.4.3 asks for at least 32
// (64 recommended); multiples of 64 fill the RFC 6479 bitmap's blocks.
constexpr std::int64_t kReplayMin = 64;
constexpr std::int64_t kReplayMax = 4096;
constexpr std::int64_t kReplayStep = 64;
constexpr std::size_t kAeadSaltSize = 4;  // RFC 4106 §8.1, RFC 7634 §2

std::string_view name_of(EspCipher c) {
  for (std::size_t i = 0; i < std::size(kCipherValues); ++i) {
    if (kCipherValues[i] == c) return kCiphers[i];
  }
  return "?";
}

std::string_view name_of(EspAuth a) {
  for (std::size_t i = 0; i < std::size(kIntegrityValues); ++i) {
    if (kIntegrityValues[i] == a) return kIntegrities[i];
  }
  return "?";
}

std::string hex_spi(std::uint32_t spi) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%x", static_cast<unsigned>(spi));
  return b;
}

// An SPI within [256, 2^32 - 1]. `echo`: whether a wrong value may be shown
// (not in the key file, where a key pasted on the wrong line could land).
std::optional<std::uint32_t> read_spi(Diagnostics& diag, Fields& f, std::string_view key, bool echo) {
  const toml::node* n = f.node(key);
  if (!n) return std::nullopt;
  auto v = n->value_exact<std::int64_t>();
  if (!v) {
    f.type_error(key, *n, "an integer (TOML hex like 0x1001 is fine)");
    return std::nullopt;
  }
  const std::string k = "'" + std::string(key) + "'";
  const std::string given = echo ? ", not " + std::to_string(*v) : std::string{};
  if (*v < 0 || *v > kMaxSpi) {
    diag.error(n->source(), k + " must be between 256 and 4294967295 (0x100 to 0xffffffff)" + given);
    return std::nullopt;
  }
  if (*v < kMinSpi) {
    diag.error(n->source(),
               k + " must be at least 256 (0x100): 0 and 1..255 are reserved (RFC 4303 §2.1)" + given);
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*v);
}

// Overwrites memory in a way the compiler may not drop.
void wipe(void* p, std::size_t n) {
  auto* b = static_cast<volatile std::uint8_t*>(p);
  for (std::size_t i = 0; i < n; ++i) b[i] = 0;
}

void wipe_strings(toml::node& n) {
  if (auto* t = n.as_table()) {
    for (auto&& [k, v] : *t) wipe_strings(v);
  } else if (auto* a = n.as_array()) {
    for (auto& v : *a) wipe_strings(v);
  } else if (auto* s = n.as_string()) {
    std::string& str = s->get();
    wipe(str.data(), str.size());
  }
}

// Wipes what it guards when the scope ends, whatever the path.
struct BufferWiper {
  std::vector<std::uint8_t>& buf;
  ~BufferWiper() { wipe(buf.data(), buf.size()); }
};
struct TableWiper {
  toml::table& t;
  ~TableWiper() { wipe_strings(t); }
};

enum class HexError : std::uint8_t { none, not_hex, odd };

// Hex digits with an optional 0x / 0X prefix into `out` (sized once, so no
// partial copy is left behind by a reallocation). Never says which
// character is wrong.
HexError decode_hex(const std::string& text, std::vector<std::uint8_t>& out) {
  std::string_view s = text;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (char c : s) {
    if (nibble(c) < 0) return HexError::not_hex;
  }
  if (s.size() % 2 != 0) return HexError::odd;
  out.assign(s.size() / 2, 0);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>((nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]));
  }
  return HexError::none;
}

// The cipher / integrity pair of a [peer.esp]: allowed together, and allowed
// by the [esp] profile. Returns whether the key lengths can be checked.
bool check_algorithms(Diagnostics& diag, Fields& f, const toml::table& t, const PeerEspConfig& p,
                      const EspRead& er, const EspConfig& esp) {
  const toml::node* cn = f.node("cipher");
  const toml::node* in = f.node("integrity");
  // Blame the first of the two nodes that is present, else the table.
  auto at = [&](const toml::node* first, const toml::node* second) {
    if (first) return first->source();
    if (second) return second->source();
    return t.source();
  };
  const std::string c = std::string(name_of(p.cipher));
  const std::string a = std::string(name_of(p.auth));
  bool ok = true;
  if (crypto::is_aead(p.cipher) && p.auth != EspAuth::none) {
    diag.error(at(in, cn), "integrity " + a + " cannot go with cipher " + c +
                               ", which authenticates itself (RFC 4303 §3.2.3): use integrity = \"none\"");
    ok = false;
  } else if (!crypto::is_aead(p.cipher) && p.auth == EspAuth::none) {
    if (p.cipher == EspCipher::null) {
      diag.error(at(in, cn),
                 "cipher null with integrity none protects nothing (RFC 4303 §3.2: not both NULL; RFC 3193 "
                 "requires integrity): set 'integrity'");
    } else {
      diag.error(at(in, cn), "cipher " + c +
                                 " needs an integrity algorithm (RFC 3193 requires integrity protection, "
                                 "RFC 8221 §4): set 'integrity'");
    }
    ok = false;
  }
  if (er.present && !esp.legacy) {
    if (p.cipher == EspCipher::des3_cbc) {
      diag.error(
          at(cn, nullptr),
          "cipher 3des-cbc needs profile = \"legacy\" in [esp] (RFC 8221 §5: 3DES SHOULD NOT be used)");
    }
    if (p.auth == EspAuth::hmac_md5_96) {
      diag.error(
          at(in, nullptr),
          "integrity hmac-md5-96 needs profile = \"legacy\" in [esp] (RFC 8221 §6: HMAC-MD5-96 MUST NOT "
          "be used)");
    }
  }
  return ok;
}

bool unspecified(const Endpoint& e) {
  return e.is_ip() && std::all_of(e.addr.begin(), e.addr.end(), [](std::uint8_t b) { return b == 0; });
}

// Where an SPI is named in the main file.
struct SpiUse {
  std::uint32_t spi;
  const toml::node* node;
  std::size_t peer;  // index into the peers span
  bool inbound;      // spi_in (else spi_out)
  bool matched = false;
};

bool before(const toml::source_region& a, const toml::source_region& b) {
  if (a.begin.line != b.begin.line) return a.begin.line < b.begin.line;
  return a.begin.column < b.begin.column;
}

// One [[sa]] of the key file.
struct SaRead {
  toml::source_region table;
  std::optional<std::uint32_t> spi;
  const toml::node* spi_node = nullptr;
  const toml::node* enc_node = nullptr;   // given
  const toml::node* auth_node = nullptr;  // given
  bool enc_ok = false;                    // given and decoded
  bool auth_ok = false;
  EspKeys keys;  // wiped on destruction
};

// A hex key string under `key`: decoded into `out`, or reported.
bool read_key(Diagnostics& kd, Fields& f, std::string_view key, std::vector<std::uint8_t>& out) {
  const toml::node* n = f.node(key);
  const auto* s = n->as_string();
  const std::string k = "'" + std::string(key) + "'";
  if (!s) {
    f.type_error(key, *n, "a string of hex digits");
    return false;
  }
  switch (decode_hex(s->get(), out)) {
    case HexError::none:
      return true;
    case HexError::not_hex:
      kd.error(n->source(), k + " must be hex digits (0-9, a-f), optionally after 0x");
      return false;
    case HexError::odd:
      kd.error(n->source(), k + " has an odd number of hex digits");
      return false;
  }
  return false;
}

SaRead read_sa(Diagnostics& kd, const toml::table& t) {
  SaRead sa;
  sa.table = t.source();
  check_keys(kd, t, kSa, kKeyFileSections);
  Fields f(t, kd);
  sa.spi = read_spi(kd, f, "spi", false);
  sa.spi_node = f.node("spi");
  if (!sa.spi_node) kd.error(t.source(), "[[sa]] needs a 'spi'");
  if ((sa.enc_node = f.node("enc_key"))) sa.enc_ok = read_key(kd, f, "enc_key", sa.keys.enc);
  if ((sa.auth_node = f.node("auth_key"))) sa.auth_ok = read_key(kd, f, "auth_key", sa.keys.auth);
  return sa;
}

// Checks one key of an [[sa]] against what its SA needs; true if it fits.
bool check_key_length(Diagnostics& kd, const SaRead& sa, bool enc, std::size_t want, std::string_view alg,
                      bool aead, const std::string& whose) {
  const toml::node* n = enc ? sa.enc_node : sa.auth_node;
  const char* key = enc ? "enc_key" : "auth_key";
  const char* what = enc ? "cipher" : "integrity";
  const std::size_t got = enc ? sa.keys.enc.size() : sa.keys.auth.size();
  if (!n) {
    if (want == 0) return true;
    kd.error(sa.table, "[[sa]] spi " + hex_spi(*sa.spi) + " needs '" + key + "': " + std::to_string(want) +
                           " octets for " + std::string(alg) + " (" + whose + ")");
    return false;
  }
  if (!(enc ? sa.enc_ok : sa.auth_ok)) return false;  // reported
  if (got == want) return true;
  if (want == 0) {
    kd.error(n->source(), std::string("'") + key + "' must be left out: " + what + " " + std::string(alg) +
                              " takes no key (" + whose + ")");
  } else {
    kd.error(n->source(),
             std::string("'") + key + "' must be " + std::to_string(want) + " octets (" +
                 std::to_string(2 * want) + " hex digits" +
                 (aead ? ", the last " + std::to_string(kAeadSaltSize) + " the salt" : std::string{}) +
                 ") for " + std::string(alg) + ", not " + std::to_string(got) + " (" + whose + ")");
  }
  return false;
}

// Reads the key file, matches its [[sa]] with `uses` and fills the peers'
// keys. Errors about the file as a whole go to `diag` (at key_file);
// errors inside it are returned.
std::vector<ConfigError> read_key_file(Diagnostics& diag, const EspRead& er, const EspConfig& esp,
                                       std::span<const EspPeer> peers, std::vector<SpiUse>& uses) {
  const std::string name = esp.key_file.string();
  PrivateFile pf = read_private_file(esp.key_file, "key file", kMaxKeyFileSize);
  BufferWiper buf_wiper{pf.content};
  if (!pf.error.empty()) {
    diag.error(er.key_file->source(), pf.error);
    return {};
  }
  Diagnostics kd(name);
  toml::table root;
  TableWiper table_wiper{root};
  try {
    root = toml::parse(std::string_view(reinterpret_cast<const char*>(pf.content.data()), pf.content.size()),
                       std::string_view(name));
  } catch (const toml::parse_error& e) {
    kd.error(e.source(), scrub(e.description()));
    return kd.take();
  }
  check_keys(kd, root, kKeyFileTop, kKeyFileSections);

  std::vector<SaRead> sas;
  bool incomplete = false;  // some [[sa]] could not be read: do not call SPIs missing
  if (const toml::node* n = root.get("sa")) {
    if (const auto* arr = n->as_array()) {
      for (const toml::node& e : *arr) {
        if (const auto* t = e.as_table()) {
          sas.push_back(read_sa(kd, *t));
          if (!sas.back().spi) incomplete = true;
        } else {
          kd.error(e.source(), "each 'sa' must be a table, not " + std::string(type_name(e.type())));
          incomplete = true;
        }
      }
    } else {
      kd.error(n->source(),
               "'sa' must be an array of tables ([[sa]]), not " + std::string(type_name(n->type())));
      incomplete = true;
    }
  }

  const bool all_spis_read = std::all_of(peers.begin(), peers.end(), [](const EspPeer& p) {
    return p.esp->spi_in != nullptr && p.esp->spi_out != nullptr;
  });
  for (std::size_t i = 0; i < sas.size(); ++i) {
    const SaRead& sa = sas[i];
    if (!sa.spi) continue;
    const SaRead* first = nullptr;
    for (std::size_t j = 0; j < i && !first; ++j) {
      if (sas[j].spi == sa.spi) first = &sas[j];
    }
    if (first) {
      kd.error(sa.spi_node->source(), "duplicate [[sa]] spi " + hex_spi(*sa.spi) + " (first at " +
                                          kd.place(first->spi_node->source()) + ")");
      continue;
    }
    bool used = false;
    for (SpiUse& u : uses) {
      if (u.spi != *sa.spi) continue;
      used = true;
      u.matched = true;
      PeerEspRead& pe = *peers[u.peer].esp;
      if (!pe.algorithms_ok) continue;
      const std::string whose = "SA " + hex_spi(u.spi) + ": " + (u.inbound ? "spi_in" : "spi_out") +
                                " of peer '" + show(peers[u.peer].name) + "'";
      const PeerEspConfig& c = pe.cfg;
      bool enc_fits = check_key_length(kd, sa, true, crypto::enc_key_size(c.cipher), name_of(c.cipher),
                                       crypto::is_aead(c.cipher), whose);
      bool auth_fits =
          check_key_length(kd, sa, false, crypto::auth_key_size(c.auth), name_of(c.auth), false, whose);
      if (enc_fits && auth_fits) (u.inbound ? pe.cfg.keys_in : pe.cfg.keys_out) = sa.keys;
    }
    // When a [peer.esp] SPI could not be read, this SA may be the one it
    // meant: say nothing.
    if (!used && all_spis_read) {
      kd.error(sa.spi_node->source(), "[[sa]] spi " + hex_spi(*sa.spi) + " is not used by any [peer.esp]");
    }
  }
  if (!incomplete) {
    for (const SpiUse& u : uses) {
      if (!u.matched) {
        diag.error(u.node->source(), "no [[sa]] with spi " + hex_spi(u.spi) + " in key file '" + name + "'");
      }
    }
  }
  return kd.take();
}

}  // namespace

const Section kEspSection{"in [esp]", kEspKeys};
const Section kPeerEspSection{"in [peer.esp]", kPeerEspKeys};

EspRead read_esp(Diagnostics& diag, const toml::table& t, EspConfig& esp, const fs::path& base_dir) {
  EspRead r;
  r.present = true;
  r.table = t.source();
  esp.enabled = true;
  Fields f(t, diag);
  if (auto i = f.choice("provider", kProviders)) esp.provider = kProviderValues[*i];
  if (auto i = f.choice("shape", kShapes)) esp.shape = kShapeValues[*i];
  if (auto i = f.choice("auth", kAuthMethods)) esp.auth = kAuthMethodValues[*i];
  if (auto i = f.choice("mode", kModes)) esp.mode = kModeValues[*i];
  if (auto v = f.boolean("udp_encap")) esp.udp_encap = *v;
  if (auto v = f.integer("natt_port", 1, 65535)) esp.natt_port = static_cast<std::uint16_t>(*v);
  if (auto v = f.integer("replay_window", kReplayMin, kReplayMax)) {
    if (*v % kReplayStep != 0) {
      diag.error(f.node("replay_window")->source(),
                 "'replay_window' must be a multiple of 64, not " + std::to_string(*v));
    } else {
      esp.replay_window = static_cast<std::uint32_t>(*v);
    }
  }
  if (auto v = f.boolean("esn")) esp.esn = *v;
  if (auto i = f.choice("profile", kProfiles)) esp.legacy = (*i == 1);
  if (auto v = f.boolean("require")) esp.require = *v;
  r.key_file_given = f.node("key_file") != nullptr;
  if (auto v = f.string("key_file", 1, 4096)) {
    esp.key_file = resolve(base_dir, *v);
    r.key_file = f.node("key_file");
  }
  // The state file need not exist: it is created at the first write
  // (src/app/state_file.hpp); it is read when the gateway starts.
  if (auto v = f.string("state_file", 1, 4096)) {
    esp.state_file = resolve(base_dir, *v);
    if (!esp.key_file.empty() && esp.state_file.lexically_normal() == esp.key_file.lexically_normal()) {
      diag.error(
          f.node("state_file")->source(),
          "'state_file' names the key file: l2sec rewrites the state file, which would destroy the keys");
      esp.state_file.clear();
    }
  }
  if (auto v = f.boolean("allow_volatile_sequence")) esp.allow_volatile_sequence = *v;
  return r;
}

PeerEspRead read_peer_esp(Diagnostics& diag, const toml::table& t, const EspRead& er, const EspConfig& esp) {
  PeerEspRead p;
  p.table = t.source();
  p.cfg.source = diag.place(t.source());
  Fields f(t, diag);
  if (auto v = read_spi(diag, f, "spi_in", true)) {
    p.cfg.spi_in = *v;
    p.spi_in = f.node("spi_in");
  } else if (!f.node("spi_in")) {
    diag.error(t.source(), "[peer.esp] needs 'spi_in' (the SPI of the SA we receive on)");
  }
  if (auto v = read_spi(diag, f, "spi_out", true)) {
    p.cfg.spi_out = *v;
    p.spi_out = f.node("spi_out");
  } else if (!f.node("spi_out")) {
    diag.error(t.source(), "[peer.esp] needs 'spi_out' (the SPI we send with)");
  }
  auto ci = f.choice("cipher", kCiphers);
  if (ci) p.cfg.cipher = kCipherValues[*ci];
  auto ai = f.choice("integrity", kIntegrities);
  if (ai) p.cfg.auth = kIntegrityValues[*ai];
  if (auto v = f.integer("natt_port", 1, 65535)) p.cfg.natt_port = static_cast<std::uint16_t>(*v);
  const bool cipher_read = ci || !f.node("cipher");
  const bool integrity_read = ai || !f.node("integrity");
  if (cipher_read && integrity_read) p.algorithms_ok = check_algorithms(diag, f, t, p.cfg, er, esp);
  // The IV of an AEAD cipher is the sequence number: with manual keys it
  // must survive restarts, or nonces repeat under the same key.
  if (p.algorithms_ok && er.present && crypto::is_aead(p.cfg.cipher) && esp.state_file.empty() &&
      !esp.allow_volatile_sequence) {
    const toml::node* cn = f.node("cipher");
    diag.error(
        cn ? cn->source() : t.source(),
        "cipher " + std::string(name_of(p.cfg.cipher)) + (cn ? "" : " (the default)") +
            " with manual keys needs 'state_file' in [esp]: its IV is the sequence number, which a "
            "restart would start again at 1 under the same key, repeating nonces (RFC 4106 §3, RFC 8221 "
            "§3); or set allow_volatile_sequence = true in [esp] (labs only)");
  }
  return p;
}

std::vector<ConfigError> check_esp(Diagnostics& diag, const EspRead& er, const EspConfig& esp,
                                   std::span<const EspPeer> peers, const Endpoint& listen,
                                   const toml::node* listen_node) {
  if (!er.present) {
    for (const EspPeer& p : peers) {
      diag.error(p.esp->table, "[peer.esp] needs an [esp] table (where ESP is set up)");
    }
    return {};
  }
  if (unspecified(listen)) {
    const std::string any = listen.kind == Endpoint::Kind::ipv6 ? "::" : "0.0.0.0";
    if (listen_node) {
      diag.error(listen_node->source(),
                 "'listen' must be a specific address with [esp] (the RFC 3193 filters "
                 "name it), not " +
                     any);
    } else {
      diag.error(er.table,
                 "[esp] needs a specific 'listen' address (the RFC 3193 filters name it); the "
                 "default 0.0.0.0 is any address");
    }
  }
  for (const EspPeer& p : peers) {
    if (!p.has_address) {
      diag.error(p.esp->table,
                 "a peer with [peer.esp] needs an 'address': manual keys belong to one peer address "
                 "(RFC 3193 §4.1)");
    }
  }

  // Every SPI once (see the file comment), in file order so that "first
  // at" names the earlier one.
  std::vector<SpiUse> uses;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const PeerEspRead& e = *peers[i].esp;
    if (e.spi_in) uses.push_back(SpiUse{e.cfg.spi_in, e.spi_in, i, true});
    if (e.spi_out) uses.push_back(SpiUse{e.cfg.spi_out, e.spi_out, i, false});
  }
  std::stable_sort(uses.begin(), uses.end(), [](const SpiUse& a, const SpiUse& b) {
    return before(a.node->source(), b.node->source());
  });
  for (std::size_t i = 0; i < uses.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (uses[j].spi != uses[i].spi) continue;
      const std::string first_what = std::string(uses[j].inbound ? "spi_in" : "spi_out") + " of peer '" +
                                     show(peers[uses[j].peer].name) + "', at " +
                                     diag.place(uses[j].node->source());
      const char* key = uses[i].inbound ? "spi_in" : "spi_out";
      if (uses[i].inbound && uses[j].inbound) {
        diag.error(uses[i].node->source(), std::string(key) + " " + hex_spi(uses[i].spi) +
                                               " is already the " + first_what +
                                               ": inbound SAs are found by SPI, so each needs its own");
      } else {
        diag.error(uses[i].node->source(),
                   std::string(key) + " " + hex_spi(uses[i].spi) + " is already the " + first_what +
                       ": the key file holds one SA per SPI, and two SAs sharing keys repeat nonces and "
                       "accept reflected packets");
      }
      break;
    }
  }

  if (peers.empty() && !er.key_file) return {};
  if (!er.key_file) {
    if (!er.key_file_given) {
      diag.error(er.table, "[esp] needs a 'key_file' for the keys of the [peer.esp] SAs (first at " +
                               diag.place(peers.front().esp->table) + ")");
    }
    return {};
  }
  return read_key_file(diag, er, esp, peers, uses);
}

}  // namespace l2sec::gateway::cfg
