#include "partition/connectivity_builder.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "partition/connection_rules.hpp"
#include "partition/error.hpp"
#include "partition/projection_targets.hpp"

namespace hetspike {

std::int64_t delay_steps(double delay_ms, double dt) { return std::llround(delay_ms / dt); }

namespace {

/// A drawn delay is rounded to the nearest step; draws from [dt / 2, dt) are one step, as NEST's
/// redraw(min = 0.5 * dt) does, even where dt / 2 divided by dt rounds to just below one half.
std::int64_t drawn_delay_steps(double delay_ms, double dt) {
  return std::max<std::int64_t>(1, delay_steps(delay_ms, dt));
}

/// Where the next synapse of one segment is written: its index in the store and in the weight and delay arrays
/// (which hold only the segments that need them). All three in one place, because filling the store visits the
/// segments in random order and each separate array looked up per synapse is another cache miss.
struct segment_cursor {
  std::uint64_t synapse = 0;
  std::uint64_t weight = 0;
  std::uint64_t delay = 0;
};

/// Asks the kernel for 2 MiB pages under a large synapse array (where transparent huge pages are on "madvise", as on
/// Debian): building writes and delivery reads it at scattered places, and with 4 KiB pages nearly every one of
/// them is a TLB miss. Only whole huge pages inside the array are advised; a refusal costs nothing but speed.
template <class View>
void advise_huge_pages(const View& v) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data());
  const std::uintptr_t end = begin + v.size() * sizeof(typename View::value_type);
  const std::uintptr_t first = (begin + huge - 1) & ~(huge - 1), last = end & ~(huge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)v;
#endif
}

/// One projection's view of this rank: where its local targets are and how to draw their sources.
struct projection_plan {
  std::size_t index = 0;
  const projection_spec* spec = nullptr;
  const local_population* target = nullptr;
  std::uint64_t source_size = 0;
  std::uint64_t target_first_index = 0;       ///< first local target, as an index within the target population
  std::optional<projection_targets> targets;  ///< the local targets' source draws
  neuron_params target_params;                ///< effective: a chip target quantises its weights
  std::size_t num_blocks = 0;
  // Per (target block, source index): the synapse count, then where the segment's next synapse goes.
  std::vector<std::vector<segment_cursor>> cursor;
};

std::vector<projection_plan> make_plans(const network_spec& net, const block_partition& partition,
                                        const local_layout& layout) {
  std::vector<projection_plan> plans;
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    projection_plan p;
    p.index = i;
    p.spec = &net.projections[i];
    p.target = &layout.populations[p.spec->target];
    p.target_params = effective_params(net, p.spec->target);
    p.source_size = partition.population_size(p.spec->source);
    p.target_first_index = p.target->first_gid - partition.population_offset(p.spec->target);
    p.num_blocks = (p.target->count + segment_block_size - 1) / segment_block_size;
    p.targets.emplace(net, partition, i, p.target_first_index, p.target_first_index + p.target->count);
    p.cursor.assign(p.num_blocks, std::vector<segment_cursor>(p.num_blocks ? p.source_size : 0));
    plans.push_back(std::move(p));
  }
  return plans;
}

/// Calls f(local target index, source list) for every local target of the projection.
template <class F>
void for_each_target(const projection_plan& p, F&& f) {
  p.targets->for_each(
      [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) { f(t - p.target_first_index, sources); });
}

void count_synapses(std::vector<projection_plan>& plans) {
  for (auto& p : plans)
    for_each_target(p, [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
      auto& counts = p.cursor[t / segment_block_size];
      for (auto s : sources) ++counts[s].synapse;
    });
}

