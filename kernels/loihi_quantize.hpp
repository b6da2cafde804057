#pragma once
// Loihi's integer LIF as data: the chip's registers (loihi_lif_params), the quantisation of float weights into
// the chip's 8-bit weights, and the map from a NEST-style float LIF onto the registers. Host code only, and free
// of Kokkos, so that neuron_models.hpp can hold loihi_lif_params in its variant; the kernel is loihi_lif.hpp.
//
// The arithmetic is Lava's bit-accurate models (lava-nc/lava: src/lava/proc/lif/models.py,
// AbstractPyLifModelFixed and PyLifModelBitAcc; src/lava/proc/dense/models.py, AbstractPyDenseModelBitAcc;
// src/lava/utils/weightutils.py, clip_weights and truncate_weights). Per step, for one neuron:
//   a  = (sum of the step's chip weights) << weight_exp        (>> -weight_exp, a floor, if weight_exp < 0)
//   u  = wrap24(trunc(u * (4096 - (du + 1)) / 4096) + (a << 6)) into (-2^23, 2^23]
//   v  = clamp(trunc(v * (4096 - dv) / 4096) + u + (bias_mant << bias_exp), -(2^23 - 1), 2^23 - 1)
//   spike = v > (vth << 6);  if spike: v = 0                  (u is kept; no refractory period)
// Lava's Dense sends the sum of step t at step t + 1: that is hetspike's delivery with a delay of one step.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace hetspike {

// The chip's widths, as Lava's AbstractPyLifModelFixed.__init__ names them.
inline constexpr std::int64_t loihi_decay_unity = 4096;       ///< decay_unity: decays are 12-bit fractions
inline constexpr std::int32_t loihi_du_offset = 1;            ///< ds_offset: u keeps (4096 - (du + 1)) / 4096
inline constexpr std::int32_t loihi_dv_offset = 0;            ///< dm_offset: v keeps (4096 - dv) / 4096
inline constexpr int loihi_activation_shift = 6;              ///< act_shift: input is MSB-aligned by 6 bits
inline constexpr int loihi_threshold_shift = 6;               ///< vth_shift
inline constexpr std::int32_t loihi_state_half = 1 << 23;     ///< max_uv_val: u and v are 24-bit
inline constexpr std::int32_t loihi_v_limit = (1 << 23) - 1;  ///< v saturates at +-(2^23 - 1)
inline constexpr std::int32_t loihi_max_decay = 4095;         ///< du, dv: unsigned 12-bit
inline constexpr std::int32_t loihi_max_vth = (1 << 17) - 1;  ///< vth: unsigned 17-bit
inline constexpr std::int32_t loihi_min_bias_mant = -4096, loihi_max_bias_mant = 4095;  ///< signed 13-bit
inline constexpr std::int32_t loihi_max_bias_exp = 7;                                   ///< unsigned 3-bit
/// Loihi 1's weight exponent range (NxSDK's 4-bit signed weightExponent); Lava itself does not check it.
inline constexpr std::int32_t loihi_min_weight_exp = -8, loihi_max_weight_exp = 7;

/// A loihi_lif parameter outside what the chip holds (bad input: the model file names it).
struct loihi_parameter_error : std::invalid_argument {
  loihi_parameter_error(std::string name_, double value_, std::string valid_)
      : std::invalid_argument(message(name_, value_, valid_)),
        name(std::move(name_)),
        value(value_),
        valid(std::move(valid_)) {}
  std::string name;
  double value;
  std::string valid;

 private:
  static std::string message(const std::string& name, double value, const std::string& valid) {
    std::ostringstream m;
    m << "loihi_lif parameter " << name << " = " << value << " is out of range: " << valid;
    return m.str();
  }
};

/// A NEST-style current-based LIF (iaf_psc_exp's names and units, one synaptic time constant), to be mapped
/// onto the chip by map_loihi_lif. The chip resets to its rest (E_L) and has no refractory period.
struct loihi_lif_float_params {
  double C_m = 250.0;    ///< pF
  double tau_m = 10.0;   ///< ms, finite
  double tau_syn = 2.0;  ///< ms; 0 means delta synapses: du = 4095, weights in mV (as iaf_psc_delta)
  double V_th = -55.0;   ///< mV
  double I_e = 0.0;      ///< pA
};

