// intel-ipsec-mb ESP provider: published ESP packets (draft-mcgrew-gcm-test-01
// §4, RFC 7634 Appendix A, RFC 3602 §4 case 5), byte equality with the
// mbedTLS provider, round trips, ICV failures and layout/key checks.
#include <mbedtls/md.h>

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/esp_test_hooks.hpp"
#include "crypto/esp_transform.hpp"
#include "crypto/random.hpp"

namespace l2sec::crypto {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf hex(std::string_view s) {
  Buf out;
  auto nib = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    return static_cast<std::uint8_t>(c - 'a' + 10);
  };
  for (std::size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>((nib(s[i]) << 4) | nib(s[i + 1])));
  return out;
}

// A Random that must not be used (AEAD IVs come from the sequence number).
class NoRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override {
    ADD_FAILURE() << "unexpected Random::fill of " << out.size() << " octets";
  }
};

// One ESP packet in one buffer: SPI | Seq lo | IV | payload | ICV.
struct Packet {
  Buf bytes;
  std::size_t iv = 0, payload = 0, icv = 0;
  std::uint32_t seq_hi = 0;
  bool esn = false;

  Packet(const EspTransform& t, std::uint32_t spi, std::uint64_t seq, bool use_esn, Bytes plain)
      : bytes(8 + t.iv_size() + plain.size() + t.icv_size()),
        iv(t.iv_size()),
        payload(plain.size()),
        icv(t.icv_size()),
        seq_hi(static_cast<std::uint32_t>(seq >> 32)),
        esn(use_esn) {
    store_be32(bytes.data(), spi);
    store_be32(bytes.data() + 4, static_cast<std::uint32_t>(seq));
    std::copy(plain.begin(), plain.end(), bytes.begin() + 8 + static_cast<std::ptrdiff_t>(iv));
  }
  EspPacketView view() {
    MutBytes all(bytes);
    return EspPacketView{all.subspan(0, 8), all.subspan(8, iv), all.subspan(8 + iv, payload),
                         all.subspan(8 + iv + payload, icv), seq_hi, esn};
  }
  Bytes payload_bytes() const { return Bytes(bytes).subspan(8 + iv, payload); }
};

class IpsecMbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_ = make_ipsecmb_provider();
    if (!provider_) GTEST_SKIP() << "intel-ipsec-mb unavailable on this CPU (no AES-NI)";
  }
  std::unique_ptr<EspTransform> make(EspCipher c, EspAuth a, Bytes ek, Bytes ak, Random& r) {
    auto t = provider_->make(c, a, ek, ak, r);
    EXPECT_TRUE(t.ok()) << cipher_name(c) << "/" << auth_name(a);
    return t.ok() ? std::move(t).value() : nullptr;
  }
  std::unique_ptr<EspProvider> provider_;
};

struct Combo {
  EspCipher c;
  EspAuth a;
};
const Combo kCombos[] = {
    {EspCipher::aes_gcm16_128, EspAuth::none},       {EspCipher::aes_gcm16_256, EspAuth::none},
    {EspCipher::chacha20_poly1305, EspAuth::none},   {EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96},
    {EspCipher::aes_cbc_128, EspAuth::hmac_sha256_128}, {EspCipher::aes_cbc_256, EspAuth::hmac_sha1_96},
    {EspCipher::aes_cbc_256, EspAuth::hmac_sha256_128}, {EspCipher::des3_cbc, EspAuth::hmac_sha1_96},
    {EspCipher::des3_cbc, EspAuth::hmac_sha256_128},    {EspCipher::null, EspAuth::hmac_sha1_96},
    {EspCipher::null, EspAuth::hmac_sha256_128},        {EspCipher::null, EspAuth::none},
    {EspCipher::des3_cbc, EspAuth::hmac_md5_96},        {EspCipher::aes_cbc_128, EspAuth::hmac_md5_96},
    {EspCipher::null, EspAuth::hmac_md5_96},
};

Buf pattern(std::size_t n, std::uint8_t start) {
  Buf b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + 7 * i);
  return b;
}

