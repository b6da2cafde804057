#pragma once
// Private to io/: typed reads from the parsed TOML tree with the checks and messages every part of a model file
// shares. Each read names the key path of what it reads, so that a failure can say where it is in the file.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "io/message_text.hpp"
#include "partition/network_spec.hpp"

namespace hetspike::model_detail {

/// "projections[1]" + "weight" -> "projections[1].weight"; a top-level key has no parent.
std::string member_path(std::string_view parent, std::string_view key);
/// "projections" + 1 -> "projections[1]".
std::string element_path(std::string_view parent, std::size_t index);
/// "parameters: a, b, c" (a long list shortened) or "there are no [parameters]", to follow "unknown name 'x'; ".
std::string known_parameters_note(const std::vector<std::string>& names);
/// "a string", "an integer", ... for "got ..." in messages.
std::string type_name(const toml::node& node);
/// [A-Za-z_][A-Za-z0-9_]*: what an expression can refer to and a SONATA population may be called.
bool is_identifier(std::string_view name);
/// The keys of a table in the order the file wrote them (toml::table itself is sorted by key).
std::vector<std::pair<std::string_view, const toml::node*>> in_file_order(const toml::table& table);

/// Hashes std::string and std::string_view alike, so that a map keyed by std::string is searched with a view.
struct name_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};
/// Names to their positions, looked up in constant time: a model may name 10^5 parameters or populations, and
/// a lookup per use that walked a list would make reading it quadratic.
using name_index = std::unordered_map<std::string, std::size_t, name_hash, std::equal_to<>>;

/// What a distributed value is, which decides the keys it may have and its bounds.
enum class quantity { v_init, weight, delay };

/// A name in a list of names, with the key path of that element for messages.
struct named_element {
  std::string name;
  std::string path;
};

/// The most steps of dt a run may take (t_presim + t_sim) and any interval in it: counted in 64 bits, but
/// spike times are held as doubles, whose steps stay exact and distinct far beyond this (2^40 steps of 0.1 ms
/// are 3.5 years).
inline constexpr double max_run_steps = 1099511627776.0;  // 2^40
/// The most steps a refractory period may last: the neurons count them in 32 bits.
/// The largest mean count of spikes per step a Poisson input may draw (its inverse-CDF table holds about that
/// many thresholds, 4 bytes each, per input).
inline constexpr double max_poisson_mean_per_step = 1e5;

/// The most populations, projections and inputs a model may have, lists of targets counted one each. Every rank
/// holds and builds each of them (per population, steps whose cost grows with the populations before it), and a
/// list of targets in a file of 64 MiB could make 10^7 projections: these keep a model read and built in seconds.
/// Real models have far fewer (the multi-area model: 254 populations, about 65,000 projections).
inline constexpr std::size_t max_populations = 16384;
inline constexpr std::size_t max_projections = 262144;
inline constexpr std::size_t max_inputs = 65536;
/// The largest sum of the mean spike counts per step of all Poisson inputs: each input's table takes about 4 bytes
/// per unit of its mean, on every rank (40 MB in all at the limit).
inline constexpr double max_poisson_mean_total = 1e7;
/// The most variables one state recorder may name (a model has a handful; this only bounds a hostile list).
inline constexpr std::size_t max_recorded_variables = 64;
/// What the limits on projections and inputs count, for their messages.
inline constexpr std::string_view targets_count_one_each = " (a list of targets counts one each)";

/// The longest delays the synapse store holds, in steps of dt: a drawn (per-synapse) delay in 8 bits, a
/// projection's constant delay in 16 (kernels/synapse_store.hpp, partition/synapse_classes.hpp; a unit test
/// checks they agree). A drawn delay's reach is its max, or mean + 10 std for a normal without one.
inline constexpr double max_drawn_delay_steps = 255;
inline constexpr double max_constant_delay_steps = 65535;

/// Reads values out of one model file. Holds what later reads depend on: the file name for messages, the
/// resolved parameters that expressions refer to, and dt, which bounds every delay.
class model_reader {
 public:
  explicit model_reader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  /// Throws input_error "FILE: PATH: PROBLEM" (PROBLEM should end with "; allowed: ..." or similar).
  [[noreturn]] void fail(std::string_view path, std::string_view problem) const;

