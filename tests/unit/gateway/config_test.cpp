// Configuration loader (src/gateway/config*.cpp): every field filled from a
// full file, the defaults, each error with its exact "file:line:col:
// message", several errors in one run, the secret file rules, the scalar
// parsers, and the example configurations shipped under conf/ (the [esp]
// part has its own file, config_esp_test.cpp).
#include "gateway/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace l2sec::gateway {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using test::TempDir;

std::vector<std::string> errors_of(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.to_string());
  return out;
}

// Parses `text` as "t.toml" and returns the errors as text.
std::vector<std::string> errors(const std::string& text, const fs::path& base = ".") {
  return errors_of(parse_config(text, "t.toml", base));
}

Config parse_ok(const std::string& text, const fs::path& base = ".") {
  LoadResult r = parse_config(text, "t.toml", base);
  EXPECT_THAT(errors_of(r), IsEmpty());
  EXPECT_TRUE(r.config.has_value());
  return r.config.value_or(Config{});
}

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

Endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
  return Endpoint::v4({a, b, c, d}, port);
}

// --- a full file, and the defaults ------------------------------------------

TEST(Config, FullLacConfigFillsEveryField) {
  TempDir dir;
  dir.write("lns.secret", "file secret\n");
  const std::string text = R"(role = "lac"
listen = "[2001:db8::1]:1702"
host_name = "lac-1"
log_level = "debug"
status_file = "run/status.json"
sink = "lcp-echo"
lcp_echo_interval = "250ms"
max_tunnels = 7
redial = true
redial_delay = "2m"

[tunnel]
hidden_avps = true
hello_interval = "90s"
retransmit_initial = "500ms"
retransmit_max = "16s"
retransmit_tries = 7
receive_window = 8
stop_hold = "1m"
max_sessions = 100
framing = ["async"]
bearer = ["analog"]
vendor_name = "acme"

[[peer]]
name = "lns-1"
address = "192.0.2.1"
secret_file = "lns.secret"
challenge = false
sessions = 3
sequencing = true
called_number = "1000"
calling_number = "2000"

[[peer]]
name = "lns-2"
address = "192.0.2.2:1800"
secret = "inline secret"
hidden_avps = false
)";
  Config c = parse_ok(text, dir.path());
  EXPECT_EQ(c.file, fs::path("t.toml"));
  EXPECT_EQ(c.role, Role::lac);
  std::array<std::uint8_t, 16> a6{0x20, 0x01, 0x0d, 0xb8};
  a6[15] = 1;
  EXPECT_EQ(c.listen, Endpoint::v6(a6, 1702));
  EXPECT_EQ(c.host_name, "lac-1");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.status_file, dir.path() / "run/status.json");
  EXPECT_EQ(c.sink, SinkKind::lcp_echo);
  EXPECT_EQ(c.lcp_echo_interval, milliseconds(250));
  EXPECT_EQ(c.max_tunnels, 7);
  EXPECT_TRUE(c.redial);
  EXPECT_EQ(c.redial_delay, minutes(2));

  const l2tp::TunnelConfig& t = c.tunnel;
  EXPECT_EQ(t.host_name, "lac-1");
  EXPECT_EQ(t.vendor_name, "acme");
  EXPECT_TRUE(t.hide_avps);
  EXPECT_EQ(t.hello_interval, seconds(90));
  EXPECT_EQ(t.channel.initial_timeout, milliseconds(500));
  EXPECT_EQ(t.channel.max_timeout, seconds(16));
  EXPECT_EQ(t.channel.max_retransmits, 7u);
  EXPECT_EQ(t.channel.receive_window, 8);
  EXPECT_EQ(t.stop_hold, minutes(1));
  EXPECT_EQ(t.max_sessions, 100);
  EXPECT_EQ(t.framing_capabilities, l2tp::kFramingAsync);
  EXPECT_EQ(t.bearer_capabilities, l2tp::kBearerAnalog);
  EXPECT_TRUE(t.secret.empty());  // secrets are per peer

  ASSERT_EQ(c.peers.size(), 2u);
  const PeerConfig& p1 = c.peers[0];
  EXPECT_EQ(p1.name, "lns-1");
  EXPECT_EQ(p1.address, v4(192, 0, 2, 1, 1701));
  EXPECT_EQ(p1.secret, bytes("file secret"));
  EXPECT_FALSE(p1.challenge);
  EXPECT_TRUE(p1.hidden_avps);  // from [tunnel]
  EXPECT_EQ(p1.sessions, 3u);
  EXPECT_EQ(p1.call.kind, l2tp::CallParams::Kind::incoming);
  EXPECT_TRUE(p1.call.sequencing_required);
  EXPECT_EQ(p1.call.called_number, "1000");
  EXPECT_EQ(p1.call.calling_number, "2000");
  EXPECT_EQ(p1.source, "t.toml:25:1");

  const PeerConfig& p2 = c.peers[1];
  EXPECT_EQ(p2.name, "lns-2");
  EXPECT_EQ(p2.address, v4(192, 0, 2, 2, 1800));
  EXPECT_EQ(p2.secret, bytes("inline secret"));
  EXPECT_TRUE(p2.challenge);
  EXPECT_FALSE(p2.hidden_avps);  // its own
  EXPECT_EQ(p2.sessions, 0u);
  EXPECT_FALSE(p2.call.sequencing_required);
  EXPECT_EQ(p2.call.called_number, "");
  EXPECT_EQ(p2.source, "t.toml:35:1");
}