TEST_F(IpsecMbTest, NameAndSupports) {
  EXPECT_EQ(provider_->name(), "intel-ipsec-mb");
  for (const auto& k : kCombos) EXPECT_TRUE(provider_->supports(k.c, k.a)) << cipher_name(k.c) << "/" << auth_name(k.a);
  EXPECT_FALSE(provider_->supports(EspCipher::aes_gcm16_128, EspAuth::hmac_sha1_96));
  EXPECT_FALSE(provider_->supports(EspCipher::aes_cbc_128, EspAuth::none));
}

TEST_F(IpsecMbTest, MakeRejectsBadKeysAndCombinations) {
  NoRandom r;
  const Buf k16(16), k20(20), k32(32);
  auto bad_len = provider_->make(EspCipher::aes_gcm16_128, EspAuth::none, k16, {}, r);  // salt missing
  ASSERT_FALSE(bad_len.ok());
  EXPECT_EQ(bad_len.error().code, Errc::out_of_range);
  auto bad_auth_len = provider_->make(EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96, k16, k32, r);
  ASSERT_FALSE(bad_auth_len.ok());
  EXPECT_EQ(bad_auth_len.error().code, Errc::out_of_range);
  auto aead_auth = provider_->make(EspCipher::aes_gcm16_128, EspAuth::hmac_sha1_96, k20, k20, r);
  ASSERT_FALSE(aead_auth.ok());
  EXPECT_EQ(aead_auth.error().code, Errc::unsupported);
  auto no_integrity = provider_->make(EspCipher::aes_cbc_128, EspAuth::none, k16, {}, r);
  ASSERT_FALSE(no_integrity.ok());
  EXPECT_EQ(no_integrity.error().code, Errc::unsupported);
}

// ---- draft-mcgrew-gcm-test-01 §4 and RFC 7634 Appendix A ---------------------

struct AeadVector {
  const char* name;
  EspCipher cipher;
  const char* key_salt;
  const char* seq;  // 8 hex digits: 32-bit; 16: ESN
  const char* plaintext;
  const char* packet;
  const char* spi;
};

