#include "core/counters.hpp"

namespace l2sec {
namespace {
constexpr std::string_view kNames[] = {
#define L2SEC_X(name, desc) #name,
    L2SEC_COUNTERS(L2SEC_X)
#undef L2SEC_X
};
constexpr std::string_view kDescs[] = {
#define L2SEC_X(name, desc) desc,
    L2SEC_COUNTERS(L2SEC_X)
#undef L2SEC_X
};
}  // namespace

std::string_view counter_name(Ctr c) noexcept {
  auto i = static_cast<std::size_t>(c);
  return i < kCounterCount ? kNames[i] : "?";
}
std::string_view counter_description(Ctr c) noexcept {
  auto i = static_cast<std::size_t>(c);
  return i < kCounterCount ? kDescs[i] : "?";
}

}  // namespace l2sec
