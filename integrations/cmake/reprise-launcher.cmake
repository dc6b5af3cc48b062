# reprise as CMake's compiler launcher: every C and C++ compile runs as
# `reprise-shim <compiler> <args>`, and the compiler CMake found stays the compiler.
#
#   cmake -C /path/to/reprise/integrations/cmake/reprise-launcher.cmake -B build
#
# (or pass -DCMAKE_C_COMPILER_LAUNCHER=/path/to/reprise/build/reprise-shim, and the same for
# CXX). REPRISE_SHIM (a -D or an environment variable) names another shim binary. With
# REPRISE_BASE_DIR set to the source tree, build directories share their entries.
if(NOT REPRISE_SHIM)
  if(DEFINED ENV{REPRISE_SHIM})
    set(REPRISE_SHIM "$ENV{REPRISE_SHIM}")
  else()
    find_program(REPRISE_SHIM reprise-shim HINTS "${CMAKE_CURRENT_LIST_DIR}/../../build" NO_DEFAULT_PATH)
    find_program(REPRISE_SHIM reprise-shim)
  endif()
endif()
if(NOT REPRISE_SHIM)
  message(FATAL_ERROR "reprise-shim not found: build reprise (npm ci) or pass -DREPRISE_SHIM=/path/to/reprise-shim")
endif()
set(REPRISE_SHIM "${REPRISE_SHIM}" CACHE FILEPATH "the reprise shim binary")
set(CMAKE_C_COMPILER_LAUNCHER "${REPRISE_SHIM}" CACHE STRING "compile C through reprise")
set(CMAKE_CXX_COMPILER_LAUNCHER "${REPRISE_SHIM}" CACHE STRING "compile C++ through reprise")