// Case 7 (AES-192) is left out: RFC 4106 AES-192 is not an EspCipher.
const AeadVector kAeadVectors[] = {
    {"Case 1", EspCipher::aes_gcm16_128, "4c80cdefbb5d10da906ac73c3613a6342e443b68", "8765432100000000", "45000048699a000080114db7c0a80102c0a801010a9bf15638d301000001000000000000045f736970045f756470037369700963796265726369747902646b000021000101020201", "00004321000000004956ed7e3b244cfefecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732459018148f6cbe722fd04796562dfdb4", "00004321"},
    {"Case 2", EspCipher::aes_gcm16_128, "feffe9928665731c6d6a8f9467308308cafebabe", "0000000a", "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d001000001000000000000037369700963796265726369747902646b00000100010001", "0000a5f80000000afacedbaddecaf888deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd183b70d3aa8bc6ee4c309e9d85a41ad4a", "0000a5f8"},
    {"Case 3", EspCipher::aes_gcm16_256, "abbccddef00112233445566778899aababbccddef00112233445566778899aab11223344", "00000002", "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405b40101040201020201", "4a2cbfe3000000020102030405060708ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c4915956c96", "4a2cbfe3"},
    {"Case 4", EspCipher::aes_gcm16_128, "0000000000000000000000000000000000000000", "00000001", "4500003c99c500008001cb7a40679318010101010800075c020044006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201", "000000000000000100000000000000004688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3f821d496eeb096e98ad2b69e4799c71d", "00000000"},
    {"Case 5", EspCipher::aes_gcm16_128, "3de09874b388e6491988d0c3607eae1f57690e43", "1010101010101010", "4500003c99c300008001cb7c40679318010101010800085c020043006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201", "42f67e3f101010104e280000a2fca1a3fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c35791765acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320ae0d731cc978ecafaeae88f00e80d6e48", "42f67e3f"},
    {"Case 6", EspCipher::aes_gcm16_128, "3de09874b388e6491988d0c3607eae1f57690e43", "1010101010101010", "4500001c42a200008001441f406793b6e00000020a00f5ff01020201", "42f67e3f101010104e280000a2fca1a3fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed369f071f35e034be95f112e4e7d05d35", "42f67e3f"},
    {"Case 8", EspCipher::aes_gcm16_128, "abbccddef00112233445566778899aabdecaf888", "0000000000000001", "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d500004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec959b6266c04722b14923010101", "0000010000000001cafedebaceface7418a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68651f57e65f354f75ff17015769623436", "00000100"},
    {"Case 9", EspCipher::aes_gcm16_256, "abbccddef00112233445566778899aababbccddef00112233445566778899aab73616c74", "156f3126dd0db99b", "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb71260250101f646d540001", "17405e67dd0db99b616e640169766563f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e451626c2415771e3b7eebca614c89b35", "17405e67"},
    {"Case 10", EspCipher::aes_gcm16_128, "3de09874b388e6491988d0c3607eae1f57690e43", "1010101010101010", "45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b325ae270c03899493915010101", "42f67e3f101010104e280000a2fca1a3fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d54182800cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39ab533163aad4550ee5160975cdb608c5769189609763b8e18caa81e2", "42f67e3f"},
    {"Case 11", EspCipher::aes_gcm16_256, "abbccddef00112233445566778899aababbccddef00112233445566778899aab73616c74", "156f3126dd0db99b", "636973636f0172756c657301746865016e6574776501646566696e6501746865746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f72726f7701020201", "17405e67dd0db99b616e640169766563d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b012a49363412364f8c0cac587f249e56b11e24f30e44ccc76", "17405e67"},
    {"Case 12", EspCipher::aes_gcm16_128, "7d773d00c144c525ac619d18c84a3f47d9664267", "ffffffff", "01020201", "335467aeffffffff43457e9182443bc6437f866bcb3f699fe9b0822bac961c4504bef270", "335467ae"},
    {"Case 13", EspCipher::aes_gcm16_128, "abbccddef00112233445566778899aabdecaf888", "0000000000000001", "746f016265016f72016e6f7401746f0162650001", "0000010000000001cafedebaceface7429c9fc69a197d038ccdd14e2ddfcaa0543332164412503524303ed3c6c5f283843af8c3e", "00000100"},
    {"Case 14", EspCipher::aes_gcm16_256, "6c6567616c697a656d6172696a75616e61616e64646f69746265666f726569617475726e", "ffffffffffffffff", "45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201", "796b6963ffffffff333021696765746df97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe821dcc63b9d0937ba2945f669368661a329fb4c053", "796b6963"},
    {"RFC 7634 Appendix A", EspCipher::chacha20_poly1305, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3", "00000005", "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec100007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363701020204", "0102030400000005101112131415161724039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c614ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3cbec163fac469b502773f6fb94e664da9165b82829f641e076aaa8266b7fb0f7b11b369907e1ad43", "01020304"},
};

TEST_F(IpsecMbTest, AeadVectorsSealAndOpen) {
  NoRandom r;
  for (const auto& v : kAeadVectors) {
    SCOPED_TRACE(v.name);
    const Buf key = hex(v.key_salt), plain = hex(v.plaintext), expect = hex(v.packet), seq = hex(v.seq);
    const bool esn = seq.size() == 8;
    const std::uint64_t seq64 = esn ? load_be64(seq.data()) : load_be32(seq.data());
    auto t = make(v.cipher, EspAuth::none, key, {}, r);
    ASSERT_NE(t, nullptr);
    Packet pkt(*t, load_be32(hex(v.spi).data()), seq64, esn, plain);
    ASSERT_EQ(pkt.bytes.size(), expect.size());
    auto* hook = dynamic_cast<EspIvOverride*>(t.get());
    ASSERT_NE(hook, nullptr);
    hook->set_next_iv_for_test(Bytes(expect).subspan(8, 8));  // the vectors' IVs are not the seq number
    ASSERT_TRUE(t->seal(pkt.view()).ok());
    EXPECT_EQ(pkt.bytes, expect);

    Packet in(*t, 0, seq64, esn, {});
    in.bytes = expect;
    in.payload = plain.size();
    ASSERT_TRUE(t->open(in.view()).ok());
    EXPECT_EQ(Buf(in.payload_bytes().begin(), in.payload_bytes().end()), plain);
  }
}

TEST_F(IpsecMbTest, AeadIvIsTheSequenceNumber) {
  NoRandom r;
  const Buf key = pattern(20, 1), plain = pattern(32, 9);
  auto t = make(EspCipher::aes_gcm16_128, EspAuth::none, key, {}, r);
  ASSERT_NE(t, nullptr);
  Packet esn(*t, 0x1234, 0x0000000A0000000Bull, true, plain);
  ASSERT_TRUE(t->seal(esn.view()).ok());
  EXPECT_EQ(Buf(esn.bytes.begin() + 8, esn.bytes.begin() + 16), hex("0000000a0000000b"));
  Packet no_esn(*t, 0x1234, 0x0000000A0000000Bull, false, plain);  // 32-bit counter: high half is 0
  ASSERT_TRUE(t->seal(no_esn.view()).ok());
  EXPECT_EQ(Buf(no_esn.bytes.begin() + 8, no_esn.bytes.begin() + 16), hex("000000000000000b"));
}

// ---- RFC 3602 §4 case 5, with integrity added -------------------------------

Buf hmac(mbedtls_md_type_t md, Bytes key, Bytes data, std::size_t trunc) {
  Buf out(64);
  EXPECT_EQ(mbedtls_md_hmac(mbedtls_md_info_from_type(md), key.data(), key.size(), data.data(), data.size(),
                            out.data()),
            0);
  out.resize(trunc);
  return out;
}

TEST_F(IpsecMbTest, AesCbcRfc3602Case5WithHmac) {
  // RFC 3602's case 5 has no integrity: the ciphertext must match it, and
  // the ICV must be HMAC(header || IV || ciphertext [|| Seq hi]) truncated.
  const Buf key = hex("90d382b410eeba7ad938c46cec1a82bf");
  const Buf iv = hex("e96e8c08ab465763fd098d45dd3ff893");
  const Buf plain = hex(
      "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
      "30313233343536370102030405060708090a0b0c0d0e0e01");
  const Buf cipher = hex(
      "f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c"
      "538ab50c551b874aa269add047ad2d5913ac19b7cfbad4a6");
  const Buf head = hex("0000432100000001");
  struct Case {
    EspAuth a;
    mbedtls_md_type_t md;
    std::size_t icv;
    bool esn;
  };
  const Case cases[] = {{EspAuth::hmac_sha1_96, MBEDTLS_MD_SHA1, 12, false},
                        {EspAuth::hmac_sha1_96, MBEDTLS_MD_SHA1, 12, true},
                        {EspAuth::hmac_sha256_128, MBEDTLS_MD_SHA256, 16, false},
                        {EspAuth::hmac_sha256_128, MBEDTLS_MD_SHA256, 16, true},
                        {EspAuth::hmac_md5_96, MBEDTLS_MD_MD5, 12, false},
                        {EspAuth::hmac_md5_96, MBEDTLS_MD_MD5, 12, true}};
  NoRandom r;
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(auth_name(c.a)) + (c.esn ? " esn" : ""));
    const Buf ak = pattern(auth_key_size(c.a), 0x40);
    auto t = make(EspCipher::aes_cbc_128, c.a, key, ak, r);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->iv_size(), 16u);
    EXPECT_EQ(t->block_size(), 16u);
    EXPECT_EQ(t->icv_size(), c.icv);
    const std::uint64_t seq = c.esn ? 0x0000000700000001ull : 1;
    Packet pkt(*t, 0x4321, seq, c.esn, plain);
    dynamic_cast<EspIvOverride&>(*t).set_next_iv_for_test(iv);
    ASSERT_TRUE(t->seal(pkt.view()).ok());

    Buf expect = head;
    expect.insert(expect.end(), iv.begin(), iv.end());
    expect.insert(expect.end(), cipher.begin(), cipher.end());
    Buf mac_input = expect;
    if (c.esn) mac_input.insert(mac_input.end(), {0, 0, 0, 7});
    const Buf icv = hmac(c.md, ak, mac_input, c.icv);
    expect.insert(expect.end(), icv.begin(), icv.end());
    EXPECT_EQ(pkt.bytes, expect);

    ASSERT_TRUE(t->open(pkt.view()).ok());
    EXPECT_EQ(Buf(pkt.payload_bytes().begin(), pkt.payload_bytes().end()), plain);
    // The ICV field is left as received (the ESN scratch is undone).
    EXPECT_EQ(Buf(pkt.bytes.end() - static_cast<std::ptrdiff_t>(c.icv), pkt.bytes.end()), icv);
  }
}