/// The chip's registers for one population (Lava's LIF and Dense parameters), plus how hetspike reads them:
/// what one chip weight is in the model file's units, and what voltage v = 0 and one v unit stand for.
struct loihi_lif_params {
  std::int32_t du = 0;          ///< 0..4095; u keeps (4095 - du) / 4096 per step (Lava's ds_offset = 1)
  std::int32_t dv = 0;          ///< 0..4095; v keeps (4096 - dv) / 4096 per step
  std::int32_t vth = 10;        ///< 0..131071; a neuron spikes when v > vth << 6 (Lava's default 10)
  std::int32_t bias_mant = 0;   ///< -4096..4095; v gains bias_mant << bias_exp every step
  std::int32_t bias_exp = 0;    ///< 0..7
  std::int32_t weight_exp = 0;  ///< -8..7; the summed chip weights of a step are shifted by it (Dense)
  /// hetspike: one chip weight unit is 2^weight_unit_exp model weight units (0: model-file weights are chip
  /// weights). The ring must hold the sums at a scale of 2^e units per model unit with e >= -weight_unit_exp.
  std::int32_t weight_unit_exp = 0;
  double E_L = -70.0;          ///< mV that v = 0 stands for (rest and reset)
  double voltage_scale = 1.0;  ///< v units per mV, for initial V and recordings only
  /// Set when the model file gave float parameters: resolve_loihi_lif_params maps them onto the registers.
  std::optional<loihi_lif_float_params> from_float;
  /// Whether the model file set a register: the two forms must not be mixed.
  bool registers_given = false;
};

/// Throws loihi_parameter_error for a register outside the chip's range, or for unmapped float parameters.
inline void validate_loihi_lif_params(const loihi_lif_params& p) {
  const auto check = [](const char* name, std::int32_t x, std::int32_t lo, std::int32_t hi) {
    if (x < lo || x > hi)
      throw loihi_parameter_error(name, x, "the chip holds " + std::to_string(lo) + " to " + std::to_string(hi));
  };
  if (p.from_float) throw loihi_parameter_error("from_float", 1, "map float parameters with map_loihi_lif first");
  check("du", p.du, 0, loihi_max_decay);
  check("dv", p.dv, 0, loihi_max_decay);
  check("vth", p.vth, 0, loihi_max_vth);
  check("bias_mant", p.bias_mant, loihi_min_bias_mant, loihi_max_bias_mant);
  check("bias_exp", p.bias_exp, 0, loihi_max_bias_exp);
  check("weight_exp", p.weight_exp, loihi_min_weight_exp, loihi_max_weight_exp);
  check("weight_unit_exp", p.weight_unit_exp, -60, 60);
  if (!(p.voltage_scale > 0) || !std::isfinite(p.voltage_scale))
    throw loihi_parameter_error("voltage_scale", p.voltage_scale, "a positive finite number");
}

// ---------------------------------------------------------------------------------------------------------
// Weights. Lava's Dense clips each weight to its projection's sign mode (clip_weights, 8 bits) and then clears
// the lowest bit of mixed-sign weights (truncate_weights: 8-bit signed mantissa, scaled by 2).

/// Lava's SignMode of one projection (determine_sign_mode): all weights >= 0, all <= 0, or both signs.
enum class loihi_sign_mode { excitatory, inhibitory, mixed };

inline loihi_sign_mode loihi_sign_mode_of(double min_weight, double max_weight) {
  if (min_weight >= 0) return loihi_sign_mode::excitatory;
  if (max_weight <= 0) return loihi_sign_mode::inhibitory;
  return loihi_sign_mode::mixed;
}

struct loihi_quantized_weight {
  /// What Dense sums: [0, 255] excitatory, [-255, 0] inhibitory, an even number in [-256, 254] mixed.
  std::int32_t chip_weight = 0;
  /// The 8 stored bits: |chip_weight| for one-sign projections, chip_weight / 2 (signed) for mixed ones.
  std::int32_t mantissa = 0;
  double value = 0;        ///< the weight the chip applies, model units: chip_weight * 2^weight_unit_exp
  double error = 0;        ///< value - weight
  bool saturated = false;  ///< the weight lay outside the sign mode's range and was clipped
};