/// Lays out rows (sources with targets here, by gid) and their segments; turns counts into write cursors.
void lay_out_rows(const network_spec& net, const block_partition& partition, std::vector<projection_plan>& plans,
                  built_connectivity& out) {
  std::vector<std::uint64_t> row_begin{0}, seg_begin{0}, seg_wbegin, seg_dbegin;
  std::vector<std::uint32_t> seg_column, seg_projection;
  std::uint64_t next_w = 0, next_d = 0, next_pw = 0;
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp) {
    std::vector<projection_plan*> from;
    for (auto& p : plans)
      if (p.spec->source == sp && p.num_blocks > 0) from.push_back(&p);
    if (from.empty()) continue;
    for (std::uint64_t s = 0; s < partition.population_size(sp); ++s) {
      const std::size_t segments_before = seg_column.size();
      for (auto* p : from)
        for (std::size_t b = 0; b < p->num_blocks; ++b) {
          segment_cursor& c = p->cursor[b][s];
          const std::uint64_t n = c.synapse;
          if (n == 0) continue;
          const bool plastic = p->spec->plasticity.has_value();
          c = segment_cursor{seg_begin.back(), plastic ? next_pw : next_w, next_d};
          seg_begin.push_back(seg_begin.back() + n);
          seg_column.push_back(p->target->first_column + static_cast<std::uint32_t>(b * segment_block_size));
          seg_projection.push_back(static_cast<std::uint32_t>(p->index));
          // Plastic weights have their own array (doubles); static varying ones are 32-bit fixed point.
          seg_wbegin.push_back(plastic ? next_pw : next_w);
          seg_dbegin.push_back(next_d);
          if (plastic)
            next_pw += n;
          else if (!p->spec->weight.is_constant())
            next_w += n;
          if (!p->spec->delay.is_constant()) next_d += n;
        }
      if (seg_column.size() == segments_before) continue;
      out.row_source.push_back(partition.population_offset(sp) + s);
      row_begin.push_back(seg_column.size());
    }
  }
  auto to_view = [](const auto& v, const char* label) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    Kokkos::View<T*, Kokkos::HostSpace> view(std::string(label), v.size());
    for (std::size_t i = 0; i < v.size(); ++i) view(i) = v[i];
    return view;
  };
  auto& st = out.store;
  st.row_segment_begin = to_view(row_begin, "hetspike::synapses::row_segment_begin");
  st.segment_begin = to_view(seg_begin, "hetspike::synapses::segment_begin");
  st.segment_column = to_view(seg_column, "hetspike::synapses::segment_column");
  st.segment_projection = to_view(seg_projection, "hetspike::synapses::segment_projection");
  st.segment_weight_begin = to_view(seg_wbegin, "hetspike::synapses::segment_weight_begin");
  st.segment_delay_begin = to_view(seg_dbegin, "hetspike::synapses::segment_delay_begin");
  st.target_offset = decltype(st.target_offset)(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, "hetspike::synapses::target"), seg_begin.back());
  st.weight =
      decltype(st.weight)(Kokkos::view_alloc(Kokkos::WithoutInitializing, "hetspike::synapses::weight"), next_w);
  st.delay = decltype(st.delay)(Kokkos::view_alloc(Kokkos::WithoutInitializing, "hetspike::synapses::delay"), next_d);
  st.plastic_weight = decltype(st.plastic_weight)(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, "hetspike::synapses::plastic_weight"), next_pw);
  advise_huge_pages(st.target_offset);
  advise_huge_pages(st.weight);
  advise_huge_pages(st.delay);
  advise_huge_pages(st.plastic_weight);
  out.num_synapses = seg_begin.back();
  if (out.row_source.size() > std::numeric_limits<std::uint32_t>::max())
    throw capacity_error("more than 2^32 - 1 source neurons project to one rank; run on more ranks");
}

std::int32_t fixed_weight(const local_population& target, double w, std::size_t projection) {
  try {
    return target.scale.to_fixed32(w);
  } catch (const std::range_error& e) {
    throw capacity_error("projections[" + std::to_string(projection) + "]: " + e.what());
  }
}

std::uint16_t checked_delay(std::int64_t steps, bool per_synapse, std::size_t projection, double dt) {
  const std::int64_t limit = per_synapse ? max_synapse_delay_steps : std::numeric_limits<std::uint16_t>::max();
  if (steps < 1 || steps > limit)
    throw capacity_error("projections[" + std::to_string(projection) + "]: a delay of " +
                         std::to_string(static_cast<double>(steps) * dt) + " ms (" + std::to_string(steps) +
                         " steps) is outside 1.." + std::to_string(limit) + " steps of dt = " + std::to_string(dt) +
                         " ms" + (per_synapse ? " (per-synapse delays are 8-bit)" : ""));
  return static_cast<std::uint16_t>(steps);
}

/// The projection table of the store; constant weights and delays become fixed point and steps here.
void fill_projections(const network_spec& net, const std::vector<projection_plan>& plans, built_connectivity& out) {
  Kokkos::View<projection_delivery*, Kokkos::HostSpace> table("hetspike::synapses::projections", plans.size());
  for (const auto& p : plans) {
    projection_delivery d;
    d.plastic = p.spec->plasticity ? 1 : 0;
    d.has_weights = p.spec->weight.is_constant() || d.plastic ? 0 : 1;
    d.has_delays = p.spec->delay.is_constant() ? 0 : 1;
    d.inhibitory_offset = p.target->inhibitory_offset;
    if (!d.has_weights && !d.plastic)
      d.weight = fixed_weight(*p.target, received_weight(p.target_params, p.spec->weight, p.spec->weight.a), p.index);
    if (!d.has_delays) d.delay = checked_delay(delay_steps(p.spec->delay.a, net.dt), false, p.index, net.dt);
    table(p.index) = d;
  }
  out.store.projections = table;
}

