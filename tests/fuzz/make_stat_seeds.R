# Writes the seed files of the fuzz target stat_file (tests/fuzz/corpus/stat_file) with haven:
# small SPSS and Stata files of three items and an id. Each seed's first byte picks the reader's
# options (fuzz_stat_file.cpp): an even byte reads the rest as SPSS, an odd one as Stata.
#   Rscript tests/fuzz/make_stat_seeds.R     (from the repository root)
suppressPackageStartupMessages(library(haven))
dir <- file.path("tests", "fuzz", "corpus", "stat_file")
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
seed <- function(name, first, write) {
  tmp <- tempfile()
  write(tmp)
  body <- readBin(tmp, "raw", file.info(tmp)$size)
  writeBin(c(as.raw(first), body), file.path(dir, name))
}
d <- data.frame(id = c("a", "b", "c"), q1 = c(1, 2, 3), q2 = c(3, NA, 1), q3 = c(2, 2, 9))
spss <- d
spss$q3 <- labelled_spss(d$q3, labels = c(refused = 9), na_values = 9, na_range = c(90, 99))
seed("user_missing.sav", 0, function(p) write_sav(spss, p))
seed("compressed.zsav", 4, function(p) write_sav(spss, p, compress = TRUE))
seed("three_items.sav", 2, function(p) write_sav(d[, 2:4], p))
stata <- d
stata$q2 <- c(1, tagged_na("a"), NA)
seed("tagged_missing.dta", 1, function(p) write_dta(stata, p))
seed("three_items.dta", 3, function(p) write_dta(d[, 2:4], p))
