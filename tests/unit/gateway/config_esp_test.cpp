// The [esp] part of the configuration (src/gateway/config_esp.cpp): every
// field filled, the defaults, each error with its exact "file:line:col:
// message" (main file and key file), key files read like secret files, and
// no key byte in any message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gateway/config.hpp"
#include "support/temp_dir.hpp"

namespace l2sec::gateway {
namespace {

namespace fs = std::filesystem;
using crypto::EspAuth;
using crypto::EspCipher;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using test::TempDir;

std::vector<std::string> errors_of(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.to_string());
  return out;
}

std::vector<std::uint8_t> unhex(std::string_view s) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Lab keys: obviously not random.
const std::string kGcm128In = "000102030405060708090a0b0c0d0e0f10111213";   // 16 + 4 salt
const std::string kGcm128Out = "101112131415161718191a1b1c1d1e1f20212223";  // 16 + 4 salt
const std::string kAes256 = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
const std::string kSha256 = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";

// One LNS with one ESP peer, AES-GCM-16-128 (lines numbered for the tests).
const std::string kLns =
    "role = \"lns\"\n"                // 1
    "listen = \"192.0.2.2\"\n"        // 2
    "[esp]\n"                         // 3
    "key_file = \"keys.toml\"\n"      // 4
    "state_file = \"seq.state\"\n"    // 5
    "[[peer]]\n"                      // 6
    "name = \"lac1\"\n"               // 7
    "address = \"192.0.2.1\"\n"       // 8
    "[peer.esp]\n"                    // 9
    "spi_in = 0x1001\n"               // 10
    "spi_out = 0x2001\n"              // 11
    "cipher = \"aes-gcm-16-128\"\n";  // 12

const std::string kLnsKeys =
    "[[sa]]\n"        // 1
    "spi = 0x1001\n"  // 2
    "enc_key = \"0x" +
    kGcm128In +
    "\"\n"            // 3
    "[[sa]]\n"        // 4
    "spi = 0x2001\n"  // 5
    "enc_key = \"" +
    kGcm128Out + "\"\n";  // 6

// Parses `conf` as t.toml in `dir`, with `keys` as dir/keys.toml (mode 0600).
struct Fixture {
  TempDir dir;
  fs::path key_path;
  explicit Fixture(const std::string& keys = kLnsKeys, mode_t mode = 0600) {
    key_path = dir.write("keys.toml", keys, mode);
  }
  LoadResult load(const std::string& conf) const { return parse_config(conf, "t.toml", dir.path()); }
  std::vector<std::string> errors(const std::string& conf) const { return errors_of(load(conf)); }
  Config ok(const std::string& conf) const {
    LoadResult r = load(conf);
    EXPECT_THAT(errors_of(r), IsEmpty());
    EXPECT_TRUE(r.config.has_value());
    return r.config.value_or(Config{});
  }
  // "<key file>:line:col: message"
  std::string k(const std::string& place_and_message) const {
    return key_path.string() + ":" + place_and_message;
  }
};

// Replaces the first `from` in `s` (which must be there).
std::string with(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// --- good configurations ----------------------------------------------------

TEST(ConfigEsp, LnsFillsEveryField) {
  Fixture fx;
  Config c = fx.ok(kLns);
  EXPECT_TRUE(c.esp.enabled);
  EXPECT_EQ(c.esp.key_file, fx.dir.path() / "keys.toml");
  ASSERT_EQ(c.peers.size(), 1u);
  ASSERT_TRUE(c.peers[0].esp.has_value());
  const PeerEspConfig& e = *c.peers[0].esp;
  EXPECT_EQ(e.spi_in, 0x1001u);
  EXPECT_EQ(e.spi_out, 0x2001u);
  EXPECT_EQ(e.cipher, EspCipher::aes_gcm16_128);
  EXPECT_EQ(e.auth, EspAuth::none);
  EXPECT_EQ(e.keys_in.enc, unhex(kGcm128In));
  EXPECT_TRUE(e.keys_in.auth.empty());
  EXPECT_EQ(e.keys_out.enc, unhex(kGcm128Out));
  EXPECT_TRUE(e.keys_out.auth.empty());
  EXPECT_EQ(e.natt_port, 4500);
  EXPECT_EQ(e.source, "t.toml:9:1");
}

TEST(ConfigEsp, EveryEspKeyAndTwoPeers) {
  const std::string keys = "[[sa]]\nspi = 256\nenc_key = \"" + kAes256 + "\"\nauth_key = \"0X" + kSha256 +
                           "\"\n"
                           "[[sa]]\nspi = 0xffffffff\nenc_key = \"" +
                           kAes256 + "\"\nauth_key = \"" + kSha256 +
                           "\"\n"
                           "[[sa]]\nspi = 4096\nenc_key = \"" +
                           std::string(72, 'A') +
                           "\"\n"
                           "[[sa]]\nspi = 4097\nenc_key = \"" +
                           std::string(72, 'b') + "\"\n";
  Fixture fx(keys);
  Config c = fx.ok(R"(role = "lac"
listen = "[2001:db8::2]:1701"
[esp]
provider = "mbedtls"
shape = "gateway-to-gateway"
auth = "certificate"
mode = "tunnel"
udp_encap = true
natt_port = 14500
replay_window = 4096
esn = true
profile = "legacy"
require = false
key_file = "keys.toml"
state_file = "/var/lib/l2sec/seq.state"

[[peer]]
name = "lns1"
address = "2001:db8::1"
  [peer.esp]
  spi_in = 256
  spi_out = 0xffffffff
  cipher = "aes-cbc-256"
  integrity = "hmac-sha256-128"
  natt_port = 4501

[[peer]]
name = "lns2"
address = "2001:db8::3"
esp = { spi_in = 4096, spi_out = 4097, cipher = "chacha20-poly1305" }
)");
  EXPECT_TRUE(c.esp.enabled);
  EXPECT_EQ(c.esp.provider, crypto::EspProviderId::mbedtls);
  EXPECT_EQ(c.esp.shape, esp::Shape::gateway_to_gateway);
  EXPECT_EQ(c.esp.auth, esp::AuthMethod::certificate);
  EXPECT_EQ(c.esp.mode, esp::Mode::tunnel);
  EXPECT_TRUE(c.esp.udp_encap);
  EXPECT_EQ(c.esp.natt_port, 14500);
  EXPECT_EQ(c.esp.replay_window, 4096u);
  EXPECT_TRUE(c.esp.esn);
  EXPECT_TRUE(c.esp.legacy);
  EXPECT_FALSE(c.esp.require);
  EXPECT_EQ(c.esp.state_file, "/var/lib/l2sec/seq.state");
  ASSERT_EQ(c.peers.size(), 2u);
  const PeerEspConfig& a = *c.peers[0].esp;
  EXPECT_EQ(a.spi_in, 256u);
  EXPECT_EQ(a.spi_out, 0xffffffffu);
  EXPECT_EQ(a.cipher, EspCipher::aes_cbc_256);
  EXPECT_EQ(a.auth, EspAuth::hmac_sha256_128);
  EXPECT_EQ(a.natt_port, 4501);
  EXPECT_EQ(a.keys_in.enc, unhex(kAes256));
  EXPECT_EQ(a.keys_in.auth, unhex(kSha256));
  EXPECT_EQ(a.keys_out.enc, unhex(kAes256));
  EXPECT_EQ(a.keys_out.auth, unhex(kSha256));
  EXPECT_EQ(a.source, "t.toml:20:3");
  const PeerEspConfig& b = *c.peers[1].esp;
  EXPECT_EQ(b.cipher, EspCipher::chacha20_poly1305);
  EXPECT_EQ(b.auth, EspAuth::none);
  EXPECT_EQ(b.natt_port, 4500);
  EXPECT_EQ(b.keys_in.enc, std::vector<std::uint8_t>(36, 0xaa));
  EXPECT_EQ(b.keys_out.enc, std::vector<std::uint8_t>(36, 0xbb));
  EXPECT_EQ(b.source, "t.toml:30:7");
}

TEST(ConfigEsp, Defaults) {
  Fixture fx;
  // (One peer with an address, so that the default pre-shared-key filters exist.)
  Config c = fx.ok(
      "role = \"lns\"\nlisten = \"192.0.2.2\"\n[esp]\n[[peer]]\nname = \"lac\"\naddress = \"192.0.2.9\"\n");
  const EspConfig d;
  EXPECT_TRUE(c.esp.enabled);
  EXPECT_EQ(c.esp.provider, crypto::EspProviderId::automatic);
  EXPECT_EQ(c.esp.shape, esp::Shape::compulsory);
  EXPECT_EQ(c.esp.auth, esp::AuthMethod::pre_shared_key);
  EXPECT_EQ(c.esp.mode, esp::Mode::transport);
  EXPECT_FALSE(c.esp.udp_encap);
  EXPECT_EQ(c.esp.natt_port, 4500);
  EXPECT_EQ(c.esp.replay_window, 64u);
  EXPECT_FALSE(c.esp.esn);
  EXPECT_FALSE(c.esp.legacy);
  EXPECT_TRUE(c.esp.require);
  EXPECT_TRUE(c.esp.key_file.empty());
  EXPECT_EQ(c.esp.replay_window, d.replay_window);
  EXPECT_EQ(c.esp.natt_port, d.natt_port);

  // No [esp]: no ESP, and peers without [peer.esp].
  Config none = fx.ok("role = \"lns\"\n[[peer]]\nname = \"*\"\n");
  EXPECT_FALSE(none.esp.enabled);
  EXPECT_FALSE(none.peers[0].esp.has_value());
}

// [esp] without any [peer.esp]: only the filters, no key file needed; a peer
// without [peer.esp] next to one with it is fine too.
TEST(ConfigEsp, EspWithoutPeerEspNeedsNoKeys) {
  Fixture fx;
  Config c = fx.ok(
      "role = \"lns\"\nlisten = \"192.0.2.2\"\n[esp]\nshape = \"voluntary\"\nauth = \"certificate\"\n"
      "[[peer]]\nname = \"*\"\n");
  EXPECT_FALSE(c.peers[0].esp.has_value());
  Config two = fx.ok(kLns + "[[peer]]\nname = \"other\"\n");
  EXPECT_TRUE(two.peers[0].esp.has_value());
  EXPECT_FALSE(two.peers[1].esp.has_value());
}

// Pre-shared keys go by peer address (RFC 3193 §4.1): an [esp] whose peers
// have none yields no filter, and the layer, failing closed, would pass
// nothing. Refused where [esp] starts.
TEST(ConfigEspErrors, NoFilterAtAll) {
  Fixture fx;
  EXPECT_THAT(
      fx.errors(
          "role = \"lns\"\nlisten = \"192.0.2.2\"\n[esp]\nshape = \"voluntary\"\n[[peer]]\nname = \"*\"\n"),
      ElementsAre("t.toml:3:1: [esp] yields no RFC 3193 filter: with auth = \"psk\" (and for "
                  "gateway-to-gateway) the filters are per peer address, and no [[peer]] has an "
                  "'address'; ESP would pass no L2TP at all"));
}

TEST(ConfigEsp, UdpEncapWithTunnelMode) {
  Fixture fx;
  Config c = fx.ok(with(kLns, "[esp]\n", "[esp]\nudp_encap = true\nmode = \"tunnel\"\n"));
  EXPECT_TRUE(c.esp.udp_encap);
  EXPECT_EQ(c.esp.mode, esp::Mode::tunnel);
}

TEST(ConfigEsp, LegacyProfileAllows3desAndMd5) {
  const std::string des = "0123456789abcdef1123456789abcdef2123456789abcdef";  // 24 octets
  const std::string md5 = "00112233445566778899aabbccddeeff";                  // 16 octets
  Fixture fx("[[sa]]\nspi = 0x1001\nenc_key = \"" + des + "\"\nauth_key = \"" + md5 +
             "\"\n[[sa]]\nspi = 0x2001\nenc_key = \"" + des + "\"\nauth_key = \"" + md5 + "\"\n");
  std::string conf =
      with(kLns, "cipher = \"aes-gcm-16-128\"", "cipher = \"3des-cbc\"\nintegrity = \"hmac-md5-96\"");
  conf = with(conf, "[esp]\n", "[esp]\nprofile = \"legacy\"\n");
  Config c = fx.ok(conf);
  EXPECT_EQ(c.peers[0].esp->cipher, EspCipher::des3_cbc);
  EXPECT_EQ(c.peers[0].esp->auth, EspAuth::hmac_md5_96);
  EXPECT_EQ(c.peers[0].esp->keys_in.enc, unhex(des));
  EXPECT_EQ(c.peers[0].esp->keys_in.auth, unhex(md5));
}

TEST(ConfigEsp, NullCipherWithIntegrity) {
  Fixture fx("[[sa]]\nspi = 0x1001\nauth_key = \"" + kSha256 +
             "\"\n[[sa]]\nspi = 0x2001\nenc_key = \"\"\nauth_key = \"" + kSha256 + "\"\n");
  Config c =
      fx.ok(with(kLns, "cipher = \"aes-gcm-16-128\"", "cipher = \"null\"\nintegrity = \"hmac-sha256-128\""));
  EXPECT_EQ(c.peers[0].esp->cipher, EspCipher::null);
  EXPECT_TRUE(c.peers[0].esp->keys_in.enc.empty());
  EXPECT_EQ(c.peers[0].esp->keys_out.auth, unhex(kSha256));
}

TEST(ConfigEsp, LoadConfigResolvesKeyFileAgainstTheFilesDirectory) {
  Fixture fx;
  fs::path conf = fx.dir.write("gw.toml", kLns, 0644);
  LoadResult r = load_config(conf);
  ASSERT_THAT(errors_of(r), IsEmpty());
  EXPECT_EQ(r.config->esp.key_file, fx.key_path);
  EXPECT_EQ(r.config->peers[0].esp->keys_in.enc, unhex(kGcm128In));
  EXPECT_EQ(r.config->peers[0].esp->source, conf.string() + ":9:1");
}

// --- errors in the main file ---------------------------------------------------

TEST(ConfigEspErrors, PeerEspWithoutEsp) {
  Fixture fx;
  EXPECT_THAT(fx.errors(with(kLns, "[esp]\nkey_file = \"keys.toml\"\nstate_file = \"seq.state\"\n", "")),
              ElementsAre("t.toml:6:1: [peer.esp] needs an [esp] table (where ESP is set up)"));
}

TEST(ConfigEspErrors, ListenMustBeSpecific) {
  Fixture fx;
  EXPECT_THAT(
      fx.errors(with(kLns, "listen = \"192.0.2.2\"\n", "")),
      ElementsAre("t.toml:2:1: [esp] needs a specific 'listen' address (the RFC 3193 filters name it); "
                  "the default 0.0.0.0 is any address"));
  EXPECT_THAT(fx.errors(with(kLns, "\"192.0.2.2\"", "\"0.0.0.0:1701\"")),
              ElementsAre("t.toml:2:10: 'listen' must be a specific address with [esp] (the RFC 3193 filters "
                          "name it), not 0.0.0.0"));
  EXPECT_THAT(fx.errors(with(kLns, "\"192.0.2.2\"", "\"[::]:1701\"")),
              ElementsAre("t.toml:2:10: 'listen' must be a specific address with [esp] (the RFC 3193 filters "
                          "name it), not ::"));
  // Without [esp] the wildcard is fine.
  fx.ok("role = \"lns\"\nlisten = \"0.0.0.0\"\n");
}

TEST(ConfigEspErrors, PeerEspNeedsAddress) {
  Fixture fx;
  EXPECT_THAT(fx.errors(with(kLns, "address = \"192.0.2.1\"\n", "")),
              ElementsAre("t.toml:8:1: a peer with [peer.esp] needs an 'address': manual keys belong to one "
                          "peer address (RFC 3193 §4.1)"));
  // A wrong address is reported as such, not as missing.
  EXPECT_THAT(
      fx.errors(with(kLns, "\"192.0.2.1\"", "\"192.0.2\"")),
      ElementsAre("t.toml:8:11: 'address' is not an address: '192.0.2' (expected IPv4 a.b.c.d or IPv6, "
                  "in [brackets] when followed by :port)"));
}

TEST(ConfigEspErrors, SpiRange) {
  Fixture fx;
  EXPECT_THAT(fx.errors(with(kLns, "0x1001", "0")),
              ElementsAre("t.toml:10:10: 'spi_in' must be at least 256 (0x100): 0 and 1..255 are reserved "
                          "(RFC 4303 §2.1), not 0"));
  EXPECT_THAT(fx.errors(with(kLns, "0x1001", "255")),
              ElementsAre("t.toml:10:10: 'spi_in' must be at least 256 (0x100): 0 and 1..255 are reserved "
                          "(RFC 4303 §2.1), not 255"));
  EXPECT_THAT(fx.errors(with(kLns, "0x2001", "0x100000000")),
              ElementsAre("t.toml:11:11: 'spi_out' must be between 256 and 4294967295 (0x100 to 0xffffffff), "
                          "not 4294967296"));
  EXPECT_THAT(fx.errors(with(kLns, "0x2001", "-1")),
              ElementsAre("t.toml:11:11: 'spi_out' must be between 256 and 4294967295 (0x100 to 0xffffffff), "
                          "not -1"));
  EXPECT_THAT(fx.errors(with(kLns, "0x2001", "\"0x2001\"")),
              ElementsAre("t.toml:11:11: 'spi_out' must be an integer (TOML hex like 0x1001 is fine), not a "
                          "string"));
}

TEST(ConfigEspErrors, SpiRequired) {
  Fixture fx;
  EXPECT_THAT(fx.errors(with(kLns, "spi_in = 0x1001\n", "")),
              ElementsAre("t.toml:9:1: [peer.esp] needs 'spi_in' (the SPI of the SA we receive on)"));
  Fixture one("[[sa]]\nspi = 0x1001\nenc_key = \"" + kGcm128In + "\"\n");
  EXPECT_THAT(one.errors(with(kLns, "spi_out = 0x2001\n", "")),
              ElementsAre("t.toml:9:1: [peer.esp] needs 'spi_out' (the SPI we send with)"));
}

TEST(ConfigEspErrors, SpiInUniqueAcrossPeers) {
  Fixture fx(kLnsKeys + "[[sa]]\nspi = 0x2002\nenc_key = \"" + kGcm128Out + "\"\n");
  const std::string second =
      "[[peer]]\nname = \"lac2\"\naddress = \"192.0.2.3\"\n[peer.esp]\nspi_in = 0x1001\nspi_out = 0x2002\n";
  EXPECT_THAT(
      fx.errors(kLns + second),
      ElementsAre("t.toml:17:10: spi_in 0x1001 is already the spi_in of peer 'lac1', at t.toml:10:10: "
                  "inbound SAs are found by SPI, so each needs its own"));
}

// One SA per SPI in the key file: an SPI named twice would give two SAs the
// same keys, even in different directions.
TEST(ConfigEspErrors, SpiSharedBetweenDirectionsOrPeers) {
  Fixture fx;
  EXPECT_THAT(
      fx.errors(with(kLns, "spi_out = 0x2001", "spi_out = 0x1001")),
      ElementsAre("t.toml:11:11: spi_out 0x1001 is already the spi_in of peer 'lac1', at t.toml:10:10: "
                  "the key file holds one SA per SPI, and two SAs sharing keys repeat nonces and accept "
                  "reflected packets",
                  fx.k("5:7: [[sa]] spi 0x2001 is not used by any [peer.esp]")));
}

TEST(ConfigEspErrors, SpiOutSharedAcrossPeers) {
  Fixture fx(kLnsKeys + "[[sa]]\nspi = 0x1002\nenc_key = \"" + kGcm128Out + "\"\n");
  const std::string second =
      "[[peer]]\nname = \"lac2\"\naddress = \"192.0.2.3\"\n[peer.esp]\nspi_in = 0x1002\nspi_out = 0x2001\n";
  EXPECT_THAT(
      fx.errors(kLns + second),
      ElementsAre("t.toml:18:11: spi_out 0x2001 is already the spi_out of peer 'lac1', at t.toml:11:11: "
                  "the key file holds one SA per SPI, and two SAs sharing keys repeat nonces and accept "
                  "reflected packets"));
}

TEST(ConfigEspErrors, AlgorithmNames) {
  Fixture fx;
  EXPECT_THAT(
      fx.errors(with(kLns, "\"aes-gcm-16-128\"", "\"aes-gcm16-128\"")),
      ElementsAre("t.toml:12:10: 'cipher' must be one of null, aes-cbc-128, aes-cbc-256, aes-gcm-16-128, "
                  "aes-gcm-16-256, chacha20-poly1305, 3des-cbc, not 'aes-gcm16-128'"));
  EXPECT_THAT(fx.errors(kLns + "integrity = \"sha1\"\n"),
              ElementsAre("t.toml:13:13: 'integrity' must be one of none, hmac-sha1-96, hmac-sha256-128, "
                          "hmac-md5-96, not 'sha1'"));
}

TEST(ConfigEspErrors, CipherIntegrityPairs) {
  Fixture fx;
  EXPECT_THAT(fx.errors(kLns + "integrity = \"hmac-sha1-96\"\n"),
              ElementsAre("t.toml:13:13: integrity hmac-sha1-96 cannot go with cipher aes-gcm-16-128, which "
                          "authenticates itself (RFC 4303 §3.2.3): use integrity = \"none\""));
  EXPECT_THAT(fx.errors(with(kLns, "\"aes-gcm-16-128\"", "\"aes-cbc-128\"")),
              ElementsAre("t.toml:12:10: cipher aes-cbc-128 needs an integrity algorithm (RFC 3193 requires "
                          "integrity protection, RFC 8221 §4): set 'integrity'"));
  EXPECT_THAT(fx.errors(with(kLns, "\"aes-gcm-16-128\"", "\"aes-cbc-256\"\nintegrity = \"none\"")),
              ElementsAre("t.toml:13:13: cipher aes-cbc-256 needs an integrity algorithm (RFC 3193 requires "
                          "integrity protection, RFC 8221 §4): set 'integrity'"));
  EXPECT_THAT(
      fx.errors(with(kLns, "\"aes-gcm-16-128\"", "\"null\"")),
      ElementsAre("t.toml:12:10: cipher null with integrity none protects nothing (RFC 4303 §3.2: not "
                  "both NULL; RFC 3193 requires integrity): set 'integrity'"));
  // No cipher given: the default AES-GCM-16-128.
  Config c = fx.ok(with(kLns, "cipher = \"aes-gcm-16-128\"\n", ""));
  EXPECT_EQ(c.peers[0].esp->cipher, EspCipher::aes_gcm16_128);
}

TEST(ConfigEspErrors, LegacyAlgorithmsNeedLegacyProfile) {
  Fixture fx;
  EXPECT_THAT(
      fx.errors(with(kLns, "\"aes-gcm-16-128\"", "\"3des-cbc\"\nintegrity = \"hmac-sha1-96\"")),
      ElementsAre("t.toml:12:10: cipher 3des-cbc needs profile = \"legacy\" in [esp] (RFC 8221 §5: "
                  "3DES SHOULD NOT be used)",
                  // the key lengths are still checked
                  fx.k("1:1: [[sa]] spi 0x1001 needs 'auth_key': 20 octets for hmac-sha1-96 (SA 0x1001: "
                       "spi_in of peer 'lac1')"),
                  fx.k("3:11: 'enc_key' must be 24 octets (48 hex digits) for 3des-cbc, not 20 (SA "
                       "0x1001: spi_in of peer 'lac1')"),
                  fx.k("4:1: [[sa]] spi 0x2001 needs 'auth_key': 20 octets for hmac-sha1-96 (SA 0x2001: "
                       "spi_out of peer 'lac1')"),
                  fx.k("6:11: 'enc_key' must be 24 octets (48 hex digits) for 3des-cbc, not 20 (SA "
                       "0x2001: spi_out of peer 'lac1')")));
  EXPECT_THAT(
      fx.errors(with(kLns, "\"aes-gcm-16-128\"", "\"aes-cbc-128\"\nintegrity = \"hmac-md5-96\"")),
      testing::Contains("t.toml:13:13: integrity hmac-md5-96 needs profile = \"legacy\" in [esp] (RFC 8221 "
                        "§6: HMAC-MD5-96 MUST NOT be used)"));
  EXPECT_THAT(fx.errors(with(kLns, "[esp]\n", "[esp]\nprofile = \"old\"\n")),
              ElementsAre("t.toml:4:11: 'profile' must be one of standard, legacy, not 'old'"));
}

TEST(ConfigEspErrors, EspValues) {
  Fixture fx;
  auto esp_line = [&](const std::string& line) {
    return fx.errors(with(kLns, "[esp]\n", "[esp]\n" + line + "\n"));
  };
  EXPECT_THAT(esp_line("replay_window = 100"),
              ElementsAre("t.toml:4:17: 'replay_window' must be a multiple of 64, not 100"));
  EXPECT_THAT(esp_line("replay_window = 32"),
              ElementsAre("t.toml:4:17: 'replay_window' must be between 64 and 4096, not 32"));
  EXPECT_THAT(esp_line("replay_window = 4160"),
              ElementsAre("t.toml:4:17: 'replay_window' must be between 64 and 4096, not 4160"));
  EXPECT_THAT(esp_line("natt_port = 0"),
              ElementsAre("t.toml:4:13: 'natt_port' must be between 1 and 65535, not 0"));
  EXPECT_THAT(
      esp_line("provider = \"openssl\""),
      ElementsAre("t.toml:4:12: 'provider' must be one of auto, intel-ipsec-mb, mbedtls, not 'openssl'"));
  EXPECT_THAT(esp_line("shape = \"lac-to-lns\""),
              ElementsAre("t.toml:4:9: 'shape' must be one of voluntary, compulsory, gateway-to-gateway, not "
                          "'lac-to-lns'"));
  EXPECT_THAT(esp_line("auth = \"rsa\""),
              ElementsAre("t.toml:4:8: 'auth' must be one of psk, certificate, not 'rsa'"));
  EXPECT_THAT(esp_line("mode = \"ipless\""),
              ElementsAre("t.toml:4:8: 'mode' must be one of transport, tunnel, not 'ipless'"));
  EXPECT_THAT(esp_line("esn = 1"),
              ElementsAre("t.toml:4:7: 'esn' must be a boolean (true or false), not an integer"));
  EXPECT_THAT(esp_line("require = \"yes\""),
              ElementsAre("t.toml:4:11: 'require' must be a boolean (true or false), not a string"));
  EXPECT_THAT(fx.errors(kLns + "natt_port = 70000\n"),
              ElementsAre("t.toml:13:13: 'natt_port' must be between 1 and 65535, not 70000"));
}

TEST(ConfigEspErrors, UnknownKeysAndTypes) {
  Fixture fx;
  EXPECT_THAT(fx.errors(with(kLns, "[esp]\n", "[esp]\nprovder = \"auto\"\n")),
              ElementsAre("t.toml:4:1: unknown key 'provder' in [esp] (did you mean 'provider'?)"));
  EXPECT_THAT(fx.errors(with(kLns, "[esp]\n", "[esp]\ncipher = \"null\"\n")),
              ElementsAre("t.toml:4:1: unknown key 'cipher' in [esp] (it belongs in [peer.esp])"));
  EXPECT_THAT(fx.errors(kLns + "spi_ni = 5\n"),
              ElementsAre("t.toml:13:1: unknown key 'spi_ni' in [peer.esp] (did you mean 'spi_in'?)"));
  EXPECT_THAT(fx.errors(kLns + "key_file = \"k\"\n"),
              ElementsAre("t.toml:13:1: unknown key 'key_file' in [peer.esp] (it belongs in [esp])"));
  EXPECT_THAT(fx.errors("role = \"lns\"\nreplay_window = 64\n"),
              ElementsAre("t.toml:2:1: unknown key 'replay_window' at top level (it belongs in [esp])"));
  EXPECT_THAT(fx.errors("role = \"lns\"\nesp = true\n"),
              ElementsAre("t.toml:2:7: 'esp' must be a table ([esp]), not a boolean"));
  EXPECT_THAT(fx.errors("role = \"lns\"\nlisten = \"192.0.2.2\"\n[esp]\n[[peer]]\nname = \"*\"\nesp = 1\n"),
              ElementsAre("t.toml:6:7: 'esp' must be a table ([peer.esp]), not an integer"));
}

TEST(ConfigEspErrors, KeyFileRequiredWithPeerEsp) {
  Fixture fx;
  EXPECT_THAT(fx.errors(with(kLns, "key_file = \"keys.toml\"\n", "")),
              ElementsAre("t.toml:3:1: [esp] needs a 'key_file' for the keys of the [peer.esp] SAs (first at "
                          "t.toml:8:1)"));
  // A key_file of the wrong type is reported once.
  EXPECT_THAT(fx.errors(with(kLns, "\"keys.toml\"", "1")),
              ElementsAre("t.toml:4:12: 'key_file' must be a string, not an integer"));
}

// --- the key file ------------------------------------------------------------------

TEST(KeyFile, FileRules) {
  Fixture fx;
  fs::path missing = fx.dir.path() / "nope.toml";
  EXPECT_THAT(
      fx.errors(with(kLns, "keys.toml", "nope.toml")),
      ElementsAre("t.toml:4:12: cannot open key file '" + missing.string() + "': No such file or directory"));
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    SCOPED_TRACE(mode);
    ::chmod(fx.key_path.c_str(), mode);
    char m[8];
    std::snprintf(m, sizeof m, "%04o", static_cast<unsigned>(mode));
    EXPECT_THAT(fx.errors(kLns), ElementsAre("t.toml:4:12: key file '" + fx.key_path.string() +
                                             "' is readable by others (mode " + m + "); chmod 600 it"));
  }
  ::chmod(fx.key_path.c_str(), 0400);
  fx.ok(kLns);
  fs::create_directory(fx.dir.path() / "d");
  ::chmod((fx.dir.path() / "d").c_str(), 0700);
  EXPECT_THAT(
      fx.errors(with(kLns, "keys.toml", "d")),
      ElementsAre("t.toml:4:12: key file '" + (fx.dir.path() / "d").string() + "' is not a regular file"));
  fs::path big = fx.dir.write("big.toml", "# " + std::string(1 << 20, 'x') + "\n");
  EXPECT_THAT(fx.errors(with(kLns, "keys.toml", "big.toml")),
              ElementsAre("t.toml:4:12: key file '" + big.string() + "' is larger than 1048576 octets"));
}

TEST(KeyFile, Syntax) {
  Fixture fx("[[sa]]\nspi = 0x1001\nenc_key = \"" + kGcm128In + "\" x\n");
  EXPECT_THAT(
      fx.errors(kLns),
      ElementsAre(fx.k("3:54: Error while parsing key-value pair: expected a comment or whitespace")));
}

TEST(KeyFile, Structure) {
  {
    Fixture fx(kLnsKeys + "version = 1\n");
    EXPECT_THAT(fx.errors(kLns), ElementsAre(fx.k("7:1: unknown key in [[sa]]")));
  }
  {
    Fixture fx("verison = 1\n" + kLnsKeys);
    EXPECT_THAT(fx.errors(kLns), ElementsAre(fx.k("1:1: unknown key at top level of the key file")));
  }
  {
    Fixture fx(with(kLnsKeys, "enc_key", "enc_kye"));
    EXPECT_THAT(fx.errors(kLns), ElementsAre(fx.k("1:1: [[sa]] spi 0x1001 needs 'enc_key': 20 octets for "
                                                  "aes-gcm-16-128 (SA 0x1001: spi_in of peer 'lac1')"),
                                             fx.k("3:1: unknown key in [[sa]] (did you mean 'enc_key'?)")));
  }
  {
    Fixture fx("[sa]\nspi = 1\n");
    EXPECT_THAT(fx.errors(kLns),
                ElementsAre(fx.k("1:1: 'sa' must be an array of tables ([[sa]]), not a table")));
  }
  {
    Fixture fx("sa = [1]\n");
    EXPECT_THAT(fx.errors(kLns), ElementsAre(fx.k("1:7: each 'sa' must be a table, not an integer")));
  }
  {
    Fixture fx("[[sa]]\nenc_key = \"" + kGcm128In + "\"\n");
    EXPECT_THAT(fx.errors(kLns), ElementsAre(fx.k("1:1: [[sa]] needs a 'spi'")));
  }
  {
    // Empty key file: every SPI is missing, reported where the peer names it.
    Fixture fx("");
    EXPECT_THAT(
        fx.errors(kLns),
        ElementsAre("t.toml:10:10: no [[sa]] with spi 0x1001 in key file '" + fx.key_path.string() + "'",
                    "t.toml:11:11: no [[sa]] with spi 0x2001 in key file '" + fx.key_path.string() + "'"));
  }
}

TEST(KeyFile, SpiChecks) {
  {
    Fixture fx(kLnsKeys + "[[sa]]\nspi = 0x1001\nenc_key = \"" + kGcm128In + "\"\n");
    EXPECT_THAT(fx.errors(kLns), ElementsAre(fx.k("8:7: duplicate [[sa]] spi 0x1001 (first at " +
                                                  fx.key_path.string() + ":2:7)")));
  }
  {
    Fixture fx(kLnsKeys + "[[sa]]\nspi = 0x3001\nenc_key = \"" + kGcm128In + "\"\n");
    EXPECT_THAT(fx.errors(kLns), ElementsAre(fx.k("8:7: [[sa]] spi 0x3001 is not used by any [peer.esp]")));
  }
  {
    // Out of range: the value is not shown (a key could be on that line).
    Fixture fx(with(kLnsKeys, "spi = 0x2001", "spi = 0x0123456789abcdef"));
    EXPECT_THAT(fx.errors(kLns),
                ElementsAre(fx.k("5:7: 'spi' must be between 256 and 4294967295 (0x100 to 0xffffffff)")));
  }
  {
    Fixture fx(with(kLnsKeys, "spi = 0x2001", "spi = 7"));
    EXPECT_THAT(fx.errors(kLns),
                ElementsAre(fx.k(
                    "5:7: 'spi' must be at least 256 (0x100): 0 and 1..255 are reserved (RFC 4303 §2.1)")));
  }
}

TEST(KeyFile, KeyValues) {
  {
    Fixture fx(with(kLnsKeys, "0x000102", "0x00z102"));
    EXPECT_THAT(fx.errors(kLns),
                ElementsAre(fx.k("3:11: 'enc_key' must be hex digits (0-9, a-f), optionally after 0x")));
  }
  {
    Fixture fx(with(kLnsKeys, "0x000102", "0x00102"));
    EXPECT_THAT(fx.errors(kLns), ElementsAre(fx.k("3:11: 'enc_key' has an odd number of hex digits")));
  }
  {
    Fixture fx(with(kLnsKeys, "\"0x" + kGcm128In + "\"", "0x0001020304050607"));
    EXPECT_THAT(fx.errors(kLns),
                ElementsAre(fx.k("3:11: 'enc_key' must be a string of hex digits, not an integer")));
  }
  {
    Fixture fx(with(kLnsKeys, "0x000102", "0x"));
    EXPECT_THAT(fx.errors(kLns),
                ElementsAre(fx.k("3:11: 'enc_key' must be 20 octets (40 hex digits, the last 4 the salt) for "
                                 "aes-gcm-16-128, not 17 (SA 0x1001: spi_in of peer 'lac1')")));
  }
  {
    Fixture fx(kLnsKeys + "auth_key = \"" + kSha256 + "\"\n");
    EXPECT_THAT(fx.errors(kLns),
                ElementsAre(fx.k("7:12: 'auth_key' must be left out: integrity none takes no key "
                                 "(SA 0x2001: spi_out of peer 'lac1')")));
  }
}

TEST(KeyFile, KeyLengthsForCbcHmac) {
  const std::string conf = with(kLns, "\"aes-gcm-16-128\"", "\"aes-cbc-128\"\nintegrity = \"hmac-sha1-96\"");
  const std::string aes128 = kAes256.substr(0, 32);
  const std::string sha1 = kSha256.substr(0, 40);
  Fixture good("[[sa]]\nspi = 0x1001\nenc_key = \"" + aes128 + "\"\nauth_key = \"" + sha1 +
               "\"\n[[sa]]\nspi = 0x2001\nenc_key = \"" + aes128 + "\"\nauth_key = \"" + sha1 + "\"\n");
  Config c = good.ok(conf);
  EXPECT_EQ(c.peers[0].esp->keys_out.auth, unhex(sha1));
  Fixture bad("[[sa]]\nspi = 0x1001\nenc_key = \"" + kAes256 + "\"\nauth_key = \"" + kSha256 +
              "\"\n[[sa]]\nspi = 0x2001\nauth_key = \"" + sha1 + "\"\n");
  EXPECT_THAT(
      bad.errors(conf),
      ElementsAre(
          bad.k("3:11: 'enc_key' must be 16 octets (32 hex digits) for aes-cbc-128, not 32 (SA 0x1001: "
                "spi_in of peer 'lac1')"),
          bad.k("4:12: 'auth_key' must be 20 octets (40 hex digits) for hmac-sha1-96, not 32 (SA "
                "0x1001: spi_in of peer 'lac1')"),
          bad.k("5:1: [[sa]] spi 0x2001 needs 'enc_key': 16 octets for aes-cbc-128 (SA 0x2001: spi_out of "
                "peer 'lac1')")));
  // NULL takes no encryption key.
  Fixture null_key("[[sa]]\nspi = 0x1001\nenc_key = \"00\"\nauth_key = \"" + sha1 +
                   "\"\n[[sa]]\nspi = 0x2001\nauth_key = \"" + sha1 + "\"\n");
  EXPECT_THAT(
      null_key.errors(with(conf, "\"aes-cbc-128\"", "\"null\"")),
      ElementsAre(null_key.k("3:11: 'enc_key' must be left out: cipher null takes no key (SA 0x1001: spi_in "
                             "of peer 'lac1')")));
}

// Main-file and key-file errors together: the main file's first, in file
// order, then the key file's.
TEST(KeyFile, ErrorsOfBothFiles) {
  Fixture fx(kLnsKeys + "[[sa]]\nspi = 0x3001\n");
  EXPECT_THAT(fx.errors(with(kLns, "[esp]\n", "[esp]\nesn = 3\n")),
              ElementsAre("t.toml:4:7: 'esn' must be a boolean (true or false), not an integer",
                          fx.k("8:7: [[sa]] spi 0x3001 is not used by any [peer.esp]")));
}

// No key byte in any message, whatever is wrong in the key file.
TEST(KeyFile, KeysNeverInMessages) {
  const std::string key = "c0ffee0ddba11c0ffee0ddba11c0ffee0ddba11d";  // 20 octets
  const std::vector<std::string> bad_files = {
      // wrong lengths, both keys
      "[[sa]]\nspi = 0x1001\nenc_key = \"" + key + "00\"\nauth_key = \"" + key + "\"\n",
      // not hex
      "[[sa]]\nspi = 0x1001\nenc_key = \"" + key + "x\"\n",
      // odd
      "[[sa]]\nspi = 0x1001\nenc_key = \"" + key + "0\"\n",
      // TOML integers and syntax errors around the key
      "[[sa]]\nspi = 0x1001\nenc_key = 0x" + key + "\n",
      "[[sa]]\nspi = 0x1001\nenc_key = 0x" + key.substr(0, 16) + "\n",
      "[[sa]]\nspi = 0x1001\nenc_key = " + key + "\n",
      "[[sa]]\nspi = 0x1001\nenc_key = \"" + key + "\" " + key + "\n",
      "[[sa]]\nspi = 0x1001\nenc_key: \"" + key + "\"\n",
      "[[sa]]\nspi = 0x1001\n" + key + "\n",
      "[[sa]]\nspi = 0x1001\n" + key + " = 1\n",
      "[[sa]]\nspi = 0x1001\n\"" + key + "\" = \"" + key + "\"\n",
      "[[sa]]\nspi = 0x1001\nenc_key = \"" + key + "\n",
      "[[sa]]\nspi = 0x1001\nenc_key = \"\\q" + key + "\"\n",
      "[[sa]]\nspi = 0x1001\nenc_key = [\"" + key + "\"]\n",
      "[[sa]]\nspi = 0x" + key.substr(0, 16) + "\nenc_key = \"" + key + "\"\n",
      "[[sa]]\nspi = 0x" + key + "\nenc_key = \"" + key + "\"\n",
      "[[sa]]\nspi = \"" + key + "\"\n",
      "[" + key + "]\n",
      "[[sa]]\nspi = 0x1001\nenc_key = " + key.substr(0, 4) + "-" + key.substr(4, 2) + "-" +
          key.substr(6, 2) + "\n",
      "[[sa]]\nspi = 0x1001\nenc_key = 1" + key.substr(0, 10) + "e\n",
      // the key in the wrong SA (an unused SPI, a duplicate)
      "[[sa]]\nspi = 0x3001\nenc_key = \"" + key + "\"\n",
      "[[sa]]\nspi = 0x1001\nenc_key = \"" + key + "\"\n[[sa]]\nspi = 0x1001\nenc_key = \"" + key + "\"\n",
  };
  for (const std::string& file : bad_files) {
    SCOPED_TRACE(file);
    Fixture fx(file);
    auto errs = fx.errors(kLns);
    EXPECT_FALSE(errs.empty());
    for (const std::string& e : errs) {
      for (std::size_t i = 0; i + 6 <= key.size(); i += 2) {
        EXPECT_THAT(e, Not(HasSubstr(key.substr(i, 6)))) << e;
      }
      EXPECT_THAT(e, Not(HasSubstr("c0ffee"))) << e;
      EXPECT_THAT(e, Not(HasSubstr("C0FFEE"))) << e;
      // decimal renderings of a key read as an integer
      EXPECT_THAT(e, Not(HasSubstr(std::to_string(std::stoull(key.substr(0, 16), nullptr, 16))))) << e;
    }
  }
}

// The main file is never echoed with its key file's content either: a good
// key file leaves nothing in the errors of a bad main file.
TEST(KeyFile, GoodKeysNotInMainFileErrors) {
  Fixture fx;
  for (const std::string& conf :
       {with(kLns, "\"aes-gcm-16-128\"", "\"aes-gcm-16-256\""), kLns + "bogus = 1\n"}) {
    for (const std::string& e : fx.errors(conf)) {
      EXPECT_THAT(e, Not(HasSubstr("0001020304"))) << e;
      EXPECT_THAT(e, Not(HasSubstr("1011121314"))) << e;
    }
  }
}

}  // namespace
}  // namespace l2sec::gateway
