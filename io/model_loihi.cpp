// params of a `loihi_lif` population: either the chip's registers (Lava's names) or a NEST-style float LIF
// that the build maps onto them (kernels/loihi_quantize.hpp). Never both.
#include <array>

#include "io/expression.hpp"
#include "io/model_neuron_params.hpp"
#include "io/model_sections.hpp"

namespace hetspike::model_detail {

namespace {

struct register_key {
  std::string_view name;
  std::int32_t loihi_lif_params::*member;
  std::int32_t min, max;
};

constexpr std::array<register_key, 7> registers{{
    {"du", &loihi_lif_params::du, 0, loihi_max_decay},
    {"dv", &loihi_lif_params::dv, 0, loihi_max_decay},
    {"vth", &loihi_lif_params::vth, 0, loihi_max_vth},
    {"bias_mant", &loihi_lif_params::bias_mant, loihi_min_bias_mant, loihi_max_bias_mant},
    {"bias_exp", &loihi_lif_params::bias_exp, 0, loihi_max_bias_exp},
    {"weight_exp", &loihi_lif_params::weight_exp, loihi_min_weight_exp, loihi_max_weight_exp},
    {"weight_unit_exp", &loihi_lif_params::weight_unit_exp, -60, 60},
}};

struct float_key {
  std::string_view name;
  double loihi_lif_float_params::*member;
};

constexpr std::array<float_key, 5> floats{{{"C_m", &loihi_lif_float_params::C_m},
                                           {"tau_m", &loihi_lif_float_params::tau_m},
                                           {"tau_syn", &loihi_lif_float_params::tau_syn},
                                           {"V_th", &loihi_lif_float_params::V_th},
                                           {"I_e", &loihi_lif_float_params::I_e}}};

std::int64_t whole_signed(const model_reader& reader, const toml::node& node, const std::string& path,
                          const register_key& k) {
  const double v = reader.number(node, path);
  if (v != std::floor(v) || v < k.min || v > k.max)
    reader.fail(path, format_number(v) + " is not a whole number the chip holds; allowed: " + std::to_string(k.min) +
                          " to " + std::to_string(k.max));
  return static_cast<std::int64_t>(v);
}

}  // namespace

void read_loihi_params(const model_reader& reader, const toml::table& table, std::string_view path,
                       loihi_lif_params& p) {
  std::vector<std::string_view> allowed{"E_L", "voltage_scale", tau_minus_key};
  for (const auto& k : registers) allowed.push_back(k.name);
  for (const auto& k : floats) allowed.push_back(k.name);
  reader.check_keys(table, path, allowed, "for loihi_lif (chip registers or float parameters)");
  if (const toml::node* e = table.get("E_L")) p.E_L = reader.number(*e, member_path(path, "E_L"));
  if (const toml::node* s = table.get("voltage_scale")) {
    p.voltage_scale = reader.number(*s, member_path(path, "voltage_scale"));
    if (!(p.voltage_scale > 0)) reader.fail(member_path(path, "voltage_scale"), "must be positive; allowed: > 0");
  }
  std::string_view first_register, first_float;
  for (const auto& k : registers)
    if (const toml::node* v = table.get(k.name)) {
      p.*(k.member) = static_cast<std::int32_t>(whole_signed(reader, *v, member_path(path, k.name), k));
      if (first_register.empty()) first_register = k.name;
    }
  loihi_lif_float_params f;
  for (const auto& k : floats)
    if (const toml::node* v = table.get(k.name)) {
      f.*(k.member) = reader.number(*v, member_path(path, k.name));
      if (first_float.empty()) first_float = k.name;
    }
  if (!first_register.empty() && !first_float.empty())
    reader.fail(member_path(path, first_float), "float parameters and chip registers (" + std::string(first_register) +
                                                    ") together; allowed: one or the other");
  if (first_float.empty()) return;
  if (!(f.C_m > 0)) reader.fail(member_path(path, "C_m"), "is not positive; allowed: C_m > 0");
  if (!(f.tau_m > 0)) reader.fail(member_path(path, "tau_m"), "is not positive; allowed: tau_m > 0");
  if (f.tau_syn < 0)
    reader.fail(member_path(path, "tau_syn"), "is negative; allowed: tau_syn >= 0 (0: delta synapses)");
  if (!(f.V_th > p.E_L)) reader.fail(member_path(path, "V_th"), "is not above E_L; allowed: V_th > E_L");
  p.from_float = f;
}

}  // namespace hetspike::model_detail
