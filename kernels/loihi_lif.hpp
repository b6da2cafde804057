#pragma once
// Loihi's LIF, bit-accurate with Lava's PyLifModelBitAcc fed by PyDenseModelBitAcc (the equations are in
// loihi_quantize.hpp). All integer and branch-free: the decays truncate toward zero as C++ integer division does, u
// wraps modulo 2^24 into (-2^23, 2^23] as Lava's two np.where do, v saturates, and a spike resets v to 0 but leaves
// u. One receptor port: the chip's input is signed. The ring holds the step's sum of chip weights at 2^F units each
// (F >= 0, from the input scale): a shift by weight_exp - F gives Dense's a_out, with Dense's floor for negative
// weight exponents.
//
// The model file gives either the chip's registers (Lava's names) or a NEST-style float LIF that the build maps onto
// them (resolve_loihi_lif_params), never both.
//
// NOTE: u's wrap is a true modulo 2^24. Lava wraps once, which agrees while |a| <= 2^18 (a = the shifted input
// of one step); beyond that Lava's u leaves 24 bits (and a << 6 overflows int32 past 2^25). Lava also does
// not saturate the input to the 16 bits its ports declare, and neither does this kernel.
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "kernels/loihi_quantize.hpp"
#include "kernels/model_description.hpp"

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

namespace loihi_detail {

/// A register: absent when the float form was given.
template <std::int32_t loihi_lif_params::*Register>
constexpr parameter_accessor<loihi_lif_params> chip_register() {
  return {[](const loihi_lif_params& p) -> std::optional<double> {
            if (p.from_float) return std::nullopt;
            return p.*Register;
          },
          [](loihi_lif_params& p, double v) {
            p.*Register = static_cast<std::int32_t>(v);
            p.registers_given = true;
          },
          true};
}

/// A parameter of the float form: absent unless the float form was given; setting one gives it.
template <double loihi_lif_float_params::*Field>
constexpr parameter_accessor<loihi_lif_params> float_form() {
  return {[](const loihi_lif_params& p) -> std::optional<double> {
            if (!p.from_float) return std::nullopt;
            return (*p.from_float).*Field;
          },
          [](loihi_lif_params& p, double v) {
            if (!p.from_float) p.from_float.emplace();
            (*p.from_float).*Field = v;
          },
          false};
}

}  // namespace loihi_detail

struct loihi_lif {
  static constexpr std::string_view name = "loihi_lif";
  using params = loihi_lif_params;
  static constexpr std::array<parameter<params>, 14> parameters{{
      {"E_L", &params::E_L, "mV"},
      {"voltage_scale", &params::voltage_scale, "", value_range::positive()},
      {"du", loihi_detail::chip_register<&params::du>(), "", value_range::between(0, loihi_max_decay)},
      {"dv", loihi_detail::chip_register<&params::dv>(), "", value_range::between(0, loihi_max_decay)},
      {"vth", loihi_detail::chip_register<&params::vth>(), "", value_range::between(0, loihi_max_vth)},
      {"bias_mant", loihi_detail::chip_register<&params::bias_mant>(), "",
       value_range::between(loihi_min_bias_mant, loihi_max_bias_mant)},
      {"bias_exp", loihi_detail::chip_register<&params::bias_exp>(), "", value_range::between(0, loihi_max_bias_exp)},
      {"weight_exp", loihi_detail::chip_register<&params::weight_exp>(), "",
       value_range::between(loihi_min_weight_exp, loihi_max_weight_exp)},
      {"weight_unit_exp", loihi_detail::chip_register<&params::weight_unit_exp>(), "", value_range::between(-60, 60)},
      {"C_m", loihi_detail::float_form<&loihi_lif_float_params::C_m>(), "pF", value_range::positive()},
      {"tau_m", loihi_detail::float_form<&loihi_lif_float_params::tau_m>(), "ms", value_range::positive()},
      {"tau_syn", loihi_detail::float_form<&loihi_lif_float_params::tau_syn>(), "ms", value_range::non_negative()},
      {"V_th", loihi_detail::float_form<&loihi_lif_float_params::V_th>(), "mV"},
      {"I_e", loihi_detail::float_form<&loihi_lif_float_params::I_e>(), "pA"},
  }};
  /// The whole state: current u and voltage v, 24-bit values in int32; 0 at the start, as Lava's LIF.
  struct state {
    std::int32_t u = 0, v = 0;
  };
  static constexpr std::array<state_variable<state>, 2> state_variables{{
      {"u", &state::u, "chip units"},
      {"v", &state::v, "chip units"},
  }};
  static constexpr std::array<receptor_port, 1> receptors{{{"spikes", default_weights::every}}};
  static constexpr bool transcendental = false;
  static constexpr bool neuromorphic = true;

