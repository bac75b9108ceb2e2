# Makes the SPSS and Stata fixtures of tests/cli/test_cli_stat_files.cpp with haven, and their
# expected ECR-R scores with base R (reverse keying on the 1..7 scale, means of the answered
# items, at least half of a subscale's items answered).
#
#   Rscript tests/reference/make_stat_fixtures.R [OUT_DIR]     (default tests/data/stat)
#
# Written to OUT_DIR:
#   answers.sav     id (string), group, Q1..Q36 as labelled_spss with user-missing codes (SPSS
#                   allows three discrete codes, or a range and one code): Q1..Q18 8 and 9
#                   (na_values), Q19..Q36 9 (na_values) and 90 to 99 (na_range); and
#                   system-missing values
#   answers.zsav    the same, compressed
#   answers.dta     the same answers for Stata: . and the extended missing values .a and .z
#   answers.csv     the same answers as plain CSV, every missing value an empty cell
#   answers.expected.csv   row, id, anxiety, anxiety_n, avoidance, avoidance_n, status (base R)
#   string_item.sav Q5 a string variable
#   invalid.sav     respondent 3 answers Q2 with 12, which is no missing code
suppressPackageStartupMessages(library(haven))
args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else file.path("tests", "data", "stat")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
set.seed(2025)

n <- 8
X <- matrix(sample(1:7, n * 36, replace = TRUE), n, 36)
# Missing answers, as codes: 8 "don't know" (Q1..Q18), 9 "refused", 95 and 99 (in the range
# 90..99, Q19..Q36) and NA (system-missing). Respondent 4 leaves 12 anxiety items out:
# insufficient.
code <- matrix(NA_real_, n, 36)
code[1, 3] <- 8
code[2, c(5, 20)] <- c(9, 95)
code[3, 36] <- NA
code[4, 1:12] <- rep(c(8, 9, NA), 4)
code[5, c(9, 11, 22)] <- c(9, 8, 99)
code[7, 30] <- 9
missing_cell <- !is.na(code)
missing_cell[3, 36] <- TRUE
missing_cell[4, c(3, 6, 9, 12)] <- TRUE
answers <- X
answers[missing_cell] <- NA
sav_values <- X
sav_values[missing_cell] <- code[missing_cell]

items <- paste0("Q", 1:36)
ids <- sprintf("P%02d", 1:n)
group <- c(1, 2, 1, 2, 1, 2, 1, 2)

sav <- data.frame(id = ids, group = group, stringsAsFactors = FALSE)
user_missing <- function(x, j) {
  if (j <= 18) labelled_spss(x, labels = c("don't know" = 8, refused = 9), na_values = c(8, 9))
  else labelled_spss(x, labels = c(refused = 9), na_values = 9, na_range = c(90, 99))
}
for (j in 1:36) sav[[items[j]]] <- user_missing(sav_values[, j], j)
write_sav(sav, file.path(out_dir, "answers.sav"))
write_sav(sav, file.path(out_dir, "answers.zsav"), compress = TRUE)

dta <- data.frame(id = ids, group = group, stringsAsFactors = FALSE)
for (j in 1:36) {
  v <- as.double(answers[, j])
  tagged <- which(!is.na(code[, j]))
  v[tagged] <- ifelse(code[tagged, j] == 8, tagged_na("a"), tagged_na("z"))
  dta[[items[j]]] <- v
}
write_dta(dta, file.path(out_dir, "answers.dta"))

plain <- data.frame(id = ids, group = group, stringsAsFactors = FALSE)
for (j in 1:36) plain[[items[j]]] <- answers[, j]
write.csv(plain, file.path(out_dir, "answers.csv"), row.names = FALSE, na = "", quote = FALSE)

# ECR-R (Fraley, Waller & Brennan, 2000): anxiety items 1-18 (9 and 11 reversed), avoidance
# items 19-36 (20, 22, 26-31, 33-36 reversed), answers 1..7.
score <- function(cols, rev) {
  x <- answers[, cols, drop = FALSE]
  r <- match(rev, cols)
  x[, r] <- 8 - x[, r]
  k <- length(cols)
  answered <- rowSums(!is.na(x))
  m <- rowMeans(x, na.rm = TRUE)
  m[answered < ceiling(k / 2)] <- NA
  list(mean = m, n = answered, k = k, need = ceiling(k / 2))
}
anx <- score(1:18, c(9, 11))
avo <- score(19:36, c(20, 22, 26:31, 33:36))
status <- ifelse(anx$n == 18 & avo$n == 18, "complete",
                 ifelse(anx$n < anx$need | avo$n < avo$need, "insufficient", "prorated"))
num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
expected <- data.frame(row = 1:n, id = ids, anxiety = num(anx$mean), anxiety_n = anx$n,
                       avoidance = num(avo$mean), avoidance_n = avo$n, status = status)
write.csv(expected, file.path(out_dir, "answers.expected.csv"), row.names = FALSE, quote = FALSE)

string_item <- sav
string_item$Q5 <- as.character(X[, 5])
write_sav(string_item, file.path(out_dir, "string_item.sav"))

invalid <- sav
invalid$Q2 <- user_missing(replace(sav_values[, 2], 3, 12), 2)
write_sav(invalid, file.path(out_dir, "invalid.sav"))
