# Reads a .sav file that `bowlby score --output FILE.sav` wrote, with haven, and compares it
# with the CSV output of the same run: the same columns in the same order, the same numbers
# (to 1e-12), the same text, and status as a labelled numeric 1 complete, 2 prorated,
# 3 insufficient, 4 excluded. Checks the variable labels of the score columns given as
# NAME=LABEL arguments. Prints "sav output matches: R rows, C columns" or the differences and
# exits 1.
#
#   Rscript tests/reference/check_sav_output.R OUT.sav OUT.csv [NAME=LABEL ...]
suppressPackageStartupMessages(library(haven))
args <- commandArgs(trailingOnly = TRUE)
sav <- read_sav(args[1])
csv <- read.csv(args[2], colClasses = "character", na.strings = character(0), check.names = FALSE)
problems <- character(0)
fail <- function(...) problems <<- c(problems, paste0(...))
if (!identical(names(sav), names(csv))) fail("columns: ", paste(names(sav), collapse = ","), " vs ",
                                             paste(names(csv), collapse = ","))
if (nrow(sav) != nrow(csv)) fail("rows: ", nrow(sav), " vs ", nrow(csv))
status_codes <- c(complete = 1, prorated = 2, insufficient = 3, excluded = 4)
for (name in intersect(names(sav), names(csv))) {
  s <- sav[[name]]
  c <- csv[[name]]
  if (name == "status") {
    labs <- attr(s, "labels")
    if (!identical(as.numeric(labs), as.numeric(status_codes)) || !identical(names(labs), names(status_codes)))
      fail("status labels: ", paste(names(labs), labs, collapse = ", "))
    if (!identical(as.numeric(zap_labels(s)), as.numeric(status_codes[c])))
      fail("status values differ")
  } else if (is.character(s)) {
    if (!identical(as.vector(s), c)) fail(name, ": text differs")
  } else {
    expected <- ifelse(c == "", NA_real_, suppressWarnings(as.numeric(c)))
    got <- as.numeric(zap_labels(s))
    same <- (is.na(got) & is.na(expected)) | (!is.na(got) & !is.na(expected) & abs(got - expected) <= 1e-12 * pmax(1, abs(expected)))
    if (!all(same)) fail(name, ": numbers differ at rows ", paste(which(!same), collapse = ","))
  }
}
for (spec in args[-(1:2)]) {
  eq <- regexpr("=", spec, fixed = TRUE)
  name <- substr(spec, 1, eq - 1)
  want <- substr(spec, eq + 1, nchar(spec))
  got <- attr(sav[[name]], "label")
  if (is.null(got) || got != want) fail(name, " label: '", if (is.null(got)) "" else got, "', wanted '", want, "'")
}
if (length(problems) > 0) {
  cat(problems, sep = "\n")
  quit(status = 1)
}
cat("sav output matches:", nrow(sav), "rows,", ncol(sav), "columns\n")
