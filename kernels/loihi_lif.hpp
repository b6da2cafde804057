#pragma once
// Loihi's LIF, bit-accurate with Lava's PyLifModelBitAcc fed by PyDenseModelBitAcc (the equations are in
// loihi_quantize.hpp), one population's local neurons as a structure of arrays. All integer and branch-free:
// the decays truncate toward zero as C++ integer division does, u wraps modulo 2^24 into (-2^23, 2^23] as
// Lava's two np.where do, v saturates, and a spike resets v to 0 but leaves u. One input channel: the chip's
// input is signed. The ring holds the step's sum of chip weights at 2^F units each (F >= 0, from input_scale):
// a shift by weight_exp - F gives Dense's a_out, with Dense's floor for negative weight exponents.
//
// NOTE: u's wrap is a true modulo 2^24. Lava wraps once, which agrees while |a| <= 2^18 (a = the shifted input
// of one step); beyond that Lava's u leaves 24 bits (and a << 6 overflows int32 past 2^25). Lava also does
// not saturate the input to the 16 bits its ports declare, and neither does this kernel.
#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <span>

#include "kernels/loihi_quantize.hpp"
#include "kernels/ring_buffer.hpp"

namespace hetspike {

/// The shift from the ring's fixed point to Dense's a_out: input_scale = 2^-e (e the population's fixed-point
/// exponent), so the ring holds sum(chip_weight) * 2^F with F = e + weight_unit_exp, and a = ring * 2^(we - F).
/// Throws loihi_parameter_error unless input_scale is a power of two with F in [0, 62].
inline int loihi_input_shift(const loihi_lif_params& p, double input_scale) {
  int exp2 = 0;
  const double mant = std::frexp(input_scale, &exp2);  // input_scale = 0.5 * 2^exp2 when a power of two
  const int F = (1 - exp2) + p.weight_unit_exp;
  if (mant != 0.5 || F < 0 || F > 62)
    throw loihi_parameter_error("input_scale", input_scale,
                                "the ring must hold chip weights exactly: a scale 2^-e with e >= -weight_unit_exp = " +
                                    std::to_string(-p.weight_unit_exp));
  return p.weight_exp - F;
}

template <class ExecSpace>
class loihi_lif_neurons {
 public:
  using memory_space = typename ExecSpace::memory_space;
  static constexpr int num_channels = loihi_lif_params::input_channels;

  /// `params` must be resolved (resolve_loihi_lif_params); throws loihi_parameter_error otherwise. The chip
  /// registers are already discrete in time, so dt is not used. u = v = 0 initially, as Lava's LIF.
  loihi_lif_neurons(const loihi_lif_params& params, double /*dt*/, std::size_t count)
      : p_(checked(params)), u_("hetspike::loihi_lif::u", count), v_("hetspike::loihi_lif::v", count) {}

  std::size_t size() const { return v_.extent(0); }
  const loihi_lif_params& params() const { return p_; }
  double resting_potential() const { return p_.E_L; }
  /// v units per mV.
  double voltage_scale() const { return p_.voltage_scale; }
  /// The whole state: current u and voltage v, 24-bit values in int32.
  Kokkos::View<std::int32_t*, memory_space> u() const { return u_; }
  Kokkos::View<std::int32_t*, memory_space> v() const { return v_; }

  /// Host: sets v from absolute V_m (mV), rounded to nearest and saturated at +-(2^23 - 1); u is left alone.
  void set_membrane_potentials(std::span<const double> v_absolute) const {
    auto host = Kokkos::create_mirror_view(v_);
    for (std::size_t i = 0; i < host.extent(0); ++i) {
      const double x = std::round((v_absolute[i] - p_.E_L) * p_.voltage_scale);
      host(i) = static_cast<std::int32_t>(x < -loihi_v_limit ? -loihi_v_limit : x > loihi_v_limit ? loihi_v_limit : x);
    }
    Kokkos::deep_copy(v_, host);
  }