TEST(Config, FullLnsConfig) {
  Config c = parse_ok(R"(role = "lns"
listen = "10.77.1.2"
[[peer]]
name = "*"
[[peer]]
name = "lac-a"
address = "[2001:db8::7]"
challenge = true
)");
  EXPECT_EQ(c.role, Role::lns);
  EXPECT_EQ(c.listen, v4(10, 77, 1, 2, 1701));
  ASSERT_EQ(c.peers.size(), 2u);
  EXPECT_EQ(c.peers[0].name, "*");
  EXPECT_FALSE(c.peers[0].address.has_value());
  EXPECT_TRUE(c.peers[0].secret.empty());
  std::array<std::uint8_t, 16> a6{0x20, 0x01, 0x0d, 0xb8};
  a6[15] = 7;
  EXPECT_EQ(c.peers[1].address, Endpoint::v6(a6, 1701));
  EXPECT_EQ(c.peers[1].source, "t.toml:5:1");
}

TEST(Config, Defaults) {
  Config c = parse_ok("role = \"lns\"\n");
  const Config d;
  const l2tp::TunnelConfig td;
  EXPECT_EQ(c.role, Role::lns);
  EXPECT_EQ(c.listen, v4(0, 0, 0, 0, 1701));
  EXPECT_EQ(c.host_name, "l2sec");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_FALSE(c.status_file.has_value());
  EXPECT_EQ(c.sink, SinkKind::echo);
  EXPECT_EQ(c.lcp_echo_interval, seconds(1));
  EXPECT_EQ(c.max_tunnels, 1024);
  EXPECT_FALSE(c.redial);
  EXPECT_EQ(c.redial_delay, seconds(5));
  EXPECT_TRUE(c.peers.empty());
  EXPECT_EQ(c.tunnel.host_name, "l2sec");
  EXPECT_EQ(c.tunnel.vendor_name, "l2sec");
  EXPECT_FALSE(c.tunnel.hide_avps);
  EXPECT_EQ(c.tunnel.hello_interval, seconds(60));
  EXPECT_EQ(c.tunnel.channel.initial_timeout, seconds(1));
  EXPECT_EQ(c.tunnel.channel.max_timeout, seconds(8));
  EXPECT_EQ(c.tunnel.channel.max_retransmits, 5u);
  EXPECT_EQ(c.tunnel.channel.receive_window, 16);
  EXPECT_EQ(c.tunnel.stop_hold, seconds(31));
  EXPECT_EQ(c.tunnel.max_sessions, 65535);
  EXPECT_EQ(c.tunnel.framing_capabilities, l2tp::kFramingSync | l2tp::kFramingAsync);
  EXPECT_EQ(c.tunnel.bearer_capabilities, l2tp::kBearerDigital | l2tp::kBearerAnalog);
  // And the same as the structs' own defaults where they exist.
  EXPECT_EQ(c.max_tunnels, d.max_tunnels);
  EXPECT_EQ(c.tunnel.stop_hold, td.stop_hold);
  EXPECT_EQ(c.tunnel.channel.max_send_queue, td.channel.max_send_queue);
}

TEST(Config, PeerDefaults) {
  Config c = parse_ok("role = \"lac\"\n[[peer]]\nname = \"lns\"\naddress = \"192.0.2.9:99\"\n");
  ASSERT_EQ(c.peers.size(), 1u);
  const PeerConfig& p = c.peers[0];
  EXPECT_EQ(p.address, v4(192, 0, 2, 9, 99));
  EXPECT_TRUE(p.secret.empty());
  EXPECT_TRUE(p.challenge);
  EXPECT_FALSE(p.hidden_avps);
  EXPECT_EQ(p.sessions, 0u);
  EXPECT_FALSE(p.call.sequencing_required);
  EXPECT_EQ(p.call.called_number, "");
  EXPECT_EQ(p.call.calling_number, "");
}

TEST(Config, IntegerDurationsAreSeconds) {
  Config c = parse_ok("role = \"lns\"\nredial_delay = 7\n[tunnel]\nhello_interval = 120\n");
  EXPECT_EQ(c.redial_delay, seconds(7));
  EXPECT_EQ(c.tunnel.hello_interval, seconds(120));
}

TEST(Config, ChallengeWithoutSecretIsFine) {
  Config c = parse_ok("role = \"lns\"\n[[peer]]\nname = \"*\"\nchallenge = true\n");
  EXPECT_TRUE(c.peers[0].challenge);
  EXPECT_TRUE(c.peers[0].secret.empty());
}

TEST(Config, EmptyBearerListIsAllowed) {
  Config c = parse_ok("role = \"lns\"\n[tunnel]\nbearer = []\n");
  EXPECT_EQ(c.tunnel.bearer_capabilities, 0u);
}

// --- errors, one at a time ---------------------------------------------------

TEST(ConfigErrors, MissingRole) {
  EXPECT_THAT(errors("host_name = \"x\"\n"),
              ElementsAre("t.toml: missing required key 'role' (\"lac\" or \"lns\")"));
}

TEST(ConfigErrors, BadRole) {
  EXPECT_THAT(errors("role = \"server\"\n"),
              ElementsAre("t.toml:1:8: 'role' must be one of lac, lns, not 'server'"));
  EXPECT_THAT(errors("role = 2\n"),
              ElementsAre("t.toml:1:8: 'role' must be a string (one of lac, lns), not an integer"));
}

TEST(ConfigErrors, TomlSyntax) {
  EXPECT_THAT(
      errors("role = \"lns\"\nhost_name = \"abc\n"),
      ElementsAre(
          "t.toml:2:17: Error while parsing string: unescaped control characters other than TAB (U+0009) are "
          "explicitly prohibited"));
  EXPECT_THAT(
      errors("role = \"lns\"\nrole = \"lac\"\n"),
      ElementsAre("t.toml:2:8: Error while parsing key-value pair: cannot redefine existing string 'role'"));
}