  void set_parameters(std::vector<std::pair<std::string, double>> parameters);
  const std::vector<std::pair<std::string, double>>& parameters() const { return parameters_; }
  std::optional<double> parameter(std::string_view name) const;
  /// "parameters: a, b, c" or "there are no [parameters]", to follow "unknown name 'x'; ".
  std::string known_parameters() const;

  /// The populations that [[projections]], [[inputs]] and recorders name, once they are read.
  void set_populations(const std::vector<population_spec>& populations);
  /// The index of the population called `name`, or a failure at `path` listing the known ones.
  std::size_t population_index(std::string_view name, std::string_view path) const;

  void set_dt(double dt) { dt_ = dt; }
  double dt() const { return dt_; }

  /// Fails on the first key of `table`, in file order, that is not in `allowed`, listing the allowed ones.
  /// `qualifier` narrows the list's meaning, e.g. "for rule \"one_to_one\"".
  void check_keys(const toml::table& table, std::string_view path, const std::vector<std::string_view>& allowed,
                  std::string_view qualifier = {}) const;
  /// The value of a key that must be present; `allowed` describes it for the message.
  const toml::node& required(const toml::table& table, std::string_view path, std::string_view key,
                             std::string_view allowed) const;
  /// A [table] (or inline table) at `path`.
  const toml::table& table(const toml::node& node, std::string_view path) const;
  /// The tables of an [[array]]; none when `node` is null (the key is absent).
  std::vector<const toml::table*> table_array(const toml::node* node, std::string_view path) const;

  /// A number or an expression string over the parameters; always finite.
  double number(const toml::node& node, std::string_view path,
                std::string_view allowed = "a number or an expression string") const;
  /// An expression string at `path`, evaluated against the parameters.
  double evaluate(std::string_view text, std::string_view path) const;
  /// A whole number in min..max, written as a number or an expression; a value within 1e-9 (relative) of an
  /// integer is taken as that integer, since products like 0.1 * 10000 are not exact in binary.
  std::uint64_t integer(const toml::node& node, std::string_view path, std::uint64_t min,
                        std::uint64_t max = std::numeric_limits<std::uint64_t>::max(),
                        std::string_view range_note = {}) const;
  bool boolean(const toml::node& node, std::string_view path) const;
  std::string string(const toml::node& node, std::string_view path, std::string_view allowed) const;
  /// "E" or ["E", "I"]: one element per name, in order; never empty, at most `max_names` long. `what` says what
  /// one name is, for messages.
  std::vector<named_element> names(const toml::node& node, std::string_view path, std::size_t max_names,
                                   std::string_view what = "a population name") const;
  /// Fails at `path` when it makes `count` of something (`what`, e.g. "projections") beyond `max`; `note`
  /// follows the limit in the message.
  void check_count(std::size_t count, std::size_t max, std::string_view path, std::string_view what,
                   std::string_view note = {}) const;

  /// A constant (number or expression) or a distribution table, for v_init, a weight or a delay.
  value_distribution distribution(const toml::node& node, std::string_view path, quantity what) const;
  /// A time of `t` ms that the run counts in steps of dt: fails unless t / dt <= max_steps, saying what limits
  /// them (`counter`, e.g. "the refractory counter is 32-bit").
  void check_steps(double t, std::string_view path, double max_steps, std::string_view counter) const;
  /// `t` ms as a whole number of steps of dt (to 1e-9 relative), at least one; else fails at `path`, the message
  /// ending in `rule` ("; a delay must be ...").
  double whole_steps(double t, std::string_view path, std::string_view rule) const;
  /// A constant delay: at least dt and a whole multiple of dt (to 1e-9 relative).
  double constant_delay(double delay, std::string_view path) const;

 private:
  value_distribution normal(const toml::table& table, std::string_view path, quantity what) const;
  value_distribution uniform(const toml::table& table, std::string_view path, quantity what) const;
  void check_redraw_bounds(const value_distribution& d, std::string_view path) const;
  void check_delay_reach(const value_distribution& d, std::string_view path) const;

  std::string file_;
  std::vector<std::pair<std::string, double>> parameters_;
  name_index parameter_index_;
  std::vector<std::string> population_names_;
  name_index population_index_;
  double dt_ = 0.1;
};

}  // namespace hetspike::model_detail