// ---- all combinations ---------------------------------------------------------

TEST_F(IpsecMbTest, RoundTripAndTamperAllCombinations) {
  const std::uint64_t seed = 0x5eed0003;
  SCOPED_TRACE("seed " + std::to_string(seed));
  SeededRandom r(seed);
  for (const auto& k : kCombos) {
    for (bool esn : {false, true}) {
      for (std::size_t len : {24u * 4, 1400u / 16 * 16}) {
        SCOPED_TRACE(std::string(cipher_name(k.c)) + "/" + std::string(auth_name(k.a)) + (esn ? " esn " : " ") +
                     std::to_string(len));
        const Buf ek = pattern(enc_key_size(k.c), 3), ak = pattern(auth_key_size(k.a), 5);
        auto t = make(k.c, k.a, ek, ak, r);
        ASSERT_NE(t, nullptr);
        const Buf plain = pattern(len, 11);
        Packet pkt(*t, 0xabcd, 0x0000000200000010ull, esn, plain);
        ASSERT_TRUE(t->seal(pkt.view()).ok());
        if (k.c != EspCipher::null) {
          EXPECT_NE(Buf(pkt.payload_bytes().begin(), pkt.payload_bytes().end()), plain);
        }
        const Buf sealed = pkt.bytes;
        ASSERT_TRUE(t->open(pkt.view()).ok());
        EXPECT_EQ(Buf(pkt.payload_bytes().begin(), pkt.payload_bytes().end()), plain);
        if (t->icv_size() == 0) continue;

        // Each flipped bit (ICV, ciphertext, header, IV) and a wrong Seq hi
        // (ESN only: otherwise it is not covered) fails with auth_failed.
        std::vector<std::size_t> flips = {pkt.bytes.size() - 1, 8 + t->iv_size(), 0, 5};
        if (t->iv_size() != 0) flips.push_back(8);
        for (std::size_t at : flips) {
          pkt.bytes = sealed;
          pkt.bytes[at] ^= 0x01;
          auto res = t->open(pkt.view());
          ASSERT_FALSE(res.ok()) << "flip at " << at;
          EXPECT_EQ(res.error().code, Errc::auth_failed);
        }
        pkt.bytes = sealed;
        pkt.seq_hi ^= 1;
        auto res = t->open(pkt.view());
        if (esn) {
          ASSERT_FALSE(res.ok());
          EXPECT_EQ(res.error().code, Errc::auth_failed);
        } else {
          EXPECT_TRUE(res.ok());
        }
      }
    }
  }
}

