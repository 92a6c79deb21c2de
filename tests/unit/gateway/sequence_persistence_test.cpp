// The gateway's use of a SequenceStore at start and at a clean stop
// (gateway.hpp, sequence_store.hpp): the first reservation written before
// anything can be sent, restored marks and floors, the warnings without a
// store, and the setup errors when the store cannot be read or written.
// The running behaviour (reservations mid-traffic, restarts, a failing
// store) is in tests/sim/esp_restart_sim_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/random.hpp"
#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "gateway/sequence_store.hpp"

namespace l2sec::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

const Endpoint kLocal = Endpoint::v4({192, 0, 2, 2}, 1701);
const Endpoint kPeer1 = Endpoint::v4({192, 0, 2, 1}, 0);
const Endpoint kPeer2 = Endpoint::v4({192, 0, 2, 3}, 0);

PeerConfig peer(const std::string& name, const Endpoint& addr, std::uint32_t spi_in, std::uint32_t spi_out,
                crypto::EspCipher cipher) {
  PeerConfig p;
  p.name = name;
  p.address = addr;
  p.source = "t.toml:" + name;
  PeerEspConfig e;
  e.spi_in = spi_in;
  e.spi_out = spi_out;
  e.cipher = cipher;
  e.auth = crypto::is_aead(cipher) ? crypto::EspAuth::none : crypto::EspAuth::hmac_sha256_128;
  e.keys_in.enc.assign(crypto::enc_key_size(cipher), 1);
  e.keys_in.auth.assign(crypto::auth_key_size(e.auth), 2);
  e.keys_out.enc.assign(crypto::enc_key_size(cipher), 3);
  e.keys_out.auth.assign(crypto::auth_key_size(e.auth), 4);
  p.esp = e;
  return p;
}

Config config() {
  Config c;
  c.role = Role::lns;
  c.listen = kLocal;
  c.esp.enabled = true;
  c.peers.push_back(peer("lac1", kPeer1, 0x1001, 0x2001, crypto::EspCipher::aes_gcm16_128));
  c.peers.push_back(peer("lac2", kPeer2, 0x1002, 0x2002, crypto::EspCipher::aes_cbc_256));
  return c;
}

SequenceRecord rec(SeqDirection d, std::uint32_t spi, const Endpoint& peer, std::uint64_t v) {
  return SequenceRecord{SequenceKey{d, spi, peer}, v};
}

TEST(SequencePersistence, FirstReservationIsWrittenBeforeAnythingIsSent) {
  MemorySequenceStore store;
  crypto::SeededRandom rng(1);
  Gateway gw(config(), rng, {}, SequencePersistence{&store, 1000});
  EXPECT_THAT(gw.setup_errors(), IsEmpty());
  EXPECT_THAT(gw.setup_warnings(), IsEmpty());
  EXPECT_EQ(store.writes(), 1u);  // one write for every SA
  EXPECT_THAT(store.records(), UnorderedElementsAre(rec(SeqDirection::outbound, 0x2001, kPeer1, 1000),
                                                    rec(SeqDirection::outbound, 0x2002, kPeer2, 1000)));
}

TEST(SequencePersistence, RestoredStateAndACleanSave) {
  MemorySequenceStore store;
  const SequenceRecord before[] = {rec(SeqDirection::outbound, 0x2001, kPeer1, 5000),
                                   rec(SeqDirection::inbound, 0x1001, kPeer1, 777),
                                   // An SA no longer configured: kept as it is.
                                   rec(SeqDirection::outbound, 0x2009, kPeer1, 42)};
  ASSERT_TRUE(store.persist(before));
  crypto::SeededRandom rng(1);
  {
    Gateway gw(config(), rng, {}, SequencePersistence{&store, 1000});
    EXPECT_THAT(gw.setup_errors(), IsEmpty());
    // The new reservation starts at the restored mark.
    EXPECT_EQ(*store.find({SeqDirection::outbound, 0x2001, kPeer1}), 6000u);
    EXPECT_EQ(*store.find({SeqDirection::outbound, 0x2002, kPeer2}), 1000u);
    // A clean stop with nothing sent: back to the last number sent (the
    // restored one), the floor kept.
    EXPECT_TRUE(gw.save_sequence_state());
  }
  EXPECT_THAT(store.records(), UnorderedElementsAre(rec(SeqDirection::outbound, 0x2001, kPeer1, 5000),
                                                    rec(SeqDirection::inbound, 0x1001, kPeer1, 777),
                                                    rec(SeqDirection::outbound, 0x2009, kPeer1, 42),
                                                    rec(SeqDirection::outbound, 0x2002, kPeer2, 0),
                                                    rec(SeqDirection::inbound, 0x1002, kPeer2, 0)));
}

