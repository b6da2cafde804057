#include "partition/drawn_sources.hpp"

#include <algorithm>

namespace hetspike {

kept_draws choose_kept_draws(const std::vector<double>& store_bytes, const std::vector<double>& draw_bytes,
                             double budget) {
  // From the last population back: with `kept` bytes kept among those after k and `unwritten` bytes of their store
  // while k is placed, keeping k's draw makes k's excess kept + its draw - unwritten. A draw kept for k adds to the
  // excess of k and of every population before it, never of those after; and a population before k that keeps no
  // draw has at most the excess of the nearest one after it that does (more store unwritten, the same draws held).
  // So deciding k last to first, only k's own excess needs checking.
  kept_draws out;
  out.keep.assign(draw_bytes.size(), 0);
  double kept = 0, unwritten = 0;
  for (std::size_t k = draw_bytes.size(); k-- > 0;) {
    if (draw_bytes[k] > 0 && kept + draw_bytes[k] - unwritten <= budget) {
      out.keep[k] = 1;
      kept += draw_bytes[k];
    }
    out.beyond_store = std::max(out.beyond_store, kept - unwritten);
    unwritten += store_bytes[k];
  }
  return out;
}

}  // namespace hetspike
