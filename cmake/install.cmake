# install.cmake - `cmake --install`: the programs, the job scripts, the headers, the
# library with a CMake package (find_package(mapo) gives mapo::mapo) and a pkg-config
# file, and the man pages.
#
# Run:    cmake --install build/release --prefix ~/.local
# Notice: libmapo.a is a static library, so what it needs at link time (OpenMP,
#         Threads, m, atomic) travels with it: in the exported target mapo::mapo for
#         CMake users, in mapo.pc's Libs for everyone else. The build's own flags
#         (warnings, -march=native, sanitizers) stay behind: mapo_options wraps them in
#         $<BUILD_INTERFACE>, so a consumer gets c_std_11 and nothing it did not ask for.
#         Everything installed is relocatable: `--prefix` at install time is enough.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MAPO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mapo)

# The programs. mapo compare finds mapo-mpi beside mapo, so both go to bin.
install(TARGETS mapo_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET mapo_mpi)
  install(TARGETS mapo_mpi RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The library and the interface target that carries its C standard. libmapo.a holds
# mapo_core's objects itself ($<TARGET_OBJECTS:mapo_core> in its sources), so
# mapo_core is neither linked nor exported.
install(TARGETS mapo mapo_options EXPORT mapoTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mapo
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")

# The CMake package: lib/cmake/mapo/{mapoConfig,mapoConfigVersion,mapoTargets}.cmake.
install(EXPORT mapoTargets NAMESPACE mapo:: DESTINATION ${MAPO_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/mapoConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/mapoConfig.cmake
                              INSTALL_DESTINATION ${MAPO_CMAKE_DIR})
# 0.x: a minor version may change the API, so only the same 0.MINOR is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mapoConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mapoConfig.cmake
              ${PROJECT_BINARY_DIR}/mapoConfigVersion.cmake
        DESTINATION ${MAPO_CMAKE_DIR})

# pkg-config: prefix is worked out from where mapo.pc lies (${pcfiledir}), so the file
# stays right under whatever --prefix the install is given.
set(MAPO_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH MAPO_PC_TO_PREFIX /${MAPO_PC_DIR} /)
string(REGEX REPLACE "/$" "" MAPO_PC_TO_PREFIX "${MAPO_PC_TO_PREFIX}")
set(MAPO_PC_OPENMP "${OpenMP_C_FLAGS}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/mapo.pc.in ${PROJECT_BINARY_DIR}/mapo.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mapo.pc DESTINATION ${MAPO_PC_DIR})

# The job scripts, beside the helper they source. Slurm jobs find the programs through
# MAPO_BIN (slurm/mapo-job.sh): give it <prefix>/bin.
file(GLOB MAPO_SBATCH ${PROJECT_SOURCE_DIR}/slurm/*.sbatch)
install(PROGRAMS ${MAPO_SBATCH} ${PROJECT_SOURCE_DIR}/slurm/mapo-job.sh
        DESTINATION ${CMAKE_INSTALL_DATADIR}/mapo/slurm)
install(FILES ${PROJECT_SOURCE_DIR}/slurm/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/mapo/slurm)

# The notebook's Python, which mapo compare runs: found from the program's own path
# (bin/../share/mapo/python, src/CMakeLists.txt), so the prefix may be moved.
install(FILES ${MAPO_PYTHON_SCRIPTS} DESTINATION ${MAPO_PYTHON_DIR})

# A man page for each program installed.
install(FILES ${PROJECT_SOURCE_DIR}/docs/man/mapo.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
if(TARGET mapo_mpi)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/man/mapo-mpi.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
