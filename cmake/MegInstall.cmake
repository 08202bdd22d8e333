# `cmake --install` and the CMake package of meg. Installs, under the prefix:
#   lib/libmeg_<module>.a          every module library (static)
#   include/meg/*.hpp              the public API (version.hpp generated from the project version)
#   bin/meg                        the CLI
#   lib/cmake/meg/                 megConfig.cmake, megConfigVersion.cmake, megTargets*.cmake
# A separate project then does
#   find_package(meg CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE meg::meg)
# meg::meg is the whole public API (include/meg); the module libraries come with
# it as its link dependencies (meg::api, meg::ensemble, ..., meg::core), and so
# do the packages they link: fmt, nlohmann_json (also used by the public
# headers), Threads and, when the libraries were built with it, XGBoost.
# Inside this build tree the same target is available as meg::meg.
include(CMakePackageConfigHelpers)

add_library(meg_public INTERFACE)
target_link_libraries(meg_public INTERFACE meg_api)
set_target_properties(meg_public PROPERTIES EXPORT_NAME meg)
add_library(meg::meg ALIAS meg_public)

get_property(_meg_modules GLOBAL PROPERTY MEG_MODULES)
install(TARGETS ${_meg_modules} meg_public EXPORT megTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(TARGETS meg RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/meg ${PROJECT_BINARY_DIR}/include/meg
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
        FILES_MATCHING PATTERN "*.hpp")

# The packages megConfig.cmake must find before it loads the targets: the
# package of every imported target (Package::name) the module libraries link,
# e.g. fmt, nlohmann_json, Threads and xgboost, and nothing else.
set(_meg_packages)
foreach(_m IN LISTS _meg_modules)
  get_target_property(_links ${_m} LINK_LIBRARIES)
  foreach(_l IN LISTS _links)
    if(_l MATCHES "^([A-Za-z0-9_]+)::" AND NOT CMAKE_MATCH_1 STREQUAL "meg")
      list(APPEND _meg_packages ${CMAKE_MATCH_1})
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES _meg_packages)
set(MEG_FIND_DEPENDENCIES)
foreach(_pkg IN LISTS _meg_packages)
  if(_pkg MATCHES "^(Threads|OpenMP)$")  # CMake's own find modules
    string(APPEND MEG_FIND_DEPENDENCIES "find_dependency(${_pkg})\n")
  else()
    string(APPEND MEG_FIND_DEPENDENCIES "find_dependency(${_pkg} CONFIG)\n")
  endif()
endforeach()

set(MEG_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/meg)
install(EXPORT megTargets NAMESPACE meg:: DESTINATION ${MEG_INSTALL_CMAKEDIR} COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/megConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/megConfig.cmake
                              INSTALL_DESTINATION ${MEG_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same major.minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/megConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/megConfig.cmake ${PROJECT_BINARY_DIR}/megConfigVersion.cmake
        DESTINATION ${MEG_INSTALL_CMAKEDIR} COMPONENT dev)