/// The writes of a target's synapses land in as many segments as it has sources, each far from the last (the store
/// is ordered by source): most miss the cache. Their addresses are known once the sources are drawn, so the lines
/// are requested this many synapses ahead, while the weights and delays of the ones before are drawn. (Written
/// out in the loop: GCC drops a prefetch-only function's calls as free of side effects.)
constexpr std::size_t prefetch_distance = 32;

void fill_synapses(const network_spec& net, std::vector<projection_plan>& plans, built_connectivity& out) {
  auto& st = out.store;
  for (auto& p : plans) {
    const projection_delivery pd = st.projections(p.index);
    bool any = false;
    std::uint64_t synapses = 0;
    for_each_target(p, [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
      const gid_type gid = p.target->first_gid + t;
      random_stream weights(make_rng_key(net.seed, rng_purpose::weight, static_cast<std::uint32_t>(p.index)), gid);
      random_stream delays(make_rng_key(net.seed, rng_purpose::delay, static_cast<std::uint32_t>(p.index)), gid);
      const std::size_t b = t / segment_block_size;
      const auto offset = static_cast<std::uint16_t>(t % segment_block_size);
      synapses += sources.size();
      auto& cursors = p.cursor[b];
      for (std::size_t i = 0; i < sources.size(); ++i) {
        any = true;
        if (i + prefetch_distance < sources.size()) {
          const segment_cursor& ahead = cursors[sources[i + prefetch_distance]];
          __builtin_prefetch(st.target_offset.data() + ahead.synapse);
          if (pd.plastic) __builtin_prefetch(st.plastic_weight.data() + ahead.weight);
          if (pd.has_weights) __builtin_prefetch(st.weight.data() + ahead.weight);
          if (pd.has_delays) __builtin_prefetch(st.delay.data() + ahead.delay);
        }
        segment_cursor& c = cursors[sources[i]];
        st.target_offset(c.synapse++) = offset;
        if (pd.plastic)
          st.plastic_weight(c.weight++) = draw_value(p.spec->weight, weights);
        else if (pd.has_weights)
          st.weight(c.weight++) = fixed_weight(
              *p.target,
              received_weight(p.target_params, p.spec->weight, draw_value(p.spec->weight, weights), &out.quantization),
              p.index);
        if (pd.has_delays) {
          const auto d =
              checked_delay(drawn_delay_steps(draw_value(p.spec->delay, delays), net.dt), true, p.index, net.dt);
          st.delay(c.delay++) = static_cast<std::uint8_t>(d);
          out.min_delay = std::min<std::int64_t>(out.min_delay, d);
          out.max_delay = std::max<std::int64_t>(out.max_delay, d);
        }
      }
    });
    if (synapses > 0 && !pd.has_weights && !pd.plastic) {
      if (const auto* chip = std::get_if<loihi_lif_params>(&p.target_params)) {
        // A constant weight into a chip population: quantised once, counted for each of its local synapses.
        const double w = p.spec->weight.a;
        const auto q = quantize_loihi_weight(w, chip->weight_unit_exp, loihi_sign_mode_of(w, w));
        loihi_quantization_summary all;
        all.count = synapses;
        all.saturated = q.saturated ? synapses : 0;
        all.max_abs_error = std::abs(q.error);
        all.sum_abs_error = std::abs(q.error) * static_cast<double>(synapses);
        all.sum_abs_weight = std::abs(w) * static_cast<double>(synapses);
        out.quantization.merge(all);
      }
    }
    if (any && !pd.has_delays) {
      out.min_delay = std::min<std::int64_t>(out.min_delay, pd.delay);
      out.max_delay = std::max<std::int64_t>(out.max_delay, pd.delay);
    }
  }
}

}  // namespace

built_connectivity build_connectivity(const network_spec& net, const block_partition& partition,
                                      const local_layout& layout) {
  built_connectivity out;
  auto plans = make_plans(net, partition, layout);
  count_synapses(plans);
  lay_out_rows(net, partition, plans, out);
  fill_projections(net, plans, out);
  fill_synapses(net, plans, out);
  return out;
}

}  // namespace hetspike
