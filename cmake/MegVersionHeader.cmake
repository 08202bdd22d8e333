# Writes meg/version.hpp for builds that compile the sources without configuring
# the project (scripts/fuzz.sh), with the version of `project(meg VERSION ...)`:
#   cmake -DMEG_SOURCE_DIR=. -DMEG_VERSION_HEADER=build-fuzz/include/meg/version.hpp \
#         -P cmake/MegVersionHeader.cmake
# The CMake build itself generates the header with configure_file (CMakeLists.txt).
file(STRINGS ${MEG_SOURCE_DIR}/CMakeLists.txt _line REGEX "^project\\(meg VERSION ")
if(NOT _line MATCHES "VERSION ([0-9]+)\\.([0-9]+)\\.([0-9]+)")
  message(FATAL_ERROR "${MEG_SOURCE_DIR}/CMakeLists.txt: no 'project(meg VERSION X.Y.Z' line")
endif()
set(PROJECT_VERSION_MAJOR ${CMAKE_MATCH_1})
set(PROJECT_VERSION_MINOR ${CMAKE_MATCH_2})
set(PROJECT_VERSION_PATCH ${CMAKE_MATCH_3})
set(PROJECT_VERSION ${CMAKE_MATCH_1}.${CMAKE_MATCH_2}.${CMAKE_MATCH_3})
# Rewritten only when the text changes, so objects that include it stay fresh.
configure_file(${MEG_SOURCE_DIR}/include/meg/version.hpp.in ${MEG_VERSION_HEADER} @ONLY)