  /// One step: reads and clears the input at columns [column, column + size()), sets spiked(i). The input is
  /// the sum of the chip weights delivered for this step (see loihi_input_shift for input_scale).
  void update(const ExecSpace& space, const ring_row_view<memory_space>& input, std::uint32_t column,
              double input_scale, const Kokkos::View<std::uint8_t*, memory_space>& spiked) const {
    const int shift = loihi_input_shift(p_, input_scale);
    step_functor f{u_,
                   v_,
                   input,
                   column,
                   shift > 0 ? shift : 0,
                   shift < 0 ? (-shift > 63 ? 63 : -shift) : 0,
                   loihi_decay_unity - (p_.du + loihi_du_offset),
                   loihi_decay_unity - (p_.dv + loihi_dv_offset),
                   effective_bias(p_),
                   std::int64_t{p_.vth} << loihi_threshold_shift,
                   spiked};
    Kokkos::parallel_for("hetspike::loihi_lif::update", Kokkos::RangePolicy<ExecSpace>(space, 0, size()), f);
  }

  /// bias_mant << bias_exp (Lava's scale_bias; a floor shift for a negative exponent, which validation rejects).
  static std::int64_t effective_bias(const loihi_lif_params& p) {
    return p.bias_exp >= 0 ? std::int64_t{p.bias_mant} * (std::int64_t{1} << p.bias_exp)
                           : std::int64_t{p.bias_mant} >> -p.bias_exp;
  }

  struct step_functor {
    Kokkos::View<std::int32_t*, memory_space> u, v;
    ring_row_view<memory_space> input;
    std::uint32_t column;
    int left, right;               ///< the input shift: one of them is 0
    std::int64_t keep_u, keep_v;   ///< 4096 - (du + 1), 4096 - dv
    std::int64_t bias, threshold;  ///< v units
    Kokkos::View<std::uint8_t*, memory_space> spiked;

    KOKKOS_INLINE_FUNCTION void operator()(std::size_t i) const {
      const fixed_type raw = input(column + i);
      input(column + i) = 0;
      // Dense: a = sum << weight_exp, or >> -weight_exp (arithmetic: a floor, as numpy's right_shift).
      const std::int64_t a = static_cast<std::int64_t>(static_cast<std::uint64_t>(raw) << left) >> right;
      // u: sign(x) (|x| >> 12) is x / 4096 truncated toward zero, which C++ division is.
      const std::int64_t u_decayed = std::int64_t{u(i)} * keep_u / loihi_decay_unity;
      // u + (a << 6) modulo 2^24, in unsigned arithmetic (defined for any a), then into (-2^23, 2^23].
      constexpr std::uint64_t mask = (std::uint64_t{1} << 24) - 1;
      constexpr std::int64_t low = loihi_state_half - 1;  // the result is m - low for m in [0, 2^24)
      const std::uint64_t m =
          (static_cast<std::uint64_t>(u_decayed) + (static_cast<std::uint64_t>(a) << loihi_activation_shift) + low) &
          mask;
      const std::int64_t u1 = static_cast<std::int64_t>(m) - low;
      // v: decay, add the new u and the bias, saturate at +-(2^23 - 1).
      std::int64_t v1 = std::int64_t{v(i)} * keep_v / loihi_decay_unity + u1 + bias;
      v1 = v1 > loihi_v_limit ? loihi_v_limit : v1;
      v1 = v1 < -loihi_v_limit ? -loihi_v_limit : v1;
      const bool spike = v1 > threshold;
      u(i) = static_cast<std::int32_t>(u1);
      v(i) = spike ? 0 : static_cast<std::int32_t>(v1);
      spiked(i) = spike ? 1 : 0;
    }
  };

 private:
  static const loihi_lif_params& checked(const loihi_lif_params& p) {
    validate_loihi_lif_params(p);
    return p;
  }

  loihi_lif_params p_;
  Kokkos::View<std::int32_t*, memory_space> u_, v_;
};

}  // namespace hetspike