TEST(SequencePersistence, WithoutAStoreEverySaIsWarnedAbout) {
  crypto::SeededRandom rng(1);
  Gateway gw(config(), rng);
  EXPECT_THAT(gw.setup_errors(), IsEmpty());
  ASSERT_EQ(gw.setup_warnings().size(), 2u);
  EXPECT_EQ(gw.setup_warnings()[0],
            "peer lac1 (t.toml:lac1): SA out 0x00002001 / in 0x00001001: no [esp] state_file, so a restart "
            "starts the sequence numbers again at 1 under the same keys: the peer drops what we send as "
            "replayed until it restarts too, packets captured before the restart can be replayed at us, and "
            "aes-gcm16-128 repeats its nonces (RFC 4106 §3)");
  EXPECT_THAT(gw.setup_warnings()[1],
              HasSubstr("peer lac2 (t.toml:lac2): SA out 0x00002002 / in 0x00001002"));
  EXPECT_THAT(gw.setup_warnings()[1], Not(HasSubstr("nonces")));
  EXPECT_TRUE(gw.save_sequence_state());  // nothing to save
}

TEST(SequencePersistence, FailingStoreIsASetupError) {
  MemorySequenceStore store;
  store.set_failing(true);
  crypto::SeededRandom rng(1);
  Gateway gw(config(), rng, {}, SequencePersistence{&store, 1000});
  EXPECT_THAT(gw.setup_errors(),
              ElementsAre("ESP sequence state: cannot persist the first reservation of sequence numbers"));
  EXPECT_EQ(gw.counters()[Ctr::esp_state_write_failed], 1u);
  EXPECT_FALSE(gw.save_sequence_state());
}

class UnreadableStore final : public SequenceStore {
 public:
  Result<std::vector<SequenceRecord>> load() override { return Error{Errc::io, "state unreadable"}; }
  bool persist(std::span<const SequenceRecord>) override { return true; }
};

TEST(SequencePersistence, UnreadableStoreIsASetupErrorAndNoSaIsSetUp) {
  UnreadableStore store;
  crypto::SeededRandom rng(1);
  Gateway gw(config(), rng, {}, SequencePersistence{&store, 1000});
  EXPECT_THAT(gw.setup_errors(), ElementsAre("ESP sequence state: state unreadable"));
  EXPECT_THAT(gw.esp_summary(), IsEmpty());
}

TEST(SequencePersistence, NearlyExhaustedSaIsWarnedAbout) {
  MemorySequenceStore store;
  const SequenceRecord before[] = {rec(SeqDirection::outbound, 0x2002, kPeer2, 0xffffff00u)};
  ASSERT_TRUE(store.persist(before));
  crypto::SeededRandom rng(1);
  Gateway gw(config(), rng, {}, SequencePersistence{&store, 1000});
  EXPECT_THAT(gw.setup_warnings(),
              ElementsAre("peer lac2 (t.toml:lac2): SA out 0x00002002 has used 4294967040 sequence numbers, "
                          "close to its end: replace its keys and SPIs"));
  // Reserved up to the end of the 32-bit numbers, not beyond.
  EXPECT_EQ(*store.find({SeqDirection::outbound, 0x2002, kPeer2}), 0xffffffffu);
}

}  // namespace
}  // namespace l2sec::gateway
