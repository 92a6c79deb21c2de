// [esp] state_file and allow_volatile_sequence (src/gateway/config_esp.cpp,
// docs/config.md "Sequence state"): the path resolved against the config's
// directory and not needed yet, AEAD manual SAs refused without it (at the
// cipher, or at [peer.esp] for the default cipher), CBC allowed, the lab
// switch, and a state file that would overwrite the key file.
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
using ::testing::ElementsAre;
using ::testing::IsEmpty;

using test::TempDir;

const std::string kGcm = "000102030405060708090a0b0c0d0e0f10111213";  // 16 + 4 salt
const std::string kAes = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
const std::string kSha = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";

// Lines numbered for the messages.
std::string conf(const std::string& esp_extra, const std::string& cipher_line) {
  return "role = \"lns\"\n"            // 1
         "listen = \"192.0.2.2\"\n"    // 2
         "[esp]\n"                     // 3
         "key_file = \"keys.toml\"\n"  // 4
         + esp_extra +                 // 5 (when given)
         "[[peer]]\n"
         "name = \"lac1\"\n"
         "address = \"192.0.2.1\"\n"
         "[peer.esp]\n"
         "spi_in = 0x1001\n"
         "spi_out = 0x2001\n" +
         cipher_line;
}

struct Fixture {
  TempDir dir;
  Fixture() {
    dir.write("keys.toml", "[[sa]]\nspi = 0x1001\nenc_key = \"" + kGcm +
                               "\"\n[[sa]]\nspi = 0x2001\nenc_key = \"" + kGcm + "\"\n");
  }
  LoadResult load(const std::string& text) const { return parse_config(text, "t.toml", dir.path()); }
  std::vector<std::string> errors(const std::string& text) const {
    std::vector<std::string> out;
    for (const auto& e : load(text).errors) out.push_back(e.to_string());
    return out;
  }
};

const std::string kRefusal =
    " with manual keys needs 'state_file' in [esp]: its IV is the sequence number, which a restart would "
    "start again at 1 under the same key, repeating nonces (RFC 4106 §3, RFC 8221 §3); or set "
    "allow_volatile_sequence = true in [esp] (labs only)";

TEST(ConfigEspState, StateFileResolvedAndNeedNotExist) {
  Fixture fx;
  LoadResult r = fx.load(conf("state_file = \"state/seq.state\"\n", "cipher = \"aes-gcm-16-128\"\n"));
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config->esp.state_file, fx.dir.path() / "state/seq.state");
  EXPECT_FALSE(r.config->esp.allow_volatile_sequence);
  LoadResult abs = fx.load(conf("state_file = \"/var/lib/l2sec/seq\"\n", "cipher = \"aes-gcm-16-128\"\n"));
  ASSERT_THAT(abs.errors, IsEmpty());
  EXPECT_EQ(abs.config->esp.state_file, "/var/lib/l2sec/seq");
  // Absent: empty.
  LoadResult none = fx.load("role = \"lns\"\nlisten = \"192.0.2.2\"\n[esp]\nauth = \"certificate\"\n");
  ASSERT_THAT(none.errors, IsEmpty());
  EXPECT_TRUE(none.config->esp.state_file.empty());
}

TEST(ConfigEspState, AeadManualSaNeedsStateFile) {
  Fixture fx;
  EXPECT_THAT(fx.errors(conf("", "cipher = \"aes-gcm-16-128\"\n")),
              ElementsAre("t.toml:11:10: cipher aes-gcm-16-128" + kRefusal));
  // The default cipher is AES-GCM: blamed at the [peer.esp] line.
  EXPECT_THAT(fx.errors(conf("", "")),
              ElementsAre("t.toml:8:1: cipher aes-gcm-16-128 (the default)" + kRefusal));
}

TEST(ConfigEspState, ChachaToo) {
  Fixture fx;
  fx.dir.write("keys.toml", "[[sa]]\nspi = 0x1001\nenc_key = \"" + kAes +
                                "0a0b0c0d\"\n[[sa]]\nspi = 0x2001\n"
                                "enc_key = \"" +
                                kAes + "0a0b0c0d\"\n");
  EXPECT_THAT(fx.errors(conf("", "cipher = \"chacha20-poly1305\"\n")),
              ElementsAre("t.toml:11:10: cipher chacha20-poly1305" + kRefusal));
}

TEST(ConfigEspState, AllowVolatileSequenceForLabs) {
  Fixture fx;
  LoadResult r = fx.load(conf("allow_volatile_sequence = true\n", "cipher = \"aes-gcm-16-128\"\n"));
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_TRUE(r.config->esp.allow_volatile_sequence);
  EXPECT_THAT(fx.errors(conf("allow_volatile_sequence = false\n", "cipher = \"aes-gcm-16-128\"\n")),
              ElementsAre("t.toml:12:10: cipher aes-gcm-16-128" + kRefusal));
  EXPECT_THAT(
      fx.errors(conf("allow_volatile_sequence = 1\n", "cipher = \"aes-gcm-16-128\"\n")),
      testing::Contains("t.toml:5:27: 'allow_volatile_sequence' must be a boolean (true or false), not "
                        "an integer"));
}

TEST(ConfigEspState, CbcWithoutStateFileIsAllowed) {
  Fixture fx;
  fx.dir.write("keys.toml", "[[sa]]\nspi = 0x1001\nenc_key = \"" + kAes + "\"\nauth_key = \"" + kSha +
                                "\"\n[[sa]]\nspi = 0x2001\nenc_key = \"" + kAes + "\"\nauth_key = \"" + kSha +
                                "\"\n");
  LoadResult r = fx.load(conf("", "cipher = \"aes-cbc-256\"\nintegrity = \"hmac-sha256-128\"\n"));
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(ConfigEspState, StateFileMustNotBeTheKeyFile) {
  Fixture fx;
  EXPECT_THAT(
      fx.errors(conf("state_file = \"./keys.toml\"\n", "cipher = \"aes-gcm-16-128\"\n")),
      ElementsAre("t.toml:5:14: 'state_file' names the key file: l2sec rewrites the state file, which "
                  "would destroy the keys",
                  "t.toml:12:10: cipher aes-gcm-16-128" + kRefusal));
  EXPECT_THAT(
      fx.errors(conf("state_file = 7\n", "cipher = \"aes-cbc-256\"\nintegrity = \"hmac-sha256-128\"\n")),
      testing::Contains("t.toml:5:14: 'state_file' must be a string, not an integer"));
}

TEST(ConfigEspState, UnknownKeyHint) {
  Fixture fx;
  EXPECT_THAT(
      fx.errors(conf("state_fiel = \"s\"\n", "cipher = \"aes-gcm-16-128\"\n")),
      testing::Contains("t.toml:5:1: unknown key 'state_fiel' in [esp] (did you mean 'state_file'?)"));
}

}  // namespace
}  // namespace l2sec::gateway
