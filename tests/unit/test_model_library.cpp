// What the model-library loader (kernels/model_library.hpp) says about a library it cannot run, without building
// one: the comparison of build signatures (tests/e2e/test_model_library.py loads real libraries), and a loaded
// model's description made from a compiled-in one (kernels/loaded_model.hpp).
#include <gtest/gtest.h>

#include <stdexcept>

#include "kernels/build_signature.hpp"
#include "kernels/iaf_psc_exp.hpp"
#include "kernels/model_library.hpp"

namespace hetspike {
namespace {

TEST(ModelLibrary, SameBuildHasNothingToSay) { EXPECT_EQ(build_mismatch(build_signature(), build_signature()), ""); }

TEST(ModelLibrary, AnotherBackendIsNamedWithThisOne) {
  const std::string host = "hetspike 0.1.0; model interface 1; Kokkos 4.6.1; Kokkos::Serial";
  const std::string cuda = "hetspike 0.1.0; model interface 1; Kokkos 4.6.1; Kokkos::Cuda + Kokkos::OpenMP";
  EXPECT_EQ(build_mismatch(cuda, host), "Kokkos::Cuda + Kokkos::OpenMP (this hetspike: Kokkos::Serial)");
}

TEST(ModelLibrary, EveryFieldThatDiffersIsNamed) {
  const std::string host = "hetspike 0.1.0; model interface 1; Kokkos 3.4.1; Kokkos::Serial";
  EXPECT_EQ(build_mismatch("hetspike 0.2.0; model interface 2; Kokkos 3.4.1; Kokkos::Serial", host),
            "hetspike 0.2.0 (this hetspike: hetspike 0.1.0), model interface 2 (this hetspike: model interface 1)");
  EXPECT_EQ(build_mismatch("hetspike 0.1.0", host),
            "(nothing) (this hetspike: model interface 1), (nothing) (this hetspike: Kokkos 3.4.1), (nothing) (this "
            "hetspike: Kokkos::Serial)");
}

TEST(ModelLibrary, ThisBuildNamesItsVersionKokkosAndSpace) {
  const std::string mine = build_signature();
  EXPECT_EQ(mine.rfind(std::string("hetspike ") + HETSPIKE_VERSION + "; model interface ", 0), 0u) << mine;
  EXPECT_NE(mine.find(std::string("; Kokkos::") + Kokkos::DefaultExecutionSpace::name()), std::string::npos) << mine;
}

TEST(ModelLibrary, AMissingFileCannotBeLoaded) {
  try {
    load_model_library("/nonexistent/libmodels.so");
    FAIL() << "loaded";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be loaded"), std::string::npos) << e.what();
  }
}

TEST(ModelLibrary, DescriptionAsDataMatchesTheModelsOwn) {
  const model_info info = describe_model<iaf_psc_exp>();
  EXPECT_EQ(info.name, iaf_psc_exp::name);
  ASSERT_EQ(info.parameters.size(), iaf_psc_exp::parameters.size());
  ASSERT_EQ(info.defaults.size(), info.parameters.size());
  const iaf_psc_exp::params defaults{};
  for (std::size_t i = 0; i < info.parameters.size(); ++i) {
    EXPECT_EQ(info.parameters[i].name, iaf_psc_exp::parameters[i].name);
    EXPECT_EQ(info.defaults[i], *iaf_psc_exp::parameters[i].get(defaults));
  }
  ASSERT_EQ(info.state_variables.size(), iaf_psc_exp::state_variables.size());
  std::size_t slots[2] = {0, 0};
  for (std::size_t j = 0; j < info.state_variables.size(); ++j) {
    EXPECT_EQ(info.state_variables[j].integer, iaf_psc_exp::state_variables[j].is_integer());
    EXPECT_EQ(info.state_variables[j].slot, slots[info.state_variables[j].integer]++);
  }
  EXPECT_EQ(info.receptors.size(), iaf_psc_exp::receptors.size());
  EXPECT_EQ(default_receptor_of(info.receptors, -1.0), default_receptor<iaf_psc_exp>(-1.0));
  // And back: numbers in the description's order make the same parameters.
  const auto p = params_from_values<iaf_psc_exp>(values_of<iaf_psc_exp>(defaults));
  EXPECT_EQ(values_of<iaf_psc_exp>(p), info.defaults);
}

}  // namespace
}  // namespace hetspike
