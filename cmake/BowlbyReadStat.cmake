# ReadStat, through which the `bowlby` tool reads SPSS (.sav, .zsav) and Stata (.dta) files and
# writes SPSS .sav output: optional. Debian's libreadstat-dev ships no CMake config and no
# pkg-config file, so the header and the library are found by name. When found, the imported
# target bowlby_readstat carries them and the definition BOWLBY_CLI_READSTAT; without it the
# tool reads and writes CSV and says, for a .sav or .dta file, that it was built without ReadStat.
option(BOWLBY_WITH_READSTAT "Build the bowlby tool with ReadStat (SPSS and Stata files) when it is found" ON)
if(BOWLBY_WITH_READSTAT)
  find_path(READSTAT_INCLUDE_DIR readstat.h)
  find_library(READSTAT_LIBRARY readstat)
  if(READSTAT_INCLUDE_DIR AND READSTAT_LIBRARY)
    add_library(bowlby_readstat INTERFACE IMPORTED GLOBAL)
    set_target_properties(
      bowlby_readstat PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${READSTAT_INCLUDE_DIR}"
                                 INTERFACE_LINK_LIBRARIES "${READSTAT_LIBRARY}" INTERFACE_COMPILE_DEFINITIONS
                                                                                BOWLBY_CLI_READSTAT)
    message(STATUS "bowlby tool: with ReadStat (${READSTAT_LIBRARY}): SPSS and Stata files")
  else()
    message(STATUS "bowlby tool: ReadStat not found (Debian: libreadstat-dev): CSV files only")
  endif()
endif()

# Links `target`, which compiles examples/cli/stat_files.cpp, with ReadStat when it was found.
function(bowlby_link_readstat target)
  if(TARGET bowlby_readstat)
    target_link_libraries(${target} PRIVATE bowlby_readstat)
  endif()
endfunction()
