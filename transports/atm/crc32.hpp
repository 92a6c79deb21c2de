// The AAL5 CRC-32 (ITU-T I.363.5 §10.2.1.1; SPEC-NOTES §7.1): generator
// x^32+x^26+x^23+x^22+x^16+x^12+x^11+x^10+x^8+x^7+x^5+x^4+x^2+x+1 (0x04C11DB7,
// the IEEE 802.3 polynomial), processed MSB first (not reflected), register
// preset to all ones, the complement of the register sent MSB first. It is
// the CRC-32/BZIP2 of the catalogues: check("123456789") = 0xFC891918.
//
// Running the register over a whole CPCS-PDU, CRC field included, leaves the
// constant kCrc32Residue when the PDU is intact (that is how a receiver
// checks it: Linux usbatm does the same).
//
// Implementation: slice-by-8 tables (8 KiB, built at compile time) on every
// CPU; on x86-64 CPUs with PCLMULQDQ, buffers of 32 octets or more are folded
// 64 octets at a time with carry-less multiplication (four 128-bit lanes),
// and the last 128-bit remainder goes through the tables. The choice is made
// once, by CPUID; both paths give the same value for every input (tested).
// The folding constants x^n mod P are computed at compile time from the
// polynomial, not copied from anywhere.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/wire.hpp"

namespace l2sec::transports::atm {

inline constexpr std::uint32_t kCrc32Poly = 0x04C11DB7;
inline constexpr std::uint32_t kCrc32Init = 0xFFFFFFFF;
// Register value after an intact PDU including its (complemented) CRC.
inline constexpr std::uint32_t kCrc32Residue = 0xC704DD7B;

// Runs the register `reg` over `data` (no pre- or post-conditioning).
std::uint32_t crc32_update(std::uint32_t reg, Bytes data) noexcept;

// The value the AAL5 CRC field carries for `data` (everything before it).
inline std::uint32_t crc32_aal5(Bytes data) noexcept { return ~crc32_update(kCrc32Init, data); }

// "pclmul" or "slice-by-8": what crc32_update() runs on this CPU.
std::string_view crc32_implementation() noexcept;

namespace detail {
// The two paths, for tests and benchmarks. crc32_update_clmul() falls back
// to the tables when the CPU lacks PCLMULQDQ (clmul_available() says).
std::uint32_t crc32_update_table(std::uint32_t reg, Bytes data) noexcept;
std::uint32_t crc32_update_clmul(std::uint32_t reg, Bytes data) noexcept;
bool clmul_available() noexcept;
}  // namespace detail

}  // namespace l2sec::transports::atm