TEST(ConfigErrors, UnknownKeys) {
  EXPECT_THAT(errors("role = \"lns\"\nfoo = 1\n"), ElementsAre("t.toml:2:1: unknown key 'foo' at top level"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nfoo = 1\n"),
              ElementsAre("t.toml:3:1: unknown key 'foo' in [tunnel]"));
  EXPECT_THAT(errors("role = \"lns\"\n[[peer]]\nname = \"*\"\n  foo = 1\n"),
              ElementsAre("t.toml:4:3: unknown key 'foo' in [[peer]]"));
  // Typos get a suggestion; keys of another table say where they belong.
  EXPECT_THAT(
      errors("role = \"lns\"\n[tunnel]\nhello_intervall = \"5s\"\n"),
      ElementsAre("t.toml:3:1: unknown key 'hello_intervall' in [tunnel] (did you mean 'hello_interval'?)"));
  EXPECT_THAT(errors("role = \"lns\"\nhello_interval = \"5s\"\n"),
              ElementsAre("t.toml:2:1: unknown key 'hello_interval' at top level (it belongs in [tunnel])"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nsecret = \"x\"\n"),
              ElementsAre("t.toml:3:1: unknown key 'secret' in [tunnel] (it belongs in [[peer]])"));
  EXPECT_THAT(errors("role = \"lns\"\n[[peer]]\nname = \"*\"\nhost_name = \"x\"\n"),
              ElementsAre("t.toml:4:1: unknown key 'host_name' in [[peer]] (it belongs at top level)"));
  // A dotted key names its first part.
  EXPECT_THAT(errors("role = \"lns\"\ntunel.hello_interval = \"5s\"\n"),
              ElementsAre("t.toml:2:1: unknown key 'tunel' at top level (did you mean 'tunnel'?)"));
}

TEST(ConfigErrors, TypesNameTheExpectedType) {
  EXPECT_THAT(errors("role = \"lns\"\nmax_tunnels = \"many\"\n"),
              ElementsAre("t.toml:2:15: 'max_tunnels' must be an integer, not a string"));
  EXPECT_THAT(errors("role = \"lns\"\nhost_name = 5\n"),
              ElementsAre("t.toml:2:13: 'host_name' must be a string, not an integer"));
  EXPECT_THAT(errors("role = \"lns\"\nredial = \"yes\"\n"),
              ElementsAre("t.toml:2:10: 'redial' must be a boolean (true or false), not a string"));
  EXPECT_THAT(errors("role = \"lns\"\nlcp_echo_interval = 1.5\n"),
              ElementsAre("t.toml:2:21: 'lcp_echo_interval' must be a duration string like \"30s\", not a "
                          "floating-point number"));
  EXPECT_THAT(errors("role = \"lns\"\ntunnel = 3\n"),
              ElementsAre("t.toml:2:10: 'tunnel' must be a table ([tunnel]), not an integer"));
  EXPECT_THAT(errors("role = \"lns\"\n[peer]\nname = \"*\"\n"),
              ElementsAre("t.toml:2:1: 'peer' must be an array of tables ([[peer]]), not a table"));
  EXPECT_THAT(errors("role = \"lns\"\npeer = [1]\n"),
              ElementsAre("t.toml:2:9: each 'peer' must be a table, not an integer"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nframing = \"sync\"\n"),
              ElementsAre("t.toml:3:11: 'framing' must be an array of strings (sync, async), not a string"));
  EXPECT_THAT(
      errors("role = \"lns\"\n[tunnel]\nframing = [\"sync\", 1]\n"),
      ElementsAre(
          "t.toml:3:20: each item of 'framing' must be a string (one of sync, async), not an integer"));
}

TEST(ConfigErrors, Ranges) {
  EXPECT_THAT(errors("role = \"lns\"\nmax_tunnels = 0\n"),
              ElementsAre("t.toml:2:15: 'max_tunnels' must be between 1 and 65535, not 0"));
  EXPECT_THAT(errors("role = \"lns\"\nmax_tunnels = 65536\n"),
              ElementsAre("t.toml:2:15: 'max_tunnels' must be between 1 and 65535, not 65536"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nreceive_window = 0\n"),
              ElementsAre("t.toml:3:18: 'receive_window' must be between 1 and 65535, not 0"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nretransmit_tries = 21\n"),
              ElementsAre("t.toml:3:20: 'retransmit_tries' must be between 1 and 20, not 21"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nmax_sessions = -1\n"),
              ElementsAre("t.toml:3:16: 'max_sessions' must be between 1 and 65535, not -1"));
  EXPECT_THAT(errors("role = \"lac\"\n[[peer]]\nname = \"n\"\naddress = \"192.0.2.1\"\nsessions = 70000\n"),
              ElementsAre("t.toml:5:12: 'sessions' must be between 0 and 65535, not 70000"));
  EXPECT_THAT(errors("role = \"lns\"\nhost_name = \"\"\n"),
              ElementsAre("t.toml:2:13: 'host_name' must not be empty"));
  EXPECT_THAT(errors("role = \"lns\"\nhost_name = \"" + std::string(256, 'h') + "\"\n"),
              ElementsAre("t.toml:2:13: 'host_name' must be 1 to 255 octets long, not 256"));
  EXPECT_THAT(
      errors("role = \"lns\"\nlog_level = \"verbose\"\n"),
      ElementsAre("t.toml:2:13: 'log_level' must be one of trace, debug, info, warn, error, not 'verbose'"));
  EXPECT_THAT(errors("role = \"lns\"\nsink = \"lcp_echo\"\n"),
              ElementsAre("t.toml:2:8: 'sink' must be one of echo, discard, lcp-echo, not 'lcp_echo'"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nframing = []\n"),
              ElementsAre("t.toml:3:11: 'framing' must list at least one of sync, async"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nbearer = [\"digital\", \"isdn\"]\n"),
              ElementsAre("t.toml:3:22: each item of 'bearer' must be one of digital, analog, not 'isdn'"));
}

TEST(ConfigErrors, Durations) {
  EXPECT_THAT(
      errors("role = \"lns\"\nredial_delay = \"5 parsecs\"\n"),
      ElementsAre("t.toml:2:16: 'redial_delay': cannot read '5 parsecs' as a duration (a whole number "
                  "with ms, s, m or h, e.g. \"30s\")"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nhello_interval = \"0s\"\n"),
              ElementsAre("t.toml:3:18: 'hello_interval' must be between 1s and 24h, not 0s"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nhello_interval = 0\n"),
              ElementsAre("t.toml:3:18: 'hello_interval' must be between 1s and 24h, not 0s"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nstop_hold = \"2h\"\n"),
              ElementsAre("t.toml:3:13: 'stop_hold' must be between 1s and 1h, not 2h"));
  EXPECT_THAT(errors("role = \"lns\"\nlcp_echo_interval = \"10ms\"\n"),
              ElementsAre("t.toml:2:21: 'lcp_echo_interval' must be between 100ms and 1h, not 10ms"));
  EXPECT_THAT(errors("role = \"lns\"\nredial_delay = -5\n"),
              ElementsAre("t.toml:2:16: 'redial_delay' must be between 100ms and 1h, not -5s"));
}

TEST(ConfigErrors, RetransmitMaxBelowInitial) {
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nretransmit_initial = \"2s\"\nretransmit_max = \"1s\"\n"),
              ElementsAre("t.toml:4:18: retransmit_max (1s) must not be less than retransmit_initial (2s)"));
  // Only the initial given, above the default cap of 8 s.
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nretransmit_initial = \"10s\"\n"),
              ElementsAre("t.toml:3:22: retransmit_max (8s) must not be less than retransmit_initial (10s)"));
  // Equal is fine (no backoff).
  Config c = parse_ok("role = \"lns\"\n[tunnel]\nretransmit_initial = \"2s\"\nretransmit_max = \"2s\"\n");
  EXPECT_EQ(c.tunnel.channel.max_timeout, seconds(2));
}

TEST(ConfigErrors, Addresses) {
  EXPECT_THAT(
      errors("role = \"lns\"\nlisten = \"localhost:1701\"\n"),
      ElementsAre("t.toml:2:10: 'listen' is not an address: 'localhost:1701' (expected IPv4 a.b.c.d or "
                  "IPv6, in [brackets] when followed by :port)"));
  EXPECT_THAT(errors("role = \"lns\"\nlisten = \"10.0.0.1:0\"\n"),
              ElementsAre("t.toml:2:10: 'listen' is not an address: '10.0.0.1:0' (expected IPv4 a.b.c.d or "
                          "IPv6, in [brackets] when followed by :port)"));
  EXPECT_THAT(errors("role = \"lns\"\n[[peer]]\nname = \"*\"\naddress = \"1.2.3\"\n"),
              ElementsAre("t.toml:4:11: 'address' is not an address: '1.2.3' (expected IPv4 a.b.c.d or "
                          "IPv6, in [brackets] when followed by :port)"));
}

TEST(ConfigErrors, LacWithoutPeerAddress) {
  EXPECT_THAT(errors("role = \"lac\"\n"),
              ElementsAre("t.toml:1:8: a LAC needs at least one [[peer]] with an 'address' or a 'circuit' to dial"));
  EXPECT_THAT(errors("role = \"lac\"\n[[peer]]\nname = \"lns\"\n"),
              ElementsAre("t.toml:1:8: a LAC needs at least one [[peer]] with an 'address' or a 'circuit' to dial"));
  // An address that is wrong is reported as such, not as missing.
  EXPECT_THAT(
      errors("role = \"lac\"\n[[peer]]\nname = \"lns\"\naddress = \"192.0.2\"\n"),
      ElementsAre("t.toml:4:11: 'address' is not an address: '192.0.2' (expected IPv4 a.b.c.d or IPv6, "
                  "in [brackets] when followed by :port)"));
}

TEST(ConfigErrors, LacPeerNamedAny) {
  EXPECT_THAT(errors("role = \"lac\"\n[[peer]]\nname = \"*\"\naddress = \"192.0.2.1\"\n"),
              ElementsAre("t.toml:3:8: name = \"*\" (any peer) is for an LNS; a LAC names the LNS it dials"));
}

TEST(ConfigErrors, PeerWithoutName) {
  EXPECT_THAT(errors("role = \"lns\"\n[[peer]]\naddress = \"192.0.2.1\"\n"),
              ElementsAre("t.toml:2:1: [[peer]] needs a 'name' (the peer's Host Name, or \"*\" for any)"));
}

TEST(ConfigErrors, LnsDuplicatePeerNames) {
  EXPECT_THAT(
      errors("role = \"lns\"\n[[peer]]\nname = \"a\"\n[[peer]]\nname = \"b\"\n[[peer]]\nname = \"a\"\n"),
      ElementsAre("t.toml:7:8: duplicate peer name 'a' (first at t.toml:3:8)"));
  // A LAC may dial the same LNS name at two addresses.
  parse_ok(
      "role = \"lac\"\n[[peer]]\nname = \"a\"\naddress = \"192.0.2.1\"\n"
      "[[peer]]\nname = \"a\"\naddress = \"192.0.2.2\"\n");
}

TEST(ConfigErrors, LnsSessions) {
  EXPECT_THAT(
      errors("role = \"lns\"\n[[peer]]\nname = \"*\"\nsessions = 1\n"),
      ElementsAre("t.toml:4:12: 'sessions' places calls from a LAC; an LNS takes calls, so it must be 0"));
  parse_ok("role = \"lns\"\n[[peer]]\nname = \"*\"\nsessions = 0\n");
}

TEST(ConfigErrors, LnsRedial) {
  EXPECT_THAT(errors("role = \"lns\"\nredial = true\n"),
              ElementsAre("t.toml:2:10: 'redial' is for a LAC; an LNS does not dial"));
  parse_ok("role = \"lns\"\nredial = false\n");
}

TEST(ConfigErrors, HiddenAvpsWithoutSecret) {
  EXPECT_THAT(errors("role = \"lns\"\n[[peer]]\nname = \"*\"\nhidden_avps = true\n"),
              ElementsAre("t.toml:4:15: 'hidden_avps' needs a secret (RFC 2661 §4.3); this peer has none"));
  EXPECT_THAT(errors("role = \"lns\"\n[tunnel]\nhidden_avps = true\n[[peer]]\nname = \"*\"\n"),
              ElementsAre("t.toml:4:1: hidden_avps = true in [tunnel] (at t.toml:3:15) needs a secret "
                          "(RFC 2661 §4.3); this peer has none"));
  // A peer may turn it off, and [tunnel] alone with no peer is no error.
  parse_ok("role = \"lns\"\n[tunnel]\nhidden_avps = true\n[[peer]]\nname = \"*\"\nhidden_avps = false\n");
  parse_ok("role = \"lns\"\n[tunnel]\nhidden_avps = true\n");
  Config c =
      parse_ok("role = \"lns\"\n[tunnel]\nhidden_avps = true\n[[peer]]\nname = \"*\"\nsecret = \"s\"\n");
  EXPECT_TRUE(c.peers[0].hidden_avps);
}

TEST(ConfigErrors, SecretAndSecretFile) {
  TempDir dir;
  dir.write("s", "x");
  EXPECT_THAT(
      errors("role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret_file = \"s\"\nsecret = \"x\"\n", dir.path()),
      ElementsAre("t.toml:5:10: give either 'secret' or 'secret_file', not both"));
  EXPECT_THAT(errors("role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = \"\"\n"),
              ElementsAre("t.toml:4:10: 'secret' must not be empty"));
}

// --- secret files -------------------------------------------------------------

std::string with_secret_file(const std::string& file) {
  return "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret_file = \"" + file + "\"\n";
}

TEST(SecretFile, Missing) {
  TempDir dir;
  EXPECT_THAT(errors(with_secret_file("nope.secret"), dir.path()),
              ElementsAre("t.toml:4:15: cannot open secret file '" + (dir.path() / "nope.secret").string() +
                          "': No such file or directory"));
}

TEST(SecretFile, ModeMustBeOwnerOnly) {
  TempDir dir;
  for (mode_t mode : {0644, 0640, 0604, 0620, 0660, 0601}) {
    SCOPED_TRACE(mode);
    fs::path p = dir.write("s.secret", "hunter2\n", mode);
    char m[8];
    std::snprintf(m, sizeof m, "%04o", static_cast<unsigned>(mode));
    EXPECT_THAT(errors(with_secret_file("s.secret"), dir.path()),
                ElementsAre("t.toml:4:15: secret file '" + p.string() + "' is readable by others (mode " + m +
                            "); chmod 600 it"));
  }
  for (mode_t mode : {0600, 0400, 0700}) {
    SCOPED_TRACE(mode);
    dir.write("s.secret", "hunter2\n", mode);
    Config c = parse_ok(with_secret_file("s.secret"), dir.path());
    EXPECT_EQ(c.peers[0].secret, bytes("hunter2"));
  }
}

TEST(SecretFile, OneTrailingNewlineStripped) {
  TempDir dir;
  struct Case {
    std::string content, secret;
  } cases[] = {
      {"abc", "abc"},       {"abc\n", "abc"},     {"abc\n\n", "abc\n"},
      {"abc\r\n", "abc\r"}, {" a b \n", " a b "}, {std::string("a\0b\n", 4), std::string("a\0b", 3)},
  };
  for (const auto& c : cases) {
    dir.write("s.secret", c.content);
    Config cfg = parse_ok(with_secret_file("s.secret"), dir.path());
    EXPECT_EQ(cfg.peers[0].secret, bytes(c.secret)) << "content of " << c.content.size() << " octets";
  }
}

TEST(SecretFile, Empty) {
  TempDir dir;
  for (const char* content : {"", "\n"}) {
    fs::path p = dir.write("s.secret", content);
    EXPECT_THAT(errors(with_secret_file("s.secret"), dir.path()),
                ElementsAre("t.toml:4:15: secret file '" + p.string() + "' is empty"));
  }
}

TEST(SecretFile, NotARegularFile) {
  TempDir dir;
  fs::create_directory(dir.path() / "d");
  ::chmod((dir.path() / "d").c_str(), 0700);
  EXPECT_THAT(
      errors(with_secret_file("d"), dir.path()),
      ElementsAre("t.toml:4:15: secret file '" + (dir.path() / "d").string() + "' is not a regular file"));
}

TEST(SecretFile, TooLarge) {
  TempDir dir;
  fs::path p = dir.write("s.secret", std::string(4097, 'x'));
  EXPECT_THAT(errors(with_secret_file("s.secret"), dir.path()),
              ElementsAre("t.toml:4:15: secret file '" + p.string() + "' is larger than 4096 octets"));
  dir.write("s.secret", std::string(4096, 'x'));
  EXPECT_EQ(parse_ok(with_secret_file("s.secret"), dir.path()).peers[0].secret.size(), 4096u);
}

TEST(SecretFile, AbsolutePathIsUsedAsIs) {
  TempDir dir;
  fs::path p = dir.write("abs.secret", "zz\n");
  Config c = parse_ok(with_secret_file(p.string()), "/nonexistent-base");
  EXPECT_EQ(c.peers[0].secret, bytes("zz"));
}

TEST(SecretFile, LoadConfigResolvesAgainstTheFilesDirectory) {
  TempDir dir;
  dir.write("k.secret", "from file\n");
  fs::path conf = dir.write("gw.toml", with_secret_file("k.secret"), 0644);
  LoadResult r = load_config(conf);
  ASSERT_THAT(errors_of(r), IsEmpty());
  EXPECT_EQ(r.config->file, conf);
  EXPECT_EQ(r.config->peers[0].secret, bytes("from file"));
  EXPECT_EQ(r.config->peers[0].source, conf.string() + ":2:1");
}

// Secrets never reach a message, whatever goes wrong around them.
TEST(SecretFile, SecretsNeverInMessages) {
  TempDir dir;
  const std::string secret = "hunter2sesame";
  dir.write("open.secret", secret + "\n", 0644);
  const std::string configs[] = {
      // valid secret, other errors around it
      "role = \"lns\"\nbogus = 1\n[[peer]]\nname = \"*\"\nsecret = \"" + secret + "\"\nsessions = 3\n",
      // both forms
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = \"" + secret + "\"\nsecret_file = \"open.secret\"\n",
      // file readable by others
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret_file = \"open.secret\"\n",
      // TOML syntax errors inside the value
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = \"" + secret + "\\q\"\n",
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = \"" + secret + "\" " + secret + "\n",
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = 0x" + secret + "\n",
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = 1" + secret + "\n",
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = tr" + secret + "\n",
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = 123456789012345678901234567890\n",
      // wrong type
      "role = \"lns\"\n[[peer]]\nname = \"*\"\nsecret = [\"" + secret + "\"]\n",
  };
  // What the syntax errors read like: the place, without the text.
  EXPECT_THAT(errors(configs[3]),
              ElementsAre("t.toml:4:25: Error while parsing string: unknown escape sequence"));
  EXPECT_THAT(errors(configs[5]),
              ElementsAre("t.toml:4:12: Error while parsing hexadecimal integer: expected digit"));
  EXPECT_THAT(errors(configs[8]),
              ElementsAre("t.toml:4:40: Error while parsing decimal integer: the value is "
                          "not representable in 64 bits"));
  for (const auto& text : configs) {
    auto errs = errors(text, dir.path());
    EXPECT_FALSE(errs.empty()) << text;
    for (const auto& e : errs) {
      EXPECT_THAT(e, ::testing::Not(HasSubstr("hunter")));
      EXPECT_THAT(e, ::testing::Not(HasSubstr("sesame")));
      EXPECT_THAT(e, ::testing::Not(HasSubstr("1234567890")));
    }
  }
}

// --- several errors at once ---------------------------------------------------

TEST(ConfigErrors, AllReportedInFileOrder) {
  const std::string text = R"(role = "lns"
listen = "10.0.0.300"
max_tunnels = 0
colour = "blue"

[tunnel]
hello_interval = "5 parsecs"
retransmit_tries = "five"

[[peer]]
name = "a"
sessions = 2

[[peer]]
name = "a"
hidden_avps = true
)";
  EXPECT_THAT(
      errors(text),
      ElementsAre("t.toml:2:10: 'listen' is not an address: '10.0.0.300' (expected IPv4 a.b.c.d or IPv6, in "
                  "[brackets] "
                  "when followed by :port)",
                  "t.toml:3:15: 'max_tunnels' must be between 1 and 65535, not 0",
                  "t.toml:4:1: unknown key 'colour' at top level",
                  "t.toml:7:18: 'hello_interval': cannot read '5 parsecs' as a duration (a whole number with "
                  "ms, s, m or "
                  "h, e.g. \"30s\")",
                  "t.toml:8:20: 'retransmit_tries' must be an integer, not a string",
                  "t.toml:12:12: 'sessions' places calls from a LAC; an LNS takes calls, so it must be 0",
                  "t.toml:15:8: duplicate peer name 'a' (first at t.toml:11:8)",
                  "t.toml:16:15: 'hidden_avps' needs a secret (RFC 2661 §4.3); this peer has none"));
}

TEST(ConfigErrors, ConfigErrorToString) {
  EXPECT_EQ((ConfigError{"a.toml", 3, 7, "bad"}).to_string(), "a.toml:3:7: bad");
  EXPECT_EQ((ConfigError{"a.toml", 0, 0, "bad"}).to_string(), "a.toml: bad");
}

TEST(ConfigErrors, LoadConfigMissingFile) {
  LoadResult r = load_config("/nonexistent-l2sec-dir/x.toml");
  EXPECT_FALSE(r.config.has_value());
  EXPECT_THAT(errors_of(r),
              ElementsAre("/nonexistent-l2sec-dir/x.toml: cannot read: No such file or directory"));
}

TEST(ConfigErrors, LoadConfigBadFiles) {
  const fs::path data = fs::path(L2SEC_TEST_DATA) / "config";
  struct Case {
    const char* file;
    std::vector<std::string> errors;  // after "<path>:"
  } cases[] = {
      {"syntax.toml", {"4:1: Error while parsing root table: expected keys, tables, whitespace or comments"}},
      {"typos.toml",
       {"5:1: unknown key 'retransmit_timeout' in [tunnel]",
        "9:1: unknown key 'adress' in [[peer]] (did you mean 'address'?)"}},
      {"lac-no-address.toml", {"3:8: a LAC needs at least one [[peer]] with an 'address' or a 'circuit' to dial"}},
      {"esp-bad.toml",
       {"4:1: [esp] needs a specific 'listen' address (the RFC 3193 filters name it); the default 0.0.0.0 is "
        "any address",
        "4:1: [esp] needs a 'key_file' for the keys of the [peer.esp] SAs (first at {file}:10:3)",
        "11:12: 'spi_in' must be at least 256 (0x100): 0 and 1..255 are reserved (RFC 4303 §2.1), not 5",
        "14:15: integrity hmac-sha1-96 cannot go with cipher aes-gcm-16-128, which authenticates itself (RFC "
        "4303 §3.2.3): use integrity = \"none\""}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const fs::path p = data / c.file;
    std::vector<std::string> want;
    for (std::string e : c.errors) {
      if (auto at = e.find("{file}"); at != std::string::npos) e.replace(at, 6, p.string());
      want.push_back(p.string() + ":" + e);
    }
    EXPECT_EQ(errors_of(load_config(p)), want);
  }
}

// --- the examples shipped under conf/ -------------------------------------------

// An example's text and the directory that stands for conf/ while it loads:
// every secret_file it names is created there, mode 0600 (secret files are
// not shipped: git keeps no 0600 mode), and its ESP key_file, which is
// shipped, is copied there with mode 0600 for the same reason.
struct Example {
  std::string text;
  TempDir dir;
};

std::unique_ptr<Example> prepare_example(const fs::path& f) {
  auto ex = std::make_unique<Example>();
  std::ifstream in(f, std::ios::binary);
  ex->text.assign((std::istreambuf_iterator<char>(in)), {});
  toml::table t = toml::parse(ex->text, std::string_view(f.string()));
  if (auto* peers = t["peer"].as_array()) {
    for (auto& p : *peers) {
      if (auto sf = p.as_table()->get("secret_file")) {
        std::string name = sf->value_or(std::string{});
        EXPECT_TRUE(fs::path(name).is_relative()) << "examples name secret files relative to themselves";
        ex->dir.write(name, "example secret for " + name + "\n");
      }
    }
  }
  if (auto kf = t["esp"]["key_file"].value<std::string>()) {
    EXPECT_TRUE(fs::path(*kf).is_relative()) << "examples name key files relative to themselves";
    std::ifstream keys(f.parent_path() / *kf, std::ios::binary);
    EXPECT_TRUE(keys.good()) << "the key file " << *kf << " ships next to " << f;
    ex->dir.write(*kf, std::string((std::istreambuf_iterator<char>(keys)), {}));
  }
  return ex;
}

// ESP key files in conf/ are not configurations: esp-keys-*.toml.
bool is_key_file(const fs::path& p) { return p.filename().string().rfind("esp-keys-", 0) == 0; }

// Every conf/*.toml loads without error, and every key file there is the
// key_file of some example.
TEST(ConfigExamples, AllLoad) {
  const fs::path conf = fs::path(L2SEC_SOURCE_DIR) / "conf";
  std::vector<fs::path> files;
  std::vector<std::string> key_files;
  for (const auto& e : fs::directory_iterator(conf)) {
    if (e.path().extension() != ".toml") continue;
    if (is_key_file(e.path())) {
      key_files.push_back(e.path().filename().string());
    } else {
      files.push_back(e.path());
    }
  }
  ASSERT_GE(files.size(), 5u);
  std::vector<std::string> named;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    auto ex = prepare_example(f);
    LoadResult r = parse_config(ex->text, f.string(), ex->dir.path());
    EXPECT_THAT(errors_of(r), IsEmpty());
    if (r.config && r.config->esp.enabled && !r.config->esp.key_file.empty()) {
      named.push_back(r.config->esp.key_file.filename().string());
    }
  }
  for (const std::string& k : key_files) {
    EXPECT_THAT(named, ::testing::Contains(k)) << "conf/" << k << " is no example's key_file";
  }
}

// The ESP pair: each end's outbound SA is the other's inbound one, with the
// same SPI and the same keys, and each names the other's address.
TEST(ConfigExamples, EspPairMirrors) {
  const fs::path conf = fs::path(L2SEC_SOURCE_DIR) / "conf";
  auto load = [&](const char* name) {
    auto ex = prepare_example(conf / name);
    LoadResult r = parse_config(ex->text, name, ex->dir.path());
    EXPECT_THAT(errors_of(r), IsEmpty());
    return r.config.value_or(Config{});
  };
  Config lns = load("lns-esp.toml");
  Config lac = load("lac-esp.toml");
  ASSERT_TRUE(lns.esp.enabled);
  ASSERT_TRUE(lac.esp.enabled);
  ASSERT_EQ(lns.peers.size(), 1u);
  ASSERT_EQ(lac.peers.size(), 1u);
  ASSERT_TRUE(lns.peers[0].esp.has_value());
  ASSERT_TRUE(lac.peers[0].esp.has_value());
  const PeerEspConfig& n = *lns.peers[0].esp;
  const PeerEspConfig& a = *lac.peers[0].esp;
  EXPECT_EQ(n.spi_in, a.spi_out);
  EXPECT_EQ(n.spi_out, a.spi_in);
  EXPECT_EQ(n.cipher, a.cipher);
  EXPECT_EQ(n.auth, a.auth);
  EXPECT_EQ(n.keys_in.enc, a.keys_out.enc);
  EXPECT_EQ(n.keys_in.auth, a.keys_out.auth);
  EXPECT_EQ(n.keys_out.enc, a.keys_in.enc);
  EXPECT_EQ(n.keys_out.auth, a.keys_in.auth);
  EXPECT_NE(n.keys_in.enc, n.keys_out.enc);
  EXPECT_EQ(n.keys_in.enc.size(), crypto::enc_key_size(n.cipher));
  EXPECT_EQ(n.keys_in.auth.size(), crypto::auth_key_size(n.auth));
  EXPECT_EQ(lns.peers[0].name, lac.host_name);
  EXPECT_TRUE(lns.peers[0].address->same_host(lac.listen));
  EXPECT_TRUE(lac.peers[0].address->same_host(lns.listen));
  EXPECT_EQ(lns.esp.shape, lac.esp.shape);
  EXPECT_EQ(lns.esp.mode, lac.esp.mode);
  EXPECT_EQ(lns.esp.udp_encap, lac.esp.udp_encap);
}

TEST(ConfigExamples, ShapesAreWhatTheirNamesSay) {
  const fs::path conf = fs::path(L2SEC_SOURCE_DIR) / "conf";
  auto load = [&](const char* name) {
    std::ifstream in(conf / name, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    TempDir dir;
    for (const char* s : {"lac.secret", "lac1.secret", "lac2.secret"}) dir.write(s, "s\n");
    LoadResult r = parse_config(text, name, dir.path());
    EXPECT_THAT(errors_of(r), IsEmpty());
    return r.config.value_or(Config{});
  };
  Config lns = load("lns.toml");
  EXPECT_EQ(lns.role, Role::lns);
  ASSERT_EQ(lns.peers.size(), 1u);
  EXPECT_EQ(lns.peers[0].name, "*");
  EXPECT_TRUE(lns.peers[0].secret.empty());

  Config lac = load("lac.toml");
  EXPECT_EQ(lac.role, Role::lac);
  ASSERT_EQ(lac.peers.size(), 1u);
  EXPECT_EQ(lac.peers[0].address, v4(10, 77, 1, 2, 1701));
  EXPECT_EQ(lac.peers[0].sessions, 1u);
  EXPECT_FALSE(lac.peers[0].secret.empty());

  Config auth = load("lns-auth.toml");
  EXPECT_EQ(auth.role, Role::lns);
  ASSERT_EQ(auth.peers.size(), 2u);
  // The LNS knows the LAC of lac.toml by its host name and address.
  EXPECT_EQ(auth.peers[0].name, lac.host_name);
  EXPECT_TRUE(auth.peers[0].address->same_host(lac.listen));
  for (const auto& p : auth.peers) {
    EXPECT_FALSE(p.secret.empty());
    EXPECT_TRUE(p.hidden_avps);
  }
}

// --- parse_endpoint / parse_duration -----------------------------------------------

TEST(ParseEndpoint, Good) {
  std::array<std::uint8_t, 16> loop6{};
  loop6[15] = 1;
  std::array<std::uint8_t, 16> db8{0x20, 0x01, 0x0d, 0xb8};
  db8[15] = 1;
  std::array<std::uint8_t, 16> mapped{};
  mapped[10] = 0xff;
  mapped[11] = 0xff;
  mapped[12] = 192;
  mapped[13] = 0;
  mapped[14] = 2;
  mapped[15] = 1;
  struct Case {
    const char* text;
    Endpoint want;
  } cases[] = {
      {"192.0.2.1", v4(192, 0, 2, 1, 1701)},
      {"192.0.2.1:1702", v4(192, 0, 2, 1, 1702)},
      {"0.0.0.0", v4(0, 0, 0, 0, 1701)},
      {"255.255.255.255:65535", v4(255, 255, 255, 255, 65535)},
      {"10.0.0.1:1", v4(10, 0, 0, 1, 1)},
      {"[::1]:1701", Endpoint::v6(loop6, 1701)},
      {"[::1]", Endpoint::v6(loop6, 1701)},
      {"::1", Endpoint::v6(loop6, 1701)},
      {"2001:db8::1", Endpoint::v6(db8, 1701)},
      {"[2001:db8::1]:9", Endpoint::v6(db8, 9)},
      {"[2001:DB8:0:0:0:0:0:1]:9", Endpoint::v6(db8, 9)},
      {"::", Endpoint::v6({}, 1701)},
      {"[::ffff:192.0.2.1]:5", Endpoint::v6(mapped, 5)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_endpoint(c.text, 1701), c.want) << c.text;
  }
}

TEST(ParseEndpoint, Bad) {
  for (const char* text : {"",
                           "1.2.3",
                           "1.2.3.4.5",
                           "1.2.3.",
                           ".1.2.3",
                           "256.0.0.1",
                           "01.2.3.4",
                           "1.2.3.04",
                           "0x7f.0.0.1",
                           "1.2.3.4:",
                           "1.2.3.4:0",
                           "1.2.3.4:65536",
                           "1.2.3.4:01701",
                           "1.2.3.4:+5",
                           "1.2.3.4:17a",
                           " 1.2.3.4",
                           "1.2.3.4 ",
                           "a1.2.3.4",
                           "1.2.3.4x",
                           "1.2.3.-4",
                           "localhost",
                           "example.com:1701",
                           "[::1",
                           "[::1]:",
                           "[::1]x",
                           "[::1]:0",
                           "[::1]:99999",
                           "[1.2.3.4]:5",
                           "::1:1701:",
                           "2001:db8::g",
                           "fe80::1%eth0",
                           "[]",
                           "[]:1",
                           ":1701",
                           "1.2.3.4:1:2",
                           "1..2.3"}) {
    EXPECT_EQ(parse_endpoint(text, 1701), std::nullopt) << "'" << text << "'";
  }
}

TEST(ParseDuration, Good) {
  struct Case {
    const char* text;
    Duration want;
  } cases[] = {
      {"0", seconds(0)},
      {"1", seconds(1)},
      {"60", seconds(60)},
      {"500ms", milliseconds(500)},
      {"1s", seconds(1)},
      {"2m", minutes(2)},
      {"1h", hours(1)},
      {"0ms", Duration::zero()},
      {"08s", seconds(8)},
      {"86400s", hours(24)},
      {"1500ms", milliseconds(1500)},
      {"2562047h", hours(2562047)},  // the largest whole number of hours that fits
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_duration(c.text), c.want) << c.text;
  }
}

TEST(ParseDuration, Bad) {
  for (const char* text : {"",
                           "s",
                           "ms",
                           "-1s",
                           "+1s",
                           "1.5s",
                           "1 s",
                           " 1s",
                           "1s ",
                           "5 parsecs",
                           "1sec",
                           "1S",
                           "1d",
                           "1us",
                           "1ns",
                           "1m1s",
                           "1e3",
                           "0x10",
                           "2562048h",
                           "99999999999999999999",
                           "9223372036854775807s"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace l2sec::gateway