/// Quantises one weight (model units) of a projection with sign mode `mode`: x = weight / 2^weight_unit_exp
/// (exact) is rounded to the nearest integer, ties away from zero; then Lava's clip_weights saturates it
/// ([0, 255], [-255, 0] or [-256, 255]) and, for mixed sign, truncate_weights clears its lowest bit (a floor
/// to even: 3 -> 2, -3 -> -4). On integer input (weight_unit_exp = 0) this is exactly Lava's Dense.
inline loihi_quantized_weight quantize_loihi_weight(double weight, std::int32_t weight_unit_exp, loihi_sign_mode mode) {
  if (!std::isfinite(weight)) throw loihi_parameter_error("weight", weight, "a finite number");
  const double x = std::clamp(std::round(std::ldexp(weight, -weight_unit_exp)), -1e9, 1e9);
  const auto n = static_cast<std::int32_t>(x);
  const std::int32_t lo = mode == loihi_sign_mode::excitatory ? 0 : mode == loihi_sign_mode::inhibitory ? -255 : -256;
  const std::int32_t hi = mode == loihi_sign_mode::inhibitory ? 0 : 255;
  loihi_quantized_weight q;
  q.saturated = n < lo || n > hi;
  q.chip_weight = std::clamp(n, lo, hi);
  if (mode == loihi_sign_mode::mixed) q.chip_weight = (q.chip_weight >> 1) * 2;  // C++20: >> is a floor
  q.mantissa = mode == loihi_sign_mode::mixed ? q.chip_weight / 2 : std::abs(q.chip_weight);
  q.value = std::ldexp(static_cast<double>(q.chip_weight), weight_unit_exp);
  q.error = q.value - weight;
  return q;
}

/// Quantisation error over many weights, for the run report; merge across projections and ranks.
struct loihi_quantization_summary {
  std::uint64_t count = 0, saturated = 0;
  double max_abs_error = 0, sum_abs_error = 0, sum_abs_weight = 0;

  void add(double weight, const loihi_quantized_weight& q) {
    ++count;
    saturated += q.saturated ? 1 : 0;
    max_abs_error = std::max(max_abs_error, std::abs(q.error));
    sum_abs_error += std::abs(q.error);
    sum_abs_weight += std::abs(weight);
  }
  void merge(const loihi_quantization_summary& o) {
    count += o.count;
    saturated += o.saturated;
    max_abs_error = std::max(max_abs_error, o.max_abs_error);
    sum_abs_error += o.sum_abs_error;
    sum_abs_weight += o.sum_abs_weight;
  }
  /// sum |error| / sum |weight|: the mean relative error, weighted by weight.
  double relative_error() const { return sum_abs_weight > 0 ? sum_abs_error / sum_abs_weight : 0.0; }
};

/// The smallest k with max_abs_weight <= 255 * 2^k: one chip weight unit = 2^k model units, so the largest
/// weight uses the 8 bits (0 when there are no weights).
inline std::int32_t loihi_weight_unit_exp(double max_abs_weight) {
  if (!(max_abs_weight > 0) || !std::isfinite(max_abs_weight)) return 0;
  auto k = static_cast<std::int32_t>(std::ceil(std::log2(max_abs_weight / 255.0)));
  while (std::ldexp(255.0, k) < max_abs_weight) ++k;
  while (std::ldexp(255.0, k - 1) >= max_abs_weight) --k;
  return k;
}

// ---------------------------------------------------------------------------------------------------------
// Float LIF -> chip.

/// NEST's P32 for exponential currents; defined in kernels/propagators.cpp (not included here: propagators.hpp
/// includes neuron_models.hpp, which includes this header).
double propagator_psc_to_voltage(double tau_syn, double tau_m, double C_m, double h);

/// The largest threshold mantissa map_loihi_lif aims for: threshold <= 2^21 leaves v room for four thresholds
/// either way before it saturates at +-(2^23 - 1).
inline constexpr std::int32_t loihi_vth_target = 1 << 15;

