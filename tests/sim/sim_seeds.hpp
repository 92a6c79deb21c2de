// Seeds for simulator tests. Every randomized simulator test runs a list of
// seeds and names the seed in its failure messages (SCOPED_TRACE). To rerun
// one seed alone:  L2SEC_SIM_SEED=1234 ./sim_l2tp_sim_test
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace l2sec::sim {

// The seeds first..first+count-1, or only $L2SEC_SIM_SEED when it is set
// (decimal or 0x-prefixed hex).
inline std::vector<std::uint64_t> sim_seeds(std::size_t count, std::uint64_t first = 1) {
  if (const char* env = std::getenv("L2SEC_SIM_SEED"); env != nullptr && *env != '\0')
    return {std::strtoull(env, nullptr, 0)};
  std::vector<std::uint64_t> v;
  for (std::size_t i = 0; i < count; ++i) v.push_back(first + i);
  return v;
}

inline std::string seed_trace(std::uint64_t seed) {
  return "seed " + std::to_string(seed) + " (rerun with L2SEC_SIM_SEED=" + std::to_string(seed) + ")";
}

}  // namespace l2sec::sim