  struct constants {
    int left = 0, right = 0;               ///< the input shift: one of them is 0
    std::int64_t keep_u = 0, keep_v = 0;   ///< 4096 - (du + 1), 4096 - dv
    std::int64_t bias = 0, threshold = 0;  ///< v units
  };
  /// `p` must be resolved (resolve_loihi_lif_params): throws loihi_parameter_error otherwise, or if the ring's scale
  /// does not hold chip weights exactly. The chip's registers are already discrete in time: dt is not used.
  static constants prepare(const params& p, double /*dt*/, double input_scale) {
    validate_loihi_lif_params(p);
    const int shift = loihi_input_shift(p, input_scale);
    return {shift > 0 ? shift : 0,
            shift < 0 ? (-shift > 63 ? 63 : -shift) : 0,
            loihi_decay_unity - (p.du + loihi_du_offset),
            loihi_decay_unity - (p.dv + loihi_dv_offset),
            effective_bias(p),
            std::int64_t{p.vth} << loihi_threshold_shift};
  }
  static std::optional<parameter_error> check(const params& p) {
    if (!p.from_float) return std::nullopt;
    if (p.registers_given)
      return parameter_error{"C_m",
                             "float parameters (C_m, tau_m, tau_syn, V_th, I_e) and chip registers together; "
                             "allowed: one or the other"};
    if (!(p.from_float->V_th > p.E_L)) return parameter_error{"V_th", "is not above E_L; allowed: V_th > E_L"};
    return std::nullopt;
  }
  /// The registers to run with: given, or mapped from the float form, whose I_e takes the DC input (the chip's bias
  /// carries it; the raw registers have no current to add it to).
  static params for_run(const params& p, const run_inputs& r) {
    params q = p;
    if (r.dc != 0 && !q.from_float)
      throw std::invalid_argument(
          "a DC input with raw chip registers; allowed: float parameters (C_m, tau_m, ...), whose I_e the chip's bias "
          "then carries");
    if (q.from_float) q.from_float->I_e += r.dc;
    return resolve_loihi_lif_params(q, r.dt, r.largest_weight);
  }
  /// A chip holds 8-bit weights: each weight into the population becomes whole chip weight units, clipped and
  /// truncated as Lava's Dense does for weights drawn from [lowest, highest].
  static loihi_quantized_weight quantize_weight(const params& p, double weight, double lowest, double highest) {
    return quantize_loihi_weight(weight, p.weight_unit_exp, loihi_sign_mode_of(lowest, highest));
  }
  /// A chip population sums its 8-bit weights exactly: one ring unit per chip weight unit.
  static int input_exponent(const params& p) { return -p.weight_unit_exp; }
  static double resting_potential(const params& p) { return p.E_L; }
  /// v from absolute V_m (mV), rounded to nearest and saturated at +-(2^23 - 1); u is left alone.
  static void set_potential(const params& p, state& s, double v) {
    const double x = std::round((v - p.E_L) * p.voltage_scale);
    s.v = static_cast<std::int32_t>(x < -loihi_v_limit ? -loihi_v_limit : x > loihi_v_limit ? loihi_v_limit : x);
  }

  /// bias_mant << bias_exp (Lava's scale_bias; a floor shift for a negative exponent, which validation rejects).
  static std::int64_t effective_bias(const params& p) {
    return p.bias_exp >= 0 ? std::int64_t{p.bias_mant} * (std::int64_t{1} << p.bias_exp)
                           : std::int64_t{p.bias_mant} >> -p.bias_exp;
  }

  /// The input is the sum of the chip weights delivered for this step (see loihi_input_shift).
  HETSPIKE_MODEL_FUNCTION static bool step(const constants& c, state& s, const fixed_type* input) {
    // Dense: a = sum << weight_exp, or >> -weight_exp (arithmetic: a floor, as numpy's right_shift).
    const std::int64_t a = static_cast<std::int64_t>(static_cast<std::uint64_t>(input[0]) << c.left) >> c.right;
    // u: sign(x) (|x| >> 12) is x / 4096 truncated toward zero, which C++ division is.
    const std::int64_t u_decayed = std::int64_t{s.u} * c.keep_u / loihi_decay_unity;
    // u + (a << 6) modulo 2^24, in unsigned arithmetic (defined for any a), then into (-2^23, 2^23].
    constexpr std::uint64_t mask = (std::uint64_t{1} << 24) - 1;
    constexpr std::int64_t low = loihi_state_half - 1;  // the result is m - low for m in [0, 2^24)
    const std::uint64_t m =
        (static_cast<std::uint64_t>(u_decayed) + (static_cast<std::uint64_t>(a) << loihi_activation_shift) + low) &
        mask;
    const std::int64_t u1 = static_cast<std::int64_t>(m) - low;
    // v: decay, add the new u and the bias, saturate at +-(2^23 - 1).
    std::int64_t v1 = std::int64_t{s.v} * c.keep_v / loihi_decay_unity + u1 + c.bias;
    v1 = v1 > loihi_v_limit ? loihi_v_limit : v1;
    v1 = v1 < -loihi_v_limit ? -loihi_v_limit : v1;
    const bool spike = v1 > c.threshold;
    s.u = static_cast<std::int32_t>(u1);
    s.v = spike ? 0 : static_cast<std::int32_t>(v1);
    return spike;
  }
};

}  // namespace hetspike