/// Maps a float LIF onto the chip so that, below threshold, chip v / voltage_scale follows NEST iaf_psc_exp's
/// V - E_L step for step (iaf_psc_delta's when tau_syn = 0), up to rounding; the one difference is that the
/// chip applies synaptic input in the step whose ring row holds it, iaf_psc_exp from the next step, so a chip
/// connection with delay d + 1 steps acts as an iaf_psc_exp one with delay d (iaf_psc_delta: same delay).
///   u keeps P11 = exp(-dt/tau_syn):  du = clamp(4095 - round(4096 P11), 0, 4095)   (4095 when tau_syn = 0)
///   v keeps P22 = exp(-dt/tau_m):    dv = clamp(4096 - round(4096 P22), 0, 4095)
///   one chip weight = 2^k model units, k = loihi_weight_unit_exp(max_abs_weight), and moves v by
///     c = P21 mV per pA (NEST's current-to-voltage propagator; c = 1 mV per mV when tau_syn = 0); on the chip
///     that is 2^(weight_exp + 6) v units, so voltage_scale S = 2^(weight_exp + 6 - k) / c v units per mV;
///   weight_exp: the largest in [-8, 7] with vth = round((V_th - E_L) S / 64) <= loihi_vth_target (else the
///     first that fits 17 bits) and whose bias fits;
///   bias = P20 I_e S v units per step (P20 = tau_m / C_m (1 - P22)): the smallest bias_exp in [0, 7] with
///     round(bias / 2^bias_exp) in the 13-bit range.
/// All roundings are to nearest, ties away from zero. Throws loihi_parameter_error when nothing fits.
inline loihi_lif_params map_loihi_lif(const loihi_lif_float_params& f, double E_L, double dt, double max_abs_weight) {
  const auto positive = [](const char* name, double x) {
    if (!(x > 0) || !std::isfinite(x)) throw loihi_parameter_error(name, x, "a positive finite number");
  };
  positive("dt", dt);
  positive("C_m", f.C_m);
  positive("tau_m", f.tau_m);
  if (!(f.tau_syn >= 0) || !std::isfinite(f.tau_syn))
    throw loihi_parameter_error("tau_syn", f.tau_syn, "0 (delta synapses) or a positive finite number");
  positive("V_th - E_L", f.V_th - E_L);
  if (!std::isfinite(f.I_e)) throw loihi_parameter_error("I_e", f.I_e, "a finite number");

  const double P22 = std::exp(-dt / f.tau_m);
  const double P20 = f.tau_m / f.C_m * (1.0 - P22);  // as make_propagators(iaf_psc_exp_params)
  const bool delta = f.tau_syn == 0;
  const double c = delta ? 1.0 : propagator_psc_to_voltage(f.tau_syn, f.tau_m, f.C_m, dt);
  loihi_lif_params p;
  p.du = delta ? loihi_max_decay
               : static_cast<std::int32_t>(
                     std::clamp<long long>(4095 - std::llround(4096 * std::exp(-dt / f.tau_syn)), 0, loihi_max_decay));
  p.dv = static_cast<std::int32_t>(std::clamp<long long>(4096 - std::llround(4096 * P22), 0, loihi_max_decay));
  p.weight_unit_exp = loihi_weight_unit_exp(max_abs_weight);
  p.E_L = E_L;

  // One weight exponent: threshold and bias in v units, kept if both fit.
  const auto try_exp = [&](std::int32_t we, long long vth_limit) {
    const double S = std::ldexp(1.0, we + loihi_activation_shift - p.weight_unit_exp) / c;
    const long long vth = std::max(1LL, std::llround((f.V_th - E_L) * S / 64));
    if (vth > vth_limit) return false;
    const double bias = P20 * f.I_e * S;
    for (std::int32_t be = 0; be <= loihi_max_bias_exp; ++be) {
      const long long m = std::llround(std::ldexp(bias, -be));
      if (m < loihi_min_bias_mant || m > loihi_max_bias_mant) continue;
      p.weight_exp = we, p.voltage_scale = S, p.vth = static_cast<std::int32_t>(vth);
      p.bias_mant = static_cast<std::int32_t>(m), p.bias_exp = be;
      return true;
    }
    return false;
  };
  for (std::int32_t we = loihi_max_weight_exp; we >= loihi_min_weight_exp; --we)
    if (try_exp(we, loihi_vth_target)) return p;
  for (std::int32_t we = loihi_max_weight_exp; we >= loihi_min_weight_exp; --we)
    if (try_exp(we, loihi_max_vth)) return p;
  throw loihi_parameter_error("V_th - E_L", f.V_th - E_L,
                              "with these weights and I_e, no weight exponent in [-8, 7] fits the 17-bit "
                              "threshold and the 13-bit bias");
}

/// The registers a population runs with: p itself (validated) in raw mode, or its float parameters mapped.
inline loihi_lif_params resolve_loihi_lif_params(const loihi_lif_params& p, double dt, double max_abs_weight) {
  if (!p.from_float) {
    validate_loihi_lif_params(p);
    return p;
  }
  loihi_lif_params r = map_loihi_lif(*p.from_float, p.E_L, dt, max_abs_weight);
  validate_loihi_lif_params(r);
  return r;
}

}  // namespace hetspike
