#include "partition/connection_rules.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "partition/error.hpp"

namespace hetspike {

source_sampler::source_sampler(const projection_spec& projection, std::uint32_t seed, std::uint32_t projection_index,
                               std::uint64_t source_size, std::uint64_t target_size, bool same_population)
    : projection_(projection),
      key_(make_rng_key(seed, rng_purpose::connectivity, projection_index)),
      source_size_(source_size),
      target_size_(target_size),
      exclude_self_(same_population && !projection.autapses) {}

void source_sampler::sources(std::uint64_t t, std::uint64_t indegree, std::vector<std::uint64_t>& out) const {
  random_stream s(key_, t);
  switch (projection_.rule) {
    case connection_rule::fixed_indegree:
      if (projection_.multapses)
        fixed_indegree(s, t, projection_.indegree, out);
      else
        distinct(s, t, projection_.indegree, out);
      break;
    case connection_rule::fixed_total_number:
      fixed_indegree(s, t, indegree, out);
      break;
    case connection_rule::pairwise_bernoulli:
      bernoulli(s, t, out);
      break;
    case connection_rule::one_to_one:
      if (!exclude_self_) out.push_back(t);
      break;
    case connection_rule::all_to_all:
      for (std::uint64_t i = 0; i < source_size_; ++i)
        if (!(exclude_self_ && i == t)) out.push_back(i);
      break;
  }
}

// k independent uniform draws (multapses allowed); without autapses, drawn from the N-1 others.
void source_sampler::fixed_indegree(random_stream& s, std::uint64_t t, std::uint64_t k,
                                    std::vector<std::uint64_t>& out) const {
  const std::uint64_t n = exclude_self_ ? source_size_ - 1 : source_size_;
  if (n == 0 && k > 0) throw internal_error("fixed_indegree: no candidate sources (validation should catch this)");
  const std::size_t first = out.size();
  out.resize(first + k);
  s.below_many(uniform_bound(n), out.data() + first, k);
  if (exclude_self_)
    for (std::size_t j = first; j < out.size(); ++j) out[j] += out[j] >= t ? 1 : 0;
}

// k distinct sources (no multapses) by Floyd's algorithm: O(k) draws whatever k/N is.
void source_sampler::distinct(random_stream& s, std::uint64_t t, std::uint64_t k,
                              std::vector<std::uint64_t>& out) const {
  const std::uint64_t n = exclude_self_ ? source_size_ - 1 : source_size_;
  if (k > n) throw internal_error("fixed_indegree: indegree above the candidates (validation should catch this)");
  std::unordered_set<std::uint64_t> chosen;
  chosen.reserve(k * 2);
  const std::size_t first = out.size();
  for (std::uint64_t j = n - k; j < n; ++j) {
    const std::uint64_t r = s.below(j + 1);
    const std::uint64_t pick = chosen.insert(r).second ? r : (chosen.insert(j), j);
    out.push_back(pick);
  }
  for (std::size_t i = first; i < out.size(); ++i)
    if (exclude_self_ && out[i] >= t) ++out[i];
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

// Each source independently with probability p, visited by geometric skips: O(p N) draws.
void source_sampler::bernoulli(random_stream& s, std::uint64_t t, std::vector<std::uint64_t>& out) const {
  const double p = projection_.probability;
  if (p <= 0.0) return;
  const double log_q = std::log1p(-p);
  std::uint64_t i = 0;
  for (;;) {
    if (p < 1.0) {
      const double skip = std::floor(std::log(s.uniform_pos()) / log_q);
      if (skip >= static_cast<double>(source_size_ - i)) return;
      i += static_cast<std::uint64_t>(skip);
    }
    if (i >= source_size_) return;
    if (!(exclude_self_ && i == t)) out.push_back(i);
    ++i;
  }
}

void throw_no_value_within(const value_distribution& d) {
  throw input_error("a distribution with mean/low " + std::to_string(d.a) + " gave no value within [" +
                    std::to_string(d.lower) + ", " + std::to_string(d.upper) + "] in 1000 draws; widen the bounds");
}

double synapse_count_law::none() const {
  if (p >= 1) return trials > 0 ? 0.0 : 1.0;
  return std::exp(trials * std::log1p(-p));
}

double synapse_count_law::exactly_one() const {
  if (trials <= 0 || p <= 0) return 0.0;
  if (p >= 1) return trials == 1 ? 1.0 : 0.0;
  return trials * p * std::exp((trials - 1) * std::log1p(-p));
}

synapse_count_law synapses_per_source(const projection_spec& p, double n, double ns, double nt, bool same) {
  const double candidates = ns - (same && !p.autapses ? 1.0 : 0.0);
  if (candidates <= 0 || n <= 0) return {};
  switch (p.rule) {
    case connection_rule::fixed_indegree:
      if (p.multapses) return {n * static_cast<double>(p.indegree), 1.0 / candidates};
      return {n, std::min(1.0, static_cast<double>(p.indegree) / candidates)};
    case connection_rule::fixed_total_number:
      return {nt > 0 ? static_cast<double>(p.total) * n / nt : 0.0, 1.0 / ns};
    case connection_rule::pairwise_bernoulli:
      return {n, p.probability};
    case connection_rule::one_to_one:
      return {1.0, std::min(1.0, n / ns)};
    case connection_rule::all_to_all:
      return {n, 1.0};
  }
  return {};
}

double expected_synapses(const projection_spec& p, std::uint64_t ns, std::uint64_t nt, bool same) {
  const double s = static_cast<double>(ns), t = static_cast<double>(nt);
  const double self = same && !p.autapses ? 1.0 : 0.0;
  switch (p.rule) {
    case connection_rule::fixed_indegree:
      return t * static_cast<double>(p.indegree);
    case connection_rule::fixed_total_number:
      return static_cast<double>(p.total);
    case connection_rule::pairwise_bernoulli:
      return p.probability * t * (s - self);
    case connection_rule::one_to_one:
      return t;
    case connection_rule::all_to_all:
      return t * (s - self);
  }
  return 0.0;
}

}  // namespace hetspike