TEST_F(IpsecMbTest, CbcIvComesFromRandom) {
  SeededRandom r(42), expect_r(42);
  const Buf ek = pattern(16, 1), ak = pattern(20, 2);
  auto t = make(EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96, ek, ak, r);
  ASSERT_NE(t, nullptr);
  Packet pkt(*t, 1, 1, false, pattern(32, 0));
  ASSERT_TRUE(t->seal(pkt.view()).ok());
  Buf iv(16);
  expect_r.fill(iv);
  EXPECT_EQ(Buf(pkt.bytes.begin() + 8, pkt.bytes.begin() + 24), iv);
}

TEST_F(IpsecMbTest, LayoutMismatch) {
  NoRandom r;
  const Buf ek = pattern(16, 1), ak = pattern(20, 2);
  auto t = make(EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96, ek, ak, r);
  ASSERT_NE(t, nullptr);
  Packet pkt(*t, 1, 1, false, pattern(32, 0));
  auto v = pkt.view();
  v.payload = v.payload.first(20);  // not block-aligned
  auto s = t->seal(v);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::out_of_range);
  auto o = t->open(v);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, Errc::malformed);
  v = pkt.view();
  v.icv = v.icv.first(8);  // wrong ICV size
  ASSERT_FALSE(t->open(v).ok());
  EXPECT_EQ(t->open(v).error().code, Errc::malformed);

  // CBC+HMAC hashes header..payload as one region: the parts must be adjacent,
  // and with ESN the ICV field must follow the payload (Seq hi scratch).
  Buf elsewhere(64);
  v = pkt.view();
  v.payload = MutBytes(elsewhere).first(32);
  auto split = t->seal(v);
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.error().code, Errc::out_of_range);
  v = pkt.view();
  v.esn = true;
  v.icv = MutBytes(elsewhere).first(12);
  auto split_icv = t->open(v);
  ASSERT_FALSE(split_icv.ok());
  EXPECT_EQ(split_icv.error().code, Errc::malformed);

  auto g = make(EspCipher::aes_gcm16_128, EspAuth::none, pattern(20, 1), {}, r);
  ASSERT_NE(g, nullptr);
  Packet gp(*g, 1, 1, false, pattern(30, 0));  // GCM: 4-octet alignment
  auto gs = g->seal(gp.view());
  ASSERT_FALSE(gs.ok());
  EXPECT_EQ(gs.error().code, Errc::out_of_range);
}

// ---- byte equality with the mbedTLS provider ----------------------------------

TEST_F(IpsecMbTest, SameBytesAsMbedtlsProvider) {
  auto other = make_mbedtls_provider();
  ASSERT_NE(other, nullptr);
  NoRandom r;
  std::size_t compared = 0;
  for (const auto& k : kCombos) {
    if (!other->supports(k.c, k.a)) continue;
    for (bool esn : {false, true}) {
      SCOPED_TRACE(std::string(cipher_name(k.c)) + "/" + std::string(auth_name(k.a)) + (esn ? " esn" : ""));
      const Buf ek = pattern(enc_key_size(k.c), 0x21), ak = pattern(auth_key_size(k.a), 0x33);
      auto mine = make(k.c, k.a, ek, ak, r);
      auto theirs_r = other->make(k.c, k.a, ek, ak, r);
      ASSERT_NE(mine, nullptr);
      ASSERT_TRUE(theirs_r.ok());
      auto theirs = std::move(theirs_r).value();
      ASSERT_EQ(mine->iv_size(), theirs->iv_size());
      ASSERT_EQ(mine->block_size(), theirs->block_size());
      ASSERT_EQ(mine->icv_size(), theirs->icv_size());
      const Buf plain = pattern(16 * 9, 0x55);
      const Buf iv = pattern(mine->iv_size(), 0x77);
      Packet a(*mine, 0x11223344, 0x0000000900000123ull, esn, plain);
      Packet b(*theirs, 0x11223344, 0x0000000900000123ull, esn, plain);
      if (!iv.empty()) {
        dynamic_cast<EspIvOverride&>(*mine).set_next_iv_for_test(iv);
        auto* hook = dynamic_cast<EspIvOverride*>(theirs.get());
        ASSERT_NE(hook, nullptr);
        hook->set_next_iv_for_test(iv);
      }
      ASSERT_TRUE(mine->seal(a.view()).ok());
      ASSERT_TRUE(theirs->seal(b.view()).ok());
      EXPECT_EQ(a.bytes, b.bytes);
      ++compared;
      // And each opens what the other sealed.
      ASSERT_TRUE(mine->open(b.view()).ok());
      ASSERT_TRUE(theirs->open(a.view()).ok());
      EXPECT_EQ(Buf(a.payload_bytes().begin(), a.payload_bytes().end()), plain);
      EXPECT_EQ(Buf(b.payload_bytes().begin(), b.payload_bytes().end()), plain);
    }
  }
  EXPECT_EQ(compared, 2 * std::size(kCombos));  // mbedTLS implements every combination
}

}  // namespace
}  // namespace l2sec::crypto
